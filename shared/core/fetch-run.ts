import { chunkDocument, chunkingSignature } from './chunker.ts';
import type { CoreDeps, SourceSettings } from './deps.ts';
import { CursorExpiredError, LeaseLostError, PoisonTaskError, TributaryError, errorMessage } from './errors.ts';
import { contentHash, decorHash, makeRev } from './ids.ts';
import { encodeTask } from './tasks.ts';
import type {
  BreakerState,
  Cursor,
  DocumentRef,
  EmbedTask,
  FetchTask,
  LeaseResult,
  LedgerEntry,
  PassState,
  PullWindow,
  RunRecord,
  SourceConnector,
  SourceDocument,
  UpsertTask,
} from '../ports/index.ts';

/** An embed task carries its chunks inline only while the message stays well under SQS's 256 KiB. */
const INLINE_TASK_BYTES = 200 * 1024;
/** Stop paging this long before the deadline, leaving time to persist and enqueue a continuation. */
const DEADLINE_MARGIN_MS = 10_000;
/** Full passes one run starts over after expired cursors, before it gives up (and the next run tries). */
const MAX_PASS_RESTARTS = 3;
/** Documents reconcile re-reads per batch when the listing shows the ledger drifted. */
const REPAIR_BATCH = 100;
/** Attempts at taking the lease when an attempt fails with a retryable error. */
const LEASE_ATTEMPTS = 3;

export interface FetchRunOptions {
  /** Lease owner id of this process or invocation. */
  readonly owner: string;
  /** Epoch ms by which the run must have handed over (Lambda's time limit). */
  readonly deadline?: number;
  /** Local mode: tells whether a lease owner's process still lives (false: take over at once). */
  readonly isOwnerAlive?: (owner: string) => boolean | undefined;
  /** Lets one reconcile delete more than the breaker allows. */
  readonly allowMassDelete?: boolean;
  readonly onProgress?: (progress: FetchProgress) => void;
}

export interface FetchProgress {
  readonly sourceId: string;
  readonly pages: number;
  readonly docsSeen: number;
  readonly docsChanged: number;
  readonly docsDeleted: number;
  readonly phase: 'pulling' | 'reconciling' | 'done';
}

export interface FetchCounters {
  docsSeen: number;
  docsChanged: number;
  docsDeleted: number;
  docsUnchanged: number;
  tasksEnqueued: number;
}

export interface FetchRunResult {
  readonly sourceId: string;
  readonly status: 'completed' | 'deferred' | 'continued' | 'failed';
  readonly runSk?: string;
  /** Another trigger arrived during the run: run the source again. */
  readonly rerun: boolean;
  readonly counters: FetchCounters;
  readonly breaker?: BreakerState;
  readonly error?: string;
}

const zeroCounters = (): FetchCounters => ({ docsSeen: 0, docsChanged: 0, docsDeleted: 0, docsUnchanged: 0, tasksEnqueued: 0 });

/**
 * One fetch run of one source: take the lease, page through the source (or fetch the hinted
 * ids), diff against the ledger, enqueue embed tasks, write the cursor after every page
 * (fenced by the lease epoch), reconcile deletions, and record the run.
 */
