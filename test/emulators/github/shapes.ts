/**
 * REST objects as GitHub returns them (API base = the emulator's URL, web base = github.com).
 *
 * Sources: the response schemas in @octokit/openapi-types (components `simple-user`,
 * `full-repository`, `branch-with-protection`, `git-ref`, `commit`, `commit-comparison`,
 * `git-tree`, `blob`, `content-file`, `content-directory`, `issue`, `issue-comment`,
 * `pull-request`, `label`), and the example responses on
 * https://docs.github.com/rest/repos/repos#get-a-repository, /rest/commits/commits,
 * /rest/git/trees, /rest/git/blobs, /rest/repos/contents, /rest/issues/issues,
 * /rest/issues/comments, /rest/pulls/pulls. Timestamps are ISO 8601 without milliseconds
 * (`2011-04-10T20:09:31Z`). Base64 content is wrapped with a newline every 60 characters, as
 * the documented examples show (`"content": "IyBZb2dhIEJvmsgaW4gcHJvZ3Jlc3MhIEZlZWwgdAoKOi..."`
 * with embedded `\n`).
 */

import type { Sha } from './git.ts';
import type { FileChange } from './diff.ts';
import type { Account, Comment, Issue, Label, Repo, World } from './world.ts';

export type Json = Record<string, unknown>;

export const WEB = 'https://github.com';
export const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
export const base64Wrapped = (bytes: Buffer): string => (bytes.toString('base64').match(/.{1,60}/g) ?? []).map((l) => `${l}\n`).join('');
const nodeId = (kind: string, id: number | string): string => Buffer.from(`0:${kind}${id}`).toString('base64');

export class Shapes {
  constructor(readonly api: string, private readonly world: World) {}

  user(a: Account): Json {
    const u = `${this.api}/users/${a.login}`;
    return {
      login: a.login, id: a.id, node_id: nodeId(a.type, a.id), avatar_url: `https://avatars.githubusercontent.com/u/${a.id}?v=4`, gravatar_id: '',
      url: u, html_url: `${WEB}/${a.login}`, followers_url: `${u}/followers`, following_url: `${u}/following{/other_user}`, gists_url: `${u}/gists{/gist_id}`,
      starred_url: `${u}/starred{/owner}{/repo}`, subscriptions_url: `${u}/subscriptions`, organizations_url: `${u}/orgs`, repos_url: `${u}/repos`,
      events_url: `${u}/events{/privacy}`, received_events_url: `${u}/received_events`, type: a.type, user_view_type: 'public', site_admin: false,
    };
  }

  repoBase(r: Repo): string {
    return `${this.api}/repos/${r.owner.login}/${r.name}`;
  }

  repo(r: Repo): Json {
    const b = this.repoBase(r);
    const full = this.world.fullName(r);
    const open = [...r.issues.values()].filter((i) => !i.deleted && !i.transferredTo && i.state === 'open').length;
    return {
      id: r.id, node_id: nodeId('Repository', r.id), name: r.name, full_name: full, private: r.private, owner: this.user(r.owner),
      html_url: `${WEB}/${full}`, description: null, fork: false, url: b,
      forks_url: `${b}/forks`, keys_url: `${b}/keys{/key_id}`, collaborators_url: `${b}/collaborators{/collaborator}`, teams_url: `${b}/teams`,
      hooks_url: `${b}/hooks`, issue_events_url: `${b}/issues/events{/number}`, events_url: `${b}/events`, assignees_url: `${b}/assignees{/user}`,
      branches_url: `${b}/branches{/branch}`, tags_url: `${b}/tags`, blobs_url: `${b}/git/blobs{/sha}`, git_tags_url: `${b}/git/tags{/sha}`,
      git_refs_url: `${b}/git/refs{/sha}`, trees_url: `${b}/git/trees{/sha}`, statuses_url: `${b}/statuses/{sha}`, languages_url: `${b}/languages`,
      stargazers_url: `${b}/stargazers`, contributors_url: `${b}/contributors`, subscribers_url: `${b}/subscribers`, subscription_url: `${b}/subscription`,
      commits_url: `${b}/commits{/sha}`, git_commits_url: `${b}/git/commits{/sha}`, comments_url: `${b}/comments{/number}`,
      issue_comment_url: `${b}/issues/comments{/number}`, contents_url: `${b}/contents/{+path}`, compare_url: `${b}/compare/{base}...{head}`,
      merges_url: `${b}/merges`, archive_url: `${b}/{archive_format}{/ref}`, downloads_url: `${b}/downloads`, issues_url: `${b}/issues{/number}`,
      pulls_url: `${b}/pulls{/number}`, milestones_url: `${b}/milestones{/number}`, notifications_url: `${b}/notifications{?since,all,participating}`,
      labels_url: `${b}/labels{/name}`, releases_url: `${b}/releases{/id}`, deployments_url: `${b}/deployments`,
      created_at: iso(r.createdAt), updated_at: iso(r.updatedAt), pushed_at: iso(r.pushedAt),
      git_url: `git://github.com/${full}.git`, ssh_url: `git@github.com:${full}.git`, clone_url: `${WEB}/${full}.git`, svn_url: `${WEB}/${full}`,
      homepage: null, size: 0, stargazers_count: 0, watchers_count: 0, language: null, has_issues: true, has_projects: true, has_downloads: true,
      has_wiki: true, has_pages: false, has_discussions: false, forks_count: 0, mirror_url: null, archived: false, disabled: false,
      open_issues_count: open, license: null, allow_forking: true, is_template: false, web_commit_signoff_required: false, topics: [],
      visibility: r.private ? 'private' : 'public', forks: 0, open_issues: open, watchers: 0, default_branch: r.defaultBranch,
      network_count: 0, subscribers_count: 0,
    };
  }

