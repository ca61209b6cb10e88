/**
 * Repository, branch, ref, commit, compare, tree, blob and contents routes.
 *
 * Sources (request parameters and behaviour from the operation descriptions in
 * @octokit/openapi-types, which mirror docs.github.com/rest):
 * - repos/get, repos/get-branch, git/get-ref (`heads/<branch>`; a missing ref → 404),
 *   git/list-matching-refs (array, possibly empty).
 * - repos/get-commit: `ref` is a SHA, branch or tag; unknown → 422 `No commit found for SHA:
 *   <ref>`; `files` paginated 300 per page (up to 3000) with `page`/`per_page`.
 * - repos/list-commits: `sha` (default: the default branch), `path` (only commits changing it),
 *   `since`/`until`, `per_page` ≤ 100, `page`; newest first.
 * - repos/compare-commits-with-basehead (`{base}...{head}`): three-dot comparison against the
 *   merge base; status `identical` / `ahead` / `behind` / `diverged`, `ahead_by`, `behind_by`,
 *   `total_commits`, `merge_base_commit`, `commits` chronological; without `page`/`per_page`
 *   the list is limited to 250 commits and ends with the most recent one; with them, pages of
 *   `per_page` (default 30) oldest first and `files` (≤ 300 for the whole comparison) only on
 *   page 1. A base or head the repository does not have → 404. Histories with no common
 *   ancestor → 404 `No common ancestor between <base> and <head>.` (wording as live responses
 *   quote it; not in the docs).
 * - git/get-tree: `tree_sha` is a tree SHA or a ref name; `recursive` set to any value (even `0`
 *   or `false`) recurses; `truncated: true` past 100,000 entries / 7 MB (configurable here).
 * - git/get-blob: base64 `content` (wrapped at 60), `encoding`, `size`, `sha`, `node_id`;
 *   `application/vnd.github.raw+json` returns the bytes.
 * - repos/get-content: file → base64 object; directory → array (≤ 1,000 entries); `ref`
 *   defaults to the default branch; files of 1–100 MB: only raw/object media types, object
 *   with `content: ""` and `encoding: "none"` (the emulator also gives that to the default
 *   media type, as go-github#2924 reports the live API doing); > 100 MB → 403 `too_large`.
 */

import { ApiError, invalid, linkHeader, notFound, pageParams } from './errors.ts';
import { diffTrees } from './diff.ts';
import type { Sha } from './git.ts';
import { base64Wrapped, type Json } from './shapes.ts';
import type { Route, RouteContext } from './server.ts';

const DOC = 'https://docs.github.com/rest';
const MB = 1024 * 1024;

