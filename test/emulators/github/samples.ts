/**
 * Documented and captured GitHub payloads the self-test compares the emulator against (shape:
 * keys and value kinds). Long nested objects are trimmed to the keys that matter; each sample
 * names its source.
 */

type Json = Record<string, unknown>;

/** octokit/webhooks payload-examples/api.github.com/push/with-new-branch.payload.json (trimmed). */
export const CAPTURED_PUSH_NEW_BRANCH: Json = {
  ref: 'refs/heads/master', before: '0000000000000000000000000000000000000000', after: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
  repository: { id: 186853002, name: 'Hello-World', full_name: 'Codertocat/Hello-World', private: false, html_url: 'https://github.com/Codertocat/Hello-World', url: 'https://github.com/Codertocat/Hello-World', created_at: 1557933565, updated_at: '2019-05-15T15:20:41Z', pushed_at: 1557933657, default_branch: 'master', master_branch: 'master', stargazers: 0, owner: { name: 'Codertocat', email: '21031067+Codertocat@users.noreply.github.com', login: 'Codertocat', id: 21031067 } },
  pusher: { name: 'Codertocat', email: '21031067+Codertocat@users.noreply.github.com' },
  sender: { login: 'Codertocat', id: 21031067, type: 'User', site_admin: false },
  created: true, deleted: false, forced: false, base_ref: null, compare: 'https://github.com/Codertocat/Hello-World/commit/6113728f27ae82c7b1a177c8d03f9e96e0adf246',
  commits: [{
    id: '6113728f27ae82c7b1a177c8d03f9e96e0adf246', tree_id: '31b122c26a97cf9af023e9ddab94a82c6e77b0ea', distinct: true, message: 'Initial commit', timestamp: '2019-05-15T15:19:25Z',
    url: 'https://github.com/Codertocat/Hello-World/commit/6113728f27ae82c7b1a177c8d03f9e96e0adf246',
    author: { name: 'Codertocat', email: '21031067+Codertocat@users.noreply.github.com', username: 'Codertocat' },
    committer: { name: 'Codertocat', email: '21031067+Codertocat@users.noreply.github.com', username: 'Codertocat' },
    added: ['README.md'], removed: [], modified: [],
  }],
  head_commit: { id: '6113728f27ae82c7b1a177c8d03f9e96e0adf246', tree_id: '31b122c26a97cf9af023e9ddab94a82c6e77b0ea', distinct: true, message: 'Initial commit', timestamp: '2019-05-15T15:19:25Z', added: ['README.md'], removed: [], modified: [] },
};

/** octokit/webhooks payload-examples/api.github.com/issues/transferred.payload.json (top level and `changes`). */
export const CAPTURED_ISSUES_TRANSFERRED_KEYS = { top: ['action', 'issue', 'changes', 'repository', 'sender'], changes: ['new_issue', 'new_repository'] };

/**
 * The issue object of https://docs.github.com/rest/issues/issues#get-an-issue (example response;
 * schema `issue` in @octokit/openapi-types), trimmed of URL-template fields.
 */
export const DOCS_ISSUE: Json = {
  id: 1, node_id: 'MDU6SXNzdWUx', url: 'https://api.github.com/repos/octocat/Hello-World/issues/1347', repository_url: 'https://api.github.com/repos/octocat/Hello-World',
  html_url: 'https://github.com/octocat/Hello-World/issues/1347', number: 1347, state: 'open', title: 'Found a bug', body: "I'm having a problem with this.",
  user: { login: 'octocat', id: 1, type: 'User', site_admin: false }, labels: [{ id: 208045946, node_id: 'MDU6TGFiZWwyMDgwNDU5NDY=', url: 'https://api.github.com/repos/octocat/Hello-World/labels/bug', name: 'bug', description: "Something isn't working", color: 'f29513', default: true }],
  assignee: null, assignees: [], milestone: null, locked: false, active_lock_reason: null, comments: 0,
  pull_request: { url: 'https://api.github.com/repos/octocat/Hello-World/pulls/1347', html_url: 'https://github.com/octocat/Hello-World/pull/1347', diff_url: 'https://github.com/octocat/Hello-World/pull/1347.diff', patch_url: 'https://github.com/octocat/Hello-World/pull/1347.patch' },
  closed_at: null, created_at: '2011-04-22T13:33:48Z', updated_at: '2011-04-22T13:33:48Z', closed_by: null, author_association: 'COLLABORATOR', state_reason: null,
};

