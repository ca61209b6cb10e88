/**
 * An S3 bucket (under a prefix) as a Tributary source.
 *
 * S3 has no "changed since" listing, so every pass lists the prefix — one ListObjectsV2 (or,
 * with `useVersionIds`, ListObjectVersions) page of up to 1,000 keys per `pull`, the page's
 * continuation token in the cursor the core saves after it — and names each object with its
 * version (the ETag, plus the version id): the core compares versions with its ledger and
 * fetches only new and changed objects (one GetObject each). Deletions are found by
 * reconcile, which diffs the same listing (answered from the pass just served, when this
 * instance served it whole) against the ledger; near-real-time changes arrive as id hints
 * from S3's events (./events.ts), which `fetch` reads as they are now.
 */
import { z } from 'zod';
import { forEachLimited } from '../../core/concurrency.ts';
import type { Cursor, DocumentIssue, DocumentRef, FetchResult, ListedDocument, PullPage, PullWindow, SourceConnector, SourceDocument } from '../../ports/index.ts';
import { decodeCursor, encodeCursor } from '../kit/cursors.ts';
import { slimListing } from '../kit/listing.ts';
import type { KeySpace } from './keys.ts';
import { objectDocument, reasonByName, versionOf } from './object-document.ts';
import { ObjectRefusedError, type ListedObject, type ListPage, type ListPosition, type S3Api } from './s3-api.ts';

export interface S3ConnectorOptions {
  readonly sourceId: string;
  readonly bucket: string;
  readonly keys: KeySpace;
  readonly api: S3Api;
  readonly pageSize: number;
  readonly maxFileBytes: number;
  readonly useVersionIds: boolean;
  readonly concurrency: number;
  /** Told about objects left out or skipped, with the reason (for logs). */
  readonly onSkip?: (id: string, reason: string) => void;
}

/** Where a pass is: the next listing page's position, or past the last page. */
const s3Cursor = z.union([
  z.strictObject({ token: z.string().min(1) }),
  z.strictObject({ keyMarker: z.string().min(1), versionIdMarker: z.string().min(1).optional() }),
  z.strictObject({ done: z.literal(true) }),
]);

/** What the pass in progress listed, in key order, kept while its pages were served in order from the first. */
interface PassRecord {
  readonly snapshotAt: string;
  readonly listed: ListedDocument[];
  /** The cursor the next page in sequence will be asked with (JSON), or 'broken'. */
  expect: string | 'broken';
  complete: boolean;
}

export class S3Connector implements SourceConnector {
  readonly sourceId: string;
  private pass: PassRecord | undefined;

  constructor(private readonly options: S3ConnectorOptions) {
    this.sourceId = options.sourceId;
  }

  /** One listing page of the pass; the window is ignored (S3 cannot filter by time, and copied objects keep old dates). */
  async pull(cursor: Cursor | undefined, window: PullWindow): Promise<PullPage> {
    const position = decodeCursor(this.sourceId, cursor, s3Cursor);
    if (position && 'done' in position) return { changed: [], deleted: [], next: { done: true }, done: true };
    const page = await this.page(position);
    const changed: DocumentRef[] = [];
    const skipped: DocumentIssue[] = [];
    const listed: ListedDocument[] = [];
    for (const object of page.objects) {
      const entry = this.entryOf(object);
      if (!entry) continue;
      listed.push(entry);
      const reason = reasonByName(entry.id);
      if (reason !== undefined) {
        skipped.push({ id: entry.id, reason });
        this.options.onSkip?.(entry.id, reason);
      } else {
        changed.push(entry);
      }
    }
    const next = encodeCursor(page.next ?? { done: true });
    this.record(window.snapshotAt, cursor, next, listed, page.next === undefined);
    return { changed, deleted: [], next, done: page.next === undefined, ...(skipped.length > 0 ? { skipped } : {}) };
  }

