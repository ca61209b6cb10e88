/**
 * The GitHub emulator against GitHub's documented and captured payloads (./github/samples.ts),
 * against the real `git` binary for object hashing, and through the official SDK
 * (@octokit/rest with plugin-throttling and plugin-retry) so every response is parsed the way a
 * connector will parse it. Webhook signatures are checked with node:crypto, independently of
 * the emulator's helpers.
 */
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { RequestError } from '@octokit/request-error';
import { Octokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobSha, startGitHub, type GitHubEmulator } from './github.ts';
import {
  CAPTURED_BAD_CREDENTIALS, CAPTURED_ISSUES_TRANSFERRED_KEYS, CAPTURED_PUSH_NEW_BRANCH, DOCS_BLOB, DOCS_BLOB_TEXT, DOCS_COMPARE_KEYS, DOCS_DIFF_ENTRY,
  DOCS_ISSUE, DOCS_ISSUE_COMMENT, DOCS_LINK, DOCS_SIGNATURE_VECTOR, DOCS_TREE, shapeDiff,
} from './github/samples.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const Kit = Octokit.plugin(throttling, retry);
const T0 = Date.parse('2026-03-02T09:00:00Z');
let gh: GitHubEmulator;
let nowMs: number;
let pat: string;
const limited: { kind: string; retryAfter: number }[] = [];

function kit(auth: string | null = pat, onLimit: (kind: string) => boolean = () => false): InstanceType<typeof Kit> {
  return new Kit({
    baseUrl: gh.url, ...(auth ? { auth } : {}), retry: { retryAfterBaseValue: 1 },
    throttle: {
      fallbackSecondaryRateRetryAfter: 0,
      onRateLimit: (retryAfter: number) => { limited.push({ kind: 'primary', retryAfter }); return onLimit('primary'); },
      onSecondaryRateLimit: (retryAfter: number) => { limited.push({ kind: 'secondary', retryAfter }); return onLimit('secondary'); },
    },
  });
}

async function status(promise: Promise<unknown>): Promise<RequestError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(RequestError);
  return error as RequestError;
}

beforeEach(async () => {
  nowMs = T0;
  limited.length = 0;
  gh = await startGitHub({ now: () => nowMs });
  gh.addUser('alice');
  gh.createRepo('acme/docs', { files: { 'README.md': '# Docs\n', 'guide/intro.md': 'Hello\nworld\n', 'empty.txt': '' } });
  gh.createRepo('acme/secret', { private: true, files: { 'plan.md': 'secret\n' } });
  pat = gh.addToken('alice', ['acme/docs']);
});

afterEach(async () => {
  await gh.close();
});

describe('git objects', () => {
  it('hashes blobs, trees and commits exactly as git does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-emu-'));
    const git = (args: string[], input?: string): string => execFileSync('git', args, {
      cwd: dir, input, env: { ...process.env, GIT_AUTHOR_NAME: 'acme', GIT_AUTHOR_EMAIL: gh.world.account('acme').email, GIT_COMMITTER_NAME: 'acme',
        GIT_COMMITTER_EMAIL: gh.world.account('acme').email, GIT_AUTHOR_DATE: `${T0 / 1000} +0000`, GIT_COMMITTER_DATE: `${T0 / 1000} +0000` },
    }).toString().trim();
    git(['init', '-q']);
    expect(blobSha(DOCS_BLOB_TEXT)).toBe(git(['hash-object', '--stdin'], DOCS_BLOB_TEXT));
    const repo = gh.repo('acme/docs');
    const head = repo.store.commits.get(repo.branches.get('main')!)!;
    for (const content of ['# Docs\n', 'Hello\nworld\n', '']) git(['hash-object', '-w', '--stdin'], content);
    const sub = git(['mktree'], `100644 blob ${blobSha('Hello\nworld\n')}\tintro.md\n`);
    const root = git(['mktree'], [`100644 blob ${blobSha('# Docs\n')}\tREADME.md`, `100644 blob ${blobSha('')}\tempty.txt`, `040000 tree ${sub}\tguide`].join('\n') + '\n');
    expect(head.tree).toBe(root);
    expect(git(['commit-tree', root, '-m', 'Initial commit'])).toBe(repo.branches.get('main'));
  });
});

