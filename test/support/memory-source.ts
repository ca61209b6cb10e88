import type { Cursor, DocumentIssue, FetchResult, ListedDocument, Metadata, PullPage, PullWindow, SourceConnector, SourceDocument } from '../../shared/ports/index.ts';

/**
 * A SourceConnector over an in-memory map, for core tests. Every pass lists all documents
 * in id order, `pageSize` at a time; deletions are found by reconcile through `list()`.
 * `listOverride` simulates a broken listing (e.g. empty by mistake).
 */
export class MemorySource implements SourceConnector {
  readonly docs = new Map<string, { text: string; version: number; title?: string; metadata?: Metadata }>();
  listOverride: ListedDocument[] | undefined;
  pulls = 0;
  fetches = 0;
  /** Documents that exist but cannot be read now, with the reason `fetch` reports. */
  readonly unreadable = new Map<string, string>();
  /**
   * A part of the source that cannot be read at all (a folder without permission): `pull`
   * leaves its ids out and reports it on the pass's last page, `fetch` skips them, `list`
   * leaves them out.
   */
  hidden: DocumentIssue | undefined;
  /** Access lists by document id (set one, then `put` again: access is content, its change bumps the version). */
  readonly access = new Map<string, readonly string[]>();
  /** Called before each page is returned: lets a test edit the source mid-pass. */
  beforePage?: ((pageIndex: number) => Promise<void> | void) | undefined;

  constructor(readonly sourceId: string, private readonly pageSize = 3) {}

  put(id: string, text: string, title?: string, metadata?: Metadata): void {
    const prev = this.docs.get(id);
    this.docs.set(id, { text, version: (prev?.version ?? 0) + 1, ...(title !== undefined ? { title } : {}), ...(metadata ? { metadata } : {}) });
  }

  remove(id: string): void {
    this.docs.delete(id);
  }

  async pull(cursor: Cursor | undefined, _window: PullWindow): Promise<PullPage> {
    await this.beforePage?.(this.pulls);
    this.pulls += 1;
    const after = typeof cursor?.['after'] === 'string' ? cursor['after'] : '';
    const ids = [...this.docs.keys()].filter((id) => id > after && !this.isHidden(id)).sort();
    const page = ids.slice(0, this.pageSize);
    const last = page[page.length - 1];
    const done = ids.length <= this.pageSize;
    return {
      changed: page.map((id) => ({ id, version: String(this.docs.get(id)?.version) })),
      deleted: [],
      next: last === undefined ? { after } : { after: last },
      done,
      ...(done && this.hidden ? { skipped: [this.hidden] } : {}),
    };
  }

  async fetch(ids: readonly string[]): Promise<FetchResult> {
    this.fetches += 1;
    const out: SourceDocument[] = [];
    const skipped: DocumentIssue[] = [];
    for (const id of ids) {
      const d = this.docs.get(id);
      const unreadable = this.isHidden(id) ? this.hidden?.reason : this.unreadable.get(id);
      if (d && unreadable !== undefined) skipped.push({ id, reason: unreadable });
      else if (d) {
        out.push({
          id, version: String(d.version), text: d.text, format: 'markdown',
          ...(d.title !== undefined ? { title: d.title } : {}), ...(d.metadata ? { metadata: d.metadata } : {}),
          ...(this.access.has(id) ? { access: this.access.get(id)! } : {}),
        });
      }
    }
    return { documents: out, skipped };
  }

  async *list(): AsyncIterable<ListedDocument> {
    if (this.listOverride) {
      yield* this.listOverride;
      return;
    }
    for (const [id, d] of [...this.docs].sort(([a], [b]) => (a < b ? -1 : 1))) if (!this.isHidden(id)) yield { id, version: String(d.version) };
  }

  private isHidden(id: string): boolean {
    return this.hidden !== undefined && id.startsWith(this.hidden.id);
  }
}
