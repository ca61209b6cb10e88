/**
 * The reconcile listing: every page and row under the scope, found by walking block trees from
 * the roots (child pages and child databases appear only as blocks; search is not exhaustive).
 * It reads every page's blocks: that is why the connector reconciles on an interval.
 */
import type { ListedDocument } from '../../ports/index.ts';
import { ProviderNotFoundError } from '../kit/index.ts';
import type { Ancestry } from './ancestry.ts';
import { richText, titleOf } from './markdown.ts';
import type { NotionApi, NotionObject } from './notion-api.ts';
import { pageVersion } from './page-document.ts';
import type { PageReader } from './page-reader.ts';

export interface WalkOptions {
  readonly api: NotionApi;
  readonly reader: PageReader;
  readonly ancestry: Ancestry;
  readonly pageSize: number;
  readonly access: readonly string[] | undefined;
  readonly nowMs: number;
  /** Told of every data source found (the next passes query them). */
  readonly onDataSource: (id: string) => void;
}

export type Root = { readonly kind: 'page'; readonly page: NotionObject } | { readonly kind: 'data_source'; readonly id: string };

/** Ids and versions of every page and row under `roots` (a page whose read answers 404 is gone). */
export async function* walk(roots: readonly Root[], options: WalkOptions): AsyncGenerator<ListedDocument[]> {
  const seen = new Set<string>();
  for (const root of roots) {
    if (root.kind === 'data_source') {
      const placed = await options.ancestry.place('', { type: 'data_source_id', data_source_id: root.id });
      yield* rows(root.id, placed.breadcrumb, options);
      continue;
    }
    const placed = await options.ancestry.place(root.page.id, root.page.parent);
    if (placed.trashed || root.page.in_trash === true) continue;
    yield* pages(root.page.id, root.page.last_edited_time ?? '', titleOf(root.page.properties) || 'Untitled', [...placed.breadcrumb], seen, options);
  }
}

async function* pages(id: string, edited: string, title: string, breadcrumb: string[], seen: Set<string>, options: WalkOptions): AsyncGenerator<ListedDocument[]> {
  if (seen.has(id)) return;
  seen.add(id);
  yield [{ id, version: pageVersion(edited, { breadcrumb, access: options.access }, options.nowMs) }];
  let read;
  try {
    read = await options.reader.read(id);
  } catch (error) {
    if (error instanceof ProviderNotFoundError) return;
    throw error;
  }
  const below = [...breadcrumb, title];
  for (const child of read.childPages) yield* pages(child.id, child.lastEditedTime, child.title || 'Untitled', below, seen, options);
  for (const databaseId of read.childDatabases) {
    let database: NotionObject;
    try {
      database = await options.api.database(databaseId);
    } catch (error) {
      if (error instanceof ProviderNotFoundError) continue;
      throw error;
    }
    for (const ds of database.data_sources ?? []) {
      const dsTitle = ds.name ?? richText(database.title);
      yield* rows(ds.id, [...below, dsTitle || 'Untitled'], options);
    }
  }
}

async function* rows(dataSourceId: string, breadcrumb: readonly string[], options: WalkOptions): AsyncGenerator<ListedDocument[]> {
  options.onDataSource(dataSourceId);
  let cursor: string | undefined;
  let since: string | undefined;
  for (;;) {
    let page;
    try {
      page = await options.api.query(dataSourceId, since, cursor, options.pageSize);
    } catch (error) {
      if (error instanceof ProviderNotFoundError) return;
      throw error;
    }
    yield page.results.map((row) => ({ id: row.id, version: pageVersion(row.last_edited_time ?? '', { breadcrumb, access: options.access }, options.nowMs) }));
    if (page.has_more && page.next_cursor) {
      cursor = page.next_cursor;
      continue;
    }
    if (page.request_status?.type !== 'incomplete') return;
    // One query reaches 10,000 rows: go on from the last edit seen (rows repeat; the listing dedupes).
    const last = page.results.at(-1)?.last_edited_time;
    if (!last || last === since) throw new Error(`Notion data source ${dataSourceId}: more than one query's rows share the edit time ${last ?? '(none)'}; the listing cannot be completed`);
    since = last;
    cursor = undefined;
  }
}
