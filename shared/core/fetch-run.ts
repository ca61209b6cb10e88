import { reportingRunEnd } from './connector-run.ts';
import type { CoreDeps, SourceSettings } from './deps.ts';
import { RunIssues } from './document-issues.ts';
import { isLive, type FetchCounters, zeroCounters } from './document-sync.ts';
import { prepareGenerations } from './generation-lifecycle.ts';
import { ProfileFanout } from './profile-fanout.ts';
import { advanceCheckpoints, coversProfiles, profileCheckpoint, profileRunRecords, retireRemovedProfiles, type Checkpoint } from './profile-runs.ts';
import { profileScopes, type ProfileScope } from './profiles.ts';
import { reconcileProfiles, REPAIR_BATCH } from './reconcile.ts';
import { CursorExpiredError, LeaseLostError, PoisonTaskError, TributaryError, errorMessage } from './errors.ts';
import { makeRev } from './ids.ts';
import { acquire, isSubsumedHint, LEASE_ATTEMPTS } from './run-admission.ts';
import type {
  BreakerState,
  BufferedHint,
  Cursor,
  FetchTask,
  PassState,
  PullWindow,
  RunRecord,
  SourceConnector,
} from '../ports/index.ts';

export { isLive, type FetchCounters };

/** Stop paging this long before the deadline, leaving time to persist and enqueue a continuation. */
const DEADLINE_MARGIN_MS = 10_000;
/** Full passes one run starts over after expired cursors, before it gives up (and the next run tries). */
const MAX_PASS_RESTARTS = 3;
/** Buffered hint ids one run takes (a fetch task names at most as many); more wait for the next. */
const MAX_BUFFERED_IDS = 10_000;

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

export interface FetchRunResult {
  readonly sourceId: string;
  readonly status: 'completed' | 'deferred' | 'continued' | 'failed';
  readonly runId?: string;
  /** Another trigger arrived during the run: run the source again. */
  readonly rerun: boolean;
  readonly counters: FetchCounters;
  /** Each index profile's counters, by name, when the source lists profiles. */
  readonly profiles?: Record<string, FetchCounters>;
  /** Documents the source has that this run could not index (carried ones included); see RunRecord.skipped. */
  readonly docsSkipped?: number;
  readonly breaker?: BreakerState;
  readonly error?: string;
}

/**
 * One fetch run of one source: take the lease, page through the source (or fetch the hinted
 * ids), diff against the ledger, enqueue embed tasks, write the cursor after every page
 * (fenced by the lease epoch), reconcile deletions, and record the run.
 */
export async function runFetch(source: CoreDeps, task: FetchTask, options: FetchRunOptions): Promise<FetchRunResult> {
  let deps = source;
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

  // The run feeds every profile of the source (or those the task names) and starts from the
  // oldest of their checkpoints: a profile never synced makes it a full pass (its backfill).
  let scopes: ProfileScope[];
  let checkpoint: Checkpoint;
  try {
    // Generations first (start, flip, forget): the run feeds the current and the building one of each profile.
    deps = await prepareGenerations(deps, task.sourceId);
    scopes = profileScopes(deps, task.sourceId, task.profiles);
    checkpoint = await profileCheckpoint(deps.state, task.sourceId, scopes, lease.state);
  } catch (error) {
    await deps.state.finishRun({ sourceId: task.sourceId, owner: options.owner, epoch: lease.epoch, now: deps.clock.now(), outcome: { ok: false, error: errorMessage(error) } }).catch(() => undefined);
    throw error;
  }
  // The snapshot is taken once the lease is held: whatever happened before this run held the
  // source (a wake-up deferred to the previous holder included) is inside its window.
  const run = new FetchRun(deps, settings, connector, task, options, lease.epoch, deps.clock.now(), scopes, lease.state.pass, checkpoint.watermark, checkpoint.feed);
  return reportingRunEnd(connector, deps.log, task.sourceId, () => run.execute());
}


