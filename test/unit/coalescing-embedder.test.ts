import { describe, expect, it } from 'vitest';
import { CoalescingEmbedder } from '../../shared/adapters/coalescing-embedder.ts';
import type { Embedder, EmbeddingResult } from '../../shared/ports/index.ts';

/** An embedder whose calls finish when the test says so; each text's vector is [its length]. */
class GatedEmbedder implements Embedder {
  readonly model = 'gated';
  readonly dimensions = 1;
  readonly requestLimits = { maxInputs: 4 };
  readonly calls: string[][] = [];
  private readonly gates: Array<{ open: () => void; fail: (e: unknown) => void }> = [];

  countTokens(text: string): number {
    return text.length;
  }

  embed(texts: readonly string[]): Promise<EmbeddingResult> {
    this.calls.push([...texts]);
    return new Promise((resolve, reject) => {
      this.gates.push({
        open: () => resolve({ vectors: texts.map((t) => Float32Array.of(t.length)), tokens: texts.length * 10, calls: Math.ceil(texts.length / 4) }),
        fail: reject,
      });
    });
  }

  open(i: number): void {
    this.gates[i]?.open();
  }

  fail(i: number, error: unknown): void {
    this.gates[i]?.fail(error);
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('CoalescingEmbedder', () => {
  it('sends a lone call at once, and merges the calls that arrive while it is in flight', async () => {
    // Prepare
    const inner = new GatedEmbedder();
    const embedder = new CoalescingEmbedder(inner, { maxInFlight: 1 });

    // Act
    const first = embedder.embed(['a']);
    const second = embedder.embed(['bb', 'ccc']);
    const third = embedder.embed(['dddd']);
    await tick();
    const whileFirstInFlight = inner.calls.length;
    inner.open(0);
    await tick();
    inner.open(1);
    const results = await Promise.all([first, second, third]);

    // Assess: two inner calls for three callers; each caller gets its own vectors; the merged
    // call's request is counted once and its tokens shared out by inputs.
    expect(whileFirstInFlight).toBe(1);
    expect(inner.calls).toEqual([['a'], ['bb', 'ccc', 'dddd']]);
    expect(results.map((r) => r.vectors.map((v) => v[0]))).toEqual([[1], [2, 3], [4]]);
    expect(results.map((r) => r.calls)).toEqual([1, 1, 0]);
    expect(results[1]!.tokens + results[2]!.tokens).toBe(30);
    expect(embedder.calls).toBe(2);
    expect(embedder.requestLimits).toEqual({ maxInputs: 4 });
    expect(embedder.countTokens?.('xyz')).toBe(3);
  });

  it('fails only the callers whose texts the failed call carried', async () => {
    // Prepare
    const inner = new GatedEmbedder();
    const embedder = new CoalescingEmbedder(inner, { maxInFlight: 1, maxInputsPerCall: 2 });

    // Act
    const first = embedder.embed(['a']);
    const second = embedder.embed(['b', 'c']);
    const third = embedder.embed(['d']);
    const outcomes = Promise.allSettled([first, second, third]);
    await tick();
    inner.open(0);
    await tick();
    inner.fail(1, new Error('HTTP 500'));
    await tick();
    inner.open(2);
    const settled = await outcomes;

    // Assess: the 2-input bound kept `second` and `third` in separate calls.
    expect(inner.calls).toEqual([['a'], ['b', 'c'], ['d']]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('passes an embedder without token counting through as one', () => {
    const inner: Embedder = { model: 'm', dimensions: 2, embed: async () => ({ vectors: [], tokens: 0, calls: 0 }) };
    const embedder = new CoalescingEmbedder(inner);
    expect(embedder.countTokens).toBeUndefined();
    expect(embedder.requestLimits).toBeUndefined();
  });
});
