import { defineConnector, standardSecrets } from '../definition.ts';
import { tempoSource } from './config.ts';
import { TempoConnector } from './tempo-connector.ts';
import { answerTempoHandshake, decodeTempoWebhook } from './webhooks.ts';

/** `tempo`: Tempo Cloud worklogs (REST v4) with their Jira issues' keys and summaries; Tempo webhooks for hints. See docs/sources/tempo.md. */
export const tempoConnector = defineConnector({
  kind: 'tempo',
  schema: tempoSource,
  docs: 'docs/sources/tempo.md',
  summary: {
    indexes: 'Tempo worklogs of Jira projects: a document per worklog (issue key and summary, author, date, hours, billable hours, description, attributes), access from the issue\'s project',
    nearRealTime: 'Tempo webhooks `worklog.created/updated/deleted` (`POST /webhooks/<id>`, `Tempo-Signature`; `GET` handshake answered)',
  },
  create: (source, context) => new TempoConnector({ source, secret: context.secret, clock: context.clock, log: context.log }),
  // The Tempo and Jira tokens to the fetcher and the embedder; the subscriptions' shared secrets to the webhook function only.
  secrets: (source) => standardSecrets(source, { tokenEnv: source.tokenEnv, 'jira.tokenEnv': source.jira.tokenEnv }),
  decodeWebhook: (source, request) => decodeTempoWebhook(source, request),
  answerWebhookGet: (_source, request) => answerTempoHandshake(request),
  aws: (source) => ({
    warnings: source.webhook ? [] : [
      `tempo source "${source.id}" has no webhook: worklog changes wait for its schedule (${source.schedule}); ` +
        'add "webhook": { "secretEnv": … } and subscribe <api>/webhooks/<id> to worklog.created/updated/deleted in Tempo',
    ],
  }),
});
