import { isLive } from '../../shared/core/fetch-run.ts';
import { reportSource, type SourceReport } from '../../shared/core/source-status.ts';
import { withGenerations } from '../../shared/core/generations.ts';
import { reportProfiles, type ProfileReport } from '../../shared/core/profile-status.ts';
import { isLocalOwnerAlive, type LocalStack } from '../../shared/wiring/local-stack.ts';

/** A source's report (shared/core/source-status.ts), with its kind and the documents it has indexed. */
export interface SourceStatus extends SourceReport {
  readonly kind: string;
  readonly documents: number;
  /** Per index profile, when the source lists profiles. */
  readonly profiles?: ProfileReport[];
}

export interface StatusReport {
  generatedAt: string;
  sources: SourceStatus[];
  queues: { fetch: { visible: number; inFlight: number }; embed: { visible: number; inFlight: number } };
  deadLetters: Array<{ queue: string; reason: string }>;
}

/** Freshness, failures and queue health of every configured source. */
export async function collectStatus(stack: LocalStack): Promise<StatusReport> {
  const { deps, loaded } = stack;
  const now = deps.clock.now();
  const states = await stack.state.getSources(loaded.config.sources.map((s) => s.id));
  const sources: SourceStatus[] = [];
  for (const source of loaded.config.sources) {
    const state = states.get(source.id);
    let documents = 0;
    for await (const entry of stack.state.listDocuments(source.id)) if (isLive(entry)) documents += 1;
    const [run] = await stack.state.listRuns(source.id, 1);
    // A profile's current generation (its ledger, target and checkpoint), named `<profile>@g<n>` after a rebuild.
    const profiles = await reportProfiles(await withGenerations(deps, [source.id], 'current'), source.id, now);
    sources.push({
      ...reportSource({ sourceId: source.id, state, lastRun: run, now, freshnessSloMinutes: source.freshnessSloMinutes, isOwnerAlive: isLocalOwnerAlive }),
      kind: source.kind, documents: profiles ? Math.max(...profiles.map((p) => p.documents)) : documents, ...(profiles ? { profiles } : {}),
    });
  }
  const [fetchDepth, embedDepth, fetchDead, embedDead] = await Promise.all([
    stack.queue.depth('fetch'), stack.queue.depth('embed'),
    stack.queue.listDeadLetters('fetch', 10), stack.queue.listDeadLetters('embed', 10),
  ]);
  return {
    generatedAt: new Date(now).toISOString(),
    sources,
    queues: { fetch: fetchDepth, embed: embedDepth },
    deadLetters: [
      ...fetchDead.map((d) => ({ queue: 'fetch', reason: d.reason ?? 'unknown' })),
      ...embedDead.map((d) => ({ queue: 'embed', reason: d.reason ?? 'unknown' })),
    ],
  };
}

/** What `status` exits 1 for: stale (older than its SLO, or never synced), failing, or the mass-delete breaker tripped. */
export function needsAttention(s: { stale: boolean; lastError: string | null; consecutiveFailures: number; breaker: string | null }): boolean {
  return s.stale || s.lastError !== null || s.consecutiveFailures > 0 || s.breaker !== null;
}