class FetchRun {
  private seq = 0;
  private readonly runId: string;
  /** Documents skipped (or indexed with a caveat) by this run and, carried, by earlier ones. */
  private readonly issues = new RunIssues();
  private readonly docs: ProfileFanout;
  private pages = 0;
  private breaker: BreakerState | undefined;
  private readonly profileRuns: ReturnType<typeof profileRunRecords>;

  constructor(
    private readonly deps: CoreDeps,
    private readonly settings: SourceSettings,
    private readonly connector: SourceConnector,
    private readonly task: FetchTask,
    private readonly options: FetchRunOptions,
    private readonly epoch: number,
    private readonly startedAt: number,
    private readonly scopes: readonly ProfileScope[],
    private savedPass: PassState | undefined,
    private watermark: string | undefined,
    /** The cursor the last completed pass ended with: where a change feed resumes. */
    private feed: Cursor | undefined,
  ) {
    this.runId = `${new Date(startedAt).toISOString()}#${String(epoch).padStart(8, '0')}`;
    this.docs = new ProfileFanout(scopes, connector, task, this.runId, () => this.nextRev(), this.issues);
    this.profileRuns = profileRunRecords(deps, task, scopes, this.runId, startedAt);
  }

  private get counters(): FetchCounters {
    return this.docs.counters;
  }

  private get sourceId(): string {
    return this.task.sourceId;
  }

