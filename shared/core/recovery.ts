import type { CoreDeps } from './deps.ts';

/**
 * Documents with a pending marker or an uncommitted claim. After a restart of the local
 * stack (whose queue lives in memory) these tasks are lost; re-fetching them with
 * `recover: true` settles them. On AWS the queue is durable and this only finds stuck work.
 */
export async function unsettledDocuments(deps: Pick<CoreDeps, 'state'>, sourceId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const entry of deps.state.listDocuments(sourceId)) {
    if (entry.pending || entry.claim) ids.push(entry.docId);
  }
  return ids;
}
