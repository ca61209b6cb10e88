/**
 * Payloads Notion documents or that were captured from the live API, pinned for the self-test.
 *
 * - DOCS_PAGE_CREATED / DOCS_PAGE_PROPERTIES_UPDATED / DOCS_PAGE_CONTENT_UPDATED: the "Sample
 *   event payloads" of https://developers.notion.com/reference/webhooks-events-delivery (as
 *   mirrored in roboalchemist/llm-code-docs notion/webhooks-events-delivery.md).
 * - DOCS_VERIFICATION: https://developers.notion.com/reference/webhooks, "Example payload with
 *   verification_token" (token shortened).
 * - CAPTURED_UNAUTHORIZED / CAPTURED_NOT_FOUND: live 401 / 404 bodies quoted in public code and
 *   guides (jeremylongshore notion-common-errors; a pytest fixture "Could not find page with ID"),
 *   with `request_id` as https://developers.notion.com/reference/status-codes lists it.
 * - DOCS_MISSING_VERSION: the message example of the status-codes table.
 */

type Json = Record<string, unknown>;

const author = [{ id: 'c7c11cca-1d73-471d-9b6e-bdef51470190', type: 'person' }];
const accessible = [
  { id: '556a1abf-4f08-40c6-878a-75890d2a88ba', type: 'person' },
  { id: '1edc05f6-2702-81b5-8408-00279347f034', type: 'bot' },
];
const common = {
  workspace_id: '13950b26-c203-4f3b-b97d-93ec06319565', workspace_name: 'Quantify Labs',
  subscription_id: '29d75c0d-5546-4414-8459-7b7a92f1fc4b', integration_id: '0ef2e755-4912-8096-91c1-00376a88a5ca',
  authors: author, accessible_by: accessible, attempt_number: 1,
};

export const DOCS_PAGE_CREATED: Json = {
  id: '367cba44-b6f3-4c92-81e7-6a2e9659efd4', timestamp: '2024-12-05T23:55:34.285Z', ...common, type: 'page.created',
  entity: { id: '153104cd-477e-809d-8dc4-ff2d96ae3090', type: 'page' },
  data: { parent: { id: '0ef104cd-477e-80e1-8571-cfd10e92339a', type: 'page' } },
};

export const DOCS_PAGE_PROPERTIES_UPDATED: Json = {
  id: '1782edd6-a853-4d4a-b02c-9c8c16f28e53', timestamp: '2024-12-05T23:57:05.379Z', ...common, type: 'page.properties_updated',
  entity: { id: '153104cd-477e-809d-8dc4-ff2d96ae3090', type: 'page' },
  data: { parent: { id: '13950b26-c203-4f3b-b97d-93ec06319565', type: 'space' }, updated_properties: ['XGe%40', 'bDf%5B', 'DbAu'] },
};

export const DOCS_PAGE_CONTENT_UPDATED: Json = {
  id: '56c3e00c-4f0c-4566-9676-4b058a50a03d', timestamp: '2024-12-05T19:49:36.997Z', ...common, type: 'page.content_updated',
  entity: { id: '0ef104cd-477e-80e1-8571-cfd10e92339a', type: 'page' },
  data: {
    updated_blocks: [{ id: '153104cd-477e-80ec-a87d-f7ff0236d35c', type: 'block' }],
    parent: { id: '0ef104cd-477e-80e1-8571-cfd10e92339a', type: 'page' },
  },
};

export const DOCS_VERIFICATION: Json = { verification_token: 'secret_tMrlL1qK5vuQAh1b6cZGhFChZTSYJlce98V0pYn7yBl' };

export const CAPTURED_UNAUTHORIZED: Json = {
  object: 'error', status: 401, code: 'unauthorized', message: 'API token is invalid.', request_id: '00000000-0000-4000-8000-000000000000',
};

export const CAPTURED_NOT_FOUND: Json = {
  object: 'error', status: 404, code: 'object_not_found',
  message: 'Could not find page with ID: 0ef104cd-477e-80e1-8571-cfd10e92339a. Make sure the relevant pages and databases are shared with your integration.',
  request_id: '00000000-0000-4000-8000-000000000000',
};

export const DOCS_MISSING_VERSION: Json = {
  object: 'error', status: 400, code: 'missing_version',
  message: 'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.',
  request_id: '00000000-0000-4000-8000-000000000000',
};

/** A value's shape: object keys (sorted) with their shapes, an array's first element, or a typeof. */
export function shapeOf(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (typeof value === 'object') {
    return Object.fromEntries(Object.keys(value as Json).sort().map((k) => [k, shapeOf((value as Json)[k])]));
  }
  return typeof value;
}
