import { CursorExpiredError } from '../../../shared/core/errors.ts';
import type {
  Clock,
  Cursor,
  FetchResult,
  DocumentRef,
  ListedDocument,
  PullPage,
  PullWindow,
  SourceConnector,
  SourceDocument,
} from '../../../shared/ports/index.ts';
import { Rng } from '../../support/rng.ts';

/**
 * How the simulated source pages:
 * - `listing`: like a folder, every pass lists every document in id order (the window is
 *   ignored); deletions show only as absence, found by reconcile through `list()`.
 * - `window`: like an API with `updated_after`, a pass returns the documents and deletion
 *   tombstones whose source timestamp is in `[since, snapshotAt)`, ordered by (timestamp, id),
 *   with a change token in the cursor that can expire (CursorExpiredError, HTTP 410-like).
 */
export type SourceMode = 'listing' | 'window';

export interface SimDoc {
  readonly id: string;
  readonly sections: readonly string[];
  readonly title?: string;
  readonly version: string;
  /** Source-clock epoch ms, whole seconds (so several documents share one timestamp). */
  readonly ts: number;
}

export interface SimulatedSourceOptions {
  readonly sourceId: string;
  readonly mode: SourceMode;
  readonly pageSize: number;
  /** Our clock; the source's clock is this plus a skew. */
  readonly clock: Clock;
  /** Offset of the source's clock from ours, per event, in ms (|offset| ≤ the lookback). */
  readonly skewMs: () => number;
  /** Whether pages carry the documents' content (an API) or only ids and versions (a folder). */
  readonly inline: boolean;
}

const WORDS = [
  'ledger', 'queue', 'index', 'vector', 'shard', 'lease', 'cursor', 'batch', 'token', 'schema', 'policy', 'budget',
  'latency', 'deploy', 'rollback', 'canary', 'alert', 'runbook', 'owner', 'archive', 'mirror', 'bucket', 'stream',
  'checkpoint', 'snapshot', 'restore', 'quota', 'region', 'worker', 'retry', 'timeout', 'metric', 'trace', 'tenant',
  'invoice', 'refund', 'search', 'ranking', 'release', 'commit', 'merge', 'artifact', 'gateway', 'cache', 'window',
];

