/**
 * Notion's error body and the codes the emulator raises.
 *
 * Sources:
 * - https://developers.notion.com/reference/status-codes — body `{object: "error", status, code,
 *   message, request_id}` (some with `additional_data`); codes and statuses: 400 invalid_json
 *   ("Error parsing JSON body."), invalid_request_url ("Invalid request URL"), invalid_request
 *   ("Unsupported request: <request name>."), validation_error ("body failed validation:
 *   body.properties should be defined, instead was undefined."), missing_version
 *   ("Notion-Version header failed validation: Notion-Version header should be defined, instead
 *   was `undefined`."); 401 unauthorized; 403 restricted_resource; 404 object_not_found (also for
 *   resources not shared with the integration); 409 conflict_error; 429 rate_limited; 500
 *   internal_server_error; 502 bad gateway; 503 service_unavailable /
 *   database_connection_unavailable; 504 gateway_timeout; 529 service_overload.
 * - The SDK's APIErrorCode enum (@notionhq/client 5.26.0 build/src/errors.d.ts) lists the codes it
 *   recognises; a code outside it surfaces as UnknownHTTPResponseError.
 * - Messages not in the table come from captured API answers quoted in public code: 401 "API token
 *   is invalid."; 404 "Could not find page with ID: <uuid>. Make sure the relevant pages and
 *   databases are shared with your integration." (the same form with block / database); editing a
 *   trashed page "Can't edit block that is archived. You must unarchive the block before editing.".
 *   The data-source wording ("Could not find data_source with ID") is not confirmed.
 */

import { randomUUID } from 'node:crypto';

export type NotionCode =
  | 'invalid_json' | 'invalid_request_url' | 'invalid_request' | 'validation_error' | 'missing_version'
  | 'unauthorized' | 'restricted_resource' | 'object_not_found' | 'conflict_error' | 'rate_limited'
  | 'internal_server_error' | 'bad_gateway' | 'service_unavailable' | 'database_connection_unavailable'
  | 'gateway_timeout' | 'service_overload';

export const STATUS: Readonly<Record<NotionCode, number>> = {
  invalid_json: 400, invalid_request_url: 400, invalid_request: 400, validation_error: 400, missing_version: 400,
  unauthorized: 401, restricted_resource: 403, object_not_found: 404, conflict_error: 409, rate_limited: 429,
  internal_server_error: 500, bad_gateway: 502, service_unavailable: 503, database_connection_unavailable: 503,
  gateway_timeout: 504, service_overload: 529,
};

/** The code Notion uses for an injected status. */
export const CODE_FOR_STATUS: Readonly<Record<number, NotionCode>> = {
  400: 'validation_error', 401: 'unauthorized', 403: 'restricted_resource', 404: 'object_not_found', 409: 'conflict_error',
  429: 'rate_limited', 500: 'internal_server_error', 502: 'bad_gateway', 503: 'service_unavailable', 504: 'gateway_timeout',
  529: 'service_overload',
};

const DEFAULT_MESSAGE: Readonly<Record<NotionCode, string>> = {
  invalid_json: 'Error parsing JSON body.',
  invalid_request_url: 'Invalid request URL',
  invalid_request: 'Unsupported request.',
  validation_error: 'body failed validation.',
  missing_version: 'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.',
  unauthorized: 'API token is invalid.',
  restricted_resource: "Insufficient permissions for this endpoint.",
  object_not_found: 'Could not find object.',
  conflict_error: 'Conflict occurred while saving. Please try again.',
  rate_limited: "You have been rate limited. Please try again in a few minutes.",
  internal_server_error: 'Unexpected error occurred.',
  bad_gateway: 'Bad Gateway.',
  service_unavailable: 'Notion is unavailable, please try again later.',
  database_connection_unavailable: 'Database connection unavailable.',
  gateway_timeout: 'Gateway timeout.',
  service_overload: 'Notion is overloaded, please try again later.',
};

export class NotionError extends Error {
  readonly status: number;
  constructor(
    readonly code: NotionCode,
    message?: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly additionalData?: Readonly<Record<string, string>>,
  ) {
    super(message ?? DEFAULT_MESSAGE[code]);
    this.status = STATUS[code];
  }

  body(requestId: string = randomUUID()): Record<string, unknown> {
    return {
      object: 'error', status: this.status, code: this.code, message: this.message,
      ...(this.additionalData ? { additional_data: this.additionalData } : {}),
      request_id: requestId,
    };
  }
}

export type ObjectKind = 'page' | 'block' | 'database' | 'data_source' | 'user' | 'comment';

export const notFound = (kind: ObjectKind, id: string): NotionError =>
  new NotionError('object_not_found', `Could not find ${kind} with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`);

/** `body failed validation: body.page_size should be ≤ \`100\`, instead was \`101\`.` */
export const invalid = (where: 'body' | 'query' | 'path', field: string, should: string, was: unknown): NotionError =>
  new NotionError('validation_error', `${where} failed validation: ${where}.${field} should be ${should}, instead was \`${JSON.stringify(was) ?? 'undefined'}\`.`);

export const validation = (message: string): NotionError => new NotionError('validation_error', message);

export const archivedEdit = (): NotionError =>
  validation("Can't edit block that is archived. You must unarchive the block before editing.");
