import type { DocumentLedger } from '../ports/index.ts';
import type { CoreDeps, DepsOf } from './deps.ts';
import { ledgerKeyOf } from './profiles.ts';

/**
 * Documents with a pending marker or an uncommitted claim: their task is queued, running, or
 * was lost (a queue emptied by hand, a state folder moved from a layout whose queue lived in
 * memory) or dead-lettered mid-write. The caller keeps the ones whose task is gone and
 * re-fetches them with `recover: true`, which settles them.
 */
export async function unsettledDocuments(deps: DepsOf<never, DocumentLedger> & Partial<Pick<CoreDeps, 'profiles'>>, sourceId: string): Promise<string[]> {
  const ids = new Set<string>();
  // Every profile's ledger: a recovery run re-reads the document for all of them.
  const keys = deps.profiles?.(sourceId)?.map((p) => ledgerKeyOf(sourceId, p.name)) ?? [sourceId];
  for (const key of keys) {
    for await (const entry of deps.state.listDocuments(key)) {
      if (entry.pending || entry.claim) ids.add(entry.docId);
    }
  }
  return [...ids];
}
