/**
 * `tributary plan`: what (re-)indexing a source's profiles from scratch will cost, before it
 * starts — documents, chunks, the chunk texts that would be sent to the embedding API (those
 * the embedding cache does not hold for the profile's model and dimensions: switching back to a
 * model used before costs nothing), their tokens counted with the model's tokenizer, dollars at
 * its price, requests, and the time that takes at the configured rate limits. It reads the
 * source (a full pass, no cursor or ledger written) and writes nothing.
 */
import { countTokens as cl100kTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { chunkDocument, embeddingText } from './chunker.ts';
import type { CoreDeps } from './deps.ts';
import { DEFAULT_MAX_INPUTS } from './embed-ahead.ts';
import { embeddingCostUsd } from './embedding-cache.ts';
import { profileScopes, profileSignature, type ProfileScope } from './profiles.ts';
import type { RunLog, SourceDocument } from '../ports/index.ts';

/** Rate limits of the embedding account, from the config. */
export interface RateLimits {
  readonly tokensPerMinute?: number;
  readonly requestsPerMinute?: number;
}

export interface ProfilePlan {
  readonly sourceId: string;
  readonly profile: string;
  readonly model: string;
  readonly dimensions: number;
  readonly documents: number;
  readonly chunks: number;
  /** Distinct chunk texts the embedding cache lacks for this model: what would be sent. */
  readonly textsToEmbed: number;
  /** Their tokens, counted with the model's tokenizer (cl100k for OpenAI's embedding models). */
  readonly tokens: number;
  readonly requests: number;
  readonly estimatedCostUsd: number;
  /** Minutes the embedding takes at the rate limits; null without limits configured. */
  readonly minutesAtRateLimits: number | null;
}

/** Chunk texts a plan checks against the embedding cache at once. */
const CACHE_BATCH = 500;

/** Plans a full (re-)index of the source's profiles (all, or those named). */
export async function planSource(
  deps: CoreDeps, sourceId: string, options: { readonly profiles?: readonly string[]; readonly limits?: RateLimits } = {},
): Promise<ProfilePlan[]> {
  const scopes = profileScopes(deps, sourceId, options.profiles);
  const connector = deps.connector(sourceId);
  if (!connector) throw new Error(`unknown source "${sourceId}"`);
  const tallies = scopes.map((scope) => ({ scope, documents: 0, chunks: 0, texts: new Map<string, string>() }));
  const snapshotAt = new Date(deps.clock.now()).toISOString();
  let cursor;
  for (;;) {
    const page = await connector.pull(cursor, { snapshotAt, full: true });
    const missing = page.changed.filter((r) => !r.document).map((r) => r.id);
    const fetched = missing.length > 0 ? (await connector.fetch(missing)).documents : [];
    const docs: SourceDocument[] = [...page.changed.flatMap((r) => (r.document ? [r.document] : [])), ...fetched];
    for (const tally of tallies) {
      for (const doc of docs) {
        let chunks;
        try {
          chunks = chunkDocument(doc.text, doc.format ?? 'text', tally.scope.profile.chunking, doc);
        } catch {
          continue;
        }
        tally.documents += 1;
        tally.chunks += chunks.length;
        for (const c of chunks) tally.texts.set(c.hash, embeddingText(c));
      }
    }
    cursor = page.next;
    if (page.done) break;
  }
  const out: ProfilePlan[] = [];
  for (const { scope, documents, chunks, texts } of tallies) out.push(await planOf(deps, sourceId, scope, documents, chunks, texts, options.limits ?? {}));
  return out;
}

async function planOf(
  deps: CoreDeps, sourceId: string, scope: ProfileScope, documents: number, chunks: number, texts: ReadonlyMap<string, string>, limits: RateLimits,
): Promise<ProfilePlan> {
  const { embedder } = scope.profile;
  const hashes = [...texts.keys()];
  const cached = new Set<string>();
  for (let i = 0; i < hashes.length; i += CACHE_BATCH) {
    for (const hash of (await deps.state.getEmbeddings(embedder.model, embedder.dimensions, hashes.slice(i, i + CACHE_BATCH))).keys()) cached.add(hash);
  }
  const count = (text: string): number => embedder.countTokens?.(text) ?? cl100kTokens(text);
  let tokens = 0;
  let textsToEmbed = 0;
  for (const [hash, text] of texts) {
    if (cached.has(hash)) continue;
    textsToEmbed += 1;
    tokens += count(text);
  }
  const perRequest = embedder.requestLimits ?? { maxInputs: DEFAULT_MAX_INPUTS };
  const requests = textsToEmbed === 0 ? 0 : Math.max(Math.ceil(textsToEmbed / perRequest.maxInputs), perRequest.maxTokens ? Math.ceil(tokens / perRequest.maxTokens) : 0);
  const bounds = [
    limits.tokensPerMinute ? tokens / limits.tokensPerMinute : undefined,
    limits.requestsPerMinute ? requests / limits.requestsPerMinute : undefined,
  ].filter((m): m is number => m !== undefined);
  return {
    sourceId, profile: scope.name, model: embedder.model, dimensions: embedder.dimensions, documents, chunks, textsToEmbed, tokens, requests,
    estimatedCostUsd: embeddingCostUsd(tokens, scope.profile.pricePerMillionTokensUsd ?? 0),
    minutesAtRateLimits: bounds.length > 0 ? Math.max(...bounds) : null,
  };
}

/**
 * The profiles of a source whose model, dimensions or chunking changed since its last run
 * recorded them: the next sync re-chunks (and, for a new model, re-embeds) every document of
 * each. Sources without `profiles` record none (a change of their chunking re-chunks, as ever).
 */
export async function profilesToReindex(deps: Pick<CoreDeps, 'profiles'> & { readonly state: RunLog }, sourceId: string): Promise<string[]> {
  const configured = deps.profiles?.(sourceId);
  if (!configured) return [];
  const [last] = await deps.state.listRuns(sourceId, 1);
  return configured.filter((p) => {
    const recorded = last?.profiles?.find((r) => r.name === p.name)?.signature;
    return recorded !== undefined && recorded !== profileSignature(p);
  }).map((p) => p.name);
}
