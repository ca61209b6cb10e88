/**
 * Loopback emulator of the Google Drive API v3 and Google's OAuth 2.0 token endpoint, built from
 * developers.google.com (Drive reference and guides, OAuth guides) and the discovery-generated
 * types of @googleapis/drive 22.0.0 — not from our connector. Each file under ./gdrive/ names, at
 * its top, the pages it follows; ./gdrive/samples.ts pins documented and captured payloads, and
 * ./gdrive.test.ts drives the emulator through the official SDK and google-auth-library.
 *
 * Facts checked against the vendor: channels on the changes resource live at most 604800 s
 * (1 week), 3600 s when `expiration` is unset (push guide); an item changed several times is
 * listed once, at its latest change (about-changes: entries "may be invalidated and replaced with
 * a newer change entry"); an unknown page token is refused with 400 `invalid` / location
 * pageToken (third-party captures — Google's pages do not show it); the per-user quota is
 * 12,000 queries / 60 s with 403 userRateLimitExceeded, and the backend may answer 429 (limits
 * guide).
 *
 * - ./gdrive/model.ts          stored types, ids, roles
 * - ./gdrive/world.ts          principals, shared drives, files, access, trash, the change log
 * - ./gdrive/auth.ts           POST /token (refresh_token, jwt-bearer with RS256), access tokens
 * - ./gdrive/shapes.ts         File / Permission / User / Drive resources
 * - ./gdrive/fields.ts         `fields` partial responses and per-method defaults
 * - ./gdrive/query.ts          the `q` language of files.list
 * - ./gdrive/export.ts         files.export conversions, alt=media, the 10 MB export cap
 * - ./gdrive/params.ts         query-parameter validation, opaque page tokens
 * - ./gdrive/routes-files.ts   files.list / get / export, permissions.list, drives.list
 * - ./gdrive/routes-changes.ts changes.getStartPageToken / list / watch, channels.stop
 * - ./gdrive/push.ts           channels, notification headers and delivery, batching
 * - ./gdrive/ratelimit.ts      per-user quota (403 / 429), injected faults (500 / 503 backendError)
 * - ./gdrive/errors.ts         Google's error body
 * - ./gdrive/server.ts         fastify endpoint, auth → quota → faults → method, request log
 * - ./gdrive/emulator.ts       the handle and its control API
 *
 * Control API (on the handle from `startGDrive()`): `addUser`, `addGroup`, `addOAuthClient`,
 * `issueRefreshToken`, `addServiceAccount`, `accessToken`, `revokeToken`, `addSharedDrive`,
 * `setDriveMembers`, `renameSharedDrive`, `addFile`, `addFolder`, `addBlob`, `addGoogleDoc`,
 * `addGoogleSheet`, `addGoogleSlides`, `addGoogleDrawing`, `addGoogleForm`, `addShortcut`,
 * `editContent`, `rename`, `setDescription`, `move`, `trash`, `untrash`, `deleteForever`, `share`,
 * `unshare`, `setRateLimit`, `failNext`, `requests`, `count`, `counts`, `clearRequests`,
 * `channels`, `notifications`, `flushNotifications`; `rootUrl` / `tokenUrl` for the SDK.
 */

export { GDriveEmulator, startGDrive } from './gdrive/emulator.ts';
export type { GDriveEmulatorOptions, RecordedRequest } from './gdrive/server.ts';
export { DRIVE_SCOPE, GOOGLE_TOKEN_AUD, type ServiceAccount } from './gdrive/auth.ts';
export {
  DOC, DRAWING, FOLDER, FORM, SHEET, SHORTCUT, SLIDES,
  type DocBlock, type DriveMember, type GranteeType, type Principal, type Role, type SheetSeed, type StoredDrive, type StoredFile,
} from './gdrive/model.ts';
export type { FileSeed, ShareSeed } from './gdrive/world.ts';
export {
  DEFAULT_CHANNEL_TTL_MS, MAX_CHANNEL_TTL_MS, notificationHeaders, postDriveNotification, verifyChannelToken,
  type Channel, type Notification,
} from './gdrive/push.ts';
export { EXPORT_FORMATS, EXPORT_LIMIT_BYTES, docMarkdown, docPlain } from './gdrive/export.ts';
export type { RateLimitOptions } from './gdrive/ratelimit.ts';
export { DriveError, type GoogleErrorBody } from './gdrive/errors.ts';
