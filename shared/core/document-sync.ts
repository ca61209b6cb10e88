import { chunkDocument, chunkPayload, embeddingText, ledgerChunker, sameEmbedding } from './chunker.ts';
import type { CoreDeps, SourceSettings } from './deps.ts';
import { covers, type RunIssues } from './document-issues.ts';
import { errorMessage } from './errors.ts';
import { accessOfDocument } from './access.ts';
import { contentHash, decorHash } from './ids.ts';
import { encodeTask } from './tasks.ts';
import { EmbedAheadBuffer, type Waiter } from './embed-ahead.ts';
import type {
  DocumentIssue,
  DocumentRef,
  EmbedTask,
  FetchTask,
  LedgerEntry,
  SourceConnector,
  SourceDocument,
  UpsertTask,
} from '../ports/index.ts';

/** An embed task carries its chunks inline only while the message stays well under SQS's 256 KiB. */
const INLINE_TASK_BYTES = 200 * 1024;
/**
 * A held page waits at most this long for its texts' request to fill before it is sent
 * anyway: on a slow source, what a crash can cost in pages read again, and how late the
 * embedder starts. A fast source fills requests long before.
 */
export const EMBED_AHEAD_LINGER_MS = 5_000;
/** Tasks held at most, whatever the buffer holds (they carry their chunks). */
export const MAX_HELD_TASKS = 4_000;

/**
 * The tasks of one page (or one read by id), held until the new texts they need are
 * embedded. Pages are released in order, each after the one before it; the page's
 * `onRelease` (saving its cursor) runs after its tasks and pending markers are written.
 */
interface HeldPage extends Waiter {
  readonly tasks: EmbedTask[];
  readonly warnings: Map<string, string | undefined>;
  readonly heldAt: number;
  sealed: boolean;
  onRelease?: () => Promise<void>;
}

export interface FetchCounters {
  docsSeen: number;
  docsChanged: number;
  docsDeleted: number;
  docsUnchanged: number;
  tasksEnqueued: number;
}

export const zeroCounters = (): FetchCounters => ({ docsSeen: 0, docsChanged: 0, docsDeleted: 0, docsUnchanged: 0, tasksEnqueued: 0 });

/**
 * The document side of a fetch run: diffs what the source names against the ledger, reads
 * what changed, chunks it, embeds new chunk texts ahead, and enqueues one task per document
 * (or a delete). A document that cannot be read, chunked or embedded is skipped with its
 * reason in `issues`: it gets no task and no pending marker, so the next pass tries it again,
 * and it is never taken for a deletion.
 *
 * New chunk texts are gathered across pages in the embed-ahead buffer and sent in full
 * requests; a page's tasks are held until its texts are cached (`applyRefs` and `deleteIds`
 * stage, `seal` closes a page, `drain` sends what is due and releases pages in order, `flush`
 * does all of it now). Nothing of a held page is queued or marked, so its cursor is saved
 * (by its `onRelease`) only after its tasks: a crash re-reads the held pages, never skips them.
 */
export class DocumentSync {
  readonly counters = zeroCounters();
  /**
   * Version of each document this run enqueued an upsert for. The reconcile after the pass
   * must not take them for drift: an embedder can claim a task before the fetcher's pending
   * marker lands (the marker then stands down), and until it commits, the ledger shows neither.
   */
  readonly queued = new Map<string, string>();

  constructor(
    private readonly deps: CoreDeps,
    private readonly settings: SourceSettings,
    /** Reads documents (a profile fan-out hands each profile the same page's reads). */
    private readonly connector: Pick<SourceConnector, 'fetch'>,
    private readonly task: FetchTask,
    private readonly runId: string,
    private readonly nextRev: () => string,
    readonly issues: RunIssues,
    /** The index profile its tasks name (absent: the source's implicit one). */
    private readonly profile?: string,
  ) {
    this.buffer = new EmbedAheadBuffer(deps, task.sourceId, runId, (docIds, reason) => {
      for (const id of docIds) {
        this.refused.add(id);
        this.issues.skip({ id, reason });
      }
    });
  }

