/**
 * Reconcile after a completed pass: what the ledgers know and the source no longer lists is
 * deleted (unless the mass-delete breaker trips), and what the source lists that a ledger does
 * not hold at its listed version is handed back to the pass's diff. With several index
 * profiles, the listing is read once and compared with every profile's ledger.
 */
import type { Logger, SourceSettings } from './deps.ts';
import type { RunIssues } from './document-issues.ts';
import { isCurrent, isLive } from './document-sync.ts';
import type { ProfileFanout } from './profile-fanout.ts';
import type { BreakerState, Clock, DocumentRef, SourceConnector } from '../ports/index.ts';

/** Documents reconcile re-reads per batch when the listing shows a ledger drifted. */
export const REPAIR_BATCH = 100;

export interface ReconcileInput {
  readonly sourceId: string;
  readonly connector: SourceConnector;
  readonly fanout: ProfileFanout;
  readonly issues: RunIssues;
  readonly settings: SourceSettings;
  readonly snapshotAt: string;
  readonly allowMassDelete: boolean;
  readonly clock: Clock;
  readonly log: Logger;
}

/** Runs the reconcile; returns the breaker when it refused to delete. */
export async function reconcileProfiles(input: ReconcileInput): Promise<BreakerState | undefined> {
  const { connector, fanout, issues, settings, sourceId } = input;
  const list = connector.list;
  if (!list) return undefined;
  const listed = new Map<string, string>();
  for await (const item of list.call(connector, { snapshotAt: input.snapshotAt })) listed.set(item.id, item.version);
  let known = 0;
  const gone = new Set<string>();
  const drifted = new Map<string, DocumentRef>();
  for (const { scope, docs } of fanout.members) {
    let profileKnown = 0;
    /** Per ledger entry, the versions it holds or has queued: a listed one needs nothing. */
    const settled = new Map<string, string[]>();
    for await (const entry of scope.deps.state.listDocuments(sourceId)) {
      const versions: string[] = [];
      if (entry.version !== undefined && isCurrent(entry, entry.version) && entry.chunker === docs.chunker) versions.push(entry.version);
      if (entry.pending) versions.push(entry.pending.version);
      settled.set(entry.docId, versions);
      if (!isLive(entry)) continue;
      profileKnown += 1;
      // A document this run could not read is not gone, whatever the listing shows: its
      // vectors stay, and it does not count towards the breaker.
      if (!listed.has(entry.docId) && !issues.skippedThisRun(entry.docId)) gone.add(entry.docId);
    }
    known = Math.max(known, profileKnown);
    // The other direction: listed documents the ledger does not hold at their listed version.
    // A timestamp window never shows them again once a pass missed them (a date outside every
    // window, a restore keeping its old date, a document deleted by a faulty listing), so the
    // reconcile hands them to the pass's own diff. On a source whose passes list everything,
    // only what changed since the pass read it turns up here.
    for (const [id, version] of listed) {
      if (!settled.get(id)?.includes(version) && docs.queued.get(id) !== version && !issues.skippedThisRun(id)) drifted.set(id, { id, version });
    }
  }
  const refs = [...drifted.values()];
  for (let i = 0; i < refs.length; i += REPAIR_BATCH) {
    // Each profile's diff finds what it needs: a profile already holding the version does nothing.
    await fanout.applyRefs(refs.slice(i, i + REPAIR_BATCH), false);
    fanout.seal();
    await fanout.drain();
  }
  await fanout.flush();
  const limit = Math.max(settings.deleteGuardMin, Math.floor(settings.maxDeleteShare * known));
  if (gone.size > limit && !input.allowMassDelete) {
    input.log.error('mass-delete circuit breaker tripped: no document deleted', {
      sourceId, wouldDelete: gone.size, known, limit,
      fix: 'check the source; if the deletions are real, run `tributary sync --allow-mass-delete`',
    });
    return { trippedAt: new Date(input.clock.now()).toISOString(), wouldDelete: gone.size, known, maxShare: settings.maxDeleteShare };
  }
  await fanout.deleteIds([...gone]);
  await fanout.flush();
  return undefined;
}
