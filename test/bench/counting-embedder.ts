/**
 * The one embedder every system uses: Tributary's deterministic local HashingEmbedder behind a
 * counter that behaves like an embeddings API. A call to `embed` is cut into requests of at
 * most 2,048 inputs (OpenAI's limit); each request counts as one embedding call and can wait a
 * fixed latency, as a network round trip would. Every text sent is recorded so its cl100k
 * tokens are counted after the timed sync (counting is instrumentation, not the system's cost).
 *
 * Tributary takes it as its `Embedder` port; systems/langchain.ts and systems/llamaindex.ts
 * adapt it to LangChain's `Embeddings` and LlamaIndex's `BaseEmbedding`.
 */
import { createHash } from 'node:crypto';
import { HashingEmbedder } from '../../shared/adapters/local/hashing-embedder.ts';
import type { Embedder, EmbeddingResult } from '../../shared/ports/index.ts';
import { tokensOf } from './reference.ts';

/** Inputs per request, as OpenAI's embeddings endpoint allows. */
export const MAX_INPUTS_PER_REQUEST = 2048;
/** Vector size for every system (Tributary's local default). */
export const BENCH_DIMENSIONS = 384;

export interface EmbedderCounters {
  calls: number;
  texts: number;
}

export class CountingEmbedder implements Embedder {
  readonly model = 'bench-hashing-v1';
  readonly dimensions = BENCH_DIMENSIONS;
  /** What one request holds, for callers that fill requests (Tributary's embed-ahead buffer). */
  readonly requestLimits = { maxInputs: MAX_INPUTS_PER_REQUEST };
  readonly counters: EmbedderCounters = { calls: 0, texts: 0 };
  /** Texts sent since the last `takeTexts`: counted into tokens outside the timed sync. */
  private sent: string[] = [];
  private readonly inner = new HashingEmbedder({ dimensions: BENCH_DIMENSIONS });

  constructor(
    private readonly latencyMs: number,
    /** Called at every request (the memory sampler uses it: a long CPU-bound sync starves timers). */
    private readonly onRequest: () => void = () => undefined,
  ) {}

  async embed(texts: readonly string[]): Promise<EmbeddingResult> {
    const vectors: Float32Array[] = [];
    let calls = 0;
    let tokens = 0;
    for (let start = 0; start < texts.length; start += MAX_INPUTS_PER_REQUEST) {
      const batch = texts.slice(start, start + MAX_INPUTS_PER_REQUEST);
      if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
      const result = await this.inner.embed(batch);
      vectors.push(...result.vectors);
      tokens += result.tokens;
      calls += 1;
      this.counters.calls += 1;
      this.counters.texts += batch.length;
      for (const text of batch) this.sent.push(text);
      this.onRequest();
    }
    // `tokens` here are the hashing embedder's words; the benchmark reports cl100k tokens instead.
    return { vectors, tokens, calls };
  }

  /** A query embedding: not counted (searching is not syncing). */
  async embedQuery(text: string): Promise<Float32Array> {
    const { vectors } = await this.inner.embed([text]);
    return vectors[0]!;
  }

  /** Calls and texts since the last reset, and the texts themselves; resets. */
  take(): { calls: number; texts: number; sent: string[] } {
    const out = { ...this.counters, sent: this.sent };
    this.counters.calls = 0;
    this.counters.texts = 0;
    this.sent = [];
    return out;
  }
}

/** Token counts by text hash: the naive sync sends the same 70,000 texts on every step. */
const tokenMemo = new Map<string, number>();

/** cl100k tokens of texts sent, counted after the fact. */
export function countSentTokens(sent: readonly string[]): number {
  let tokens = 0;
  for (const text of sent) {
    const key = createHash('sha1').update(text).digest('base64');
    let n = tokenMemo.get(key);
    if (n === undefined) tokenMemo.set(key, (n = tokensOf(text)));
    tokens += n;
  }
  return tokens;
}
