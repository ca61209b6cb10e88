import type { DocumentLedger } from '../ports/index.ts';
import type { DepsOf } from './deps.ts';

/**
 * Documents with a pending marker or an uncommitted claim: their task is queued, running, or
 * was lost (a queue emptied by hand, a state folder moved from a layout whose queue lived in
 * memory) or dead-lettered mid-write. The caller keeps the ones whose task is gone and
 * re-fetches them with `recover: true`, which settles them.
 */
export async function unsettledDocuments(deps: DepsOf<never, DocumentLedger>, sourceId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const entry of deps.state.listDocuments(sourceId)) {
    if (entry.pending || entry.claim) ids.push(entry.docId);
  }
  return ids;
}
