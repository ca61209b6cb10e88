/**
 * Rows as Tributary documents: one row (row mode), or the messages of one conversation or
 * time window of one (conversation mode) under its document key.
 */
import { TURN_SEPARATOR } from '../../core/chunker.ts';
import type { SourceDocument } from '../../ports/index.ts';
import type { Columns } from './columns.ts';
import type { SqlTableConfig } from './config.ts';
import { A, conversationVersion } from './statements.ts';
import { metadataOf, renderTemplate, valueText } from './templates.ts';

/** What a document's text, title, URL and metadata are made from. */
export type DocumentTemplates = Pick<SqlTableConfig, 'textTemplate' | 'titleTemplate' | 'urlTemplate' | 'metadataColumns'>;

export function rowDocument(c: DocumentTemplates, row: Record<string, unknown>): SourceDocument {
  const ts = String(row[A.ts]);
  const title = c.titleTemplate !== undefined ? renderTemplate(c.titleTemplate, row) : undefined;
  const url = c.urlTemplate !== undefined ? renderTemplate(c.urlTemplate, row, encodeURIComponent) : undefined;
  return {
    id: String(row[A.id]),
    version: ts,
    text: renderTemplate(c.textTemplate, row),
    format: 'text',
    updatedAt: isoMillis(ts),
    ...(title ? { title } : {}),
    ...(url ? { url } : {}),
    metadata: metadataOf(c.metadataColumns, row),
  };
}

export function conversationDocument(
  c: DocumentTemplates,
  key: string,
  turns: ReadonlyArray<Record<string, unknown>>,
  aggregate: Record<string, unknown>,
  warning?: string,
): SourceDocument {
  const first = turns[0] ?? {};
  // The separator inside a message would split it into two turns.
  const text = turns.map((row) => renderTemplate(c.textTemplate, row).replaceAll(TURN_SEPARATOR, ' ')).join(TURN_SEPARATOR);
  const group = valueText(first[A.group]);
  const windowStart = key.length > group.length ? key.slice(group.length + 1) : undefined;
  const title = c.titleTemplate !== undefined ? renderTemplate(c.titleTemplate, first) : windowStart !== undefined ? `${group} · ${windowStart}` : group;
  const url = c.urlTemplate !== undefined ? renderTemplate(c.urlTemplate, first, encodeURIComponent) : undefined;
  const ts = String(aggregate[A.ts]);
  return {
    id: key,
    version: conversationVersion(aggregate),
    text,
    format: 'conversation',
    updatedAt: isoMillis(ts),
    ...(title ? { title } : {}),
    ...(url ? { url } : {}),
    ...(warning !== undefined ? { warning } : {}),
    metadata: {
      ...metadataOf(c.metadataColumns, first),
      // Only stable fields: vectors repeat document metadata, so a count that changes with
      // every message would rewrite all of a conversation's vectors on each append.
      conversation: group,
      ...(windowStart !== undefined ? { window: windowStart } : {}),
    },
  };
}

/** The group of a conversation document key, or undefined when the key cannot be one. */
export function parseDocKey(config: Pick<SqlTableConfig, 'conversation'>, key: string, columns: Columns): string | undefined {
  if (config.conversation?.timeWindow === undefined) return columns.groupValid(key) ? key : undefined;
  const slash = key.lastIndexOf('/');
  if (slash <= 0 || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/.test(key.slice(slash + 1))) return undefined;
  const group = key.slice(0, slash);
  return columns.groupValid(group) ? group : undefined;
}

/** `2026-01-01T00:00:00.123456Z` → `2026-01-01T00:00:00.123Z`. */
function isoMillis(ts: string): string {
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? ts : date.toISOString();
}
