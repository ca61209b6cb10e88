import { auditClean, auditedVectors, auditProfiles, idsToRepair, type SourceAudit } from '../../shared/core/audit.ts';
import { withGenerations } from '../../shared/core/generations.ts';
import type { LocalStack } from '../../shared/wiring/local-stack.ts';
import { syncSources } from './sync.ts';

/**
 * `tributary audit [--repair]` and the console's audit and repair: compares source, ledger and
 * index per profile; with `repair`, deletes orphan vectors, re-fetches what disagrees, then
 * audits again.
 */
export async function auditSources(stack: LocalStack, sourceIds: readonly string[], options: { repair: boolean }): Promise<SourceAudit[]> {
  // Each profile's current generation (a build in progress is watched with `tributary generations`).
  const current = await withGenerations(stack.deps, sourceIds, 'current');
  // Pinecone reads are eventually consistent: re-check before calling a difference drift.
  const attempts = stack.loaded.config.vectorStore.kind === 'pinecone' ? 4 : 1;
  const auditAll = async (): Promise<SourceAudit[]> => {
    let out: SourceAudit[] = [];
    for (let attempt = 1; attempt <= attempts; attempt++) {
      out = [];
      for (const id of sourceIds) out.push(...await auditProfiles(current, id));
      if (out.every(auditClean) || attempt === attempts) break;
      await new Promise((r) => setTimeout(r, 1000 * 2 ** (attempt - 1)));
    }
    return out;
  };
  let results = await auditAll();
  if (options.repair && results.some((a) => !auditClean(a))) {
    for (const a of results) if (a.orphanVectors.length > 0) await auditedVectors(current, a).delete(a.orphanVectors);
    const byId = new Map<string, string[]>();
    for (const a of results) byId.set(a.sourceId, [...new Set([...(byId.get(a.sourceId) ?? []), ...idsToRepair(a)])]);
    const requestedAt = new Date().toISOString();
    await syncSources(stack, {
      sourceIds: [...byId].filter(([, ids]) => ids.length > 0).map(([id]) => id),
      full: false, allowMassDelete: false,
      tasksFor: (sourceId) => [{ type: 'fetch', sourceId, trigger: 'admin', ids: byId.get(sourceId) ?? [], recover: true, requestedAt }],
    });
    results = await auditAll();
  }
  return results;
}

/** One line per audited profile: counts and what disagrees. */
export function auditLine(a: SourceAudit): string {
  const problems = (['unindexed', 'outdated', 'deletedInSource', 'unsettled', 'missingVectors', 'staleVectors', 'orphanVectors'] as const)
    .filter((k) => a[k].length > 0).map((k) => `${a[k].length} ${k}`);
  const skipped = a.skipped.length > 0 ? ` (${a.skipped.length} skipped documents not counted: see tributary status)` : '';
  return `${a.sourceId}${a.profile !== undefined ? ` (profile ${a.profile})` : ''}: source ${a.sourceDocuments ?? 'n/a'} documents, ledger ${a.ledgerDocuments}, index ${a.vectors} vectors — ${problems.length === 0 ? 'in step' : problems.join(', ')}${skipped}`;
}
