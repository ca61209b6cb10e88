import type { SourceStates } from '../ports/index.ts';
import type { DepsOf } from './deps.ts';

export type ResetOutcome = { readonly reset: true; readonly vectorsDeleted: number } | { readonly reset: false; readonly reason: 'running' };

/**
 * Removes every vector of a source and forgets its cursor, watermark and ledger, so the next
 * sync indexes it from scratch; the embedding cache stays, so that costs no embedding call for
 * text seen before. Takes the source's lease first: refused while a run holds it. Vectors go
 * before the ledger, so a reset cut short leaves no vector the ledger does not know.
 */
export async function resetSource(deps: DepsOf<'vectors' | 'clock' | 'settings', SourceStates>, sourceId: string, owner: string): Promise<ResetOutcome> {
  const ttlMs = deps.settings(sourceId)?.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  const lease = await deps.state.acquireLease({ sourceId, owner, now: deps.clock.now(), ttlMs });
  if (!lease.acquired) return { reset: false, reason: 'running' };
  const ids = await deps.vectors.listIds(`${sourceId}#`);
  await deps.vectors.delete(ids);
  // Forgets the lease too: the source is free for the next sync.
  await deps.state.resetSource(sourceId);
  return { reset: true, vectorsDeleted: ids.length };
}

/** How long a run's lease lasts without renewal (every saved page renews it). */
export const DEFAULT_LEASE_TTL_MS = 60_000;
