/**
 * The generation switch measured small (300 documents; `npm run bench:generations` runs 5,000):
 * a model change is built in the background while another stack on the same state folder
 * searches every 100 ms, and the alias flips once the build is complete and audited.
 */
import { describe, expect, it } from 'vitest';
import { runGenerationSwitch } from '../bench/generation-switch.ts';

describe('generation switch', () => {
  it('keeps answering every search (none failed, none empty) from the old generation, then the new one, and embeds what the plan estimated', async () => {
    // Act
    const r = await runGenerationSwitch({ documents: 300 });

    // Assess
    console.log(`generation switch, 300 documents: ${r.searches} searches (${r.failed} failed, ${r.empty} empty), answered by ${JSON.stringify(r.answeredBy)}; build ${(r.buildMs / 1000).toFixed(1)} s, flip ${r.flipMs.toFixed(0)} ms`);
    expect(r.errors).toEqual([]);
    expect(r.empty).toBe(0);
    expect(r.flipped).toBe(true);
    expect(r.answeredBy['g0']).toBeGreaterThan(0);
    expect(r.answeredBy['g1']).toBeGreaterThan(0);
    expect(r.measured.chunksEmbedded).toBe(r.plan.textsToEmbed);
    expect(r.plan.documents).toBe(300);
  }, 60_000);
});
