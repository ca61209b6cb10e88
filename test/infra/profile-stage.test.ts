/**
 * Index profiles in a deployment: the fetcher and embedder reach each profile's ledger,
 * checkpoint and run records (`SRC#<id>~<profile>`) and the embedding cache of each model a
 * profile embeds with — and nothing more.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/pipeline-function.ts';
import { stageConfigFrom } from '../../infra/stage-config.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { readJson } from '../support/templates.ts';

describe('a deployed source with index profiles', () => {
  it('grants the pipeline functions the profiles\' partitions and their models\' embedding caches', () => {
    // Prepare
    const config = readJson<{ sources: Array<Record<string, unknown>> }>(join(REPO_ROOT, 'examples', 'aws', 'connectors.config.json'));
    const [first] = config.sources;
    config.sources = [{ ...first!, profiles: [{ name: 'default' }, { name: 'large', embedder: { model: 'text-embedding-3-large', dimensions: 1024 } }] }, ...config.sources.slice(1)];
    const id = String(first!['id']);

    // Act
    const stage = stageConfigFrom(parseConfig(config));

    // Assess
    for (const fn of ['fetcher', 'embedder'] as const) {
      const keys = stage.tableAccessFor(fn)!.partitionKeys;
      expect(keys).toEqual(expect.arrayContaining([`SRC#${id}`, `SRC#${id}~default`, `SRC#${id}~large`, 'EMB#text-embedding-3-large#1024']));
    }
    expect(stage.tableAccessFor('watchdog')!.partitionKeys).not.toContain('EMB#text-embedding-3-large#1024');
  });
});