export function resolveRef(ctx: RouteContext, ref: string): Sha | undefined {
  const repo = ctx.repo!;
  const name = ref.replace(/^refs\/heads\//, '').replace(/^heads\//, '');
  const branch = repo.branches.get(name);
  if (branch) return branch;
  if (/^[0-9a-f]{40}$/i.test(ref)) return repo.store.commits.has(ref.toLowerCase()) ? ref.toLowerCase() : undefined;
  if (/^[0-9a-f]{7,39}$/i.test(ref)) {
    const matches = [...repo.store.commits.keys()].filter((s) => s.startsWith(ref.toLowerCase()));
    return matches.length === 1 ? matches[0] : undefined;
  }
  return undefined;
}

const isRaw = (accept: string): boolean => /application\/vnd\.github(\.v3)?\.raw/.test(accept);
const isObject = (accept: string): boolean => /application\/vnd\.github(\.v3)?\.object/.test(accept);

export const gitRoutes: readonly Route[] = [
  { method: 'GET', path: '/repos/:owner/:repo', docs: `${DOC}/repos/repos#get-a-repository`, handler: (ctx) => ({ body: ctx.shapes.repo(ctx.repo!) }) },

  {
    method: 'GET', path: '/repos/:owner/:repo/branches/:branch', docs: `${DOC}/branches/branches#get-a-branch`,
    handler: (ctx) => {
      if (!ctx.repo!.branches.has(ctx.params['branch']!)) throw new ApiError(404, 'Branch not found', `${DOC}/branches/branches#get-a-branch`);
      return { body: ctx.shapes.branch(ctx.repo!, ctx.params['branch']!) };
    },
  },

  {
    method: 'GET', path: '/repos/:owner/:repo/git/ref/*', docs: `${DOC}/git/refs#get-a-reference`,
    handler: (ctx) => {
      const ref = ctx.params['*'] ?? '';
      const name = ref.startsWith('heads/') ? ref.slice(6) : undefined;
      if (name === undefined || !ctx.repo!.branches.has(name)) throw notFound(`${DOC}/git/refs#get-a-reference`);
      return { body: ctx.shapes.ref(ctx.repo!, name) };
    },
  },

  {
    method: 'GET', path: '/repos/:owner/:repo/git/matching-refs/*', docs: `${DOC}/git/refs#list-matching-references`,
    handler: (ctx) => {
      const prefix = ctx.params['*'] ?? '';
      const names = [...ctx.repo!.branches.keys()].filter((b) => `heads/${b}`.startsWith(prefix)).sort();
      return { body: names.map((b) => ctx.shapes.ref(ctx.repo!, b)) };
    },
  },

  {
    method: 'GET', path: '/repos/:owner/:repo/commits', docs: `${DOC}/commits/commits#list-commits`,
    handler: (ctx) => {
      const repo = ctx.repo!;
      const docs = `${DOC}/commits/commits#list-commits`;
      const head = resolveRef(ctx, ctx.query['sha'] ?? repo.defaultBranch);
      if (!head) throw new ApiError(404, 'Not Found', docs);
      const since = parseTime(ctx.query['since'], 'since', docs);
      const until = parseTime(ctx.query['until'], 'until', docs);
      const path = ctx.query['path']?.replace(/^\/+|\/+$/g, '');
      const store = repo.store;
      let shas = store.range(undefined, head).reverse();
      if (path) {
        shas = shas.filter((sha) => {
          const c = store.commits.get(sha)!;
          const parent = c.parents[0] ? store.commits.get(c.parents[0]) : undefined;
          const touched = (tree: Sha | undefined): string => (tree ? [...store.flatten(tree)].filter(([p]) => p === path || p.startsWith(`${path}/`)).map((e) => e.join(':')).join('|') : '');
          return touched(c.tree) !== touched(parent?.tree);
        });
      }
      shas = shas.filter((sha) => {
        const at = store.commits.get(sha)!.committer.at;
        return (since === undefined || at >= since) && (until === undefined || at <= until);
      });
      return ctx.paginate(shas.map((sha) => ctx.shapes.commit(repo, sha)));
    },
  },

  {
    method: 'GET', path: '/repos/:owner/:repo/commits/:ref', docs: `${DOC}/commits/commits#get-a-commit`,
    handler: (ctx) => {
      const repo = ctx.repo!;
      const sha = resolveRef(ctx, ctx.params['ref']!);
      if (!sha) throw new ApiError(422, `No commit found for SHA: ${ctx.params['ref']}`, `${DOC}/commits/commits#get-a-commit`);
      const c = repo.store.commits.get(sha)!;
      const parent = c.parents[0] ? repo.store.commits.get(c.parents[0]) : undefined;
      const files = diffTrees(repo.store, parent?.tree, c.tree).slice(0, 3000);
      const { page, perPage } = pageParams(ctx.query, 300, 300);
      const lastPage = Math.max(1, Math.ceil(files.length / perPage));
      const link = linkHeader(ctx.url, page, lastPage);
      return { body: ctx.shapes.commit(repo, sha, files.slice((page - 1) * perPage, page * perPage)), headers: link ? { link } : {} };
    },
  },

  {
    method: 'GET', path: '/repos/:owner/:repo/compare/:basehead', docs: `${DOC}/commits/commits#compare-two-commits`,
    handler: (ctx) => compare(ctx),
  },

  {
    method: 'GET', path: '/repos/:owner/:repo/git/trees/:sha', docs: `${DOC}/git/trees#get-a-tree`,
    handler: (ctx) => {
      const repo = ctx.repo!;
      const given = ctx.params['sha']!;
      const commit = resolveRef(ctx, given);
      const tree = commit ? repo.store.commits.get(commit)!.tree : repo.store.trees.has(given) ? given : undefined;
      if (!tree) throw notFound(`${DOC}/git/trees#get-a-tree`);
      const base = ctx.shapes.repoBase(repo);
      const entry = (path: string, e: { mode: string; type: string; sha: Sha }): Json => ({
        path, mode: e.mode, type: e.type, sha: e.sha, ...(e.type === 'blob' ? { size: repo.store.blobs.get(e.sha)?.length ?? 0 } : {}),
        url: `${base}/git/${e.type === 'blob' ? 'blobs' : 'trees'}/${e.sha}`,
      });
      const recursive = ctx.query['recursive'] !== undefined;
      const all = recursive ? repo.store.walk(tree).map(({ path, entry: e }) => entry(path, e)) : (repo.store.trees.get(tree) ?? []).map((e) => entry(e.name, e));
      let truncated = false;
      const out: Json[] = [];
      let bytes = 0;
      for (const e of all) {
        bytes += JSON.stringify(e).length + 1;
        if (recursive && (out.length >= ctx.limits.maxTreeEntries || bytes > ctx.limits.maxTreeBytes)) { truncated = true; break; }
        out.push(e);
      }
      return { body: { sha: tree, url: `${base}/git/trees/${tree}`, tree: out, truncated } };
    },
  },

  {
    method: 'GET', path: '/repos/:owner/:repo/git/blobs/:sha', docs: `${DOC}/git/blobs#get-a-blob`,
    handler: (ctx) => {
      const repo = ctx.repo!;
      const sha = ctx.params['sha']!.toLowerCase();
      const bytes = repo.store.blobs.get(sha);
      if (!bytes) throw notFound(`${DOC}/git/blobs#get-a-blob`);
      if (isRaw(ctx.accept)) return { raw: bytes };
      return { body: { sha, node_id: Buffer.from(`0:Blob${sha}`).toString('base64'), size: bytes.length, url: `${ctx.shapes.repoBase(repo)}/git/blobs/${sha}`, content: base64Wrapped(bytes), encoding: 'base64' } };
    },
  },

  { method: 'GET', path: '/repos/:owner/:repo/contents', docs: `${DOC}/repos/contents#get-repository-content`, handler: (ctx) => contents(ctx, '') },
  { method: 'GET', path: '/repos/:owner/:repo/contents/*', docs: `${DOC}/repos/contents#get-repository-content`, handler: (ctx) => contents(ctx, ctx.params['*'] ?? '') },
];

function parseTime(value: string | undefined, field: string, docs: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) throw invalid('Commit', field, value, docs);
  return ms;
}