describe('repositories through @octokit/rest', () => {
  it('serves repo, branch, ref, tree, blob and contents, hiding private repos behind 404', async () => {
    const o = kit();
    const { data: repo } = await o.repos.get({ owner: 'acme', repo: 'docs' });
    expect(repo).toMatchObject({ full_name: 'acme/docs', default_branch: 'main', private: false, visibility: 'public', html_url: 'https://github.com/acme/docs' });
    const { data: branch } = await o.repos.getBranch({ owner: 'acme', repo: 'docs', branch: 'main' });
    const { data: ref } = await o.git.getRef({ owner: 'acme', repo: 'docs', ref: 'heads/main' });
    expect(ref.object.sha).toBe(branch.commit.sha);
    const { data: tree } = await o.git.getTree({ owner: 'acme', repo: 'docs', tree_sha: branch.commit.sha, recursive: '0' });
    expect(tree.tree.map((e) => `${e.type} ${e.path}`)).toEqual(['blob README.md', 'blob empty.txt', 'tree guide', 'blob guide/intro.md']);
    expect(shapeDiff(DOCS_TREE, tree as Json)).toEqual([]);
    expect(shapeDiff((DOCS_TREE['tree'] as Json[])[0]!, tree.tree[0] as Json)).toEqual([]);
    const { data: blob } = await o.git.getBlob({ owner: 'acme', repo: 'docs', file_sha: blobSha('Hello\nworld\n') });
    expect(shapeDiff(DOCS_BLOB, blob as Json)).toEqual([]);
    expect(Buffer.from(blob.content, 'base64').toString()).toBe('Hello\nworld\n');
    const { data: empty } = await o.repos.getContent({ owner: 'acme', repo: 'docs', path: 'empty.txt' });
    expect(empty).toMatchObject({ type: 'file', size: 0, content: '', encoding: 'base64' });
    expect(await status(o.repos.get({ owner: 'acme', repo: 'secret' }))).toMatchObject({ status: 404 });
    expect((await status(kit('ghp_wrong').repos.get({ owner: 'acme', repo: 'docs' }))).response?.data).toEqual(CAPTURED_BAD_CREDENTIALS);
    expect((await kit(null).repos.get({ owner: 'acme', repo: 'docs' })).headers['x-ratelimit-limit']).toBe('60');
  });

  it('serves non-ASCII, long and over-1-MB content by the documented media-type rules', async () => {
    const big = 'x'.repeat(1024 * 1024 + 1);
    gh.commit('acme/docs', 'main', { files: { 'i18n/日本語.md': '# こんにちは 🌏\n', 'big.txt': big } });
    const o = kit();
    const { data: cjk } = await o.repos.getContent({ owner: 'acme', repo: 'docs', path: 'i18n/日本語.md' });
    expect(Buffer.from((cjk as Json)['content'], 'base64').toString()).toBe('# こんにちは 🌏\n');
    const { data: obj } = await o.repos.getContent({ owner: 'acme', repo: 'docs', path: 'big.txt' });
    expect(obj).toMatchObject({ content: '', encoding: 'none', size: big.length });
    const raw = await o.repos.getContent({ owner: 'acme', repo: 'docs', path: 'big.txt', mediaType: { format: 'raw' } });
    expect(String(raw.data).length).toBe(big.length);
    const { data: dir } = await o.repos.getContent({ owner: 'acme', repo: 'docs', path: 'guide' });
    expect((dir as Json[]).map((e) => [e['type'], e['path']])).toEqual([['file', 'guide/intro.md']]);
  });

  it('compares branches: statuses, renames, patches, force-push divergence, gc and unrelated histories', async () => {
    const start = gh.repo('acme/docs').branches.get('main')!;
    gh.createBranch('acme/docs', 'feature', 'main');
    gh.commit('acme/docs', 'feature', { files: { 'guide/intro.md': 'Hello\nthere\nworld\n', 'new.md': 'new\n', 'empty.txt': null }, renames: { 'README.md': 'docs/README.md' } });
    const o = kit();
    const { data: cmp } = await o.repos.compareCommitsWithBasehead({ owner: 'acme', repo: 'docs', basehead: 'main...feature' });
    expect(Object.keys(cmp)).toEqual(expect.arrayContaining(DOCS_COMPARE_KEYS));
    expect(cmp).toMatchObject({ status: 'ahead', ahead_by: 1, behind_by: 0, total_commits: 1 });
    const files = Object.fromEntries(cmp.files!.map((f) => [f.filename, f]));
    expect(shapeDiff(DOCS_DIFF_ENTRY, files['new.md'] as Json)).toEqual([]);
    expect(files['docs/README.md']).toMatchObject({ status: 'renamed', previous_filename: 'README.md', changes: 0 });
    expect(files['empty.txt']).toMatchObject({ status: 'removed' });
    expect(files['guide/intro.md']).toMatchObject({ status: 'modified', additions: 1, deletions: 0, patch: '@@ -1,2 +1,3 @@\n Hello\n+there\n world' });
    expect((await o.repos.compareCommitsWithBasehead({ owner: 'acme', repo: 'docs', basehead: 'feature...main' })).data).toMatchObject({ status: 'behind', behind_by: 1 });
    const old = gh.repo('acme/docs').branches.get('feature')!;
    gh.forcePush('acme/docs', 'feature', start);
    gh.commit('acme/docs', 'feature', { files: { 'other.md': 'other\n' } });
    const diverged = await o.repos.compareCommitsWithBasehead({ owner: 'acme', repo: 'docs', basehead: `${old}...feature` });
    expect(diverged.data).toMatchObject({ status: 'diverged', ahead_by: 1, behind_by: 1 });
    gh.gc('acme/docs');
    expect((await status(o.repos.compareCommitsWithBasehead({ owner: 'acme', repo: 'docs', basehead: `${old}...feature` }))).status).toBe(404);
    gh.rewriteHistory('acme/docs', 'feature', { 'only.md': 'fresh\n' });
    const unrelated = await status(o.repos.compareCommitsWithBasehead({ owner: 'acme', repo: 'docs', basehead: 'main...feature' }));
    expect(unrelated.message).toMatch(/No common ancestor/);
    expect(await status(o.repos.getCommit({ owner: 'acme', repo: 'docs', ref: 'nope' }))).toMatchObject({ status: 422 });
  });

  it('pages compare commits (250 without paging; files on page 1 only, ≤ 300) and lists commits by path', async () => {
    for (let i = 0; i < 260; i += 1) gh.commit('acme/docs', 'main', { files: { [`many/${i}.md`]: `${i}\n` }, at: T0 + i * 1000 });
    gh.commit('acme/docs', 'main', { files: { 'guide/intro.md': 'changed\n' } });
    const o = kit();
    const first = gh.repo('acme/docs').store.range(undefined, gh.repo('acme/docs').branches.get('main')!)[0]!;
    const whole = await o.repos.compareCommitsWithBasehead({ owner: 'acme', repo: 'docs', basehead: `${first}...main` });
    expect(whole.data.commits).toHaveLength(250);
    expect(whole.data.commits.at(-1)!.sha).toBe(gh.repo('acme/docs').branches.get('main'));
    expect(whole.data.files).toHaveLength(261);
    const page2 = await o.repos.compareCommitsWithBasehead({ owner: 'acme', repo: 'docs', basehead: `${first}...main`, per_page: 100, page: 2 });
    expect(page2.data.commits).toHaveLength(100);
    expect(page2.data.files).toEqual([]);
    const byPath = await o.paginate(o.repos.listCommits, { owner: 'acme', repo: 'docs', path: 'guide/intro.md', per_page: 100 });
    expect(byPath.map((c) => c.commit.message)).toEqual(['Update files', 'Initial commit']);
    expect((await o.paginate(o.repos.listCommits, { owner: 'acme', repo: 'docs', per_page: 100 })).length).toBe(262);
  });

  it('seeds 5,000 files in one commit and truncates recursive trees past the configured limit', async () => {
    const before = gh.repo('acme/docs').branches.get('main')!;
    const sha = gh.seedFiles('acme/docs', 'main', 5000);
    const cmp = await kit().repos.compareCommitsWithBasehead({ owner: 'acme', repo: 'docs', basehead: `${before}...${sha}` });
    expect(cmp.data.files).toHaveLength(300);
    const { data } = await kit().git.getTree({ owner: 'acme', repo: 'docs', tree_sha: sha, recursive: '1' });
    expect(data.truncated).toBe(false);
    expect(data.tree.filter((e) => e.path === 'docs' || e.path?.startsWith('docs/'))).toHaveLength(5001);
    const small = await startGitHub({ now: () => nowMs, treeLimits: { maxTreeEntries: 10 } });
    small.createRepo('acme/x', { files: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, `${i}`])) });
    const tree = await fetch(`${small.url}/repos/acme/x/git/trees/main?recursive=1`).then((r) => r.json() as Promise<Json>);
    expect(tree).toMatchObject({ truncated: true });
    expect(tree['tree']).toHaveLength(10);
    await small.close();
  });
});

