/**
 * The github connector against the loopback GitHub emulator, beyond the shared contract: the
 * head-SHA cursor across passes (compare with edits, adds, removals and renames), the tree-diff
 * fallback after a force-push and past the compare's 300-file limit, truncated trees walked by
 * subtree, a conditional no-change pass (one 304 per repository), issues with comments, deleted
 * and transferred issues, GitHub App installation tokens kept in the credential store, limits
 * and auth errors, and 10,000 files paged without a cap.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GitHubConnector } from '../../shared/connectors/github/github-connector.ts';
import { githubSource } from '../../shared/connectors/github/config.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { ProviderAuthError } from '../../shared/connectors/kit/errors.ts';
import type { Cursor, DocumentRef, PullWindow } from '../../shared/ports/index.ts';
import { startGitHub, type GitHubEmulator } from '../emulators/github.ts';
import { InMemoryCredentialStore } from '../support/memory-credential-store.ts';

let gh: GitHubEmulator | undefined;
afterEach(async () => { await gh?.close(); gh = undefined; });

const T0 = Date.parse('2026-03-01T10:00:00Z');

function connector(emu: GitHubEmulator, raw: Record<string, unknown>, secrets: Record<string, string>, credentials = new InMemoryCredentialStore({})): GitHubConnector {
  const source = githubSource.parse({ id: 'gh', kind: 'github', apiUrl: emu.url, repositories: [{ owner: 'acme', repo: 'docs' }], ...raw });
  return new GitHubConnector({ source, secret: (n) => secrets[n], credentials, tokenKey: 'github:gh', clock: { now: () => emu.now() }, log: silentLogger, retryAfterBaseMs: 0 });
}

interface Pass { snapshotAt: string; changed: DocumentRef[]; deleted: string[]; pages: number; final: Cursor; skipped: unknown[] }
async function pass(c: GitHubConnector, window: Omit<PullWindow, 'snapshotAt'> & { snapshotAt?: string }): Promise<Pass> {
  const w: PullWindow = { snapshotAt: new Date(gh!.now()).toISOString(), ...window };
  const out: Pass = { snapshotAt: w.snapshotAt, changed: [], deleted: [], pages: 0, final: null as unknown as Cursor, skipped: [] };
  let cursor: Cursor | undefined;
  for (;;) {
    // Resume every page from the JSON-persisted cursor, as the core does.
    const page = await c.pull(cursor === undefined ? undefined : JSON.parse(JSON.stringify(cursor)) as Cursor, w);
    out.pages += 1; out.changed.push(...page.changed); out.deleted.push(...page.deleted); out.skipped.push(...(page.skipped ?? []));
    cursor = page.next;
    if (page.done) { out.final = page.next; return out; }
  }
}
const ids = (refs: readonly DocumentRef[]): string[] => refs.map((r) => r.id).sort();

async function seeded(files: Record<string, string>, options: { private?: boolean; treeLimits?: { maxTreeEntries: number } } = {}): Promise<{ c: GitHubConnector; token: string }> {
  let t = T0;
  gh = await startGitHub({ now: () => (t += 1000), ...(options.treeLimits ? { treeLimits: options.treeLimits } : {}) });
  gh.createRepo('acme/docs', { private: options.private ?? false, files });
  const token = gh.addToken('alice', ['acme/docs']);
  return { c: connector(gh, { pageSize: 2 }, { GITHUB_TOKEN: token }), token };
}

describe('github connector: code', () => {
  it('follows the head SHA: compare gives edits, adds, removals and renames; no change costs one 304', async () => {
    const { c } = await seeded({ 'README.md': '# Readme\n', 'docs/a.md': '# A\n', 'docs/b.md': '# B\n', 'src/x.ts': 'x\n', 'docs/old.md': '# Old name\n' });
    const first = await pass(c, { full: true });
    expect(ids(first.changed)).toEqual(['acme/docs:README.md', 'acme/docs:docs/a.md', 'acme/docs:docs/b.md', 'acme/docs:docs/old.md']);
    expect(first.pages).toBeGreaterThan(1);
    gh!.clearRequests();
    const idle = await pass(c, { full: false, since: new Date(T0).toISOString(), resume: first.final });
    expect(idle.changed).toEqual([]);
    expect(gh!.countsByRoute()).toEqual({ 'GET /repos/{owner}/{repo}': 1 });
    expect(gh!.count('GET /repos/{owner}/{repo}', 304)).toBe(1);
    expect(c.reconcileAfterPass({ snapshotAt: idle.snapshotAt })).toBe(false);

    gh!.commit('acme/docs', 'main', { files: { 'docs/a.md': '# A edited\n', 'docs/c.md': '# C\n', 'docs/b.md': null, 'src/x.ts': 'y\n' }, renames: { 'docs/old.md': 'docs/new.md' } });
    gh!.clearRequests();
    const next = await pass(c, { full: false, since: new Date(T0).toISOString(), resume: idle.final });
    expect(ids(next.changed)).toEqual(['acme/docs:docs/a.md', 'acme/docs:docs/c.md', 'acme/docs:docs/new.md']);
    expect(next.deleted.sort()).toEqual(['acme/docs:docs/b.md', 'acme/docs:docs/old.md']);
    expect(gh!.count('GET /repos/{owner}/{repo}/compare/{basehead}')).toBe(1);
    expect(gh!.count('GET /repos/{owner}/{repo}/git/trees/{sha}')).toBe(0);
    // Fetch reads the located blobs: one request per changed file, nothing else.
    gh!.clearRequests();
    const fetched = await c.fetch(next.changed.map((r) => r.id));
    expect(fetched.documents.map((d) => [d.id, d.version === next.changed.find((r) => r.id === d.id)!.version, d.title])).toEqual([
      ['acme/docs:docs/a.md', true, 'A edited'], ['acme/docs:docs/c.md', true, 'C'], ['acme/docs:docs/new.md', true, 'Old name'],
    ]);
    expect(gh!.countsByRoute()).toEqual({ 'GET /repos/{owner}/{repo}/git/blobs/{sha}': 3 });
    const head = gh!.repo('acme/docs').branches.get('main')!;
    expect(fetched.documents[0]!.url).toBe(`https://github.com/acme/docs/blob/${head}/docs/a.md`);
    expect(fetched.documents[0]!.access).toEqual(['public']);
  });

  it('falls back to a tree diff after a force-push (base gone) and past 300 changed files', async () => {
    const { c } = await seeded({ 'docs/keep.md': '# Keep\n', 'docs/drop.md': '# Drop\n' });
    const first = await pass(c, { full: true });
    gh!.rewriteHistory('acme/docs', 'main', { 'docs/keep.md': '# Keep\n', 'docs/fresh.md': '# Fresh\n' });
    gh!.gc('acme/docs');
    const forced = await pass(c, { full: false, resume: first.final });
    // The old base is gone: every file at head is handed out (unchanged versions cost a ledger read).
    expect(ids(forced.changed)).toEqual(['acme/docs:docs/fresh.md', 'acme/docs:docs/keep.md']);
    expect(forced.changed.find((r) => r.id.endsWith('keep.md'))!.version).toBe(first.changed.find((r) => r.id.endsWith('keep.md'))!.version);
    expect(forced.deleted).toEqual([]);
    // The old base is gone: every file at head was listed, so the pass asks for a reconcile.
    expect(c.reconcileAfterPass({ snapshotAt: forced.snapshotAt })).toBe(true);

    gh!.seedFiles('acme/docs', 'main', 320);
    gh!.clearRequests();
    const big = await pass(c, { full: false, resume: forced.final });
    expect(big.changed).toHaveLength(320);
    expect(gh!.count('GET /repos/{owner}/{repo}/compare/{basehead}')).toBe(1);
    expect(gh!.count('GET /repos/{owner}/{repo}/git/trees/{sha}')).toBe(2);
  });

  it('walks subtrees when the recursive tree is truncated', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++) files[`docs/part${i % 3}/f${i}.md`] = `# F${i}\n`;
    const { c } = await seeded(files, { treeLimits: { maxTreeEntries: 12 } });
    const first = await pass(c, { full: true });
    expect(first.changed).toHaveLength(30);
  });

  it('pages 10,000 files with no cap and reads no blob while listing', async () => {
    const { c } = await seeded({});
    gh!.seedFiles('acme/docs', 'main', 10_000);
    const big = connector(gh!, { pageSize: 500 }, { GITHUB_TOKEN: gh!.addToken('bob', ['acme/docs']) });
    gh!.clearRequests();
    const first = await pass(big, { full: true });
    expect(new Set(first.changed.map((r) => r.id)).size).toBe(10_000);
    expect(first.pages).toBe(21); // 20 full pages, then the final empty one
    expect(gh!.count('GET /repos/{owner}/{repo}/git/blobs/{sha}')).toBe(0);
    expect(gh!.count('GET /repos/{owner}/{repo}/git/trees/{sha}')).toBe(1);
    void c;
  }, 30_000);

  it('marks private repositories by group and changes versions when visibility changes', async () => {
    const { c } = await seeded({ 'a.md': '# A\n' }, { private: true });
    const first = await pass(c, { full: true });
    const doc = (await c.fetch(['acme/docs:a.md'])).documents[0]!;
    expect(doc.access).toEqual(['group:github-repo:acme/docs']);
    gh!.setPrivate('acme/docs', false);
    const after = await pass(c, { full: false, resume: first.final });
    expect(after.changed[0]!.version).not.toBe(first.changed[0]!.version);
  });

  it('fails with a non-retryable auth error naming the fix; waits out a secondary limit', async () => {
    const { c } = await seeded({ 'a.md': '# A\n' });
    gh!.secondaryLimit('GET /repos/{owner}/{repo}', 1, { retryAfter: 0 });
    expect((await pass(c, { full: true })).changed).toHaveLength(1);
    const bad = connector(gh!, {}, { GITHUB_TOKEN: 'ghp_wrong' });
    const error = await bad.pull(undefined, { full: true, snapshotAt: new Date().toISOString() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect((error as ProviderAuthError).retryable).toBe(false);
    expect((error as Error).message).toMatch(/GITHUB_TOKEN/);
  });
});

describe('github connector: issues and app auth', () => {
  it('lists issues and pull requests, renders comments, drops deleted and transferred ones', async () => {
    let t = T0;
    gh = await startGitHub({ now: () => (t += 1000) });
    gh.createRepo('acme/docs', { files: { 'a.md': '# A\n' } });
    gh.createRepo('acme/other', {});
    const app = gh.addApp(7);
    const installation = gh.install(7, 'acme');
    const store = new InMemoryCredentialStore({});
    const c = connector(gh, { issues: { enabled: true }, app: { appId: 7, privateKeyEnv: 'GH_APP_KEY', installationId: installation.id } }, { GH_APP_KEY: app.privateKey }, store);
    const bug = gh.createIssue('acme/docs', { title: 'Crash on save', body: 'Steps here.', user: 'bob', labels: ['bug'] });
    gh.addComment('acme/docs', bug.number, 'Confirmed.', 'carol');
    const gone = gh.createIssue('acme/docs', { title: 'Spam' });
    const moved = gh.createIssue('acme/docs', { title: 'Moving' });
    const first = await pass(c, { full: true });
    expect(ids(first.changed)).toEqual(['acme/docs#1', 'acme/docs#2', 'acme/docs#3', 'acme/docs:a.md']);
    const [doc] = (await c.fetch(['acme/docs#1'])).documents;
    expect(doc!.text).toBe('# Crash on save\n\nIssue #1 in acme/docs · open · opened by @bob · labels: bug\n\nSteps here.\n\n## Comments\n\n**@carol** (' +
      `${new Date(gh.repo('acme/docs').comments.values().next().value!.createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z')}):\n\nConfirmed.\n`);
    gh.deleteIssue('acme/docs', gone.number);
    gh.transferIssue('acme/docs', moved.number, 'acme/other');
    expect((await c.fetch(['acme/docs#2', 'acme/docs#3', 'acme/docs#1'])).documents.map((d) => d.id)).toEqual(['acme/docs#1']);
    // One installation token minted, kept in the credential store and reused.
    expect(gh.count('POST /app/installations/{id}/access_tokens')).toBe(1);
    expect((await store.getToken('github:gh'))?.accessToken).toMatch(/^ghs_/);
    const listed = [];
    for await (const item of c.list()) listed.push(item.id);
    expect(listed.sort()).toEqual(['acme/docs#1', 'acme/docs:a.md']);
  });
});