export async function runFetch(deps: CoreDeps, task: FetchTask, options: FetchRunOptions): Promise<FetchRunResult> {
  const settings = deps.settings(task.sourceId);
  const connector = deps.connector(task.sourceId);
  if (!settings || !connector) throw new PoisonTaskError(`unknown source "${task.sourceId}"`, { sourceId: task.sourceId });

  const startedAt = deps.clock.now();
  const prior = await deps.state.getSource(task.sourceId);
  if (isSubsumedHint(task, prior?.watermark)) {
    // A burst of "something changed" hints queues up behind the first one's run; that run's
    // pass started after them, so running another pass now would read the same window again.
    deps.log.info('hint already covered by a later pass; skipped', { sourceId: task.sourceId, requestedAt: task.requestedAt, watermark: prior?.watermark });
    return { sourceId: task.sourceId, status: 'completed', rerun: false, counters: zeroCounters() };
  }
  let deadOwner: string | undefined;
  if (prior?.leaseOwner && prior.leaseOwner !== options.owner && (prior.leaseUntil ?? 0) >= startedAt
    && options.isOwnerAlive?.(prior.leaseOwner) === false) {
    deadOwner = prior.leaseOwner;
    deps.log.warn('taking over the lease of a dead process', { sourceId: task.sourceId, owner: prior.leaseOwner });
  }
  const lease = await acquire(deps, {
    sourceId: task.sourceId, owner: options.owner, now: startedAt, ttlMs: settings.leaseTtlMs,
    ...(deadOwner !== undefined ? { deadOwner } : {}),
  });
  if (!lease.acquired) {
    deps.log.info('source busy: another run holds the lease; it will run again', {
      sourceId: task.sourceId, holder: lease.state.leaseOwner,
    });
    return { sourceId: task.sourceId, status: 'deferred', rerun: false, counters: zeroCounters() };
  }

  // The snapshot is taken once the lease is held: whatever happened before this run held the
  // source (a wake-up deferred to the previous holder included) is inside its window.
  const run = new FetchRun(deps, settings, connector, task, options, lease.epoch, deps.clock.now(), lease.state.pass, lease.state.watermark, lease.state.feed);
  return run.execute();
}

/** Publisher and fetcher clocks may disagree by this much; a hint this close to the watermark runs. */
export const HINT_CLOCK_SKEW_MS = 5_000;

/**
 * An incremental hint (no ids) requested before the snapshot of the last completed pass: that
 * pass read everything the hint could point at. Hints naming ids always run (an edit of an old
 * item is not always visible to an incremental pass), and so do full and recovery requests.
 */
function isSubsumedHint(task: FetchTask, watermark: string | undefined): boolean {
  if (task.trigger !== 'webhook' && task.trigger !== 'watch') return false;
  if ((task.ids?.length ?? 0) > 0 || task.full === true || task.recover === true || watermark === undefined) return false;
  return Date.parse(task.requestedAt) + HINT_CLOCK_SKEW_MS < Date.parse(watermark);
}

/**
 * Takes the lease, retrying a failed attempt: the write may have landed with only its answer
 * lost, and then nobody would hold the source but a lease no run knows about (until it
 * expires, every trigger would be deferred to it). Retrying as the same owner takes it back.
 */
async function acquire(deps: CoreDeps, input: Parameters<CoreDeps['state']['acquireLease']>[0]): Promise<LeaseResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.state.acquireLease(input);
    } catch (error) {
      if (attempt >= LEASE_ATTEMPTS || !(error instanceof TributaryError && error.retryable)) throw error;
      deps.log.warn('taking the lease failed; trying again', { sourceId: input.sourceId, error: errorMessage(error) });
    }
  }
}

class FetchRun {
  private seq = 0;
  private readonly counters = zeroCounters();
  /**
   * Version of each document this run enqueued an upsert for. The reconcile after the pass
   * must not take them for drift: an embedder can claim a task before the fetcher's pending
   * marker lands (the marker then stands down), and until it commits, the ledger shows neither.
   */
  private readonly queued = new Map<string, string>();
  private readonly runSk: string;
  private pages = 0;
  private breaker: BreakerState | undefined;

  constructor(
    private readonly deps: CoreDeps,
    private readonly settings: SourceSettings,
    private readonly connector: SourceConnector,
    private readonly task: FetchTask,
    private readonly options: FetchRunOptions,
    private readonly epoch: number,
    private readonly startedAt: number,
    private savedPass: PassState | undefined,
    private watermark: string | undefined,
    /** The cursor the last completed pass ended with: where a change feed resumes. */
    private feed: Cursor | undefined,
  ) {
    this.runSk = `RUN#${new Date(startedAt).toISOString()}#${String(epoch).padStart(8, '0')}`;
  }

