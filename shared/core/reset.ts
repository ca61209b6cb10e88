import type { SourceStates } from '../ports/index.ts';
import type { DepsOf } from './deps.ts';
import { DEFAULT_PROFILE, ledgerKeyOf } from './profiles.ts';

export type ResetOutcome = { readonly reset: true; readonly vectorsDeleted: number } | { readonly reset: false; readonly reason: 'running' };

type ResetDeps = DepsOf<'vectors' | 'clock' | 'settings' | 'profiles', SourceStates>;

/**
 * Removes every vector of a source and forgets its cursor, watermark and ledger, so the next
 * sync indexes it from scratch; the embedding cache stays, so that costs no embedding call for
 * text seen before. Takes the source's lease first: refused while a run holds it. Vectors go
 * before the ledger, so a reset cut short leaves no vector the ledger does not know.
 *
 * With `profiles`, only those index profiles of the source are reset (their vectors, ledgers
 * and checkpoints): the next sync backfills them alone, the others find their ledgers current.
 */
export async function resetSource(deps: ResetDeps, sourceId: string, owner: string, profiles?: readonly string[]): Promise<ResetOutcome> {
  const ttlMs = deps.settings(sourceId)?.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  const lease = await deps.state.acquireLease({ sourceId, owner, now: deps.clock.now(), ttlMs });
  if (!lease.acquired) return { reset: false, reason: 'running' };
  const configured = deps.profiles?.(sourceId);
  const targets = configured
    ? configured.filter((p) => profiles === undefined || profiles.includes(p.name))
    : [{ name: DEFAULT_PROFILE, vectors: deps.vectors }];
  let vectorsDeleted = 0;
  for (const profile of targets) {
    const ids = await profile.vectors.listIds(`${sourceId}#`);
    await profile.vectors.delete(ids);
    vectorsDeleted += ids.length;
    // `default`'s ledger is the source's own, reset last (with the lease).
    if (profile.name !== DEFAULT_PROFILE) await deps.state.resetSource(ledgerKeyOf(sourceId, profile.name));
  }
  if (profiles === undefined || profiles.includes(DEFAULT_PROFILE)) {
    // Forgets the lease too: the source is free for the next sync. Without `default` among
    // the profiles, this is the whole source's reset (its checkpoint), as before profiles.
    await deps.state.resetSource(sourceId);
  } else {
    // The source keeps its checkpoint; a pass in progress is dropped, as it skipped pages for the reset profiles.
    await deps.state.finishRun({ sourceId, owner, epoch: lease.epoch, now: deps.clock.now(), outcome: { ok: true } });
  }
  return { reset: true, vectorsDeleted };
}

/** How long a run's lease lasts without renewal (every saved page renews it). */
export const DEFAULT_LEASE_TTL_MS = 60_000;