function compare(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = ctx.repo!;
  const docs = `${DOC}/commits/commits#compare-two-commits`;
  const [baseRef, headRef] = ctx.params['basehead']!.split('...') as [string, string | undefined];
  if (headRef === undefined) throw notFound(docs);
  const base = resolveRef(ctx, baseRef);
  const head = resolveRef(ctx, headRef);
  if (!base || !head) throw notFound(docs);
  const store = repo.store;
  const mergeBase = store.mergeBase(base, head);
  if (!mergeBase) throw new ApiError(404, `No common ancestor between ${baseRef} and ${headRef}.`, docs);
  const ahead = store.range(base, head);
  const behind = store.range(head, base);
  const status = base === head ? 'identical' : behind.length === 0 ? 'ahead' : ahead.length === 0 ? 'behind' : 'diverged';
  const paged = ctx.query['page'] !== undefined || ctx.query['per_page'] !== undefined;
  const { page, perPage } = pageParams(ctx.query, 30, 100);
  const shown = paged ? ahead.slice((page - 1) * perPage, page * perPage) : ahead.slice(-250);
  const files = !paged || page === 1 ? diffTrees(store, store.commits.get(mergeBase)!.tree, store.commits.get(head)!.tree).slice(0, 300) : [];
  const full = ctx.world.fullName(repo);
  const b = ctx.shapes.repoBase(repo);
  const link = paged ? linkHeader(ctx.url, page, Math.max(1, Math.ceil(ahead.length / perPage))) : undefined;
  return {
    body: {
      url: `${b}/compare/${baseRef}...${headRef}`, html_url: `https://github.com/${full}/compare/${baseRef}...${headRef}`,
      permalink_url: `https://github.com/${full}/compare/${repo.owner.login}:${base.slice(0, 7)}...${repo.owner.login}:${head.slice(0, 7)}`,
      diff_url: `https://github.com/${full}/compare/${baseRef}...${headRef}.diff`, patch_url: `https://github.com/${full}/compare/${baseRef}...${headRef}.patch`,
      base_commit: ctx.shapes.commit(repo, base), merge_base_commit: ctx.shapes.commit(repo, mergeBase), status,
      ahead_by: ahead.length, behind_by: behind.length, total_commits: ahead.length,
      commits: shown.map((sha) => ctx.shapes.commit(repo, sha)), files: files.map((f) => ctx.shapes.file(repo, head, f)),
    },
    headers: link ? { link } : {},
  };
}

