/**
 * User errors of the CLI: a mistyped config key, `reset` without confirmation, an unknown
 * source. Each test has its own workspace, so they run concurrently.
 */
import { afterAll, describe, it } from 'vitest';
import { defaultConfig, describeResult, exportRows, killStragglers, makeWorkspace, runCli, syncJson, TSX_BIN, type Workspace } from './support/cli.ts';
import { generateCorpus } from './support/corpus.ts';

const TIMEOUT = 120_000;
const workspaces: Workspace[] = [];

async function workspace(name: string, options: Parameters<typeof makeWorkspace>[1] = {}): Promise<Workspace> {
  const ws = await makeWorkspace(name, options);
  workspaces.push(ws);
  return ws;
}

afterAll(async () => {
  await killStragglers();
  await Promise.all(workspaces.map((w) => w.remove()));
});

describe.concurrent('CLI errors', () => {
  it('an unknown config key: exit code 2 and the message names the key', async ({ expect }) => {
    const ws = await workspace('badkey', {
      docs: generateCorpus({ count: 2, seed: 5 }),
      config: { sources: [{ id: 'docs', kind: 'filesystem', root: './corpus', inclde: ['**/*.md'] }] },
    });
    const r = await runCli(ws.dir, ['sync', '--json']);
    expect(r.code, describeResult(r)).toBe(2);
    expect(r.stderr).toContain('inclde');
    expect(r.stderr).toMatch(/unknown key/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).toBe('');

    await ws.writeConfig({ ...(defaultConfig() as object), colour: 'blue' });
    // Through the CLI's own entry point (tsx), which the other tests replace by a prebuilt copy.
    const top = await runCli(ws.dir, ['status'], { bin: TSX_BIN });
    expect(top.code, describeResult(top)).toBe(2);
    expect(top.stderr).toContain('colour');
  }, TIMEOUT);

  it('reset needs --yes; with it the source is emptied, and the next sync reuses cached embeddings', async ({ expect }) => {
    const ws = await workspace('reset', { docs: generateCorpus({ count: 5, seed: 6 }) });
    const first = await syncJson(ws.dir);
    expect(first, JSON.stringify(first)).toMatchObject({ status: 'synced', docsChanged: 5 });
    const before = await exportRows(ws.dir);
    expect(before.length).toBeGreaterThan(0);

    const refused = await runCli(ws.dir, ['reset', '--source', 'docs']);
    expect(refused.code, describeResult(refused)).not.toBe(0);
    expect(refused.stderr).toContain('--yes');
    expect(await exportRows(ws.dir)).toEqual(before);

    const reset = await runCli(ws.dir, ['reset', '--source', 'docs', '--yes'], { bin: TSX_BIN });
    expect(reset.code, describeResult(reset)).toBe(0);
    expect(reset.stdout).toContain(`removed ${before.length} vectors`);
    expect(await exportRows(ws.dir)).toEqual([]);

    // The cursor and ledger are gone, the embedding cache is not.
    const again = await syncJson(ws.dir);
    expect(again, JSON.stringify(again)).toMatchObject({ status: 'synced', docsChanged: 5, chunksEmbedded: 0, embeddingCalls: 0, vectorsUpserted: before.length });
  }, TIMEOUT);

  it('sync --source with an unknown id names the configured sources', async ({ expect }) => {
    const ws = await workspace('nosource', {
      docs: generateCorpus({ count: 2, seed: 7 }),
      config: {
        sources: [
          { id: 'docs', kind: 'filesystem', root: './corpus', include: ['**/*.md'] },
          { id: 'notes', kind: 'filesystem', root: './corpus', include: ['**/*.txt'] },
        ],
      },
    });
    const r = await runCli(ws.dir, ['sync', '--source', 'nope']);
    expect(r.code, describeResult(r)).not.toBe(0);
    expect(r.stderr).toContain('"nope"');
    expect(r.stderr).toMatch(/configured sources: docs, notes/);
    expect(r.stdout).toBe('');
  }, TIMEOUT);
});