/** https://docs.github.com/rest/issues/comments#get-an-issue-comment (example response, trimmed). */
export const DOCS_ISSUE_COMMENT: Json = {
  id: 1, node_id: 'MDEyOklzc3VlQ29tbWVudDE=', url: 'https://api.github.com/repos/octocat/Hello-World/issues/comments/1',
  html_url: 'https://github.com/octocat/Hello-World/issues/1347#issuecomment-1', body: 'Me too', user: { login: 'octocat', id: 1 },
  created_at: '2011-04-14T16:00:49Z', updated_at: '2011-04-14T16:00:49Z', issue_url: 'https://api.github.com/repos/octocat/Hello-World/issues/1347',
  author_association: 'COLLABORATOR',
};

/** https://docs.github.com/rest/git/blobs#get-a-blob (example response). */
export const DOCS_BLOB: Json = {
  content: 'Q29udGVudCBvZiB0aGUgYmxvYg==\n', encoding: 'base64', url: 'https://api.github.com/repos/octocat/example/git/blobs/3a0f86fb8db8eea7ccbb9a95f325ddbedfb25e15',
  sha: '3a0f86fb8db8eea7ccbb9a95f325ddbedfb25e15', size: 19, node_id: 'Q29udGVudCBvZiB0aGUgYmxvYg==',
};

/**
 * The blob above decodes to this text. The example's `sha` is illustrative: git's SHA-1 of
 * these 19 bytes is 929246f6…, which is what the emulator (and `git hash-object`) gives.
 */
export const DOCS_BLOB_TEXT = 'Content of the blob';

/** https://docs.github.com/rest/git/trees#get-a-tree (example response, one entry of each type). */
export const DOCS_TREE: Json = {
  sha: '9fb037999f264ba9a7fc6274d15fa3ae2ab98312', url: 'https://api.github.com/repos/octocat/Hello-World/trees/9fb037999f264ba9a7fc6274d15fa3ae2ab98312',
  tree: [
    { path: 'file.rb', mode: '100644', type: 'blob', size: 30, sha: '44b4fc6d56897b048c772eb4087f854f46256132', url: 'https://api.github.com/repos/octocat/Hello-World/git/blobs/44b4fc6d56897b048c772eb4087f854f46256132' },
    { path: 'subdir', mode: '040000', type: 'tree', sha: 'f484d249c660418515fb01c2b9662073663c242e', url: 'https://api.github.com/repos/octocat/Hello-World/git/blobs/f484d249c660418515fb01c2b9662073663c242e' },
  ],
  truncated: false,
};

/** https://docs.github.com/rest/commits/commits#compare-two-commits (example response, top-level keys). */
export const DOCS_COMPARE_KEYS = ['url', 'html_url', 'permalink_url', 'diff_url', 'patch_url', 'base_commit', 'merge_base_commit', 'status', 'ahead_by', 'behind_by', 'total_commits', 'commits', 'files'];

/** Diff entry of the same example. */
export const DOCS_DIFF_ENTRY: Json = {
  sha: 'bbcd538c8e72b8c175046e27cc8f907076331401', filename: 'file1.txt', status: 'added', additions: 103, deletions: 21, changes: 124,
  blob_url: 'https://github.com/octocat/Hello-World/blob/6dcb09b5b57875f334f61aebed695e2e4193db5e/file1.txt',
  raw_url: 'https://github.com/octocat/Hello-World/raw/6dcb09b5b57875f334f61aebed695e2e4193db5e/file1.txt',
  contents_url: 'https://api.github.com/repos/octocat/Hello-World/contents/file1.txt?ref=6dcb09b5b57875f334f61aebed695e2e4193db5e',
  patch: '@@ -132,7 +132,7 @@ module Test @@ -1000,7 +1000,7 @@ module Test',
};

/** https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api (example `link`). */
export const DOCS_LINK =
  '<https://api.github.com/repositories/1300192/issues?page=2>; rel="prev", <https://api.github.com/repositories/1300192/issues?page=4>; rel="next", <https://api.github.com/repositories/1300192/issues?page=515>; rel="last", <https://api.github.com/repositories/1300192/issues?page=1>; rel="first"';

/** https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation */
export const DOCS_SIGNATURE_VECTOR = {
  secret: "It's a Secret to Everybody",
  payload: 'Hello, World!',
  signature: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
};

/** A 401 as the live API answers it (`status` as a string). */
export const CAPTURED_BAD_CREDENTIALS = { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' };

/** The kind of a JSON value, for shape comparisons. */
export const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Keys of `sample` missing from `actual` or of a different kind (null matches anything nullable). */
export function shapeDiff(sample: Json, actual: Json, nullable: readonly string[] = []): string[] {
  return Object.keys(sample).flatMap((key) => {
    if (!(key in actual)) return [`missing ${key}`];
    const want = kindOf(sample[key]);
    const got = kindOf(actual[key]);
    if (want === got || nullable.includes(key) || want === 'null' || got === 'null') return [];
    return [`${key}: ${want} ≠ ${got}`];
  });
}