function contents(ctx: RouteContext, rawPath: string): ReturnType<Route['handler']> {
  const repo = ctx.repo!;
  const docs = `${DOC}/repos/contents#get-repository-content`;
  const ref = ctx.query['ref'] ?? repo.defaultBranch;
  const commit = resolveRef(ctx, ref);
  if (!commit) throw new ApiError(404, `No commit found for the ref ${ref}`, docs);
  const path = decodeURIComponent(rawPath).replace(/^\/+|\/+$/g, '');
  const tree = repo.store.commits.get(commit)!.tree;
  const found = repo.store.lookup(tree, path);
  if (!found) throw notFound(docs);
  const full = ctx.world.fullName(repo);
  const b = ctx.shapes.repoBase(repo);
  const describe = (p: string, e: { type: string; sha: Sha }): Json => {
    const enc = p.split('/').map(encodeURIComponent).join('/');
    const self = `${b}/contents/${enc}?ref=${ref}`;
    const git = `${b}/git/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}`;
    const html = `https://github.com/${full}/${e.type === 'tree' ? 'tree' : 'blob'}/${ref}/${enc}`;
    return {
      name: p.split('/').pop(), path: p, sha: e.sha, size: e.type === 'blob' ? repo.store.blobs.get(e.sha)!.length : 0, url: self, html_url: html, git_url: git,
      download_url: e.type === 'blob' ? `https://raw.githubusercontent.com/${full}/${ref}/${enc}` : null, type: e.type === 'tree' ? 'dir' : 'file',
      _links: { self, git, html },
    };
  };
  if (found.type === 'tree') {
    const entries = (repo.store.trees.get(found.sha) ?? []).slice(0, 1000).map((e) => describe(path ? `${path}/${e.name}` : e.name, e));
    return { body: isObject(ctx.accept) ? { ...describe(path, found), entries } : entries };
  }
  const bytes = repo.store.blobs.get(found.sha)!;
  if (bytes.length > 100 * MB) {
    throw new ApiError(403, 'This API returns blobs up to 100 MB in size. The requested blob is too large to fetch via the API.', docs, [{ resource: 'Blob', field: 'data', code: 'too_large' }]);
  }
  if (isRaw(ctx.accept)) return { raw: bytes };
  const small = bytes.length <= MB;
  return { body: { ...describe(path, found), content: small ? base64Wrapped(bytes) : '', encoding: small ? 'base64' : 'none' } };
}
