/**
 * Documented and captured Drive / OAuth payloads the self-test compares the emulator against.
 * Each names where it came from; values are as published (ids and tokens are the docs' own).
 */

/** https://developers.google.com/workspace/drive/api/guides/push — "Watch response" (files.watch example). */
export const CHANNEL_RESPONSE = {
  kind: 'api#channel',
  id: '01234567-89ab-cdef-0123456789ab',
  resourceId: 'o3hgv1538sdjfh',
  resourceUri: 'https://www.googleapis.com/drive/v3/files/o3hgv1538sdjfh',
  token: 'target=myApp-myFilesChannelDest',
  // The guide prints a number; the discovery document types it int64 (a JSON string), which is what the API sends.
  expiration: '1426325213000',
};

/** Same page — "Sync message" headers (lower-cased). The body is empty. */
export const SYNC_HEADERS = {
  'x-goog-channel-id': '4ba78bf0-6a47-11e2-bcfd-0800200c9a66',
  'x-goog-channel-token': '398348u3tu83ut8uu38',
  'x-goog-channel-expiration': 'Tue, 19 Nov 2013 01:13:52 GMT',
  'x-goog-resource-id': 'ret08u3rv24htgh289g',
  'x-goog-resource-uri': 'https://www.googleapis.com/drive/v3/files/ret08u3rv24htgh289g',
  'x-goog-resource-state': 'sync',
  'x-goog-message-number': '1',
};

/** https://developers.google.com/workspace/drive/api/guides/handle-errors — 401 "Invalid credentials". */
export const ERROR_401 = {
  error: {
    errors: [{ domain: 'global', reason: 'authError', message: 'Invalid Credentials', locationType: 'header', location: 'Authorization' }],
    code: 401,
    message: 'Invalid Credentials',
  },
};

/** Same guide — 403 userRateLimitExceeded. */
export const ERROR_USER_RATE = {
  error: { errors: [{ domain: 'usageLimits', message: 'User Rate Limit Exceeded', reason: 'userRateLimitExceeded' }], code: 403, message: 'User Rate Limit Exceeded' },
};

/** Same guide — 429 rateLimitExceeded. */
export const ERROR_429 = {
  error: { errors: [{ domain: 'usageLimits', message: 'Rate Limit Exceeded', reason: 'rateLimitExceeded' }], code: 429, message: 'Rate Limit Exceeded' },
};

/** A live answer quoted in googleapis/google-api-ruby-client issue #906 (files.export of a large Doc). */
export const ERROR_EXPORT_SIZE = {
  error: { errors: [{ domain: 'global', reason: 'exportSizeLimitExceeded', message: 'This file is too large to be exported.' }], code: 403, message: 'This file is too large to be exported.' },
};

/** Captured by third-party Drive clients' tests (public repositories): changes.list / files.list with a bad pageToken. */
export const ERROR_PAGE_TOKEN = {
  error: {
    code: 400,
    message: 'Invalid Value',
    errors: [{ message: 'Invalid Value', domain: 'global', reason: 'invalid', location: 'pageToken', locationType: 'parameter' }],
  },
};

/** https://developers.google.com/identity/protocols/oauth2/web-server#offline — refresh response. */
export const TOKEN_REFRESH_RESPONSE = {
  access_token: '1/fFAGRNJru1FTz70BzhT3Zg',
  expires_in: 3920,
  scope: 'https://www.googleapis.com/auth/drive.metadata.readonly',
  token_type: 'Bearer',
};

/** Same page — an invalid / revoked refresh token. */
export const TOKEN_INVALID_GRANT = { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' };

/** https://developers.google.com/workspace/drive/api/reference/rest/v3/changes/getStartPageToken — response. */
export const START_PAGE_TOKEN = { kind: 'drive#startPageToken', startPageToken: '1234' };

/** https://developers.google.com/workspace/drive/api/reference/rest/v3/changes/list — response (JSON representation). */
export const CHANGE_LIST = {
  kind: 'drive#changeList',
  newStartPageToken: '1234',
  changes: [{ kind: 'drive#change', changeType: 'file', time: '2024-01-01T00:00:00.000Z', removed: false, fileId: 'abc', file: { kind: 'drive#file', id: 'abc', name: 'n', mimeType: 'text/plain' } }],
};

/**
 * Every key of `sample` is in `actual` with the same JSON type (recursively; arrays compare their
 * first items). Returns the paths that differ.
 */
export function shapeDiff(sample: unknown, actual: unknown, path = '$'): string[] {
  const type = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
  if (type(sample) !== type(actual)) return [`${path}: ${type(sample)} ≠ ${type(actual)}`];
  if (Array.isArray(sample)) return sample.length === 0 || (actual as unknown[]).length === 0 ? [] : shapeDiff(sample[0], (actual as unknown[])[0], `${path}[0]`);
  if (type(sample) !== 'object') return [];
  const a = actual as Record<string, unknown>;
  return Object.entries(sample as Record<string, unknown>).flatMap(([k, v]) => (k in a ? shapeDiff(v, a[k], `${path}.${k}`) : [`${path}.${k}: missing`]));
}