  private get chunker(): string {
    return chunkingSignature(this.settings.chunking);
  }

  private get sourceId(): string {
    return this.task.sourceId;
  }

  async execute(): Promise<FetchRunResult> {
    const record: RunRecord = {
      sourceId: this.sourceId, runSk: this.runSk, trigger: this.task.trigger,
      startedAt: new Date(this.startedAt).toISOString(), pages: 0, status: 'running',
      ...zeroCounters(), tasksDone: 0, tasksFailed: 0, chunksEmbedded: 0, embeddingCalls: 0,
      tokensEmbedded: 0, estimatedCostUsd: 0, vectorsUpserted: 0, vectorsDeleted: 0,
    };
    // Only a targeted run leaves the pass in progress alone.
    let keepPass: PassState | undefined = this.savedPass;
    /** Whether the run got as far as finishRun, and what it still owes then (a rerun, a continuation). */
    let finished: { rerun: boolean } | 'unknown' | undefined;
    try {
      // Inside the try: a run that cannot even record itself still releases its lease.
      await this.deps.state.putRun(record);
      let status: FetchRunResult['status'] = 'completed';
      let watermark: string | undefined;
      let feed: Cursor | undefined;
      if (this.task.ids && this.task.ids.length > 0 && this.task.full !== true) {
        await this.targeted(this.task.ids);
      } else {
        let outcome = await this.pass();
        // A pass resumed after a crash saw the source as of its own, older snapshot. Catch up
        // to this run's start with an incremental pass, so a completed run covers every change
        // made before it started. Not in a continuation: a chain of Lambda invocations is one
        // pass that a deadline cut up (catching up there would start a new pass every time).
        while (outcome.finished && this.task.trigger !== 'continuation' && Date.parse(outcome.pass.snapshotAt) < this.startedAt) {
          this.watermark = outcome.pass.snapshotAt;
          this.feed = outcome.pass.cursor;
          this.savedPass = undefined;
          outcome = await this.pass(this.freshPass(false));
        }
        if (outcome.finished && this.connector.list) {
          this.progress('reconciling');
          await this.reconcile();
        }
        status = outcome.finished ? 'completed' : 'continued';
        keepPass = outcome.finished ? undefined : outcome.pass;
        if (outcome.finished) {
          watermark = outcome.pass.snapshotAt;
          feed = outcome.pass.cursor;
        }
      }
      finished = 'unknown';
      const finish = await this.deps.state.finishRun({
        sourceId: this.sourceId, owner: this.options.owner, epoch: this.epoch, now: this.deps.clock.now(),
        outcome: { ok: true, ...(watermark !== undefined ? { watermark } : {}), ...(feed !== undefined ? { feed } : {}), ...(keepPass ? { keepPass } : {}) },
        // A targeted run does not cover a wake-up: it reports it (its caller enqueues a rerun)
        // and leaves it set, so a retry of this run after a crash reports it again.
        ...(this.isTargeted() ? { keepRerunRequested: true } : { breaker: this.breaker ?? null }),
      });
      finished = { rerun: finish.rerunRequested || status === 'continued' };
      if (status === 'continued') {
        await this.deps.queue.sendFetch([{ type: 'fetch', sourceId: this.sourceId, trigger: 'continuation', requestedAt: new Date(this.deps.clock.now()).toISOString() }]);
      }
      await this.deps.state.updateRun(this.sourceId, this.runSk, {
        ...this.counters, pages: this.pages, status: 'succeeded', finishedAt: new Date(this.deps.clock.now()).toISOString(),
        ...(this.breaker ? { breaker: `refused to delete ${this.breaker.wouldDelete} of ${this.breaker.known} documents` } : {}),
      });
      this.progress('done');
      return {
        sourceId: this.sourceId, status, runSk: this.runSk, rerun: finish.rerunRequested, counters: { ...this.counters },
        ...(this.breaker ? { breaker: this.breaker } : {}),
      };
    } catch (error) {
      const message = errorMessage(error);
      this.deps.log.error('fetch run failed', { sourceId: this.sourceId, error: message });
      await this.deps.state.updateRun(this.sourceId, this.runSk, {
        ...this.counters, pages: this.pages, status: 'failed', error: message, finishedAt: new Date(this.deps.clock.now()).toISOString(),
      }).catch(() => undefined);
      // A wake-up handed to this run while it ran must not die with it: whoever retries this
      // run (or nobody, for a CLI run) resumes the pass; a rerun covers the wake-up. Once
      // finishRun was called, the run may have ended with its answer lost: rerun to be sure.
      let rerun = false;
      if (typeof finished === 'object') {
        rerun = finished.rerun;
      } else if (!(error instanceof LeaseLostError)) {
        // Release the lease, keeping the pass so the next run resumes after the last saved page.
        const finish = await this.releaseAfterFailure(message);
        // Refused after a finishRun whose answer was lost: that one ended the run, flag unknown.
        rerun = finish ? finish.rerunRequested : finished === 'unknown';
      }
      if (rerun) {
        await this.deps.queue.sendFetch([{ type: 'fetch', sourceId: this.sourceId, trigger: 'rerun', requestedAt: new Date(this.deps.clock.now()).toISOString() }])
          .catch(() => undefined);
      }
      throw error;
    }
  }

