import { isLive } from './document-sync.ts';
import { DEFAULT_PROFILE, ledgerKeyOf, profileKeyOf, type IndexProfile } from './profiles.ts';
import type { DocumentLedger, RunLog, RunRecord, SourceStates } from '../ports/index.ts';

/** What `status` says of one index profile of a source. */
export interface ProfileReport {
  readonly name: string;
  /** Its LanceDB table or Pinecone namespace. */
  readonly target: string;
  readonly model: string;
  readonly dimensions: number;
  /** Documents its ledger holds as indexed. */
  readonly documents: number;
  /** Its checkpoint: the snapshot of the last pass that fed it (`default`'s is the source's). */
  readonly watermark: string | null;
  readonly lagSeconds: number | null;
  readonly lastRun: (Pick<RunRecord, 'status' | 'startedAt' | 'docsChanged' | 'docsDeleted' | 'chunksEmbedded' | 'embeddingCalls'
    | 'tokensEmbedded' | 'estimatedCostUsd' | 'vectorsUpserted' | 'vectorsDeleted'>) | null;
}

/** Each profile of a source (undefined for a source without `profiles`). */
export async function reportProfiles(
  deps: { readonly state: SourceStates & DocumentLedger & RunLog; readonly profiles?: (sourceId: string) => readonly IndexProfile[] | undefined },
  sourceId: string, now: number,
): Promise<ProfileReport[] | undefined> {
  const configured = deps.profiles?.(sourceId);
  if (!configured) return undefined;
  const out: ProfileReport[] = [];
  for (const profile of configured) {
    const key = ledgerKeyOf(sourceId, profile.name);
    let documents = 0;
    for await (const entry of deps.state.listDocuments(key)) if (isLive(entry)) documents += 1;
    const checkpoint = await deps.state.getSource(profile.name === DEFAULT_PROFILE ? sourceId : key);
    const [run] = await deps.state.listRuns(profileKeyOf(sourceId, profile.name), 1);
    const watermark = checkpoint?.watermark ?? null;
    out.push({
      name: profile.name, target: profile.target, model: profile.embedder.model, dimensions: profile.embedder.dimensions, documents, watermark,
      lagSeconds: watermark === null ? null : Math.max(0, Math.round((now - Date.parse(watermark)) / 1000)),
      lastRun: run ? {
        status: run.status, startedAt: run.startedAt, docsChanged: run.docsChanged ?? 0, docsDeleted: run.docsDeleted ?? 0,
        chunksEmbedded: run.chunksEmbedded ?? 0, embeddingCalls: run.embeddingCalls ?? 0, tokensEmbedded: run.tokensEmbedded ?? 0,
        estimatedCostUsd: run.estimatedCostUsd ?? 0, vectorsUpserted: run.vectorsUpserted ?? 0, vectorsDeleted: run.vectorsDeleted ?? 0,
      } : null,
    });
  }
  return out;
}
