import type { Embedder, EmbeddingResult, RequestLimits } from '../ports/index.ts';

export interface CoalescingEmbedderOptions {
  /** Merged calls in flight at once (each may hold several requests, run within the inner embedder's concurrency). @default 2 */
  readonly maxInFlight?: number;
  /** Inputs per merged call at most. @default 8 × the inner embedder's inputs per request */
  readonly maxInputsPerCall?: number;
}

interface Waiter {
  readonly texts: readonly string[];
  resolve(result: EmbeddingResult): void;
  reject(error: unknown): void;
}

/**
 * Group commit for embedding calls: calls that arrive while earlier ones are in flight are
 * merged into the next call, so concurrent embed tasks (the up to 10 of one embedder
 * invocation, the local embed pollers) share requests instead of sending at least one each.
 * No timer: an idle embedder sends at once, so a lone call waits for nothing.
 *
 * A merged call that fails rejects exactly the callers whose texts it carried. Each caller
 * gets its own vectors; the merged call's tokens are shared out by inputs and its requests
 * are counted once, on its first caller, so run records still add up to the requests sent.
 */
export class CoalescingEmbedder implements Embedder {
  private readonly waiting: Waiter[] = [];
  private inFlight = 0;
  private readonly maxInFlight: number;
  private readonly maxInputs: number;
  /** Merged calls sent (for tests and metrics). */
  calls = 0;

  /** The inner embedder's request bounds and token count, when it has them. */
  readonly requestLimits?: RequestLimits;
  readonly countTokens?: (text: string) => number;

  constructor(private readonly inner: Embedder, options: CoalescingEmbedderOptions = {}) {
    if (inner.requestLimits) this.requestLimits = inner.requestLimits;
    if (inner.countTokens) this.countTokens = (text) => inner.countTokens!(text);
    this.maxInFlight = options.maxInFlight ?? 2;
    this.maxInputs = options.maxInputsPerCall ?? 8 * (inner.requestLimits?.maxInputs ?? 2048);
  }

  get model(): string {
    return this.inner.model;
  }

  get dimensions(): number {
    return this.inner.dimensions;
  }



  embed(texts: readonly string[]): Promise<EmbeddingResult> {
    if (texts.length === 0) return Promise.resolve({ vectors: [], tokens: 0, calls: 0 });
    return new Promise<EmbeddingResult>((resolve, reject) => {
      this.waiting.push({ texts, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0) {
      const group: Waiter[] = [];
      let count = 0;
      while (this.waiting.length > 0 && (group.length === 0 || count + (this.waiting[0]?.texts.length ?? 0) <= this.maxInputs)) {
        const next = this.waiting.shift() as Waiter;
        group.push(next);
        count += next.texts.length;
      }
      this.inFlight += 1;
      this.calls += 1;
      this.inner.embed(group.flatMap((w) => w.texts)).then(
        (result) => settle(group, result, count),
        (error: unknown) => group.forEach((w) => w.reject(error)),
      ).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }
}

/** Hands each caller its vectors, its share of the tokens, and the requests to the first. */
function settle(group: readonly Waiter[], result: EmbeddingResult, total: number): void {
  let offset = 0;
  let tokensLeft = result.tokens;
  group.forEach((w, i) => {
    const vectors = result.vectors.slice(offset, offset + w.texts.length);
    offset += w.texts.length;
    if (vectors.length !== w.texts.length) {
      w.reject(new Error(`embedder returned ${result.vectors.length} vectors for ${total} texts`));
      return;
    }
    const last = i === group.length - 1;
    const tokens = last ? tokensLeft : Math.round((result.tokens * w.texts.length) / total);
    tokensLeft -= tokens;
    w.resolve({ vectors, tokens, calls: i === 0 ? result.calls : 0 });
  });
}