describe('issues, pulls and comments', () => {
  beforeEach(() => {
    gh.createBranch('acme/docs', 'fix', 'main');
    for (let i = 1; i <= 5; i += 1) gh.createIssue('acme/docs', { title: `Issue ${i} 🐛 バグ`, body: i === 2 ? null : 'x'.repeat(i * 10_000), at: T0 + i * 60_000 });
    nowMs = T0 + 3_600_000;
    gh.createPull('acme/docs', { title: 'Fix', head: 'fix', base: 'main', body: '' });
    gh.closeIssue('acme/docs', 1, 'not_planned');
  });

  it('lists every issue and PR updated since, oldest update first, following Link to the end', async () => {
    const o = kit();
    const all = await o.paginate(o.issues.listForRepo, { owner: 'acme', repo: 'docs', state: 'all', sort: 'updated', direction: 'asc', since: new Date(T0 + 120_000).toISOString(), per_page: 2 });
    expect(all.map((i) => i.number)).toEqual([2, 3, 4, 5, 1, 6]);
    expect(all.find((i) => i.number === 6)!.pull_request).toMatchObject({ url: `${gh.url}/repos/acme/docs/pulls/6` });
    expect(all.find((i) => i.number === 2)!.body).toBeNull();
    expect(all.find((i) => i.number === 1)).toMatchObject({ state: 'closed', state_reason: 'not_planned' });
    expect(shapeDiff(DOCS_ISSUE, all.find((i) => i.number === 6) as Json)).toEqual([]);
    const page = await fetch(`${gh.url}/repos/acme/docs/issues?state=all&per_page=2&page=2`, { headers: { authorization: `token ${pat}` } });
    const id = gh.repo('acme/docs').id;
    const at = (n: number): string => `<${gh.url}/repositories/${id}/issues?state=all&per_page=2&page=${n}>`;
    expect(page.headers.get('link')).toBe(`${at(1)}; rel="prev", ${at(3)}; rel="next", ${at(3)}; rel="last", ${at(1)}; rel="first"`);
    const rels = (link: string): string[] => [...link.matchAll(/rel="(\w+)"/g)].map((m) => m[1]!);
    expect(rels(page.headers.get('link')!)).toEqual(rels(DOCS_LINK));
    expect(await status(o.issues.listForRepo({ owner: 'acme', repo: 'docs', state: 'bogus' as 'all' }))).toMatchObject({ status: 422 });
  });

  it('answers 410 for a deleted issue and follows the 301 of a transferred one', async () => {
    gh.createRepo('acme/other');
    gh.deleteIssue('acme/docs', 3);
    const o = kit(gh.addToken('alice', 'all'));
    expect(await status(o.issues.get({ owner: 'acme', repo: 'docs', issue_number: 3 }))).toMatchObject({ status: 410 });
    const moved = gh.transferIssue('acme/docs', 4, 'acme/other');
    const { data, url } = await o.issues.get({ owner: 'acme', repo: 'docs', issue_number: 4 });
    expect(data).toMatchObject({ number: moved, repository_url: `${gh.url}/repos/acme/other` });
    expect(url).toContain(`/repositories/${gh.repo('acme/other').id}/issues/${moved}`);
    const hidden = gh.addToken('bob', []);
    gh.setPrivate('acme/other', true);
    expect(await status(kit(hidden).issues.get({ owner: 'acme', repo: 'docs', issue_number: 4 }))).toMatchObject({ status: 404 });
    const pr = await o.pulls.get({ owner: 'acme', repo: 'docs', pull_number: 6 });
    expect(pr.data).toMatchObject({ number: 6, head: { ref: 'fix' }, base: { ref: 'main' }, merged: false });
    expect(await status(o.pulls.get({ owner: 'acme', repo: 'docs', pull_number: 5 }))).toMatchObject({ status: 404 });
  });

  it('pages issue comments and the repo-wide comment feed by since', async () => {
    for (let i = 0; i < 5; i += 1) gh.addComment('acme/docs', 5, `comment ${i} 评论`, 'bob', nowMs + i * 1000);
    const c = gh.addComment('acme/docs', 6, '', 'bob', nowMs + 10_000);
    gh.editComment(c, 'edited', nowMs + 20_000);
    const o = kit();
    const comments = await o.paginate(o.issues.listComments, { owner: 'acme', repo: 'docs', issue_number: 5, per_page: 2 });
    expect(comments.map((x) => x.body)).toEqual([0, 1, 2, 3, 4].map((i) => `comment ${i} 评论`));
    expect(shapeDiff(DOCS_ISSUE_COMMENT, comments[0] as Json)).toEqual([]);
    const recent = await o.paginate(o.issues.listCommentsForRepo, { owner: 'acme', repo: 'docs', since: new Date(nowMs + 15_000).toISOString() });
    expect(recent.map((x) => x.body)).toEqual(['edited']);
  });
});

