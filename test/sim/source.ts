/**
 * Synthetic sources: the SourceConnector port over a few typed arrays, so 1,000 sources and a
 * million documents cost megabytes. A pass pulls pages of ids and versions (a full pass lists
 * every document; an incremental one the documents changed in its window); `fetch` builds a
 * document's text on demand; `list` is the slim listing reconcile reads.
 *
 * Text, and what it stands for: at scale, a document of N chunks is N Markdown sections of one
 * short line each, and the real chunker cuts it into exactly N chunks (each section is chunked
 * alone). A chunk's line is short (~15 tokens) so a million documents chunk in seconds; what a
 * chunk costs downstream (tokens billed and rate-limited, vector and cache item sizes) is the
 * configured `tokensPerChunk` and dimensions, applied by the simulated providers. An edit
 * rewrites one section, so one chunk of the document changes, as the chunker's locality
 * promises for a real edit. The equivalence run uses real generated text instead
 * (`realText`), with the hashing embedder's counts on both sides.
 */
import type { Cursor, FetchResult, ListedDocument, PullPage, PullWindow, SourceConnector, SourceDocument } from '../../shared/ports/index.ts';
import { Rng } from '../support/rng.ts';
import type { Latencies, Scheduler } from './engine.ts';
import type { LatencySpec } from './engine.ts';

export interface SyntheticSourceOptions {
  readonly sourceId: string;
  readonly kind: string;
  readonly documents: number;
  readonly meanChunks: number;
  readonly pageSize: number;
  readonly seed: number;
  /** Reconcile (a slim listing diffed against the ledger) at most this often, as Jira's and Tempo's `reconcileIntervalMinutes` do. */
  readonly reconcileEveryMs: number;
  /** Real document texts (by index) instead of the compact stand-ins. */
  readonly realText?: (index: number, version: number) => string;
}

export class SyntheticSource implements SourceConnector {
  readonly sourceId: string;
  readonly kind: string;
  private readonly chunks: Uint16Array;
  private readonly versions: Uint32Array;
  private readonly changedAt: Float64Array;
  /** Change log: [atMs, index] in time order (incremental pulls binary-search it). */
  private readonly log: Array<[number, number]> = [];
  private readonly deleted = new Set<number>();
  /** The slim listing comes back empty (a broken API answer). */
  emptyListing = false;
  readonly stats = { pulls: 0, fetches: 0, fetchedDocs: 0 };

  constructor(private readonly options: SyntheticSourceOptions, private readonly sched?: Scheduler, private readonly lat?: Latencies, private readonly pageLatency?: LatencySpec) {
    this.sourceId = options.sourceId;
    this.kind = options.kind;
    const rng = new Rng(options.seed);
    this.chunks = new Uint16Array(options.documents);
    // Sizes: a lognormal-ish spread around the mean (most documents small, a few large).
    for (let i = 0; i < options.documents; i++) {
      const f = Math.exp((rng.float() + rng.float() + rng.float() - 1.5) * 1.2);
      this.chunks[i] = Math.max(1, Math.min(400, Math.round(options.meanChunks * f / 1.27)));
    }
    this.versions = new Uint32Array(options.documents).fill(1);
    this.changedAt = new Float64Array(options.documents);
  }

  get documentCount(): number {
    return this.options.documents - this.deleted.size;
  }

  chunkTotal(): number {
    let n = 0;
    for (let i = 0; i < this.chunks.length; i++) if (!this.deleted.has(i)) n += this.chunks[i]!;
    return n;
  }

  /** Edits document `index` now (one section rewritten: one chunk changes). */
  edit(index: number, atMs: number): void {
    this.versions[index] = this.versions[index]! + 1;
    this.changedAt[index] = atMs;
    this.log.push([atMs, index]);
  }

  private async wait(): Promise<void> {
    if (this.sched && this.lat) {
      const ms = this.lat.draw(this.pageLatency);
      if (ms > 0) await this.sched.sleep(ms);
    }
  }

  async pull(cursor: Cursor | undefined, window: PullWindow): Promise<PullPage> {
    await this.wait();
    this.stats.pulls += 1;
    const { pageSize } = this.options;
    const from = typeof cursor?.['at'] === 'number' ? cursor['at'] : 0;
    const snapshot = Date.parse(window.snapshotAt);
    if (window.full || window.since === undefined) {
      const ids: number[] = [];
      let i = from;
      for (; i < this.options.documents && ids.length < pageSize; i++) if (!this.deleted.has(i)) ids.push(i);
      return { changed: ids.map((n) => this.ref(n)), deleted: [], next: { at: i }, done: i >= this.options.documents };
    }
    // Incremental: the change log from `since` (found by binary search) to the snapshot.
    const since = Date.parse(window.since);
    let start = from;
    if (typeof cursor?.['at'] !== 'number') {
      let lo = 0;
      let hi = this.log.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.log[mid]![0] < since) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    }
    const seen = new Set<number>();
    let i = start;
    for (; i < this.log.length && seen.size < pageSize; i++) {
      const [at, n] = this.log[i]!;
      if (at >= snapshot) break;
      if (!this.deleted.has(n)) seen.add(n);
    }
    const done = i >= this.log.length || this.log[i]![0] >= snapshot;
    return { changed: [...seen].map((n) => this.ref(n)), deleted: [], next: { at: i }, done };
  }

  private ref(n: number): { id: string; version: string } {
    return { id: docId(n), version: String(this.versions[n]) };
  }

  async fetch(ids: readonly string[]): Promise<FetchResult> {
    await this.wait();
    this.stats.fetches += 1;
    const documents: SourceDocument[] = [];
    for (const id of ids) {
      const n = indexOf(id);
      if (n === undefined || n >= this.options.documents || this.deleted.has(n)) continue;
      const version = this.versions[n]!;
      documents.push({
        id, version: String(version), text: this.textOf(n, version), format: 'markdown', title: `${this.kind} ${id}`,
        updatedAt: new Date(this.changedAt[n] || 0).toISOString(),
      });
    }
    this.stats.fetchedDocs += documents.length;
    return { documents };
  }

  private textOf(n: number, version: number): string {
    if (this.options.realText) return this.options.realText(n, version);
    const count = this.chunks[n]!;
    // Edit k (version k+1) rewrote section (n * 7 + k * 13) % count: its revision is the number of edits that hit it.
    const revisions = new Uint16Array(count);
    for (let k = 1; k < version; k++) revisions[(n * 7 + k * 13) % count]! += 1;
    const lines: string[] = [];
    for (let s = 0; s < count; s++) lines.push(`# ${s}\n\n${this.sourceId} ${n} s${s} r${revisions[s]}`);
    return lines.join('\n\n');
  }

  private lastReconcile = Number.NEGATIVE_INFINITY;

  /** The next finished pass reconciles, whenever the last one was. */
  forceReconcile(): void {
    this.lastReconcile = Number.NEGATIVE_INFINITY;
  }

  reconcileAfterPass(pass: { readonly snapshotAt: string }): boolean {
    const at = Date.parse(pass.snapshotAt);
    if (at - this.lastReconcile < this.options.reconcileEveryMs) return false;
    this.lastReconcile = at;
    return true;
  }

  async *list(): AsyncIterable<ListedDocument> {
    await this.wait();
    if (this.emptyListing) return;
    for (let n = 0; n < this.options.documents; n++) if (!this.deleted.has(n)) yield this.ref(n);
  }
}

export const docId = (n: number): string => `d${n}`;
const indexOf = (id: string): number | undefined => (/^d\d+$/.test(id) ? Number(id.slice(1)) : undefined);
