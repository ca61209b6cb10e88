/**
 * Push connector: a source whose documents are pushed to `POST /ingest/<id>` rather than
 * pulled. The push API stashes each document in the state table; this connector reads the
 * stash like any other source, so the fetcher, the ledger diff, reconcile and audit work
 * unchanged. Versions are the ones the pusher sent.
 */

import { ConfigError } from '../../core/errors.ts';
import type {
  Cursor,
  DocumentIssue,
  DocumentRef,
  FetchResult,
  ListedDocument,
  PullPage,
  PullWindow,
  PushStateStore,
  SourceConnector,
  SourceDocument,
  StashedDocument,
  StateStore,
} from '../../ports/index.ts';

export interface PushConnectorOptions {
  readonly sourceId: string;
  readonly state: PushStateStore;
  /**
   * Stashed documents per page.
   * @default 200
   */
  readonly pageSize?: number;
}

const DEFAULT_PAGE_SIZE = 200;
/** Ids per stash read in `fetch`. */
const FETCH_BATCH = 100;

/** Whether a state store also keeps the push stash (both of Tributary's adapters do). */
export function supportsPush(state: StateStore): state is StateStore & PushStateStore {
  const s = state as Partial<PushStateStore>;
  return typeof s.getStashed === 'function' && typeof s.putStashed === 'function' && typeof s.listStashed === 'function'
    && typeof s.beginIdempotent === 'function' && typeof s.completeIdempotent === 'function' && typeof s.releaseIdempotent === 'function';
}

/** The push stash of a state store, or a ConfigError naming the source. */
export function pushStateOf(state: StateStore, sourceId: string): StateStore & PushStateStore {
  if (!supportsPush(state)) throw new ConfigError(`source "${sourceId}" is a push source, but this state store keeps no push stash`);
  return state;
}

export class PushConnector implements SourceConnector {
  readonly sourceId: string;
  private readonly state: PushStateStore;
  private readonly pageSize: number;

  constructor(options: PushConnectorOptions) {
    this.sourceId = options.sourceId;
    this.state = options.state;
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  /**
   * A full pass pages through every live stashed document; an incremental one through those
   * written since `window.since` (tombstones included, reported as deleted). Pages carry the
   * documents, so the fetcher reads nothing more. Cursor: `{ after: <last id> }`.
   */
  async pull(cursor: Cursor | undefined, window: PullWindow): Promise<PullPage> {
    const after = typeof cursor?.['after'] === 'string' ? cursor['after'] : undefined;
    const incremental = !window.full && window.since !== undefined;
    const page = await this.state.listStashed(this.sourceId, {
      limit: this.pageSize,
      ...(after !== undefined ? { after } : {}),
      ...(incremental ? { changedSince: window.since, includeDeleted: true } : {}),
    });
    const changed: DocumentRef[] = [];
    const skipped: DocumentIssue[] = [];
    for (const item of page.items) {
      if (item.deleted) continue;
      const problem = unreadable(item);
      if (problem) skipped.push(problem);
      else changed.push({ id: item.docId, version: item.version ?? '', document: toSourceDocument(item) });
    }
    const deleted = page.items.filter((item) => item.deleted).map((item) => item.docId);
    const last = page.items.at(-1)?.docId ?? after;
    return {
      changed, deleted, ...(skipped.length > 0 ? { skipped } : {}),
      next: page.next !== undefined ? { after: page.next } : last !== undefined ? { after: last } : {},
      done: page.next === undefined,
    };
  }

  /** The stashed documents among `ids`; tombstoned and unknown ids are absent, damaged items skipped. */
  async fetch(ids: readonly string[]): Promise<FetchResult> {
    const wanted = [...new Set(ids)];
    const documents: SourceDocument[] = [];
    const skipped: DocumentIssue[] = [];
    for (let i = 0; i < wanted.length; i += FETCH_BATCH) {
      const found = await this.state.getStashed(this.sourceId, wanted.slice(i, i + FETCH_BATCH));
      for (const id of wanted.slice(i, i + FETCH_BATCH)) {
        const item = found.get(id);
        if (!item || item.deleted) continue;
        const problem = unreadable(item);
        if (problem) skipped.push(problem);
        else documents.push(toSourceDocument(item));
      }
    }
    return { documents, skipped };
  }

  /** Every live stashed id with its version (a slim read: no text). */
  async *list(): AsyncIterable<ListedDocument> {
    let after: string | undefined;
    do {
      const page = await this.state.listStashed(this.sourceId, { limit: 1000, slim: true, ...(after !== undefined ? { after } : {}) });
      for (const item of page.items) yield { id: item.docId, version: item.version ?? '' };
      after = page.next;
    } while (after !== undefined);
  }
}

/**
 * A live stash item the push API would never have written: no text, or no version (an item
 * damaged or written by hand). Indexing it would store an empty document; skip it instead.
 */
function unreadable(item: StashedDocument): DocumentIssue | undefined {
  if (item.text === undefined || item.text === '') return { id: item.docId, reason: 'stashed document has no text (damaged item: push it again)' };
  if (item.version === undefined || item.version === '') return { id: item.docId, reason: 'stashed document has no version (damaged item: push it again)' };
  return undefined;
}

function toSourceDocument(item: StashedDocument): SourceDocument {
  return {
    id: item.docId,
    version: item.version ?? '',
    text: item.text ?? '',
    format: item.format ?? 'text',
    updatedAt: item.updatedAt,
    ...(item.title !== undefined ? { title: item.title } : {}),
    ...(item.url !== undefined ? { url: item.url } : {}),
    ...(item.metadata !== undefined ? { metadata: item.metadata } : {}),
  };
}