  /**
   * Ends a failed run, keeping its pass, retrying a failed attempt: a lease left behind would
   * defer every trigger (and the wake-ups they leave) to a run that no longer exists.
   */
  private async releaseAfterFailure(message: string): Promise<{ rerunRequested: boolean } | undefined> {
    for (let attempt = 1; attempt <= LEASE_ATTEMPTS; attempt++) {
      try {
        const keep = await this.currentPass();
        return await this.deps.state.finishRun({
          sourceId: this.sourceId, owner: this.options.owner, epoch: this.epoch, now: this.deps.clock.now(),
          outcome: { ok: false, error: message, ...keep },
          ...(this.isTargeted() ? { keepRerunRequested: true } : {}),
        });
      } catch (error) {
        if (error instanceof LeaseLostError || !(error instanceof TributaryError && error.retryable)) return undefined;
      }
    }
    return undefined;
  }

  private isTargeted(): boolean {
    return this.task.ids !== undefined && this.task.ids.length > 0 && this.task.full !== true;
  }

  private async currentPass(): Promise<{ keepPass?: PassState }> {
    const state = await this.deps.state.getSource(this.sourceId);
    return state?.pass ? { keepPass: state.pass } : {};
  }

  /** Pages through the source from the saved cursor (or `start`); returns whether the pass finished. */
  private async pass(start?: PassState): Promise<{ finished: boolean; pass: PassState }> {
    let pass = start ?? this.newOrResumedPass();
    let restarts = 0;
    for (;;) {
      if (this.options.deadline !== undefined && this.deps.clock.now() > this.options.deadline - DEADLINE_MARGIN_MS) {
        return { finished: false, pass };
      }
      const window: PullWindow = {
        snapshotAt: pass.snapshotAt, full: pass.full, ...(pass.since !== undefined ? { since: pass.since } : {}),
        ...(pass.resume !== undefined ? { resume: pass.resume } : {}),
      };
      let page;
      try {
        page = await this.connector.pull(pass.cursor, window);
      } catch (error) {
        // An expired change token (or page token: a full pass's cursor expires too) means a
        // full pass from the start; only a full pass that cannot even start is an error.
        if (error instanceof CursorExpiredError && (!pass.full || pass.cursor !== undefined) && restarts < MAX_PASS_RESTARTS) {
          restarts += 1;
          this.deps.log.warn('change token expired; starting a full pass', { sourceId: this.sourceId });
          pass = this.freshPass(true);
          continue;
        }
        throw error;
      }
      await this.processRefs(page.changed, pass.full);
      await this.deleteIds(page.deleted);
      this.pages += 1;
      pass = { ...pass, cursor: page.next, pages: pass.pages + 1 };
      await this.deps.state.saveProgress({
        sourceId: this.sourceId, owner: this.options.owner, epoch: this.epoch,
        now: this.deps.clock.now(), ttlMs: this.settings.leaseTtlMs, pass,
      });
      await this.deps.state.updateRun(this.sourceId, this.runSk, { ...this.counters, pages: this.pages });
      this.progress('pulling');
      if (page.done) break;
    }
    return { finished: true, pass };
  }

