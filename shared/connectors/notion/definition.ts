import { defineConnector, standardSecrets } from '../definition.ts';
import { notionSource } from './config.ts';
import { NotionConnector } from './notion-connector.ts';
import { decodeNotionWebhook } from './webhooks.ts';

/** `notion`: pages and data-source rows shared with a Notion integration; Notion webhooks for hints. See docs/sources/notion.md. */
export const notionConnector = defineConnector({
  kind: 'notion',
  schema: notionSource,
  docs: 'docs/sources/notion.md',
  summary: {
    indexes: 'the pages and data-source rows shared with the integration: a Markdown document per page (block tree, row properties), its breadcrumb as metadata',
    nearRealTime: 'Notion webhooks (`POST /webhooks/<id>`, `X-Notion-Signature`, verification token stored)',
  },
  create: (source, context) => new NotionConnector({
    source, token: () => context.secret(source.tokenEnv), state: context.state, clock: context.clock, log: context.log,
  }),
  secrets: (source) => standardSecrets(source, { tokenEnv: source.tokenEnv }),
  decodeWebhook: (source, request) => decodeNotionWebhook(source, request),
  // The verification token Notion sends when a subscription is created, kept by the webhook route.
  storedWebhookSecret: (source) => (source.webhookSubscription ? `notion-webhook:${source.id}` : undefined),
  aws: (source) => ({
    warnings: source.webhook || source.webhookSubscription ? [] : [
      `notion source "${source.id}" has no webhook: changes wait for its schedule (${source.schedule}); ` +
        'set "webhookSubscription": true and create a Notion webhook subscription for POST /webhooks/<id>',
    ],
  }),
});
