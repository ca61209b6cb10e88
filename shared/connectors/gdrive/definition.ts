import { defineConnector, standardSecrets, tokenKey } from '../definition.ts';
import { tokenSource } from './auth.ts';
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
    nearRealTime: '`changes.watch` push channels (`POST /webhooks/<id>`, `X-Goog-Channel-Token`), renewed before expiry',
  },
  create: (source, context) => new GDriveConnector({
    source, secret: context.secret, clock: context.clock, log: context.log,
    tokens: tokenSource({ source, secret: context.secret, credentials: context.credentials, clock: context.clock, tokenKey: tokenKey(source) }),
  }),
  // The key (or the OAuth client and first refresh token) to the fetcher and the embedder; the
  // webhook secret, from which channel tokens are made, to the webhook function.
  secrets: (source) => standardSecrets(source, Object.fromEntries(Object.entries({
    serviceAccountKeyEnv: source.serviceAccountKeyEnv, clientIdEnv: source.clientIdEnv, clientSecretEnv: source.clientSecretEnv, refreshTokenEnv: source.refreshTokenEnv,
  }).filter((e): e is [string, string] => e[1] !== undefined))),
  tokens: (source) => (source.serviceAccountKeyEnv === undefined ? [tokenKey(source)] : []),
  decodeWebhook: (source, request) => decodeGDriveWebhook(source, request),
  aws: (source) => ({
    warnings: [
      ...(source.push ? [
        `gdrive source "${source.id}" has push: on AWS no process keeps its changes.watch channel open yet; ` +
          'changes arrive on its schedule (' + source.schedule + '), run `tributary start` somewhere to keep a channel, or rely on the schedule',
      ] : []),
    ],
  }),
});