describe('auth, rate limits and faults', () => {
  it('exchanges an app JWT for a 1-hour installation token that sees only its repositories', async () => {
    const app = gh.addApp(42);
    const installation = gh.install(42, 'acme', ['acme/secret']);
    const res = await new Octokit({ baseUrl: gh.url, auth: gh.appJwt(app) }).apps.createInstallationAccessToken({ installation_id: installation.id });
    expect(res.status).toBe(201);
    expect(res.data).toMatchObject({ repository_selection: 'selected', expires_at: new Date(T0 + 3_600_000).toISOString().replace('.000Z', 'Z') });
    const o = kit(res.data.token);
    expect((await o.repos.get({ owner: 'acme', repo: 'secret' })).data.private).toBe(true);
    nowMs += 3_600_000;
    expect(await status(o.repos.get({ owner: 'acme', repo: 'secret' }))).toMatchObject({ status: 401 });
    const tooLong = gh.appJwt(app, { iat: Math.floor(nowMs / 1000), exp: Math.floor(nowMs / 1000) + 3600 });
    const refused = await status(new Octokit({ baseUrl: gh.url, auth: tooLong }).apps.createInstallationAccessToken({ installation_id: installation.id }));
    expect(refused.message).toContain("'Expiration time' claim ('exp') is too far in the future");
  });

  it('refuses past the primary limit with 403/429 and x-ratelimit-remaining: 0; 304s are free', async () => {
    gh.setRateLimit({ limit: 2 });
    const o = kit();
    const first = await o.repos.get({ owner: 'acme', repo: 'docs' });
    expect(first.headers).toMatchObject({ 'x-ratelimit-limit': '2', 'x-ratelimit-remaining': '1', 'x-ratelimit-used': '1', 'x-ratelimit-resource': 'core' });
    const etag = first.headers.etag!;
    const again = await status(o.repos.get({ owner: 'acme', repo: 'docs', headers: { 'if-none-match': etag } }));
    expect(again.status).toBe(304);
    expect(again.response?.headers['x-ratelimit-remaining']).toBe('1');
    await o.repos.get({ owner: 'acme', repo: 'docs' });
    const refused = await status(o.repos.get({ owner: 'acme', repo: 'docs' }));
    expect(refused.status).toBe(403);
    expect(refused.message).toMatch(/^API rate limit exceeded for user ID \d+\. - https:\/\/docs\.github\.com/);
    expect(refused.response?.headers['x-ratelimit-remaining']).toBe('0');
    gh.setRateLimit({ status: 429 });
    const retried = kit(pat, () => { nowMs += 3_600_000; return true; });
    expect((await retried.repos.get({ owner: 'acme', repo: 'docs' })).status).toBe(200);
    expect(limited.map((l) => l.kind)).toEqual(['primary', 'primary']);
    expect(gh.count('GET /repos/{owner}/{repo}', 429)).toBe(1);
  });

  it('sends secondary limits with retry-after and retries injected 5xx through plugin-retry', async () => {
    gh.secondaryLimit('GET /repos/{owner}/{repo}/issues', 1, { status: 429, retryAfter: 0 });
    const raw = await fetch(`${gh.url}/repos/acme/docs/issues`, { headers: { authorization: `Bearer ${pat}` } });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('0');
    expect(((await raw.json()) as Json)['message']).toMatch(/^You have exceeded a secondary rate limit/);
    gh.secondaryLimit('GET /repos/{owner}/{repo}/issues', 1, { retryAfter: 0 });
    const o = kit(pat, (kind) => kind === 'secondary');
    expect((await o.issues.listForRepo({ owner: 'acme', repo: 'docs' })).status).toBe(200);
    gh.failNext('GET /repos/{owner}/{repo}/git/trees/{sha}', 2, 502);
    expect((await o.git.getTree({ owner: 'acme', repo: 'docs', tree_sha: 'main' })).status).toBe(200);
    expect(gh.count('GET /repos/{owner}/{repo}/git/trees/{sha}')).toBe(3);
    expect(gh.countsByRoute()['GET /repos/{owner}/{repo}/issues']).toBe(3);
  });
});

