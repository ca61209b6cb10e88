import { defineConnector, standardSecrets, tokenKey } from '../definition.ts';
import { githubSource, tokenEnvOf } from './config.ts';
import { GitHubConnector } from './github-connector.ts';
import { decodeGitHubWebhook } from './webhooks.ts';

/** `github`: Markdown/docs files of repositories at a branch, optionally issues and pull requests. See docs/sources/github.md. */
export const githubConnector = defineConnector({
  kind: 'github',
  schema: githubSource,
  docs: 'docs/sources/github.md',
  summary: {
    indexes: 'Markdown and docs files of repositories at a branch (head SHA cursor, compare or tree diff), optionally issues and pull requests with comments; access from the repository\'s visibility',
    nearRealTime: 'GitHub webhooks `push`, `issues`, `issue_comment`, `pull_request` (`POST /webhooks/<id>`, `X-Hub-Signature-256`)',
  },
  create: (source, context) => new GitHubConnector({
    source, secret: context.secret, credentials: context.credentials, tokenKey: tokenKey(source), clock: context.clock, log: context.log,
  }),
  // The token (or App key) to the fetcher and the embedder; the signing secret to the webhook function only.
  secrets: (source) => standardSecrets(source, source.app ? { 'app.privateKeyEnv': source.app.privateKeyEnv } : { tokenEnv: tokenEnvOf(source) }),
  // An App's installation tokens (1 h) are kept in the credential store, shared by every run.
  tokens: (source) => (source.app ? [tokenKey(source)] : []),
  decodeWebhook: (source, request) => decodeGitHubWebhook(source, request),
  aws: (source) => ({
    warnings: source.webhook ? [] : [
      `github source "${source.id}" has no webhook: pushes wait for its schedule (${source.schedule}); ` +
        'add "webhook": { "secretEnv": … } and register POST /webhooks/<id> on the repositories (events: push, and issues/issue_comment/pull_request when issues are indexed)',
    ],
  }),
});
