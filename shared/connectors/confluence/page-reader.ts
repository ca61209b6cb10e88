/**
 * Reading pages: batch reads by id, the documents (labels and access added), and the
 * descendants a renamed or moved page takes along.
 *
 * - Batch: one CQL search `<scope> AND id in (…)` with bodies per `fetchBatchSize` ids. CQL
 *   searches current content only, so a trashed, archived or purged page (or one moved out of
 *   the configured spaces) is absent: the core takes it for deleted. A batch Confluence refuses
 *   (4xx, a body not of the schema) is read again id by id, so one page's refusal is its own.
 * - Per page: its labels (one request; more only past 250 labels) and its read restriction and
 *   its ancestors' (one request per page, cached for the run).
 * - Descendants: a page whose title or breadcrumb differs from what the ledger holds changes the
 *   breadcrumb of every page below it. `ancestor = <id>` lists them (ids, versions and ancestor
 *   titles); those whose version moved are refreshed in the same pass. Their text is unchanged,
 *   so the core rewrites their vectors' metadata from the embedding cache.
 */
import { DocumentError, errorMessage } from '../../core/errors.ts';
import type { DocumentIssue, DocumentRef, FetchResult, SourceDocument, StateStore } from '../../ports/index.ts';
import { fetchEach, ProviderRequestError, ProviderResponseError } from '../kit/index.ts';
import { pageAccess, type RestrictionCache } from './access.ts';
import { BODY_EXPAND, LIST_EXPAND, type ConfluenceApi, type Content, type SearchItem } from './confluence-api.ts';
import { listingCql, nextPosition } from './cql-listing.ts';
import { contextPartOf, pageDocument, versionOf } from './page-document.ts';

const CONTENT_ID = /^\d{1,20}$/;

export interface PageReaderOptions {
  readonly sourceId: string;
  readonly api: ConfluenceApi;
  readonly state: StateStore;
  readonly restrictions: RestrictionCache;
  readonly scope: string;
  readonly pageSize: number;
  readonly fetchBatchSize: number;
  /** The API user's time zone (CQL reads date literals in it). */
  readonly zone: () => Promise<string>;
}

/** Contents of a listing that parsed, and those that did not (with an id: skipped). */
export interface ListedContents {
  readonly contents: Content[];
  readonly skipped: DocumentIssue[];
}

export function splitItems(items: readonly SearchItem[], sourceId: string): ListedContents {
  const contents: Content[] = [];
  const skipped: DocumentIssue[] = [];
  for (const item of items) {
    if (item.ok) contents.push(item.content);
    else if (item.id !== undefined) skipped.push({ id: item.id, reason: item.reason });
    // A result without an id cannot be skipped by name: the listing is not complete, so it fails.
    else throw new ProviderResponseError(`source "${sourceId}": ${item.reason}`, { sourceId, provider: 'Confluence', method: 'GET', path: '/wiki/rest/api/search' });
  }
  return { contents, skipped };
}

/** A page a pass or a read found, as the descendants check needs it. */
export interface ChangedPage {
  readonly id: string;
  readonly title: string;
  readonly version: string;
  readonly type: string;
  /** Ancestor ids, top to bottom. */
  readonly ancestors: readonly string[];
}

/** The descendants check's view of a content item. */
export const changedPage = (c: Content): ChangedPage => ({ id: c.id, title: c.title, version: versionOf(c), type: c.type, ancestors: (c.ancestors ?? []).map((a) => a.id) });

export class PageReader {
  constructor(private readonly o: PageReaderOptions) {}

  /** The current documents of `ids`; with `withDescendants`, also the descendants of those renamed or moved. */
  async read(ids: readonly string[], withDescendants: boolean): Promise<FetchResult> {
    const wanted = [...new Set(ids)].filter((id) => CONTENT_ID.test(id));
    const documents: SourceDocument[] = [];
    const skipped: DocumentIssue[] = [];
    const read: ChangedPage[] = [];
    for (let i = 0; i < wanted.length; i += this.o.fetchBatchSize) {
      const result = await this.readBatch(wanted.slice(i, i + this.o.fetchBatchSize));
      documents.push(...result.documents);
      skipped.push(...(result.skipped ?? []));
      read.push(...result.pages);
    }
    if (withDescendants && documents.length > 0) {
      const found = new Set(documents.map((d) => d.id));
      const refs = await this.descendantsToRefresh(read.filter((p) => found.has(p.id)));
      const have = new Set([...documents.map((d) => d.id), ...skipped.map((s) => s.id)]);
      const more = await this.read(refs.map((r) => r.id).filter((id) => !have.has(id)), false);
      documents.push(...more.documents);
      skipped.push(...(more.skipped ?? []));
    }
    return { documents, skipped };
  }

