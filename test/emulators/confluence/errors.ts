/**
 * Confluence Cloud's error bodies: v2 and v1 answer in different formats.
 *
 * Sources:
 * - v2: `{"errors":[{"status":404,"code":"NOT_FOUND","title":"Not Found","detail":null}]}` —
 *   captured from `GET /wiki/api/v2/pages/{id}?body-format=storage` (hunyadi/md2conf issue
 *   #113, 2025); v2 `Error` schema {status, code, title, detail} in Atlassian's OpenAPI spec.
 *   Bad parameter values answer 400 `INVALID_REQUEST_PARAMETER` with the reason in `title`.
 * - v1: `{"statusCode":404,"data":{"authorized":false,"valid":true,"errors":[],"successful":false},
 *   "message":"…","reason":"Not Found"}` — captured from `/rest/api/content/{id}`
 *   (chaoss/grimoirelab-perceval issue #180); CQL that does not parse is 400 with message
 *   `com.atlassian.confluence.api.service.exceptions.BadRequestException: Could not parse cql : <cql>`
 *   (confluence.js live suite tests/live/v1/search.test.ts asserts the 400).
 * - 401 for a wrong email/token over Basic: `Content-Type: text/plain`, body "Basic authentication
 *   with passwords is deprecated.  For more information, see: …\n" (captures in
 *   justmiles/go-markdown2confluence #47 and jc1518/Confluence-Space-Exporter #11). No request
 *   credentials at all → the API's own 401 JSON (anonymous access is off on the site). A bad
 *   Bearer token → `{"code":401,"message":"Unauthorized"}` (the gateway's format; not confirmed).
 * - Unseen content answers 404, never 403 (hunyadi/md2conf #113: "every time I got an HTTP 404
 *   … it was due to a lack of authentication or permissions").
 */

export type Api = 'v1' | 'v2';

const TITLES: Record<number, [code: string, title: string]> = {
  400: ['INVALID_REQUEST_PARAMETER', 'Bad Request'],
  401: ['UNAUTHORIZED', 'Unauthorized'],
  403: ['FORBIDDEN', 'Forbidden'],
  404: ['NOT_FOUND', 'Not Found'],
  429: ['TOO_MANY_REQUESTS', 'Too Many Requests'],
  500: ['INTERNAL_SERVER_ERROR', 'Internal Server Error'],
  502: ['BAD_GATEWAY', 'Bad Gateway'],
  503: ['SERVICE_UNAVAILABLE', 'Service Unavailable'],
  504: ['GATEWAY_TIMEOUT', 'Gateway Timeout'],
};

export interface ErrorReply {
  readonly status: number;
  readonly body: unknown;
  readonly contentType?: string;
}

/** Thrown by route handlers; the server turns it into the right body for the API. */
export class ConfluenceError extends Error {
  constructor(readonly status: number, message?: string) {
    super(message ?? TITLES[status]?.[1] ?? 'Error');
  }
}

export const badRequest = (message: string): ConfluenceError => new ConfluenceError(400, message);
export const notFound = (message?: string): ConfluenceError => new ConfluenceError(404, message);

export function v2Body(status: number, title?: string): Record<string, unknown> {
  const [code, defaultTitle] = TITLES[status] ?? ['ERROR', 'Error'];
  return { errors: [{ status, code, title: title ?? defaultTitle, detail: null }] };
}

export function v1Body(status: number, message?: string): Record<string, unknown> {
  return {
    statusCode: status,
    data: { authorized: status !== 401 && status !== 403, valid: status !== 400, errors: [], successful: false },
    message: message ?? TITLES[status]?.[1] ?? 'Error',
    reason: TITLES[status]?.[1] ?? 'Error',
  };
}

export function errorReply(api: Api, status: number, message?: string): ErrorReply {
  return { status, body: api === 'v2' ? v2Body(status, message) : v1Body(status, message) };
}

export const BASIC_AUTH_FAILURE = 'Basic authentication with passwords is deprecated.  For more information, see: https://developer.atlassian.com/cloud/confluence/deprecation-notice-basic-auth/\n';

export const cqlParseError = (cql: string): ConfluenceError =>
  badRequest(`com.atlassian.confluence.api.service.exceptions.BadRequestException: Could not parse cql : ${cql}`);
