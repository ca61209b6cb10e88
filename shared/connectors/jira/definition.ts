import { defineConnector, standardSecrets } from '../definition.ts';
import { DEFAULT_TOKEN_ENV, jiraSource, type JiraSourceConfig } from './config.ts';
import { authorizationOf } from './jira-api.ts';
import { JiraConnector } from './jira-connector.ts';
import { decodeJiraWebhook } from './webhooks.ts';

/** The variable holding the source's credential: the OAuth token, or the API token for Basic auth. */
const credentialEnv = (source: JiraSourceConfig): string => source.bearerTokenEnv ?? source.tokenEnv ?? DEFAULT_TOKEN_ENV;

/** `jira`: issues of a Jira Cloud site (REST v3, JQL), admin webhooks for hints. See docs/sources/jira.md. */
export const jiraConnector = defineConnector({
  kind: 'jira',
  schema: jiraSource,
  docs: 'docs/sources/jira.md',
  summary: {
    indexes: 'the issues `projects` and `jql` select: a Markdown document per issue (facts, description, comments, parent/epic), access from project and security level',
    nearRealTime: 'Jira admin webhooks (`POST /webhooks/<id>`, `X-Hub-Signature`)',
  },
  create: (source, context) => new JiraConnector({
    source, state: context.state, clock: context.clock,
    authorization: () => authorizationOf(source, credentialEnv(source), context.secret),
    authHint: source.bearerTokenEnv
      ? `check that ${source.bearerTokenEnv} holds a valid OAuth access token with read:jira-work and read:jira-user`
      : `check that ${credentialEnv(source)} holds an API token of ${source.email ?? 'the account in "email"'} and that the account may browse the projects`,
  }),
  // The token to the fetcher and the embedder; the webhook secret to the webhook function only.
  secrets: (source) => standardSecrets(source, source.bearerTokenEnv ? { bearerTokenEnv: source.bearerTokenEnv } : { tokenEnv: credentialEnv(source) }),
  decodeWebhook: (source, request) => decodeJiraWebhook(source, request),
  aws: (source) => ({
    warnings: source.webhook ? [] : [
      `jira source "${source.id}" has no webhook: changes wait for its schedule (${source.schedule}); add "webhook": { "secretEnv": … } and register POST /webhooks/<id> as a Jira admin webhook`,
    ],
  }),
});
