/**
 * A model change of an index profile through the CLI: `sync` refuses to build a new
 * generation without `--yes` and prints the plan; `plan --json` gives the tokens the confirmed
 * sync then embeds. Four CLI invocations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeResult, makeWorkspace, parseJson, runCli, type SyncSourceReport, type Workspace } from './support/cli.ts';

let ws: Workspace | undefined;
const config = (model: string) => ({ sources: [{ id: 'docs', kind: 'filesystem', root: './corpus', profiles: [{ name: 'main', embedder: { model } }] }] });

beforeAll(async () => {
  ws = await makeWorkspace('plan', {
    config: config('hashing-a'),
    docs: Array.from({ length: 20 }, (_, i) => ({ path: `n${i}.md`, text: `# Note ${i}\n\nThe ${['invoice', 'release'][i % 2]} checklist, item ${i}.\n` })),
  });
});

afterAll(async () => {
  await ws?.remove();
});

describe('plan and the confirmation of a re-index', () => {
  it('refuses a model change without --yes, printing the plan, and the plan\'s chunk count is what the sync embeds', async () => {
    // Prepare
    const first = await runCli(ws!.dir, ['sync', '--json']);
    expect(first.code, describeResult(first)).toBe(0);
    await ws!.writeConfig(config('hashing-b'));

    // Act
    const refused = await runCli(ws!.dir, ['sync']);
    const plan = await runCli(ws!.dir, ['plan', '--json']);
    const confirmed = await runCli(ws!.dir, ['sync', '--yes', '--json']);

    // Assess
    expect(refused.code, describeResult(refused)).toBe(2);
    expect(refused.stderr).toMatch(/docs\/main \(hashing-b, 384\): 20 documents, 20 chunks; 20 texts to embed, \d+ tokens/);
    expect(refused.stderr).toMatch(/--yes/);
    const [p] = parseJson<{ plans: Array<{ textsToEmbed: number; tokens: number }> }>(plan).plans;
    const report = parseJson<{ sources: Array<SyncSourceReport & { profiles: Record<string, SyncSourceReport> }> }>(confirmed).sources[0]!;
    // The change is built as generation 1 of the profile, beside the current one (which changes nothing).
    expect(report.profiles['main']).toMatchObject({ docsChanged: 0, chunksEmbedded: 0 });
    expect(report.profiles['main@g1']).toMatchObject({ docsChanged: 20, chunksEmbedded: p!.textsToEmbed, vectorsUpserted: 20 });
  });
});