  commit(r: Repo, sha: Sha, files?: readonly FileChange[]): Json {
    const c = r.store.commits.get(sha)!;
    const b = this.repoBase(r);
    const full = this.world.fullName(r);
    const person = (s: { name: string; email: string; at: number }): Json => ({ name: s.name, email: s.email, date: iso(s.at) });
    const account = [...this.world.accounts.values()].find((a) => a.email === c.author.email);
    const out: Json = {
      url: `${b}/commits/${sha}`, sha, node_id: nodeId('Commit', sha), html_url: `${WEB}/${full}/commit/${sha}`, comments_url: `${b}/commits/${sha}/comments`,
      commit: {
        url: `${b}/git/commits/${sha}`, author: person(c.author), committer: person(c.committer), message: c.message,
        tree: { url: `${b}/git/trees/${c.tree}`, sha: c.tree }, comment_count: 0,
        verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
      },
      author: account ? this.user(account) : null, committer: account ? this.user(account) : null,
      parents: c.parents.map((p) => ({ url: `${b}/commits/${p}`, sha: p, html_url: `${WEB}/${full}/commit/${p}` })),
    };
    if (files) {
      const additions = files.reduce((n, f) => n + f.additions, 0);
      const deletions = files.reduce((n, f) => n + f.deletions, 0);
      out['stats'] = { total: additions + deletions, additions, deletions };
      out['files'] = files.map((f) => this.file(r, sha, f));
    }
    return out;
  }

  file(r: Repo, ref: Sha, f: FileChange): Json {
    const full = this.world.fullName(r);
    const path = f.filename.split('/').map(encodeURIComponent).join('/');
    return {
      sha: f.sha, filename: f.filename, status: f.status, additions: f.additions, deletions: f.deletions, changes: f.additions + f.deletions,
      blob_url: `${WEB}/${full}/blob/${ref}/${path}`, raw_url: `${WEB}/${full}/raw/${ref}/${path}`,
      contents_url: `${this.repoBase(r)}/contents/${path}?ref=${ref}`,
      ...(f.patch !== undefined ? { patch: f.patch } : {}), ...(f.previousFilename !== undefined ? { previous_filename: f.previousFilename } : {}),
    };
  }