/** A paragraph of words drawn from `rng`. */
function paragraph(rng: Rng, min = 12, max = 34): string {
  const n = rng.int(min, max);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(rng.pick(WORDS));
  const text = words.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** A `##` section of 1–3 paragraphs: one to three chunks with the suite's chunking. */
export function makeSection(rng: Rng): string {
  const lines = [`## ${rng.pick(WORDS)} ${rng.pick(WORDS)}`];
  const paragraphs = rng.int(1, 3);
  for (let p = 0; p < paragraphs; p++) lines.push('', paragraph(rng));
  return lines.join('\n');
}

export function makeSections(rng: Rng, min = 1, max = 4): string[] {
  return Array.from({ length: rng.int(min, max) }, () => makeSection(rng));
}

export function textOf(doc: Pick<SimDoc, 'sections'>): string {
  return `${doc.sections.join('\n\n')}\n`;
}

/**
 * A source driven by the scenario: documents are created, edited, deleted, renamed and
 * restored between (and during) passes; the source's clock is skewed from ours; the change
 * token can be expired; the listing can come back empty by mistake. It is also the model:
 * `docs` is the truth the index must converge to.
 */
export class SimulatedSource implements SourceConnector {
  readonly sourceId: string;
  readonly docs = new Map<string, SimDoc>();
  /** Deleted documents (restorable), by id. */
  readonly graveyard = new Map<string, SimDoc>();
  /** Window mode: when each deleted id was deleted (source clock), for the change feed. */
  private readonly tombstones = new Map<string, number>();
  private readonly mode: SourceMode;
  private readonly pageSize: number;
  private readonly clock: Clock;
  private readonly skewMs: () => number;
  private readonly inline: boolean;
  private versions = 0;
  private generation = 0;
  /** `list()` calls (and, in listing mode, the passes around them) that come back empty. */
  brokenListings = 0;
  /** Counters for assertions. */
  readonly stats = { pulls: 0, fetches: 0, lists: 0, emptyLists: 0, expired: 0 };

  constructor(options: SimulatedSourceOptions) {
    this.sourceId = options.sourceId;
    this.mode = options.mode;
    this.pageSize = options.pageSize;
    this.clock = options.clock;
    this.skewMs = options.skewMs;
    this.inline = options.inline;
  }

  // ───────────── changes (the scenario's hand) ─────────────

  /** The source's clock now: ours plus the skew, truncated to whole seconds. */
  sourceNow(): number {
    return Math.floor((this.clock.now() + this.skewMs()) / 1000) * 1000;
  }

  put(id: string, sections: readonly string[], title?: string): SimDoc {
    const doc: SimDoc = { id, sections: [...sections], ...(title !== undefined ? { title } : {}), version: this.nextVersion(), ts: this.sourceNow() };
    this.docs.set(id, doc);
    this.graveyard.delete(id);
    this.tombstones.delete(id);
    return doc;
  }

  /** A new version with the same content (a touched file, an edit undone). */
  touch(id: string): void {
    const doc = this.docs.get(id);
    if (doc) this.docs.set(id, { ...doc, version: this.nextVersion(), ts: this.sourceNow() });
  }

  remove(id: string): void {
    const doc = this.docs.get(id);
    if (!doc) return;
    this.docs.delete(id);
    this.graveyard.set(id, doc);
    this.tombstones.set(id, this.sourceNow());
  }

  /**
   * Brings a deleted document back with its old content. A folder keeps the old version
   * (a file restored with its mtime); an API reports a restore as a new change.
   */
  restore(id: string): void {
    const doc = this.graveyard.get(id);
    if (!doc) return;
    this.graveyard.delete(id);
    this.tombstones.delete(id);
    this.docs.set(id, this.mode === 'listing' ? doc : { ...doc, version: this.nextVersion(), ts: this.sourceNow() });
  }

  /** The change token of every cursor handed out so far expires. */
  expireTokens(): void {
    this.generation += 1;
  }

  // ───────────── the connector ─────────────

  async pull(cursor: Cursor | undefined, window: PullWindow): Promise<PullPage> {
    this.stats.pulls += 1;
    return this.mode === 'listing' ? this.pullListing(cursor) : this.pullWindow(cursor, window);
  }

  async fetch(ids: readonly string[]): Promise<FetchResult> {
    this.stats.fetches += 1;
    const documents: SourceDocument[] = [];
    for (const id of new Set(ids)) {
      const doc = this.docs.get(id);
      if (doc) documents.push(toSourceDocument(doc));
    }
    return { documents };
  }

  async *list(): AsyncIterable<ListedDocument> {
    this.stats.lists += 1;
    if (this.brokenListings > 0) {
      this.brokenListings -= 1;
      this.stats.emptyLists += 1;
      return;
    }
    for (const doc of [...this.docs.values()].sort(byId)) yield { id: doc.id, version: doc.version };
  }

  private pullListing(cursor: Cursor | undefined): PullPage {
    const after = typeof cursor?.['after'] === 'string' ? cursor['after'] : '';
    if (this.brokenListings > 0) return { changed: [], deleted: [], next: { after }, done: true };
    const rest = [...this.docs.values()].filter((d) => d.id > after).sort(byId);
    const page = rest.slice(0, this.pageSize);
    const last = page.at(-1);
    return {
      changed: page.map((d) => this.ref(d)),
      deleted: [],
      next: { after: last?.id ?? after },
      done: rest.length <= this.pageSize,
    };
  }

  private pullWindow(cursor: Cursor | undefined, window: PullWindow): PullPage {
    if (cursor !== undefined && Number(cursor['token']) < this.generation) {
      this.stats.expired += 1;
      throw new CursorExpiredError(this.sourceId);
    }
    const since = window.since !== undefined ? Date.parse(window.since) : undefined;
    const snapshot = Date.parse(window.snapshotAt);
    const inWindow = (ts: number): boolean => (since === undefined || ts >= since) && ts < snapshot;
    const items: Array<{ ts: number; id: string; doc?: SimDoc }> = [];
    for (const doc of this.docs.values()) if (inWindow(doc.ts)) items.push({ ts: doc.ts, id: doc.id, doc });
    // A full pass lists what exists; tombstones only matter to an incremental one.
    if (since !== undefined) for (const [id, ts] of this.tombstones) if (inWindow(ts)) items.push({ ts, id });
    items.sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const at = typeof cursor?.['at'] === 'number' ? cursor['at'] : undefined;
    const afterId = typeof cursor?.['id'] === 'string' ? cursor['id'] : '';
    const rest = at === undefined ? items : items.filter((i) => i.ts > at || (i.ts === at && i.id > afterId));
    const page = rest.slice(0, this.pageSize);
    const last = page.at(-1);
    return {
      changed: page.flatMap((i) => (i.doc ? [this.ref(i.doc)] : [])),
      deleted: page.filter((i) => !i.doc).map((i) => i.id),
      next: last ? { at: last.ts, id: last.id, token: this.generation } : { at: at ?? null, id: afterId, token: this.generation },
      done: rest.length <= this.pageSize,
    };
  }

  private ref(doc: SimDoc): DocumentRef {
    return this.inline ? { id: doc.id, version: doc.version, document: toSourceDocument(doc) } : { id: doc.id, version: doc.version };
  }

  private nextVersion(): string {
    this.versions += 1;
    return `v${this.versions}`;
  }
}

function toSourceDocument(doc: SimDoc): SourceDocument {
  return {
    id: doc.id, version: doc.version, text: textOf(doc), format: 'markdown', updatedAt: new Date(doc.ts).toISOString(),
    ...(doc.title !== undefined ? { title: doc.title } : {}),
  };
}

function byId(a: SimDoc, b: SimDoc): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