  private newOrResumedPass(): PassState {
    const full = this.task.full === true;
    if (this.savedPass && (!full || this.savedPass.full)) return this.savedPass;
    return this.freshPass(full);
  }

  private freshPass(full: boolean): PassState {
    const snapshotAt = new Date(this.startedAt).toISOString();
    const since = !full && this.watermark !== undefined
      ? new Date(Date.parse(this.watermark) - this.settings.lookbackMs).toISOString()
      : undefined;
    const incremental = !full && this.watermark !== undefined;
    return {
      snapshotAt, full: !incremental, pages: 0, runSk: this.runSk,
      ...(since !== undefined ? { since } : {}),
      ...(incremental && this.feed !== undefined ? { resume: this.feed } : {}),
    };
  }

  /** A hint named these ids: fetch them; the ones the source no longer has are deletions. */
  private async targeted(ids: readonly string[]): Promise<void> {
    const unique = [...new Set(ids)];
    const docs = await this.connector.fetch(unique);
    const found = new Set(docs.map((d) => d.id));
    await this.processRefs(docs.map((d) => ({ id: d.id, version: d.version, document: d })), false);
    await this.deleteIds(unique.filter((id) => !found.has(id)));
    this.pages = 1;
  }

  /** Diffs refs against the ledger; enqueues tasks for what changed. */
  private async processRefs(refs: readonly DocumentRef[], full: boolean): Promise<void> {
    if (refs.length === 0) return;
    this.counters.docsSeen += refs.length;
    const ledger = await this.deps.state.getDocuments(this.sourceId, refs.map((r) => r.id));
    const recover = this.task.recover === true;

    const needContent: DocumentRef[] = [];
    for (const ref of refs) {
      const entry = ledger.get(ref.id);
      if (!full && !recover && isCurrent(entry, ref.version) && entry?.chunker === this.chunker) {
        this.counters.docsUnchanged += 1;
      } else if (!full && !recover && entry?.pending?.version === ref.version) {
        // A task for exactly this version is already queued.
        this.counters.docsUnchanged += 1;
      } else {
        needContent.push(ref);
      }
    }

    const missing = needContent.filter((r) => !r.document).map((r) => r.id);
    const fetched = new Map<string, SourceDocument>();
    if (missing.length > 0) for (const doc of await this.connector.fetch(missing)) fetched.set(doc.id, doc);

    const tasks: EmbedTask[] = [];
    const vanished: string[] = [];
    for (const ref of needContent) {
      const doc = ref.document ?? fetched.get(ref.id);
      if (!doc) {
        vanished.push(ref.id);
        continue;
      }
      const entry = ledger.get(ref.id);
      const hash = contentHash(doc.text, doc.title);
      if (!recover && entry?.rev && !entry.deleted && entry.contentHash === hash && entry.chunker === this.chunker
        && !entry.pending && !entry.claim && (entry.decor === undefined || entry.decor === decorHash(doc.title, doc.url, doc.metadata))) {
        // Same content under a new version (touched, copied back): record the version, embed nothing.
        const touched = await this.deps.state.touchDocument({
          sourceId: this.sourceId, docId: doc.id, expectRev: entry.rev, rev: this.nextRev(), version: doc.version,
        });
        if (touched) {
          this.counters.docsUnchanged += 1;
          continue;
        }
      }
      tasks.push(this.upsertTask(doc, hash));
      this.counters.docsChanged += 1;
    }
    await this.preEmbed(tasks, ledger);
    await this.enqueue(tasks);
    // Gone between listing and reading: a deletion if we know it.
    await this.deleteIds(vanished);
  }