  private readonly buffer: EmbedAheadBuffer;
  private readonly held: HeldPage[] = [];
  /** Documents the provider refused a text of: their held tasks are dropped at release. */
  private readonly refused = new Set<string>();
  /**
   * What the held tasks do to each document: the version an upsert writes, or null for a
   * delete. A page that names a document again (a change feed repeating itself) finds it
   * here, as it would find the pending marker of a released task.
   */
  private readonly heldState = new Map<string, string | null>();

  /** The page being staged (the last one, unless sealed). */
  private openPage(): HeldPage {
    const last = this.held.at(-1);
    if (last && !last.sealed) return last;
    const page: HeldPage = { tasks: [], warnings: new Map(), heldAt: this.deps.clock.now(), waiting: 0, sealed: false };
    this.held.push(page);
    return page;
  }

  /** Closes the page being staged; `onRelease` runs once its tasks are queued. */
  seal(onRelease?: () => Promise<void>): void {
    const page = this.openPage();
    page.sealed = true;
    if (onRelease) page.onRelease = onRelease;
  }

  /**
   * Sends the embed-ahead requests that are due — full ones; all of them when `force`, when
   * the oldest held page has waited `EMBED_AHEAD_LINGER_MS` or more than `MAX_HELD_TASKS`
   * tasks are held — and releases the pages whose texts are all cached, in order.
   */
  async drain(force = false): Promise<void> {
    const oldest = this.held[0];
    const heldTasks = this.held.reduce((n, p) => n + p.tasks.length, 0);
    const now = force || heldTasks > MAX_HELD_TASKS || (oldest !== undefined && this.deps.clock.now() - oldest.heldAt >= EMBED_AHEAD_LINGER_MS);
    if (now || this.buffer.full) await this.buffer.drain(now);
    await this.release();
  }

  /** Seals the page being staged, sends every text waiting and releases every page. */
  async flush(): Promise<void> {
    if (this.held.length === 0) return;
    this.seal();
    await this.drain(true);
  }

  /** Queues the tasks of the sealed pages at the front whose texts are all settled, in order. */
  private async release(): Promise<void> {
    let count = 0;
    while (count < this.held.length && this.held[count]?.sealed === true && this.held[count]?.waiting === 0) count += 1;
    if (count === 0) return;
    const pages = this.held.splice(0, count);
    const tasks: EmbedTask[] = [];
    for (const page of pages) {
      for (const t of page.tasks) {
        if (t.type === 'upsert') {
          if (this.refused.has(t.docId)) continue;
          this.issues.indexed(t.docId, page.warnings.get(t.docId));
          this.counters.docsChanged += 1;
        } else {
          this.counters.docsDeleted += 1;
        }
        tasks.push(t);
      }
    }
    for (const page of pages) {
      for (const t of page.tasks) {
        this.refused.delete(t.docId);
        if (this.heldState.get(t.docId) === (t.type === 'upsert' ? t.version : null)) this.heldState.delete(t.docId);
      }
    }
    await this.enqueue(tasks);
    // Only the last page's cursor matters: it covers every page before it.
    const last = [...pages].reverse().find((p) => p.onRelease);
    await last?.onRelease?.();
  }

  private get sourceId(): string {
    return this.task.sourceId;
  }

  private profileField(): { profile?: string } {
    return this.profile !== undefined ? { profile: this.profile } : {};
  }

  get chunker(): string {
    return ledgerChunker(this.settings);
  }