describe('webhooks', () => {
  let receiver: Server;
  let received: { headers: IncomingHttpHeaders; body: string }[];
  let hookUrl: string;
  beforeEach(async () => {
    received = [];
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      req.on('end', () => { received.push({ headers: req.headers, body }); res.writeHead(received.length === 2 ? 500 : 204).end(); });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterEach(async () => {
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('signs GitHub\'s documented vector', () => {
    const { secret, payload, signature } = DOCS_SIGNATURE_VECTOR;
    expect(`sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`).toBe(signature);
  });

  it('delivers ping, push, issues and issue_comment payloads, signed, and redelivers with the same GUID', async () => {
    const hook = gh.registerWebhook('acme/docs', { url: hookUrl, secret: 's3cret', events: ['*'] });
    gh.createBranch('acme/docs', 'topic', 'main');
    gh.commit('acme/docs', 'topic', { message: 'Add 😀', files: { 'a.md': 'a\n', 'README.md': null } });
    gh.createIssue('acme/docs', { title: 'Bug', body: null });
    gh.createRepo('acme/other');
    gh.transferIssue('acme/docs', 1, 'acme/other');
    gh.addComment('acme/other', 1, 'moved');
    await gh.settle();
    const events = received.map((r) => `${r.headers['x-github-event']}${(JSON.parse(r.body) as Json)['action'] ? `.${(JSON.parse(r.body) as Json)['action']}` : ''}`);
    expect(events).toEqual(['ping', 'push', 'push', 'issues.opened', 'issues.transferred']);
    for (const r of received) {
      expect(r.headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', 's3cret').update(r.body).digest('hex')}`);
      expect(r.headers['x-hub-signature']).toBe(`sha1=${createHmac('sha1', 's3cret').update(r.body).digest('hex')}`);
      expect(r.headers['x-github-delivery']).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.headers['x-github-hook-id']).toBe(String(hook.id));
      expect(r.headers['user-agent']).toMatch(/^GitHub-Hookshot\//);
    }
    const created = JSON.parse(received[1]!.body) as Json;
    expect(shapeDiff(CAPTURED_PUSH_NEW_BRANCH, created)).toEqual([]);
    expect(shapeDiff(CAPTURED_PUSH_NEW_BRANCH['repository'] as Json, created['repository'])).toEqual([]);
    expect(created).toMatchObject({ created: true, before: '0000000000000000000000000000000000000000' });
    const push = JSON.parse(received[2]!.body) as Json;
    expect(shapeDiff((CAPTURED_PUSH_NEW_BRANCH['commits'] as Json[])[0]!, push['commits'][0])).toEqual([]);
    expect(push['head_commit']).toMatchObject({ message: 'Add 😀', added: ['a.md'], removed: ['README.md'], modified: [] });
    const transferred = JSON.parse(received[4]!.body) as Json;
    expect(Object.keys(transferred)).toEqual(CAPTURED_ISSUES_TRANSFERRED_KEYS.top);
    expect(Object.keys(transferred['changes'])).toEqual(CAPTURED_ISSUES_TRANSFERRED_KEYS.changes);
    const failed = gh.deliveries.find((d) => !d.ok)!;
    expect(failed.status).toBe(500);
    gh.redeliver(failed.guid);
    await gh.settle();
    expect(received.at(-1)!.headers['x-github-delivery']).toBe(failed.guid);
    expect(received.at(-1)!.body).toBe(failed.body);
  });
});