  /**
   * Refs of the pages below those of `changed` whose title or breadcrumb differs from the
   * ledger's (renamed or moved since last indexed), at their current versions, when the ledger
   * does not hold those versions.
   */
  async descendantsToRefresh(changed: ReadonlyArray<ChangedPage>): Promise<DocumentRef[]> {
    const pages = changed.filter((c) => c.type === 'page');
    if (pages.length === 0) return [];
    const ledger = await this.o.state.getDocuments(this.o.sourceId, pages.map((p) => p.id));
    const roots = pages.filter((p) => {
      const entry = ledger.get(p.id);
      if (!entry || entry.deleted || entry.version === undefined || entry.version === p.version) return false;
      return (entry.title !== undefined && entry.title !== p.title) || contextPartOf(entry.version) !== contextPartOf(p.version);
    });
    // A root below another root is listed with it: `ancestor =` reaches every depth.
    const rootIds = new Set(roots.map((r) => r.id));
    const refs = new Map<string, string>();
    for (const root of roots.filter((r) => !r.ancestors.some((a) => rootIds.has(a)))) {
      for await (const contents of this.pagesOf(`${this.o.scope} AND ancestor = ${root.id}`)) {
        for (const c of contents) refs.set(c.id, versionOf(c));
      }
    }
    if (refs.size === 0) return [];
    const held = await this.o.state.getDocuments(this.o.sourceId, [...refs.keys()]);
    return [...refs].filter(([id, version]) => held.get(id)?.version !== version).map(([id, version]) => ({ id, version }));
  }

  /** Every page of a query (ids, versions, ancestors), in pages; ordered by creation so edits move nothing. */
  async *pagesOf(cqlScope: string): AsyncGenerator<Content[]> {
    let position = { fromMs: null as number | null, skip: 0 };
    for (;;) {
      const cql = listingCql(cqlScope, position.fromMs, await this.o.zone(), 'created');
      const page = await this.o.api.search(cql, { start: position.skip, limit: this.o.pageSize, expand: LIST_EXPAND });
      const { contents, skipped } = splitItems(page.items, this.o.sourceId);
      // A listing that leaves a page out would delete it: one it cannot read fails the listing.
      if (skipped[0]) throw new ProviderResponseError(`source "${this.o.sourceId}": ${skipped[0].id}: ${skipped[0].reason}`, { sourceId: this.o.sourceId, provider: 'Confluence', method: 'GET', path: '/wiki/rest/api/search' });
      yield contents;
      if (!page.more) return;
      position = nextPosition(position, page.items.map((i) => (i.ok ? Date.parse(i.content.history?.createdDate ?? '') : undefined)));
    }
  }

  private async readBatch(batch: readonly string[]): Promise<FetchResult & { pages: ChangedPage[] }> {
    let items: SearchItem[];
    let base: string | undefined;
    try {
      ({ items, base } = await this.searchAll(`${this.o.scope} AND id in (${batch.join(',')})`, batch.length));
    } catch (error) {
      if (batch.length === 1 || !(error instanceof ProviderRequestError || error instanceof ProviderResponseError)) throw error;
      // fetchEach: one page's refusal is its own; a refusal of every one is the source's, and thrown.
      const pages: ChangedPage[] = [];
      const result = await fetchEach(batch, async (id) => {
        const one = await this.searchAll(`${this.o.scope} AND id = ${id}`, 1);
        const { contents, skipped } = splitItems(one.items, this.o.sourceId);
        if (skipped[0]) throw new DocumentError(id, skipped[0].reason);
        if (contents[0]) pages.push(changedPage(contents[0]));
        return contents[0] ? this.documentOf(contents[0], one.base) : undefined;
      }, { concurrency: 1 });
      return { ...result, pages };
    }
    const { contents, skipped } = splitItems(items, this.o.sourceId);
    const byId = new Map(contents.map((c) => [c.id, c]));
    const result = await fetchEach([...byId.keys()], (id) => this.documentOf(byId.get(id)!, base));
    return { documents: result.documents, skipped: [...skipped, ...(result.skipped ?? [])], pages: contents.map(changedPage) };
  }

  private async searchAll(cql: string, expected: number): Promise<{ items: SearchItem[]; base: string | undefined }> {
    const items: SearchItem[] = [];
    let base: string | undefined;
    for (let start = 0; ;) {
      const page = await this.o.api.search(cql, { start, limit: Math.max(1, expected), expand: BODY_EXPAND });
      items.push(...page.items);
      base ??= page.base;
      // Confluence may answer fewer per page than asked (a limit lowered for bodies).
      if (!page.more || items.length >= expected) return { items, base };
      start = items.length;
    }
  }

  private async documentOf(content: Content, base: string | undefined): Promise<SourceDocument> {
    const space = content.space?.key;
    if (space === undefined) throw new DocumentError(content.id, 'Confluence returned the page without its space');
    const [labels, access] = await Promise.all([
      this.o.api.labels(content.id, content.type),
      pageAccess({ id: content.id, ancestors: (content.ancestors ?? []).map((a) => a.id), space }, (id) => this.o.restrictions.get(id)),
    ]);
    try {
      return pageDocument(content, { labels, access, base });
    } catch (error) {
      throw new DocumentError(content.id, `could not be rendered: ${errorMessage(error)}`, { cause: error });
    }
  }
}
