import { chunkDocument, chunkingSignature } from './chunker.ts';
import type { CoreDeps, SourceSettings } from './deps.ts';
import { covers, type RunIssues } from './document-issues.ts';
import { errorMessage, isDeploymentFailure, isDocumentFailure } from './errors.ts';
import { accessOfDocument } from './access.ts';
import { contentHash, decorHash } from './ids.ts';
import { encodeTask } from './tasks.ts';
import { embedWithCache, embeddingCostUsd } from './embedding-cache.ts';
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
    private readonly connector: SourceConnector,
    private readonly task: FetchTask,
    private readonly runId: string,
    private readonly nextRev: () => string,
    readonly issues: RunIssues,
  ) {}

  private get sourceId(): string {
    return this.task.sourceId;
  }

  get chunker(): string {
    return chunkingSignature(this.settings.chunking);
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
      if (!full && !recover && (current || entry?.pending?.version === ref.version)) {
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
    const kept = await this.preEmbed(tasks, ledger);
    for (const t of kept) this.issues.indexed(t.docId, warnings.get(t.docId));
    this.counters.docsChanged += kept.length;
    await this.enqueue(kept);
    await this.deleteIds(vanished);
  }

  /** Enqueues delete tasks for ids the ledger holds as live (or pending). */
  async deleteIds(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    for (const id of ids) this.issues.gone(id);
    const ledger = await this.deps.state.getDocuments(this.sourceId, ids);
    const tasks: EmbedTask[] = [];
    for (const id of new Set(ids)) {
      const entry = ledger.get(id);
      if (!entry || (entry.deleted && !entry.pending && !entry.claim)) continue;
      tasks.push({ type: 'delete', sourceId: this.sourceId, docId: id, rev: this.nextRev(), runId: this.runId });
    }
    this.counters.docsDeleted += tasks.length;
    await this.enqueue(tasks);
  }

  /** The document's task, or undefined (and a skip) when it cannot be chunked. */
  private upsertTask(doc: SourceDocument, hash: string, access: readonly string[] | undefined): UpsertTask | undefined {
    let chunks;
    try {
      chunks = chunkDocument(doc.text, doc.format ?? 'text', this.settings.chunking).map((c) => ({ index: c.index, hash: c.hash, text: c.text }));
    } catch (error) {
      this.issues.skip({ id: doc.id, reason: `could not be chunked: ${errorMessage(error)}` });
      return undefined;
    }
    const base = {
      type: 'upsert' as const, sourceId: this.sourceId, docId: doc.id, rev: this.nextRev(), version: doc.version,
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
   * Embeds the page's new chunk texts in as few requests as the provider's per-request
   * budget allows and caches them, so the embedder (one task per document, SQS batches of
   * at most 10) finds them cached. Returns the tasks to enqueue.
   *
   * A provider refusal no document escapes (bad key, wrong model or size) fails the run with
   * the provider's message, before any task is enqueued. An input the provider refuses is
   * found by halving the batch, and its document skipped. Anything else is best effort: the
   * embedder embeds its own chunks.
   */
  private async preEmbed(tasks: readonly UpsertTask[], ledger: ReadonlyMap<string, LedgerEntry>): Promise<UpsertTask[]> {
    if (this.deps.noEmbeddingCache === true || this.task.noCache === true) return [...tasks];
    const refused = new Set<string>();
    const embedGroup = async (group: readonly UpsertTask[]): Promise<void> => {
      try {
        await this.embedAhead(group, ledger);
      } catch (error) {
        if (isDeploymentFailure(error)) throw error;
        if (!isDocumentFailure(error)) {
          this.deps.log.warn('embedding ahead of the embed tasks failed; they will embed their own chunks', {
            sourceId: this.sourceId, error: errorMessage(error),
          });
          return;
        }
        const [only] = group;
        if (group.length === 1 && only) {
          refused.add(only.docId);
          this.issues.skip({ id: only.docId, reason: `refused by the embedding provider: ${errorMessage(error)}` });
          return;
        }
        const half = Math.ceil(group.length / 2);
        await embedGroup(group.slice(0, half));
        await embedGroup(group.slice(half));
      }
    };
    await embedGroup(tasks);
    return tasks.filter((t) => !refused.has(t.docId));
  }

  private async embedAhead(tasks: readonly UpsertTask[], ledger: ReadonlyMap<string, LedgerEntry>): Promise<void> {
    const wanted = new Map<string, string>();
    for (const t of tasks) {
      if (!t.chunks) continue;
      const entry = ledger.get(t.docId);
      // The embedder rewrites only chunks whose position or text changed (all, when in doubt).
      const known = entry && !entry.deleted && !entry.claim && t.rewrite !== true ? entry.chunkHashes : undefined;
      for (const c of t.chunks) if (known?.[c.index] !== c.hash) wanted.set(c.hash, c.text);
    }
    if (wanted.size === 0) return;
    const result = await embedWithCache(this.deps, wanted);
    if (result.embedded === 0) return;
    await this.deps.state.addRunCounters(this.sourceId, this.runId, {
      chunksEmbedded: result.embedded, embeddingCalls: result.calls, tokensEmbedded: result.tokens,
      estimatedCostUsd: embeddingCostUsd(result.tokens, this.deps.embeddingPricePerMillionTokensUsd),
    });
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
