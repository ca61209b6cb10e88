import { z } from 'zod';
import { envName, rateMs, schedule, sourceBase } from '../../config/source-base.ts';

/** Drive's files.list and changes.list accept at most 1000 items per page. */
export const MAX_PAGE_SIZE = 1000;
/** A changes channel lives at most one week (https://developers.google.com/workspace/drive/api/guides/push). */
export const MAX_CHANNEL_HOURS = 168;

const driveId = z.string().regex(/^[A-Za-z0-9_-]{5,200}$/, { message: 'must be a Drive id (the last part of a folder or shared drive URL, e.g. "0AF3x…Uk9PVA")' });

/** Hosts Drive could never call; plain http is accepted for them alone (emulators, tests). */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `push`: a changes.watch channel that calls the webhook route when anything in the account's Drive changes. */
export const gdrivePush = z.strictObject({
  /**
   * The public HTTPS address of this source's webhook route (`https://<host>/webhooks/<id>`; on
   * AWS the stack output `ApiUrl` + `/webhooks/<id>`): Drive posts notifications there. Absent:
   * no channel is opened (synth warns), e.g. before the first deploy has made the URL.
   */
  address: z.string().url({ message: 'must be the absolute public URL of POST /webhooks/<id>, e.g. "https://sync.example.com/webhooks/drive"' }).optional(),
  /** How long each channel is asked to live (Drive caps changes channels at 168 hours). */
  channelHours: z.number().min(1, { message: 'must be at least 1' })
    .max(MAX_CHANNEL_HOURS, { message: `must be at most ${MAX_CHANNEL_HOURS}: Drive caps a changes channel at one week` }).default(24),
  /** A new channel is opened this long before the current one expires; the old one is stopped once the new one is live. */
  renewBeforeMinutes: z.number().int().min(1, { message: 'must be at least 1' }).max(24 * 60).default(60),
}).refine((p) => p.renewBeforeMinutes < p.channelHours * 60, { message: 'renewBeforeMinutes must be shorter than channelHours (else every channel is renewed at once)', path: ['renewBeforeMinutes'] });

/**
 * `"kind": "gdrive"`: the files of Google Drive folders (recursively) and shared drives, read as
 * text. Every key and its default is documented in docs/sources/gdrive.md.
 */
