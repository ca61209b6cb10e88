/**
 * Fetch-queue messages that are an AWS service's own events (`{ type: 'event', sourceId, event }`,
 * written by the rules of a definition's `aws().eventRules`, e.g. S3's Object Created), made
 * into the targeted fetch task of the ids the source's definition reads from them.
 */
import type { TributaryConfig } from '../../shared/config/schema.ts';
import { definitionOf } from '../../shared/connectors/lookup.ts';
import { PoisonTaskError } from '../../shared/core/errors.ts';
import type { FetchTask } from '../../shared/ports/index.ts';

/** A fetch task for a native-event message; undefined for any other message (a task); `skip` when the event names nothing of the source's. */
export type NativeEventDecoder = (body: unknown, nowMs: number) => FetchTask | 'skip' | undefined;

export function nativeEventDecoder(config: Pick<TributaryConfig, 'sources'>): NativeEventDecoder {
  return (body, nowMs) => {
    const message = typeof body === 'string' ? parsed(body) : body;
    if (typeof message !== 'object' || message === null || (message as { type?: unknown }).type !== 'event') return undefined;
    const { sourceId, event } = message as { sourceId?: unknown; event?: unknown };
    const source = config.sources.find((s) => s.id === sourceId);
    if (!source) throw new PoisonTaskError(`an event for source ${JSON.stringify(sourceId)}, which is not configured`);
    const definition = definitionOf(source.kind);
    if (!definition.decodeEvent) throw new PoisonTaskError(`an event for source "${source.id}", whose kind (${source.kind}) reads no native events`);
    const ids = definition.decodeEvent(source, event);
    if (ids.length === 0) return 'skip';
    return { type: 'fetch', sourceId: source.id, trigger: 'webhook', ids: [...ids], requestedAt: new Date(nowMs).toISOString() };
  };
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