  async execute(): Promise<FetchRunResult> {
    const record: RunRecord = {
      sourceId: this.sourceId, runId: this.runId, trigger: this.task.trigger,
      startedAt: new Date(this.startedAt).toISOString(), pages: 0, status: 'running',
      ...zeroCounters(), tasksDone: 0, tasksFailed: 0, chunksEmbedded: 0, embeddingCalls: 0,
      tokensEmbedded: 0, estimatedCostUsd: 0, vectorsUpserted: 0, vectorsDeleted: 0,
    };
    // Only a targeted run leaves the pass in progress alone.
    let keepPass: PassState | undefined = this.savedPass;
    /** Whether the run got as far as finishRun, and what it still owes then (a rerun, a continuation). */
    let finished: { rerun: boolean } | 'unknown' | undefined;
    try {
      // The connector learns first that a run holds the source (per-run budgets start over).
      await this.connector.beginRun?.({ runId: this.runId, trigger: this.task.trigger, targeted: this.isTargeted() });
      // Inside the try: a run that cannot even record itself still releases its lease.
      // The previous run's skipped documents stay listed until this run reads them again.
      const [previous] = await this.deps.state.listRuns(this.sourceId, 1);
      this.issues.carry(previous);
      const profiles = this.profileRuns.recordOf(previous);
      await this.deps.state.putRun({ ...record, ...this.issues.record(), ...(profiles.listed ? { profiles: profiles.listed } : {}) });
      // Profiles removed from the config since: their vectors and ledgers go (once; the record lists them until then).
      if (profiles.removed.length > 0) {
        await retireRemovedProfiles(this.deps, this.sourceId, profiles.removed, () => this.nextRev());
        await this.deps.state.updateRun(this.sourceId, this.runId, { profiles: profiles.current });
      }
      await this.profileRuns.start();
      let status: FetchRunResult['status'] = 'completed';
      let watermark: string | undefined;
      let feed: Cursor | undefined;
      // Every run takes the ids coalesced hints left (a deferred hint's wake-up ends up here).
      const buffered = await this.deps.hints?.takeHints({ sourceId: this.sourceId, limit: MAX_BUFFERED_IDS }) ?? [];
      if (this.isTargeted()) {
        // A hint named these ids: read them; the ones the source no longer has are deletions.
        await this.docs.readIds([...new Set([...(this.task.ids ?? []), ...buffered.map((h) => h.id)])]);
        this.pages = 1;
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
        if (outcome.finished) {
          // Hinted ids a window may not show (an edit of an old item): read them by id.
          if (buffered.length > 0) await this.docs.readIds(buffered.map((h) => h.id));
          await this.retrySkipped();
          this.issues.settlePrefixes();
        }
        if (outcome.finished && this.connector.list && this.connector.reconcileAfterPass?.({ snapshotAt: outcome.pass.snapshotAt }) !== false) {
          this.progress('reconciling');
          await this.reconcile(outcome.pass.snapshotAt);
        }
        status = outcome.finished ? 'completed' : 'continued';
        keepPass = outcome.finished ? undefined : outcome.pass;
        if (outcome.finished) {
          watermark = outcome.pass.snapshotAt;
          feed = outcome.pass.cursor;
        }
      }
      // Every path above flushed what it staged; this holds if one ever does not.
      await this.docs.flush();
      finished = 'unknown';
      const finish = await this.deps.state.finishRun({
        sourceId: this.sourceId, owner: this.options.owner, epoch: this.epoch, now: this.deps.clock.now(),
        outcome: {
          ok: true, ...(watermark !== undefined && this.profileRuns.advancesSource ? { watermark } : {}),
          ...(feed !== undefined && this.profileRuns.advancesSource ? { feed } : {}), ...(keepPass ? { keepPass } : {}),
        },
        // A targeted run does not cover a wake-up: it reports it (its caller enqueues a rerun)
        // and leaves it set, so a retry of this run after a crash reports it again.
        ...(this.isTargeted() ? { keepRerunRequested: true } : { breaker: this.breaker ?? null }),
      });
      finished = { rerun: finish.rerunRequested || status === 'continued' };
      // Each profile's own checkpoint, now the pass that fed it has ended.
      if (watermark !== undefined) {
        await advanceCheckpoints(this.deps.state, this.sourceId, this.scopes, {
          owner: this.options.owner, now: this.deps.clock.now(), ttlMs: this.settings.leaseTtlMs, watermark, ...(feed !== undefined ? { feed } : {}),
        });
      }
      await this.profileRuns.finish(this.docs.profileCounters(), 'succeeded');
      await this.settleBuffered(buffered, status);
      if (status === 'continued') {
        await this.deps.queue.sendFetch([{ type: 'fetch', sourceId: this.sourceId, trigger: 'continuation', requestedAt: new Date(this.deps.clock.now()).toISOString() }]);
      }
      await this.deps.state.updateRun(this.sourceId, this.runId, {
        ...this.counters, ...this.issues.record(), pages: this.pages, status: 'succeeded', finishedAt: new Date(this.deps.clock.now()).toISOString(),
        ...(this.breaker ? { breaker: `refused to delete ${this.breaker.wouldDelete} of ${this.breaker.known} documents` } : {}),
      });
      this.progress('done');
      return {
        sourceId: this.sourceId, status, runId: this.runId, rerun: finish.rerunRequested, counters: { ...this.counters },
        ...(this.scopes.some((s) => s.explicit) ? { profiles: this.docs.profileCounters() } : {}),
        docsSkipped: this.issues.record().docsSkipped ?? 0,
        ...(this.breaker ? { breaker: this.breaker } : {}),
      };
    } catch (error) {
      const message = errorMessage(error);
      this.deps.log.error('fetch run failed', { sourceId: this.sourceId, error: message });
      await this.profileRuns.finish(this.docs.profileCounters(), 'failed', message).catch(() => undefined);
      await this.deps.state.updateRun(this.sourceId, this.runId, {
        ...this.counters, ...this.issues.record(), pages: this.pages, status: 'failed', error: message, finishedAt: new Date(this.deps.clock.now()).toISOString(),
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
    return ((this.task.ids !== undefined && this.task.ids.length > 0) || this.task.buffered === true) && this.task.full !== true;
  }

  /**
   * The buffered ids this run read are done: forget them (unless hinted again meanwhile). A
   * pass cut short by a deadline has not read them yet: they stay for the continuation. A
   * full take leaves more waiting: queue a run for them.
   */
  private async settleBuffered(buffered: readonly BufferedHint[], status: FetchRunResult['status']): Promise<void> {
    const hints = this.deps.hints;
    if (!hints || buffered.length === 0 || (status === 'continued' && !this.isTargeted())) return;
    await hints.settleHints({ sourceId: this.sourceId, taken: buffered });
    if (buffered.length === MAX_BUFFERED_IDS) {
      await this.deps.queue.sendFetch([{ type: 'fetch', sourceId: this.sourceId, trigger: 'webhook', buffered: true, requestedAt: new Date(this.deps.clock.now()).toISOString() }]);
    }
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
        await this.docs.flush();
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
        // The pages read so far are queued and their cursor saved first (the cursor stays
        // where the last read page left it).
        await this.docs.flush();
        if (error instanceof CursorExpiredError && (!pass.full || pass.cursor !== undefined) && restarts < MAX_PASS_RESTARTS) {
          restarts += 1;
          this.deps.log.warn('change token expired; starting a full pass', { sourceId: this.sourceId });
          pass = this.freshPass(true);
          continue;
        }
        throw error;
      }
      await this.docs.applyRefs(page.changed, pass.full, page.skipped);
      await this.docs.deleteIds(page.deleted);
      this.pages += 1;
      pass = { ...pass, cursor: page.next, pages: pass.pages + 1 };
      // The page's cursor is saved once its tasks are queued: when the embed-ahead buffer has
      // embedded its new texts (a full request, a linger, or the end of the pass).
      const reached = pass;
      this.docs.seal(async () => {
        await this.deps.state.saveProgress({
          sourceId: this.sourceId, owner: this.options.owner, epoch: this.epoch,
          now: this.deps.clock.now(), ttlMs: this.settings.leaseTtlMs, pass: reached,
        });
        await this.deps.state.updateRun(this.sourceId, this.runId, { ...this.counters, ...this.issues.record(), pages: this.pages });
      });
      await this.docs.drain(page.done);
      this.progress('pulling');
      if (page.done) break;
    }
    return { finished: true, pass };
  }

  private newOrResumedPass(): PassState {
    const full = this.task.full === true;
    // A pass saved by a run that fed other profiles has skipped pages for the ones it did not.
    if (this.savedPass && (!full || this.savedPass.full) && coversProfiles(this.savedPass, this.scopes)) return this.savedPass;
    return this.freshPass(full);
  }

  private freshPass(full: boolean): PassState {
    const snapshotAt = new Date(this.startedAt).toISOString();
    const since = !full && this.watermark !== undefined
      ? new Date(Date.parse(this.watermark) - this.settings.lookbackMs).toISOString()
      : undefined;
    const incremental = !full && this.watermark !== undefined;
    const explicit = this.scopes.filter((s) => s.explicit).map((s) => s.name);
    return {
      snapshotAt, full: !incremental, pages: 0, runId: this.runId, ...(explicit.length > 0 ? { profiles: explicit } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(incremental && this.feed !== undefined ? { resume: this.feed } : {}),
    };
  }

  /**
   * Documents an earlier run skipped that this pass did not come across (a change feed names
   * only what changed): read them again, so a skipped document is retried by the next pass
   * whatever the source's listing shows.
   */
  private async retrySkipped(): Promise<void> {
    const ids = this.issues.untouchedSkips();
    for (let i = 0; i < ids.length; i += REPAIR_BATCH) await this.docs.readIds(ids.slice(i, i + REPAIR_BATCH));
  }

  /** Deletes what the ledgers know and the source no longer lists — unless that is too much. */
  private async reconcile(snapshotAt: string): Promise<void> {
    const breaker = await reconcileProfiles({
      connector: this.connector, fanout: this.docs, issues: this.issues, settings: this.settings, snapshotAt,
      allowMassDelete: this.options.allowMassDelete === true, clock: this.deps.clock, log: this.deps.log, sourceId: this.sourceId,
    });
    if (breaker) this.breaker = breaker;
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
