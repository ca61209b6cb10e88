import { defineConnector, standardSecrets, tokenKey } from '../definition.ts';
import { tokenSource } from './auth.ts';
import { channelKey } from './channels.ts';
import { gdriveSource } from './config.ts';
import { GDriveConnector } from './gdrive-connector.ts';
import { decodeGDriveWebhook } from './webhooks.ts';

/** `gdrive`: files of Google Drive folders and shared drives; changes.watch push for hints. See docs/sources/gdrive.md. */
export const gdriveConnector = defineConnector({
  kind: 'gdrive',
  schema: gdriveSource,
  docs: 'docs/sources/gdrive.md',
  summary: {
    indexes: 'files under Drive folders and shared drives: Docs as Markdown, Slides as text, Sheets as CSV (first sheet), uploaded text, PDF and Office files; access from Drive permissions',
    nearRealTime: '`changes.watch` push channels (`POST /webhooks/<id>`, `X-Goog-Channel-Token`), opened and renewed by the scheduled runs (locally also a timer)',
  },
  create: (source, context) => new GDriveConnector({
    source, secret: context.secret, credentials: context.credentials, clock: context.clock, log: context.log,
    tokens: tokenSource({ source, secret: context.secret, credentials: context.credentials, clock: context.clock, tokenKey: tokenKey(source) }),
  }),
  // The key (or the OAuth client and first refresh token) to the fetcher and the embedder; the
  // webhook secret, from which channel tokens are made, to the webhook function, and with push
  // to the fetcher too (its runs open the channels).
  secrets: (source) => standardSecrets(source, Object.fromEntries(Object.entries({
    serviceAccountKeyEnv: source.serviceAccountKeyEnv, clientIdEnv: source.clientIdEnv, clientSecretEnv: source.clientSecretEnv, refreshTokenEnv: source.refreshTokenEnv,
  }).filter((e): e is [string, string] => e[1] !== undefined))).map((need) => (
    source.push && need.key === 'webhook.secretEnv' ? { ...need, functions: [...need.functions, 'fetcher' as const] } : need)),
  // The channel state always: a run must find (and stop) the channel of a source whose push was turned off.
  tokens: (source) => [...(source.serviceAccountKeyEnv === undefined ? [tokenKey(source)] : []), channelKey(source)],
  decodeWebhook: (source, request) => decodeGDriveWebhook(source, request),
  // With an address the scheduled fetcher runs keep the channel: nothing to warn about.
  aws: (source) => ({
    warnings: source.push && source.push.address === undefined ? [
      `gdrive source "${source.id}" has push but no push.address: no changes.watch channel is opened and changes arrive on its schedule (${source.schedule}); ` +
        `after the first deploy set push.address to the stack output ApiUrl + "/webhooks/${source.id}" and deploy again`,
    ] : [],
  }),
});