  branch(r: Repo, name: string): Json {
    const sha = r.branches.get(name)!;
    const b = this.repoBase(r);
    return {
      name, commit: this.commit(r, sha),
      _links: { self: `${b}/branches/${encodeURIComponent(name)}`, html: `${WEB}/${this.world.fullName(r)}/tree/${name}` },
      protected: false, protection: { enabled: false, required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] } },
      protection_url: `${b}/branches/${encodeURIComponent(name)}/protection`,
    };
  }

  ref(r: Repo, name: string): Json {
    const sha = r.branches.get(name)!;
    const b = this.repoBase(r);
    return { ref: `refs/heads/${name}`, node_id: nodeId('Ref', `${r.id}:${name}`), url: `${b}/git/refs/heads/${name}`, object: { sha, type: 'commit', url: `${b}/git/commits/${sha}` } };
  }

  label(r: Repo, l: Label): Json {
    return { id: l.id, node_id: nodeId('Label', l.id), url: `${this.repoBase(r)}/labels/${encodeURIComponent(l.name)}`, name: l.name, color: l.color, default: l.default, description: l.description };
  }

  issue(i: Issue): Json {
    const r = this.world.repos.get(i.repoId)!;
    const b = this.repoBase(r);
    const full = this.world.fullName(r);
    const comments = [...r.comments.values()].filter((c) => c.issueNumber === i.number && !c.deleted).length;
    const out: Json = {
      url: `${b}/issues/${i.number}`, repository_url: b, labels_url: `${b}/issues/${i.number}/labels{/name}`, comments_url: `${b}/issues/${i.number}/comments`,
      events_url: `${b}/issues/${i.number}/events`, html_url: `${WEB}/${full}/${i.pull ? 'pull' : 'issues'}/${i.number}`, id: i.id,
      node_id: nodeId(i.pull ? 'PullRequest' : 'Issue', i.id), number: i.number, title: i.title, user: this.user(i.user),
      labels: i.labels.map((name) => this.label(r, r.labels.get(name)!)), state: i.state, locked: i.locked,
      assignee: i.assignees[0] ? this.user(i.assignees[0]) : null, assignees: i.assignees.map((a) => this.user(a)), milestone: null, comments,
      created_at: iso(i.createdAt), updated_at: iso(i.updatedAt), closed_at: i.closedAt === null ? null : iso(i.closedAt),
      author_association: i.user.id === r.owner.id ? 'OWNER' : 'NONE', type: null, active_lock_reason: null, sub_issues_summary: { total: 0, completed: 0, percent_completed: 0 },
      body: i.body, closed_by: null, reactions: this.reactions(`${b}/issues/${i.number}/reactions`), timeline_url: `${b}/issues/${i.number}/timeline`,
      performed_via_github_app: null, state_reason: i.stateReason,
    };
    if (i.pull) {
      out['draft'] = i.pull.draft;
      out['pull_request'] = {
        url: `${b}/pulls/${i.number}`, html_url: `${WEB}/${full}/pull/${i.number}`, diff_url: `${WEB}/${full}/pull/${i.number}.diff`,
        patch_url: `${WEB}/${full}/pull/${i.number}.patch`, merged_at: i.pull.mergedAt === null ? null : iso(i.pull.mergedAt),
      };
    }
    return out;
  }

  pull(i: Issue): Json {
    const r = this.world.repos.get(i.repoId)!;
    const p = i.pull!;
    const b = this.repoBase(r);
    const full = this.world.fullName(r);
    const side = (ref: string, sha: Sha): Json => ({ label: `${r.owner.login}:${ref}`, ref, sha: r.branches.get(ref) ?? sha, user: this.user(r.owner), repo: this.repo(r) });
    const issue = this.issue(i);
    const store = r.store;
    const headSha = r.branches.get(p.head) ?? p.headSha;
    const mergeBase = store.mergeBase(r.branches.get(p.base) ?? p.baseSha, headSha);
    return {
      url: `${b}/pulls/${i.number}`, id: i.id, node_id: issue['node_id'], html_url: `${WEB}/${full}/pull/${i.number}`,
      diff_url: `${WEB}/${full}/pull/${i.number}.diff`, patch_url: `${WEB}/${full}/pull/${i.number}.patch`, issue_url: `${b}/issues/${i.number}`,
      commits_url: `${b}/pulls/${i.number}/commits`, review_comments_url: `${b}/pulls/${i.number}/comments`, review_comment_url: `${b}/pulls/comments{/number}`,
      comments_url: `${b}/issues/${i.number}/comments`, statuses_url: `${b}/statuses/${headSha}`, number: i.number, state: i.state, locked: i.locked,
      title: i.title, user: issue['user'], body: i.body, labels: issue['labels'], milestone: null, active_lock_reason: null,
      created_at: issue['created_at'], updated_at: issue['updated_at'], closed_at: issue['closed_at'],
      merged_at: p.mergedAt === null ? null : iso(p.mergedAt), merge_commit_sha: p.mergeCommitSha, assignee: issue['assignee'], assignees: issue['assignees'],
      requested_reviewers: [], requested_teams: [], head: side(p.head, p.headSha), base: side(p.base, p.baseSha),
      _links: {
        self: { href: `${b}/pulls/${i.number}` }, html: { href: `${WEB}/${full}/pull/${i.number}` }, issue: { href: `${b}/issues/${i.number}` },
        comments: { href: `${b}/issues/${i.number}/comments` }, review_comments: { href: `${b}/pulls/${i.number}/comments` },
        review_comment: { href: `${b}/pulls/comments{/number}` }, commits: { href: `${b}/pulls/${i.number}/commits` }, statuses: { href: `${b}/statuses/${headSha}` },
      },
      author_association: issue['author_association'], auto_merge: null, draft: p.draft, merged: p.mergedAt !== null, mergeable: p.mergedAt === null ? true : null,
      rebaseable: p.mergedAt === null ? true : null, mergeable_state: p.mergedAt === null ? 'clean' : 'unknown', merged_by: p.mergedAt === null ? null : this.user(r.owner),
      comments: issue['comments'], review_comments: 0, maintainer_can_modify: false, commits: store.range(mergeBase, headSha).length,
      additions: 0, deletions: 0, changed_files: 0,
    };
  }

  comment(c: Comment): Json {
    const r = this.world.repos.get(c.repoId)!;
    const b = this.repoBase(r);
    const kind = r.issues.get(c.issueNumber)?.pull ? 'pull' : 'issues';
    return {
      url: `${b}/issues/comments/${c.id}`, html_url: `${WEB}/${this.world.fullName(r)}/${kind}/${c.issueNumber}#issuecomment-${c.id}`,
      issue_url: `${b}/issues/${c.issueNumber}`, id: c.id, node_id: nodeId('IssueComment', c.id), user: this.user(c.user),
      created_at: iso(c.createdAt), updated_at: iso(c.updatedAt), author_association: c.user.id === r.owner.id ? 'OWNER' : 'NONE', body: c.body,
      reactions: this.reactions(`${b}/issues/comments/${c.id}/reactions`), performed_via_github_app: null,
    };
  }

  private reactions(url: string): Json {
    return { url, total_count: 0, '+1': 0, '-1': 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 };
  }
}
