/**
 * Payloads as Tempo documents them or as a client captured them; the self-test holds the
 * emulator's output to their shape (field names and kinds of values), not their values.
 *
 * Sources:
 * - DOCS_* : https://apidocs.tempo.io/ (OpenAPI v4.0; copy in chrischall/tempo-api-mcp
 *   tempo-openapi.yaml) — schema examples of `Worklog`, `PageableMetadata`, `ErrorBean`,
 *   `DeletedWorklogBean`, `AuditLogEvent`, `WorklogIdMapper`, and the "Supported events" worklog
 *   webhook example.
 * - CAPTURED_WORKLOG : a v4 worklog from api.eu.tempo.io as thijsnissen/worklog's
 *   JsonParsingTest.kt decodes it (values replaced, field set and link forms kept).
 */

export const DOCS_WORKLOG = {
  self: 'https://api.tempo.io/4/worklogs/126',
  tempoWorklogId: 126,
  issue: { self: 'https://api.tempo.io/[...]', id: 124 },
  timeSpentSeconds: 3600,
  billableSeconds: 100201,
  startDate: '2017-02-05',
  startTime: '16:06:00',
  startDateTimeUtc: '2017-02-05T16:06:00.000Z',
  description: 'Investigating a problem with our external database system',
  createdAt: '2017-02-06T16:41:41.000Z',
  updatedAt: '2017-02-06T16:41:41.000Z',
  author: { self: 'https://api.tempo.io/[...]', accountId: '123456:01234567-89ab-cdef-0123-456789abcdef' },
  attributes: { self: 'https://api.tempo.io/[...]', values: [{ key: '_COLOR_', value: 'green' }] },
} as const;

export const CAPTURED_WORKLOG = {
  self: 'https://api.eu.tempo.io/4/worklogs/4242',
  tempoWorklogId: 4242,
  issue: { self: 'https://example.atlassian.net/rest/api/2/issue/10042', id: 10042 },
  timeSpentSeconds: 5400,
  billableSeconds: 0,
  startDate: '2024-03-04',
  startTime: '09:30:00',
  startDateTimeUtc: '2024-03-04T08:30:00Z',
  description: 'Refinement',
  createdAt: '2024-03-04T10:01:12Z',
  updatedAt: '2024-03-04T10:01:12Z',
  author: { self: 'https://example.atlassian.net/rest/api/2/user?accountId=712020:abc', accountId: '712020:abc' },
  attributes: { self: 'https://api.eu.tempo.io/4/worklogs/4242/work-attribute-values', values: [] },
} as const;

export const DOCS_PAGE_METADATA = { count: 1, offset: 0, limit: 50, next: 'https://api.tempo.io/[...]', previous: 'https://api.tempo.io/[...]' } as const;

export const DOCS_ERROR = { errors: [{ message: "'date' must be valid on the format: 'yyyy-MM-dd'" }] } as const;

export const DOCS_DELETED_WORKLOG = { deletedAt: '2023-05-09T10:51:10.807Z', jiraWorklogId: '10038', tempoWorklogId: '38' } as const;

export const DOCS_AUDIT_EVENT = {
  action: 'Deleted', author: '63d4e56ec565900ff40683ad', changes: [], entityId: '38', entityType: 'worklog', parentId: '10001',
  timestamp: '2023-05-09T10:51:10.807Z', worker: '63d4e56ec565900ff40683ad',
} as const;

export const DOCS_ID_MAPPER = { tempoWorklogId: 12345, jiraWorklogId: 12345 } as const;

export const DOCS_WEBHOOK_WORKLOG_CREATED = {
  eventId: 'e39e27c7-dcdb-4178-83e4-57254cf13bfa',
  eventType: 'worklog.created',
  payload: {
    author: { accountId: '636e810fc9b26a8d857d461c' },
    updater: { accountId: '636e810fc9b26a8d857d461c' },
    billableSeconds: 3600,
    createdAt: '2023-05-09T10:44:38.173Z',
    description: 'Description',
    issue: { id: 10001 },
    startDate: '2023-05-01',
    startTime: '16:00:00',
    tempoWorklogId: 37,
    timeSpentSeconds: 3600,
    updatedAt: '2023-05-09T10:44:38.173Z',
  },
} as const;

/** "kind" of each value, recursively: what the test compares. */
export function kindOf(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length ? [kindOf(value[0])] : [];
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, kindOf(v)]));
  return typeof value;
}
