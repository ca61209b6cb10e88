/**
 * A Notion page or data-source row as a Tributary document, and its version.
 *
 * Text (Markdown): `# <title>`, for a row its properties as `Key: value` lines, then the page
 * body. The breadcrumb (ancestor titles) is metadata on every vector, not text: a renamed
 * parent rewrites its descendants' vectors from the embedding cache without re-embedding them.
 *
 * Version: `<last_edited_time>#<hash of breadcrumb and access>`, so it changes whenever the page
 * or its place changes and stays put otherwise. `last_edited_time` is rounded down to the minute:
 * while that minute (plus a minute for clock skew) has not passed, a second edit could keep the
 * same stamp, so the version also names the pass (`~open:<snapshot>`) and the page is read again
 * by every pass until its minute has closed (its content hash spares re-embedding).
 */
import { createHash } from 'node:crypto';
import type { Metadata, SourceDocument } from '../../ports/index.ts';
import { propertyText, titleOf } from './markdown.ts';
import type { NotionObject } from './notion-api.ts';

/** How long after its (minute-rounded) stamp an edit may still share it, skew included. */
export const OPEN_MINUTE_MS = 120_000;

export interface Placed {
  readonly breadcrumb: readonly string[];
  readonly access: readonly string[] | undefined;
}

export function placementHash(placed: Placed): string {
  return createHash('sha256').update(JSON.stringify([placed.breadcrumb, placed.access ?? null])).digest('base64url').slice(0, 12);
}

export function pageVersion(lastEditedTime: string, placed: Placed, nowMs: number): string {
  const base = `${lastEditedTime}#${placementHash(placed)}`;
  const edited = Date.parse(lastEditedTime);
  return Number.isFinite(edited) && edited + OPEN_MINUTE_MS > nowMs ? `${base}~open:${new Date(nowMs).toISOString()}` : base;
}

/** The placement hash inside a version (undefined for a version of another shape). */
export function placementOfVersion(version: string | undefined): string | undefined {
  return version ? /#([A-Za-z0-9_-]{12})/.exec(version)?.[1] : undefined;
}

export const isRow = (page: NotionObject): boolean => page.parent?.type === 'data_source_id' || page.parent?.type === 'database_id';

/** The document of a page whose body was read as `body`. */
export function pageDocument(page: NotionObject, body: string, placed: Placed, nowMs: number): SourceDocument {
  const title = titleOf(page.properties) || 'Untitled';
  const row = isRow(page);
  const header = [`# ${title}`];
  if (row) {
    const lines = Object.entries(page.properties ?? {}).flatMap(([name, value]) => {
      if (value.type === 'title') return [];
      const text = propertyText(value).replace(/\s+/g, ' ').trim();
      return text === '' ? [] : [`${name}: ${text}`];
    });
    if (lines.length > 0) header.push(lines.join('\n'));
  }
  const text = [...header, ...(body.trim() !== '' ? [body] : [])].join('\n\n');
  const metadata: Metadata = {
    breadcrumb: placed.breadcrumb.join(' / '),
    notionType: row ? 'row' : 'page',
    ...(page.parent?.data_source_id ? { dataSourceId: page.parent.data_source_id } : {}),
  };
  return {
    id: page.id,
    version: pageVersion(page.last_edited_time ?? '', placed, nowMs),
    text,
    title,
    ...(typeof page.url === 'string' ? { url: page.url } : {}),
    ...(page.last_edited_time ? { updatedAt: page.last_edited_time } : {}),
    format: 'markdown',
    metadata,
    ...(placed.access ? { access: placed.access } : {}),
  };
}