  /**
   * Embeds the page's new chunk texts in as few requests as the provider's per-request
   * budget allows and caches them, so the embedder (one task per document, SQS batches of
   * at most 10) finds them cached. Best effort: on failure the embedder embeds them itself.
   */
  private async preEmbed(tasks: readonly EmbedTask[], ledger: ReadonlyMap<string, LedgerEntry>): Promise<void> {
    const { embedder, state } = this.deps;
    if (this.deps.noEmbeddingCache === true || this.task.noCache === true) return;
    const wanted = new Map<string, string>();
    for (const t of tasks) {
      if (t.type !== 'upsert' || !t.chunks) continue;
      const entry = ledger.get(t.docId);
      // The embedder rewrites only chunks whose position or text changed (all, when in doubt).
      const known = entry && !entry.deleted && !entry.claim && t.rewrite !== true ? entry.chunkHashes : undefined;
      for (const c of t.chunks) if (known?.[c.index] !== c.hash) wanted.set(c.hash, c.text);
    }
    if (wanted.size === 0) return;
    try {
      const cached = await state.getEmbeddings(embedder.model, embedder.dimensions, [...wanted.keys()]);
      const misses = [...wanted].filter(([hash]) => !cached.has(hash));
      if (misses.length === 0) return;
      const result = await embedder.embed(misses.map(([, text]) => text));
      const fresh = new Map<string, Float32Array>();
      misses.forEach(([hash], i) => {
        const vector = result.vectors[i];
        if (vector) fresh.set(hash, vector);
      });
      await state.putEmbeddings(embedder.model, embedder.dimensions, fresh);
      await state.addRunCounters(this.sourceId, this.runSk, {
        chunksEmbedded: fresh.size, embeddingCalls: result.calls, tokensEmbedded: result.tokens,
        estimatedCostUsd: (result.tokens * (this.deps.embeddingPricePerMillionTokensUsd ?? 0)) / 1_000_000,
      });
    } catch (error) {
      this.deps.log.warn('embedding ahead of the embed tasks failed; they will embed their own chunks', {
        sourceId: this.sourceId, error: errorMessage(error),
      });
    }
  }

  private upsertTask(doc: SourceDocument, hash: string): UpsertTask {
    const chunks = chunkDocument(doc.text, doc.format ?? 'text', this.settings.chunking)
      .map((c) => ({ index: c.index, hash: c.hash, text: c.text }));
    const base = {
      type: 'upsert' as const, sourceId: this.sourceId, docId: doc.id, rev: this.nextRev(), version: doc.version,
      contentHash: hash, updatedAt: doc.updatedAt ?? new Date(this.deps.clock.now()).toISOString(), runSk: this.runSk,
      ...(this.task.recover === true ? { rewrite: true } : {}),
      ...(this.task.noCache === true ? { noCache: true } : {}),
      chunker: this.chunker,
      ...(doc.title !== undefined ? { title: doc.title } : {}), ...(doc.url !== undefined ? { url: doc.url } : {}),
      ...(doc.metadata !== undefined && Object.keys(doc.metadata).length > 0 ? { metadata: doc.metadata } : {}),
    };
    const inline: UpsertTask = { ...base, chunks };
    return Buffer.byteLength(encodeTask(inline), 'utf8') <= (this.deps.maxInlineTaskBytes ?? INLINE_TASK_BYTES) ? inline : base;
  }

  /** Enqueues delete tasks for ids the ledger holds as live (or pending). */
  private async deleteIds(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const ledger = await this.deps.state.getDocuments(this.sourceId, ids);
    const tasks: EmbedTask[] = [];
    for (const id of new Set(ids)) {
      const entry = ledger.get(id);
      if (!entry || (entry.deleted && !entry.pending && !entry.claim)) continue;
      tasks.push({ type: 'delete', sourceId: this.sourceId, docId: id, rev: this.nextRev(), runSk: this.runSk });
    }
    this.counters.docsDeleted += tasks.length;
    await this.enqueue(tasks);
  }

