import { defineConnector, standardSecrets } from '../definition.ts';
import { firefliesSource } from './config.ts';
import { FirefliesConnector } from './fireflies-connector.ts';
import { decodeFirefliesWebhook } from './webhooks.ts';

/** `fireflies`: meeting transcripts from Fireflies.ai's GraphQL API; Webhooks V2 for hints. See docs/sources/fireflies.md. */
export const firefliesConnector = defineConnector({
  kind: 'fireflies',
  schema: firefliesSource,
  docs: 'docs/sources/fireflies.md',
  summary: {
    indexes: 'the meetings the API key can list: a conversation document per meeting (title, date, participants, speaker turns), access from its privacy and shares',
    nearRealTime: 'Webhooks V2 `meeting.transcribed` (`POST /webhooks/<id>`, `X-Hub-Signature`)',
  },
  create: (source, context) => new FirefliesConnector({
    source, apiKey: () => context.secret(source.apiKeyEnv), clock: context.clock, log: context.log,
  }),
  // The API key to the fetcher and the embedder; the signing secret to the webhook function only.
  secrets: (source) => standardSecrets(source, { apiKeyEnv: source.apiKeyEnv }),
  // Webhooks V2: X-Hub-Signature over the raw body, the signed timestamp as replay window.
  decodeWebhook: (source, request) => decodeFirefliesWebhook(source, request),
  // No AWS resource besides the pipeline's: the webhook route and secrets come from the config.
  aws: (source) => ({
    warnings: source.webhook ? [] : [
      `fireflies source "${source.id}" has no webhook: new meetings wait for its schedule (${source.schedule}); ` +
        'add "webhook": { "secretEnv": … } and register POST /webhooks/<id> as a Fireflies V2 webhook',
    ],
  }),
});
