/**
 * The fetcher's embed-ahead buffer: the new chunk texts of every page a run reads, gathered
 * across pages and documents and sent in full provider requests (the embedder's
 * `requestLimits`), so a sync pays about ceil(new texts / request size) requests instead of
 * one or more per page. Whoever stages texts waits on them through a `Waiter` (a held page):
 * its count of texts still unembedded reaches 0 when they are all cached, refused or given up.
 */
import type { DepsOf } from './deps.ts';
import { embeddingCostUsd } from './embedding-cache.ts';
import { errorMessage, isDeploymentFailure, isDocumentFailure } from './errors.ts';
import type { EmbeddingCache, RequestLimits, RunLog } from '../ports/index.ts';

/** OpenAI's inputs per request: the bound when an embedder names none. */
export const DEFAULT_MAX_INPUTS = 2048;

/** Something waiting for texts: `waiting` counts those not settled yet. */
export interface Waiter {
  waiting: number;
}

interface Pending {
  readonly text: string;
  readonly tokens: number;
  /** Documents whose chunks hold the text (skipped if the provider refuses it). */
  readonly docs: Set<string>;
  readonly waiters: Set<Waiter>;
}

export type EmbedAheadDeps = DepsOf<'embedder' | 'log' | 'embeddingPricePerMillionTokensUsd', EmbeddingCache & RunLog>;

export class EmbedAheadBuffer {
  private readonly pending = new Map<string, Pending>();
  private inputs = 0;
  private tokens = 0;
  private readonly limits: RequestLimits;

  constructor(
    private readonly deps: EmbedAheadDeps,
    private readonly sourceId: string,
    private readonly runId: string,
    /** Documents the provider refused a text of, with its reason: skip them. */
    private readonly onRefused: (docIds: readonly string[], reason: string) => void,
  ) {
    this.limits = deps.embedder.requestLimits ?? { maxInputs: DEFAULT_MAX_INPUTS };
  }

  /** Texts waiting for a request. */
  get size(): number {
    return this.pending.size;
  }

  /** Whether at least one full request is waiting. */
  get full(): boolean {
    return this.inputs >= this.limits.maxInputs || (this.limits.maxTokens !== undefined && this.tokens >= this.limits.maxTokens);
  }

  /**
   * Stages texts (hash → text and the documents that hold it) for `waiter`: those the
   * embedding cache has are dropped at once, those already staged are shared.
   */
  async add(waiter: Waiter, wanted: ReadonlyMap<string, { text: string; docs: Iterable<string> }>): Promise<void> {
    const { embedder, state } = this.deps;
    const fresh = [...wanted.keys()].filter((hash) => !this.pending.has(hash));
    const cached = fresh.length === 0 ? new Map<string, Float32Array>() : await state.getEmbeddings(embedder.model, embedder.dimensions, fresh);
    for (const [hash, { text, docs }] of wanted) {
      if (cached.has(hash)) continue;
      let entry = this.pending.get(hash);
      if (!entry) {
        const tokens = this.limits.maxTokens !== undefined && embedder.countTokens ? embedder.countTokens(text) : 0;
        entry = { text, tokens, docs: new Set(), waiters: new Set() };
        this.pending.set(hash, entry);
        this.inputs += 1;
        this.tokens += tokens;
      }
      for (const doc of docs) entry.docs.add(doc);
      if (!entry.waiters.has(waiter)) {
        entry.waiters.add(waiter);
        waiter.waiting += 1;
      }
    }
  }

  /**
   * Sends every full request waiting (`force`: everything), in staging order, in one embed
   * call (the embedder runs its requests within its own concurrency). A provider refusal no
   * document escapes (bad key, wrong model) is thrown; a refused input is found by halving and
   * its documents skipped; any other failure gives the texts up (their tasks embed their own).
   */
  async drain(force: boolean): Promise<void> {
    const batch = this.take(force);
    if (batch.length === 0) return;
    await this.send(batch);
  }

  /** The entries of the full requests at the front (all, when forced), removed from the counts. */
  private take(force: boolean): [string, Pending][] {
    const taken: [string, Pending][] = [];
    let requestStart = 0;
    let inputs = 0;
    let tokens = 0;
    const { maxInputs, maxTokens } = this.limits;
    for (const item of this.pending) {
      const [, entry] = item;
      if (inputs > 0 && (inputs >= maxInputs || (maxTokens !== undefined && tokens + entry.tokens > maxTokens))) {
        requestStart = taken.length;
        inputs = 0;
        tokens = 0;
      }
      taken.push(item);
      inputs += 1;
      tokens += entry.tokens;
    }
    // The last request is full only if nothing more would fit; otherwise it waits for company.
    const lastFull = inputs >= maxInputs || (maxTokens !== undefined && tokens >= maxTokens);
    const out = force || lastFull ? taken : taken.slice(0, requestStart);
    for (const [hash, entry] of out) {
      this.pending.delete(hash);
      this.inputs -= 1;
      this.tokens -= entry.tokens;
    }
    return out;
  }

  private async send(batch: readonly [string, Pending][]): Promise<void> {
    const { embedder, state } = this.deps;
    try {
      const result = await embedder.embed(batch.map(([, entry]) => entry.text));
      const fresh = new Map<string, Float32Array>();
      batch.forEach(([hash], i) => {
        const vector = result.vectors[i];
        if (!vector) throw new Error(`embedder returned ${result.vectors.length} vectors for ${batch.length} texts`);
        fresh.set(hash, vector);
      });
      await state.putEmbeddings(embedder.model, embedder.dimensions, fresh);
      await state.addRunCounters(this.sourceId, this.runId, {
        chunksEmbedded: fresh.size, embeddingCalls: result.calls, tokensEmbedded: result.tokens,
        estimatedCostUsd: embeddingCostUsd(result.tokens, this.deps.embeddingPricePerMillionTokensUsd),
      });
    } catch (error) {
      if (isDeploymentFailure(error)) throw error;
      if (!isDocumentFailure(error)) {
        this.deps.log.warn('embedding ahead of the embed tasks failed; they will embed their own chunks', {
          sourceId: this.sourceId, texts: batch.length, error: errorMessage(error),
        });
      } else if (batch.length === 1) {
        const [[, only]] = batch as [[string, Pending]];
        this.onRefused([...only.docs], `refused by the embedding provider: ${errorMessage(error)}`);
      } else {
        const half = Math.ceil(batch.length / 2);
        await this.send(batch.slice(0, half));
        await this.send(batch.slice(half));
        return;
      }
    }
    settle(batch);
  }
}

function settle(batch: readonly [string, Pending][]): void {
  for (const [, entry] of batch) for (const waiter of entry.waiters) waiter.waiting -= 1;
}
