import { defineConnector, standardSecrets } from '../definition.ts';
import { confluenceSource, tokenEnvOf } from './config.ts';
import { ConfluenceConnector } from './confluence-connector.ts';
import { decodeConfluenceWebhook } from './webhooks.ts';

/** `confluence`: pages of Confluence Cloud spaces over REST v1 CQL search and v2; Data Center-style signed webhooks for hints. See docs/sources/confluence.md. */
export const confluenceConnector = defineConnector({
  kind: 'confluence',
  schema: confluenceSource,
  docs: 'docs/sources/confluence.md',
  summary: {
    indexes: 'the pages (optionally blog posts) of the configured spaces as Markdown, with their breadcrumb, labels and read restrictions as access',
    nearRealTime: 'Data Center webhooks (`POST /webhooks/<id>`, `X-Hub-Signature`); Cloud: the schedule (CQL `lastmodified`)',
  },
  create: (source, context) => new ConfluenceConnector({ source, secret: context.secret, state: context.state, clock: context.clock }),
  // The API token to the fetcher and the embedder; the signing secret to the webhook function only.
  secrets: (source) => standardSecrets(source, source.bearerTokenEnv !== undefined ? { bearerTokenEnv: source.bearerTokenEnv } : { tokenEnv: tokenEnvOf(source) }),
  decodeWebhook: (source, request) => decodeConfluenceWebhook(source, request),
  aws: (source) => ({
    warnings: source.webhook ? [] : [
      `confluence source "${source.id}" has no webhook: edits wait for its schedule (${source.schedule}), trashed pages for the reconcile ` +
        `every ${source.reconcileIntervalMinutes} minutes (Confluence Cloud sends no signed webhooks; on Data Center add "webhook": { "secretEnv": … })`,
    ],
  }),
});