  /** The named objects as they are now: absent when gone (or no longer selected, or too large), skipped when unreadable. */
  async fetch(ids: readonly string[]): Promise<FetchResult> {
    const unique = [...new Set(ids)].filter((id) => this.options.keys.isSelected(id));
    const found = new Map<string, SourceDocument>();
    const skipped: DocumentIssue[] = [];
    const skip = (id: string, reason: string): void => {
      skipped.push({ id, reason });
      this.options.onSkip?.(id, reason);
    };
    await forEachLimited(unique, this.options.concurrency, async (id) => {
      const key = this.options.keys.keyOf(id);
      let body;
      try {
        body = await this.options.api.getObject(key, this.options.maxFileBytes);
      } catch (error) {
        if (error instanceof ObjectRefusedError) return skip(id, error.message);
        throw error;
      }
      if (body === undefined) return;
      if (body === 'tooLarge') return this.options.onSkip?.(id, `object is larger than maxFileBytes (${this.options.maxFileBytes})`);
      const outcome = await objectDocument({ id, bucket: this.options.bucket, key, body, useVersionIds: this.options.useVersionIds });
      if ('skip' in outcome) return skip(id, outcome.skip);
      found.set(id, outcome.document);
    });
    return { documents: unique.flatMap((id) => found.get(id) ?? []), skipped };
  }

  /** Every selected object with its version: from the pass just served whole, else a fresh listing. Complete, or it throws. */
  list(pass?: { readonly snapshotAt: string }): AsyncIterable<ListedDocument> {
    const record = this.pass;
    if (pass !== undefined && record?.snapshotAt === pass.snapshotAt && record.complete) return toAsync(record.listed);
    return slimListing(this.pages(), (object: ListedObject) => this.entryOf(object), { sourceId: this.sourceId });
  }

  async close(): Promise<void> {
    this.options.api.close();
  }

  // ───────────────────────────── internals ─────────────────────────────

  private page(position: ListPosition | undefined): Promise<ListPage> {
    const { api, keys, pageSize, useVersionIds } = this.options;
    if (useVersionIds) return api.listLatestVersions(keys.prefix, pageSize, position && 'keyMarker' in position ? position : undefined);
    return api.listObjects(keys.prefix, pageSize, position && 'token' in position ? position.token : undefined);
  }

  private async *pages(): AsyncGenerator<readonly ListedObject[]> {
    let position: ListPosition | undefined;
    do {
      const page = await this.page(position);
      yield page.objects;
      position = page.next;
    } while (position !== undefined);
  }

  /** The listed object as the source's id and version; undefined when it is not the source's or too large to index. */
  private entryOf(object: ListedObject): ListedDocument | undefined {
    const id = this.options.keys.idOf(object.key);
    if (id === undefined) return undefined;
    if (object.size > this.options.maxFileBytes) {
      // Left out (as the folder source does), so an object that grows past the limit leaves the index.
      this.options.onSkip?.(id, `object is ${object.size} bytes, larger than maxFileBytes (${this.options.maxFileBytes})`);
      return undefined;
    }
    return { id, version: versionOf(object, this.options.useVersionIds) };
  }

  /** Keeps the pass's listing while its pages come in order from the first, for the reconcile after it. */
  private record(snapshotAt: string, cursor: Cursor | undefined, next: Cursor, listed: readonly ListedDocument[], last: boolean): void {
    if (cursor === undefined) this.pass = { snapshotAt, listed: [], expect: '', complete: false };
    const pass = this.pass;
    if (!pass || pass.snapshotAt !== snapshotAt || pass.expect === 'broken') return;
    if (pass.expect !== (cursor === undefined ? '' : JSON.stringify(cursor))) {
      pass.expect = 'broken';
      return;
    }
    pass.listed.push(...listed);
    pass.expect = JSON.stringify(next);
    if (last) pass.complete = true;
  }
}

async function* toAsync<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}