  /**
   * Reads the named documents (a hint's ids, or documents an earlier run skipped): those the
   * source no longer has are deletions; those it has but cannot read are skipped.
   */
  async readIds(ids: readonly string[]): Promise<void> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return;
    const { documents, skipped = [] } = await this.connector.fetch(unique);
    const found = new Set(documents.map((d) => d.id));
    await this.applyRefs(documents.map((d) => ({ id: d.id, version: d.version, document: d })), false, skipped);
    await this.deleteIds(unique.filter((id) => !found.has(id) && !skipped.some((s) => covers(s, id))));
    await this.flush();
  }

  /** Diffs refs against the ledger; enqueues tasks for what changed. `skipped`: what the page could not read. */
  async applyRefs(refs: readonly DocumentRef[], full: boolean, skipped: readonly DocumentIssue[] = []): Promise<void> {
    for (const issue of skipped) this.issues.skip(issue);
    this.counters.docsSeen += refs.length + skipped.filter((s) => s.prefix !== true && !refs.some((r) => r.id === s.id)).length;
    if (refs.length === 0) return;
    const ledger = await this.deps.state.getDocuments(this.sourceId, refs.map((r) => r.id));
    const recover = this.task.recover === true;

    const needContent: DocumentRef[] = [];
    for (const ref of refs) {
      const entry = ledger.get(ref.id);
      const current = isCurrent(entry, ref.version) && entry?.chunker === this.chunker;
      // Otherwise a task for exactly this version may already be queued.
      if (!full && !recover && (current || entry?.pending?.version === ref.version || this.heldState.get(ref.id) === ref.version)) {
        this.counters.docsUnchanged += 1;
        this.issues.unchanged(ref.id);
      } else {
        needContent.push(ref);
      }
    }

    const missing = needContent.filter((r) => !r.document).map((r) => r.id);
    const fetched = new Map<string, SourceDocument>();
    const unreadable: DocumentIssue[] = [];
    if (missing.length > 0) {
      const result = await this.connector.fetch(missing);
      for (const doc of result.documents) fetched.set(doc.id, doc);
      for (const issue of result.skipped ?? []) {
        unreadable.push(issue);
        this.issues.skip(issue);
      }
    }

    const tasks: UpsertTask[] = [];
    const warnings = new Map<string, string | undefined>();
    const vanished: string[] = [];
    for (const ref of needContent) {
      const doc = ref.document ?? fetched.get(ref.id);
      if (!doc) {
        // Gone between listing and reading: a deletion if we know it. Unreadable: skipped above.
        if (!unreadable.some((issue) => covers(issue, ref.id))) vanished.push(ref.id);
        continue;
      }
      const entry = ledger.get(ref.id);
      const hash = contentHash(doc.text, doc.title);
      // Access is part of what every vector repeats: a change of it rewrites them (from the cache).
      const { access, warning } = accessOfDocument(doc);
      const decor = decorHash(doc.title, doc.url, doc.metadata, access);
      if (!recover && entry?.rev && !entry.deleted && entry.contentHash === hash && entry.chunker === this.chunker
        && !entry.pending && !entry.claim && (entry.decor === undefined ? access === undefined : entry.decor === decor)) {
        // Same content under a new version (touched, copied back): record the version, embed nothing.
        const touched = await this.deps.state.touchDocument({
          sourceId: this.sourceId, docId: doc.id, expectRev: entry.rev, rev: this.nextRev(), version: doc.version,
        });
        if (touched) {
          this.counters.docsUnchanged += 1;
          this.issues.indexed(doc.id, warning);
          continue;
        }
      }
      const task = this.upsertTask(doc, hash, access);
      if (task) {
        tasks.push(task);
        warnings.set(doc.id, warning);
      }
    }
    await this.stage(tasks, warnings, ledger);
    await this.deleteIds(vanished);
  }

  /** Stages delete tasks for ids the ledger holds as live (or pending). */
  async deleteIds(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    for (const id of ids) this.issues.gone(id);
    const ledger = await this.deps.state.getDocuments(this.sourceId, ids);
    const tasks: EmbedTask[] = [];
    for (const id of new Set(ids)) {
      const entry = ledger.get(id);
      if (!entry || (entry.deleted && !entry.pending && !entry.claim) || this.heldState.get(id) === null) continue;
      this.heldState.set(id, null);
      tasks.push({ type: 'delete', sourceId: this.sourceId, ...this.profileField(), docId: id, rev: this.nextRev(), runId: this.runId });
    }
    if (tasks.length > 0) this.openPage().tasks.push(...tasks);
  }

  /** The document's task, or undefined (and a skip) when it cannot be chunked. */
  private upsertTask(doc: SourceDocument, hash: string, access: readonly string[] | undefined): UpsertTask | undefined {
    let chunks;
    try {
      chunks = chunkDocument(doc.text, doc.format ?? 'text', this.settings.chunking, doc).map(chunkPayload);
    } catch (error) {
      this.issues.skip({ id: doc.id, reason: `could not be chunked: ${errorMessage(error)}` });
      return undefined;
    }
    const base = {
      type: 'upsert' as const, sourceId: this.sourceId, ...this.profileField(), docId: doc.id, rev: this.nextRev(), version: doc.version,
      contentHash: hash, updatedAt: doc.updatedAt ?? new Date(this.deps.clock.now()).toISOString(), runId: this.runId,
      ...(this.task.recover === true ? { rewrite: true } : {}),
      ...(this.task.noCache === true ? { noCache: true } : {}),
      chunker: this.chunker,
      ...(doc.title !== undefined ? { title: doc.title } : {}), ...(doc.url !== undefined ? { url: doc.url } : {}),
      ...(doc.metadata !== undefined && Object.keys(doc.metadata).length > 0 ? { metadata: doc.metadata } : {}),
      ...(access !== undefined ? { access } : {}),
    };
    const inline: UpsertTask = { ...base, chunks };
    return Buffer.byteLength(encodeTask(inline), 'utf8') <= (this.deps.maxInlineTaskBytes ?? INLINE_TASK_BYTES) ? inline : base;
  }

  /**
   * Holds the page's upsert tasks and stages their new chunk texts in the embed-ahead buffer,
   * so the embedder (one task per document, SQS batches of at most 10) finds them cached.
   * Only chunks whose position or text changed are embedded (all, when in doubt).
   */
  private async stage(tasks: readonly UpsertTask[], warnings: ReadonlyMap<string, string | undefined>, ledger: ReadonlyMap<string, LedgerEntry>): Promise<void> {
    const page = this.openPage();
    for (const t of tasks) {
      page.tasks.push(t);
      page.warnings.set(t.docId, warnings.get(t.docId));
      this.heldState.set(t.docId, t.version);
    }
    if (this.deps.noEmbeddingCache === true || this.task.noCache === true) return;
    const wanted = new Map<string, { text: string; docs: string[] }>();
    for (const t of tasks) {
      if (!t.chunks) continue;
      const entry = ledger.get(t.docId);
      const known = entry && !entry.deleted && !entry.claim && t.rewrite !== true && sameEmbedding(entry.chunker, this.chunker) ? entry.chunkHashes : undefined;
      for (const c of t.chunks) {
        if (known?.[c.index] === c.hash) continue;
        const want = wanted.get(c.hash);
        if (want) want.docs.push(t.docId);
        else wanted.set(c.hash, { text: embeddingText(c), docs: [t.docId] });
      }
    }
    if (wanted.size > 0) await this.buffer.add(page, wanted);
  }

  /**
   * Sends, then marks pending. A marker says "a task for this version is queued": later passes
   * trust it and do not enqueue the document again, so it must never exist without its task.
   * A crash between the two leaves a queued task without a marker, which costs at most a
   * duplicate task (the cursor of this page is not saved yet, so the page is pulled again).
   * With an in-memory queue, the markers of pages already saved are what survives a crash.
   */
  private async enqueue(tasks: readonly EmbedTask[]): Promise<void> {
    if (tasks.length === 0) return;
    await this.deps.queue.sendEmbed(tasks);
    this.counters.tasksEnqueued += tasks.length;
    for (const t of tasks) {
      if (t.type === 'upsert') this.queued.set(t.docId, t.version);
      else this.queued.delete(t.docId);
    }
    await this.deps.state.markPending(this.sourceId, tasks.map((t) => ({
      docId: t.docId, pending: { rev: t.rev, version: t.type === 'upsert' ? t.version : '' },
    })));
  }
}

/** The ledger holds this exact version, committed, with nothing in flight. */
export function isCurrent(entry: LedgerEntry | undefined, version: string): boolean {
  return entry !== undefined && !entry.deleted && entry.rev !== undefined && entry.version === version
    && entry.pending === undefined && entry.claim === undefined;
}

/** Known to the index, or about to be: reconcile must consider it. */
export function isLive(entry: LedgerEntry): boolean {
  if (entry.pending) return entry.pending.version !== '';
  return !entry.deleted && (entry.rev !== undefined || entry.claim !== undefined);
}
