/**
 * What a fetch run keeps per index profile: the checkpoint it starts from (the oldest of the
 * profiles it feeds), each profile's own checkpoint and run record, and the clean-up of
 * profiles removed from the config. None of it applies to a source without `profiles`: its
 * one implicit profile is the source itself.
 */
import type { CoreDeps } from './deps.ts';
import { zeroCounters, type FetchCounters } from './document-sync.ts';
import { DEFAULT_PROFILE, ledgerKeyOf, profileSignature, type ProfileRecord, type ProfileScope } from './profiles.ts';
import type { Cursor, FetchTask, PassState, RunRecord, SourceState, SourceStates } from '../ports/index.ts';

export interface Checkpoint {
  readonly watermark?: string;
  readonly feed?: Cursor;
}

/**
 * Where a run over these profiles starts: the oldest checkpoint among them (`default`'s is the
 * source's), with the feed position it ended with; none (a full pass) when one has never
 * completed a pass — a profile just added is backfilled, the others find their ledgers current.
 */
export async function profileCheckpoint(state: SourceStates, sourceId: string, scopes: readonly ProfileScope[], source: SourceState): Promise<Checkpoint> {
  let oldest: Checkpoint | undefined;
  for (const scope of scopes) {
    const point = scope.name === DEFAULT_PROFILE ? source : await state.getSource(scope.ledgerKey);
    if (point?.watermark === undefined) return {};
    if (!oldest || Date.parse(point.watermark) < Date.parse(oldest.watermark!)) {
      oldest = { watermark: point.watermark, ...(point.feed !== undefined ? { feed: point.feed } : {}) };
    }
  }
  return oldest ?? {};
}

/** Whether a saved pass fed (at least) these profiles, so resuming it skips no page for any of them. */
export function coversProfiles(pass: PassState, scopes: readonly ProfileScope[]): boolean {
  const explicit = scopes.filter((s) => s.explicit).map((s) => s.name);
  if (explicit.length === 0) return pass.profiles === undefined || pass.profiles.includes(DEFAULT_PROFILE);
  return pass.profiles !== undefined && explicit.every((name) => pass.profiles!.includes(name));
}

/**
 * Sets the checkpoint of every profile but `default` (whose checkpoint is the source's, set by
 * the run's own finishRun) to the pass that fed it. Written through a lease on the profile's
 * key, taken over from whoever left it: only the holder of the source's lease gets here.
 */
export async function advanceCheckpoints(
  state: SourceStates, sourceId: string, scopes: readonly ProfileScope[],
  at: { owner: string; now: number; ttlMs: number; watermark: string; feed?: Cursor },
): Promise<void> {
  for (const scope of scopes) {
    if (scope.name === DEFAULT_PROFILE) continue;
    const prior = await state.getSource(scope.ledgerKey);
    const lease = await state.acquireLease({
      sourceId: scope.ledgerKey, owner: at.owner, now: at.now, ttlMs: at.ttlMs,
      ...(prior?.leaseOwner !== undefined && prior.leaseOwner !== at.owner ? { deadOwner: prior.leaseOwner } : {}),
    });
    if (!lease.acquired) continue;
    await state.finishRun({
      sourceId: scope.ledgerKey, owner: at.owner, epoch: lease.epoch, now: at.now,
      outcome: { ok: true, watermark: at.watermark, ...(at.feed !== undefined ? { feed: at.feed } : {}) },
    });
  }
}

/** The profiles' run records of one fetch run, and what the source's record lists. */
export function profileRunRecords(deps: CoreDeps, task: FetchTask, scopes: readonly ProfileScope[], runId: string, startedAt: number) {
  const configured = deps.profiles?.(task.sourceId);
  const current: ProfileRecord[] = (configured ?? []).map((p) => ({ name: p.name, target: p.target, dimensions: p.embedder.dimensions, signature: profileSignature(p) }));
  const names = new Set(scopes.map((s) => s.name));
  const explicit = scopes.filter((s) => s.explicit && s.runKey !== undefined);
  return {
    /**
     * Whether the source's own checkpoint moves with this run: it is `default`'s, and, without
     * a `default`, the checkpoint of a run over every profile.
     */
    advancesSource: names.has(DEFAULT_PROFILE)
      || (configured !== undefined && configured.filter((p) => p.generation?.role !== 'retired').every((p) => names.has(p.name))),

    /** The profiles to list on the new run record, those configured now, and those removed since `previous`. */
    recordOf(previous: RunRecord | undefined): { listed?: ProfileRecord[]; current: ProfileRecord[]; removed: ProfileRecord[] } {
      const before: ProfileRecord[] = previous?.profiles ?? [];
      // A profile this run does not feed keeps what it was last built with (a change of it is still to come).
      const recorded = current.map((c) => (names.has(c.name) ? c : before.find((b) => b.name === c.name) ?? c));
      const removed = configured === undefined
        ? before.filter((p) => p.name !== DEFAULT_PROFILE)
        : before.filter((p) => !current.some((c) => c.name === p.name));
      const listed = [...recorded, ...removed];
      return { ...(listed.length > 0 ? { listed } : {}), current: recorded, removed };
    },

    async start(): Promise<void> {
      for (const scope of explicit) {
        await deps.state.putRun({
          sourceId: scope.runKey!, runId, trigger: task.trigger, startedAt: new Date(startedAt).toISOString(), pages: 0, status: 'running',
          ...zeroCounters(), tasksDone: 0, tasksFailed: 0, chunksEmbedded: 0, embeddingCalls: 0,
          tokensEmbedded: 0, estimatedCostUsd: 0, vectorsUpserted: 0, vectorsDeleted: 0,
        });
      }
    },

    async finish(counters: Record<string, FetchCounters>, status: 'succeeded' | 'failed', error?: string): Promise<void> {
      for (const scope of explicit) {
        await deps.state.updateRun(scope.runKey!, runId, {
          ...counters[scope.name], status, finishedAt: new Date(deps.clock.now()).toISOString(), ...(error !== undefined ? { error } : {}),
        });
      }
    },
  };
}

/**
 * Deletes the vectors of profiles no longer configured and forgets their ledgers. `default`'s
 * ledger is the source's own key (which holds the source's lease and checkpoint too), so its
 * entries are tombstoned one by one instead of reset.
 */
export async function retireRemovedProfiles(
  deps: CoreDeps, sourceId: string, removed: readonly ProfileRecord[], nextRev: () => string,
): Promise<void> {
  for (const profile of removed) {
    const vectors = profile.name === DEFAULT_PROFILE ? deps.vectors : await deps.retiredTarget?.(sourceId, profile);
    if (vectors) {
      const ids = await vectors.listIds(`${sourceId}#`);
      if (ids.length > 0) await vectors.delete(ids);
    }
    const key = ledgerKeyOf(sourceId, profile.name);
    if (profile.name !== DEFAULT_PROFILE) {
      await deps.state.resetSource(key);
    } else {
      const live: string[] = [];
      for await (const entry of deps.state.listDocuments(key)) if (!entry.deleted || entry.pending || entry.claim) live.push(entry.docId);
      for (const docId of live) {
        const rev = nextRev();
        const claim = await deps.state.claimDocument({ sourceId: key, docId, rev });
        if (claim.ok) await deps.state.commitDeletion({ sourceId: key, docId, rev, at: new Date(deps.clock.now()).toISOString() });
      }
    }
    deps.log.info('index profile removed from the config: its vectors and ledger are gone', { sourceId, profile: profile.name, target: profile.target });
  }
}
