/**
 * Google's JSON error body and the Drive errors the emulator raises.
 *
 * Sources:
 * - https://developers.google.com/workspace/drive/api/guides/handle-errors — the two levels of
 *   error information (HTTP status + `{error: {code, message, errors: [{domain, reason, message,
 *   location?, locationType?}]}}`); reasons badRequest, invalid, authError (401 "Invalid
 *   Credentials", location Authorization / header), userRateLimitExceeded (403, domain
 *   usageLimits), rateLimitExceeded (403 or 429), notFound (404 "File not found: <id>"),
 *   backendError (500/503), fileNotDownloadable, exportSizeLimitExceeded.
 * - exportSizeLimitExceeded's exact body ("This file is too large to be exported.", 403, domain
 *   global): a live answer quoted in googleapis/google-api-ruby-client issue #906.
 * - `status` (the google.rpc code name: UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND,
 *   INVALID_ARGUMENT, RESOURCE_EXHAUSTED, INTERNAL, UNAVAILABLE) is what Google's front end adds
 *   to every error body today (https://cloud.google.com/apis/design/errors#http_mapping); the
 *   older Drive examples omit it, clients must not depend on it.
 * - Invalid page tokens: 400 `{message: "Invalid Value", domain: "global", reason: "invalid",
 *   location: "pageToken", locationType: "parameter"}` — the answer captured by third-party Drive
 *   clients' tests (public repositories, not Google's docs).
 */

export interface GoogleErrorItem {
  readonly domain: string;
  readonly reason: string;
  readonly message: string;
  readonly location?: string;
  readonly locationType?: string;
}

export interface GoogleErrorBody {
  readonly error: {
    readonly code: number;
    readonly message: string;
    readonly errors: readonly GoogleErrorItem[];
    readonly status: string;
  };
}

const STATUS_NAME: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND',
  409: 'ABORTED', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 502: 'UNAVAILABLE', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED',
};

/** An error a route throws; the server turns it into Google's body. */
export class DriveError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly domain = 'global',
    readonly location?: string,
    readonly locationType?: string,
    readonly statusName?: string,
  ) {
    super(message);
  }

  body(): GoogleErrorBody {
    const item: GoogleErrorItem = {
      message: this.message, domain: this.domain, reason: this.reason,
      ...(this.location === undefined ? {} : { location: this.location }),
      ...(this.locationType === undefined ? {} : { locationType: this.locationType }),
    };
    return { error: { code: this.code, message: this.message, errors: [item], status: this.statusName ?? STATUS_NAME[this.code] ?? 'UNKNOWN' } };
  }
}

export const invalidCredentials = (): DriveError =>
  new DriveError(401, 'authError', 'Invalid Credentials', 'global', 'Authorization', 'header', 'UNAUTHENTICATED');
/** No Authorization header: Drive answers 401 with reason `required` ("Login Required"). */
export const loginRequired = (): DriveError =>
  new DriveError(401, 'required', 'Login Required.', 'global', 'Authorization', 'header', 'UNAUTHENTICATED');
export const insufficientScopes = (): DriveError =>
  new DriveError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.', 'global', undefined, undefined, 'PERMISSION_DENIED');
export const invalidValue = (parameter: string, message = 'Invalid Value'): DriveError =>
  new DriveError(400, 'invalid', message, 'global', parameter, 'parameter');
export const invalidQuery = (): DriveError => invalidValue('q', 'Invalid Value');
export const invalidField = (selection: string): DriveError =>
  new DriveError(400, 'invalidParameter', `Invalid field selection ${selection}`, 'global', 'fields', 'parameter');
export const requiredParameter = (parameter: string): DriveError =>
  new DriveError(400, 'required', `Required parameter: ${parameter}`, 'global', parameter, 'parameter');
export const badRequest = (message: string): DriveError => new DriveError(400, 'badRequest', message);
export const fileNotFound = (id: string): DriveError =>
  new DriveError(404, 'notFound', `File not found: ${id}.`, 'global', 'fileId', 'parameter');
export const driveNotFound = (id: string): DriveError =>
  new DriveError(404, 'notFound', `Shared drive not found: ${id}`, 'global', 'driveId', 'parameter');
export const channelNotFound = (id: string): DriveError =>
  new DriveError(404, 'notFound', `Channel '${id}' not found for project`, 'global');
export const fileNotDownloadable = (): DriveError =>
  new DriveError(403, 'fileNotDownloadable', 'Only files with binary content can be downloaded. Use Export with Docs Editors files.', 'global', 'alt', 'parameter');
export const fileNotExportable = (): DriveError =>
  new DriveError(403, 'fileNotExportable', 'Export only supports Docs Editors files.', 'global');
export const conversionNotSupported = (): DriveError =>
  new DriveError(400, 'badRequest', 'The requested conversion is not supported.', 'global', 'convertTo', 'parameter');
export const exportSizeLimitExceeded = (): DriveError =>
  new DriveError(403, 'exportSizeLimitExceeded', 'This file is too large to be exported.');
export const userRateLimitExceeded = (): DriveError =>
  new DriveError(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded', 'usageLimits');
export const rateLimitExceeded = (code: 403 | 429): DriveError =>
  new DriveError(code, 'rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits');
export const backendError = (code: number): DriveError =>
  new DriveError(code, 'backendError', 'Backend Error', 'global');
