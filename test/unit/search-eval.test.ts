/** `npm run eval:search` on a small subset: the script runs end to end, and the README's example finds its runbook first. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, QUERIES, scoreRankings, subsetCorpus, subsetDocuments, type ModeScore } from '../eval/search-eval.ts';

describe('search eval (subset)', () => {
  const queries = QUERIES.filter((q) => ['rotate database credentials', 'what is a break-glass account', 'purge the CDN cache', 'code review policy'].includes(q.query));
  let state: string;
  let corpus: { root: string; remove: () => void };
  let scores: ModeScore[];

  beforeAll(async () => {
    state = await mkdtemp(join(tmpdir(), 'tributary-eval-'));
    // Their documents and every 40th other one as distractors: about 12 documents.
    corpus = subsetCorpus(subsetDocuments(queries, 40));
    ({ scores } = await evaluate({ stateDir: state, root: corpus.root, embedder: 'local', queries, modes: ['vector', 'hybrid'] }));
  }, 60_000);

  afterAll(async () => {
    corpus.remove();
    await rm(state, { recursive: true, force: true });
  });

  it('reports recall@5 and MRR per mode, and the README example ranks its runbook first in hybrid', () => {
    // Assess
    expect(scores.map((s) => s.mode)).toEqual(['vector', 'hybrid']);
    for (const s of scores) {
      expect(s.queries).toBe(4);
      expect(s.recallAt5).toBeGreaterThan(0);
      expect(s.recallAt5).toBeLessThanOrEqual(1);
    }
    expect(scores.find((s) => s.mode === 'hybrid')!.ranks['rotate database credentials']).toBe(1);
  });

  it('scores rankings: recall over at most 5 relevant documents, MRR from the first', () => {
    // Act
    const scored = scoreRankings(
      [{ query: 'a', relevant: ['x', 'y'] }, { query: 'b', relevant: ['z'] }],
      [['q', 'x', 'r', 's', 't', 'y'], ['z']],
    );

    // Assess
    expect(scored).toEqual({ recallAt5: (0.5 + 1) / 2, mrr: (0.5 + 1) / 2, ranks: [2, 1] });
  });
});