export const gdriveSource = z.strictObject({
  ...sourceBase,
  kind: z.literal('gdrive'),
  // Changes arrive by push when `push` is set; the schedule is the fallback and the reconcile clock.
  schedule: schedule('rate(15 minutes)'),
  /** Environment variable holding a service account's JSON key (the whole file's content). */
  serviceAccountKeyEnv: envName.optional(),
  /** With a service account: the user to impersonate through domain-wide delegation. */
  subject: z.string().email({ message: 'must be the email address of the Workspace user to impersonate' }).optional(),
  /** OAuth client (user consent) instead of a service account: the variables with the client id and secret… */
  clientIdEnv: envName.optional(),
  clientSecretEnv: envName.optional(),
  /** …and with the first refresh token; later (rotated) tokens live in the credential store. */
  refreshTokenEnv: envName.optional(),
  /** Folder ids: everything under them, recursively, is indexed. */
  folders: z.array(driveId).max(500).default([]),
  /** Shared drive ids: every item of these drives is indexed. */
  sharedDrives: z.array(driveId).max(100).default([]),
  /** Globs on file names (picomatch; `*.md`, `Report *`): only matching files are indexed. Default: all. */
  include: z.array(z.string().min(1)).default([]),
  /** Globs on file names: matching files are never indexed. */
  exclude: z.array(z.string().min(1)).default([]),
  /** Files larger than this (bytes; Drive's `size`) are skipped with the reason. Google exports are capped at 10 MB by Drive. */
  maxFileBytes: z.number().int().min(1).max(200 * 1024 * 1024).default(20 * 1024 * 1024),
  /** Items per files.list / changes.list page. */
  pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE, { message: `must be at most ${MAX_PAGE_SIZE}: Drive refuses larger pages` }).default(MAX_PAGE_SIZE),
  /** The Drive API root (the SDK's `rootUrl`); tests point it at a loopback emulator. */
  apiUrl: z.string().url({ message: 'must be an absolute URL such as "https://www.googleapis.com/"' }).default('https://www.googleapis.com/'),
  /** Google's OAuth 2.0 token endpoint (refresh and JWT grants). */
  tokenUrl: z.string().url({ message: 'must be an absolute URL such as "https://oauth2.googleapis.com/token"' }).default('https://oauth2.googleapis.com/token'),
  /** Requests per minute this source sends (Drive allows 12,000 per 60 s per user). */
  requestsPerMinute: z.number().int().min(1).max(12_000).default(600),
  /** Push notifications through a changes.watch channel (locally renewed by `tributary start`). */
  push: gdrivePush.optional(),
}).superRefine((s, ctx) => {
  const oauth = s.clientIdEnv !== undefined || s.clientSecretEnv !== undefined || s.refreshTokenEnv !== undefined;
  if (s.serviceAccountKeyEnv !== undefined && oauth) {
    ctx.addIssue({ code: 'custom', path: ['serviceAccountKeyEnv'], message: 'choose one credential: serviceAccountKeyEnv (a service account) or clientIdEnv/clientSecretEnv/refreshTokenEnv (OAuth), not both' });
  }
  if (s.serviceAccountKeyEnv === undefined && !oauth) {
    ctx.addIssue({ code: 'custom', path: ['serviceAccountKeyEnv'], message: 'is required (or clientIdEnv, clientSecretEnv and refreshTokenEnv for OAuth): name the variable holding the service account JSON key' });
  }
  if (oauth) {
    for (const key of ['clientIdEnv', 'clientSecretEnv', 'refreshTokenEnv'] as const) {
      if (s[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'is required with OAuth: clientIdEnv, clientSecretEnv and refreshTokenEnv go together' });
    }
  }
  if (s.subject !== undefined && s.serviceAccountKeyEnv === undefined) {
    ctx.addIssue({ code: 'custom', path: ['subject'], message: 'applies to service accounts only (domain-wide delegation): remove it or set serviceAccountKeyEnv' });
  }
  if (s.folders.length === 0 && s.sharedDrives.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['folders'], message: 'name at least one folder id in "folders" or one shared drive id in "sharedDrives": the source indexes only what they hold' });
  }
  if (s.push && !s.webhook) {
    ctx.addIssue({ code: 'custom', path: ['push'], message: 'needs "webhook": { "secretEnv": … }: its secret becomes the channel token Drive echoes back' });
  }
  if (s.push?.address !== undefined) {
    const url = new URL(s.push.address);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
      ctx.addIssue({ code: 'custom', path: ['push', 'address'], message: 'must be an https:// URL: Drive calls only HTTPS addresses with a valid certificate (plain http is accepted for localhost alone)' });
    }
    if (!url.pathname.endsWith(`/webhooks/${s.id}`) || url.search !== '') {
      ctx.addIssue({ code: 'custom', path: ['push', 'address'], message: `must be this source's webhook route, ending in "/webhooks/${s.id}" (on AWS: the stack output ApiUrl + "/webhooks/${s.id}")` });
    }
  }
  // Every run renews a channel that would expire before the next run plus the margin: a channel
  // that does not outlive that is renewed on every run, or lapses between two.
  if (s.push && s.push.channelHours * 3_600_000 <= s.push.renewBeforeMinutes * 60_000 + rateMs(s.schedule)) {
    ctx.addIssue({
      code: 'custom', path: ['push', 'channelHours'],
      message: `must be longer than renewBeforeMinutes plus the schedule (${s.schedule}): each run renews a channel expiring before the next run; raise channelHours (at most ${MAX_CHANNEL_HOURS}) or shorten the schedule`,
    });
  }
});

export type GDriveSourceConfig = z.output<typeof gdriveSource>;
