/**
 * `plan` before a re-index: its token estimate (the model's tokenizer, over the chunk texts the
 * embedding cache lacks) is what the sync then embeds; switching back to a model used before
 * plans (and costs) nothing; a changed profile is named for confirmation.
 */
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { describe, expect, it } from 'vitest';
import { HashingEmbedder } from '../../../shared/adapters/local/hashing-embedder.ts';
import type { CoreDeps } from '../../../shared/core/deps.ts';
import { silentLogger } from '../../../shared/core/deps.ts';
import { runFetch } from '../../../shared/core/fetch-run.ts';
import { planSource, profilesToReindex } from '../../../shared/core/plan.ts';
import { profileKeyOf, type IndexProfile } from '../../../shared/core/profiles.ts';
import type { EmbeddingResult } from '../../../shared/ports/index.ts';
import { drainEmbedQueue } from '../../support/drain.ts';
import { ManualClock, testSettings } from '../../support/embedded.ts';
import { MemorySource } from '../../support/memory-source.ts';
import { InMemoryStateStore } from '../../support/memory-state-store.ts';
import { InMemoryTaskQueue } from '../../support/memory-task-queue.ts';
import { InMemoryVectorStore } from '../../support/memory-vector-store.ts';

/** Bills tokens as OpenAI does for its embedding models: cl100k. */
class Cl100kEmbedder extends HashingEmbedder {
  override async embed(texts: readonly string[]): Promise<EmbeddingResult> {
    const result = await super.embed(texts);
    return { ...result, tokens: texts.reduce((n, t) => n + countTokens(t), 0) };
  }
}

describe('plan', () => {
  it('estimates exactly the tokens a model change then embeds, nothing for a switch back, and names the changed profile', async () => {
    // Prepare
    const clock = new ManualClock();
    const source = new MemorySource('docs', 4);
    for (let i = 0; i < 30; i++) source.put(`d${i}.md`, `# Doc ${i}\n\nThe ${['invoice', 'release', 'outage'][i % 3]} runbook, step ${i}: check the queue and page the owner.\n\n## Notes\n\nSeen in week ${i % 7}.`);
    const state = new InMemoryStateStore();
    const settings = testSettings('docs');
    const embedders = new Map<string, Cl100kEmbedder>();
    let model = 'small';
    const profile = (): IndexProfile => {
      if (!embedders.has(model)) embedders.set(model, new Cl100kEmbedder({ dimensions: 32, model }));
      return { name: 'main', chunking: settings.chunking, embedder: embedders.get(model)!, vectors, target: 'main', pricePerMillionTokensUsd: 0.13 };
    };
    const vectors = new InMemoryVectorStore();
    const deps: CoreDeps = {
      state, queue: new InMemoryTaskQueue({ clock }), vectors, embedder: new HashingEmbedder({ dimensions: 32 }), clock, log: silentLogger,
      connector: () => source, settings: () => settings, profiles: () => [profile()],
    };
    const sync = async () => {
      clock.advance(1000);
      const result = await runFetch(deps, { type: 'fetch', sourceId: 'docs', trigger: 'cli', requestedAt: new Date(clock.now()).toISOString() }, { owner: 'h:1:plan' });
      await drainEmbedQueue(deps);
      return state.getRun(profileKeyOf('docs', 'main'), result.runId!);
    };
    await sync();

    // Act: the model changes
    model = 'large';
    const toReindex = await profilesToReindex(deps, 'docs');
    const [planned] = await planSource(deps, 'docs', { limits: { tokensPerMinute: 1000 } });
    const measured = await sync();
    model = 'small';
    const [back] = await planSource(deps, 'docs');

    // Assess
    expect(toReindex).toEqual(['main']);
    expect(planned).toMatchObject({ profile: 'main', model: 'large', documents: 30, requests: 1 });
    expect(planned!.tokens).toBeGreaterThan(0);
    expect(measured?.tokensEmbedded).toBe(planned!.tokens);
    expect(measured?.chunksEmbedded).toBe(planned!.textsToEmbed);
    expect(planned!.estimatedCostUsd).toBeCloseTo(planned!.tokens * 0.13e-6, 12);
    expect(planned!.minutesAtRateLimits).toBeCloseTo(planned!.tokens / 1000, 9);
    expect(back).toMatchObject({ textsToEmbed: 0, tokens: 0, estimatedCostUsd: 0 });
    expect(await profilesToReindex(deps, 'docs')).toEqual(['main']);
  });
});