  /**
   * Sends, then marks pending. A marker says "a task for this version is queued": later passes
   * trust it and do not enqueue the document again, so it must never exist without its task.
   * A crash between the two leaves a queued task without a marker, which costs at most a
   * duplicate task (the cursor of this page is not saved yet, so the page is pulled again).
   * With an in-memory queue, the markers of pages already saved are what survives a crash.
   */
  private async enqueue(tasks: EmbedTask[]): Promise<void> {
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

  /** Deletes what the ledger knows and the source no longer lists — unless that is too much. */
  private async reconcile(): Promise<void> {
    const list = this.connector.list;
    if (!list) return;
    const listed = new Map<string, string>();
    for await (const item of list.call(this.connector)) listed.set(item.id, item.version);
    let known = 0;
    const gone: string[] = [];
    /** Per ledger entry, the versions it holds or has queued: a listed one needs nothing. */
    const settled = new Map<string, string[]>();
    for await (const entry of this.deps.state.listDocuments(this.sourceId)) {
      const versions: string[] = [];
      if (entry.version !== undefined && isCurrent(entry, entry.version) && entry.chunker === this.chunker) versions.push(entry.version);
      if (entry.pending) versions.push(entry.pending.version);
      settled.set(entry.docId, versions);
      if (!isLive(entry)) continue;
      known += 1;
      if (!listed.has(entry.docId)) gone.push(entry.docId);
    }
    // The other direction: listed documents the ledger does not hold at their listed version.
    // A timestamp window never shows them again once a pass missed them (a date outside every
    // window, a restore keeping its old date, a document deleted by a faulty listing), so the
    // reconcile hands them to the pass's own diff. On a source whose passes list everything,
    // only what changed since the pass read it turns up here.
    const drifted: DocumentRef[] = [];
    for (const [id, version] of listed) {
      if (!settled.get(id)?.includes(version) && this.queued.get(id) !== version) drifted.push({ id, version });
    }
    for (let i = 0; i < drifted.length; i += REPAIR_BATCH) await this.processRefs(drifted.slice(i, i + REPAIR_BATCH), false);
    const limit = Math.max(this.settings.deleteGuardMin, Math.floor(this.settings.maxDeleteShare * known));
    if (gone.length > limit && this.options.allowMassDelete !== true) {
      this.breaker = {
        trippedAt: new Date(this.deps.clock.now()).toISOString(), wouldDelete: gone.length, known,
        maxShare: this.settings.maxDeleteShare,
      };
      this.deps.log.error('mass-delete circuit breaker tripped: no document deleted', {
        sourceId: this.sourceId, wouldDelete: gone.length, known, limit,
        fix: 'check the source; if the deletions are real, run `tributary sync --allow-mass-delete`',
      });
      return;
    }
    await this.deleteIds(gone);
  }

  private nextRev(): string {
    this.seq += 1;
    return makeRev(this.epoch, this.seq);
  }

  private progress(phase: FetchProgress['phase']): void {
    this.options.onProgress?.({
      sourceId: this.sourceId, pages: this.pages, docsSeen: this.counters.docsSeen,
      docsChanged: this.counters.docsChanged, docsDeleted: this.counters.docsDeleted, phase,
    });
  }
}

/** The ledger holds this exact version, committed, with nothing in flight. */
function isCurrent(entry: LedgerEntry | undefined, version: string): boolean {
  return entry !== undefined && !entry.deleted && entry.rev !== undefined && entry.version === version
    && entry.pending === undefined && entry.claim === undefined;
}

/** Known to the index, or about to be: reconcile must consider it. */
export function isLive(entry: LedgerEntry): boolean {
  if (entry.pending) return entry.pending.version !== '';
  return !entry.deleted && (entry.rev !== undefined || entry.claim !== undefined);
}
