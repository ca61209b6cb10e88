/**
 * Payloads as Fireflies publishes or sent them, which the emulator's test holds its output to.
 * Only shapes are pinned (field names and kinds of values), not the example values.
 *
 * Sources:
 * - DOCS_V2_* : https://docs.fireflies.ai/graphql-api/webhooks-v2 ("Example Payloads").
 * - DOCS_V1 : https://docs.fireflies.ai/graphql-api/webhooks ("Example Payload").
 * - DOCS_ERROR_* : https://docs.fireflies.ai/miscellaneous/error-codes.
 * - CAPTURED_TRANSCRIPT : a transcript the API returned for a 42-second upload, as Pipedream
 *   ships it as the test event of its "New Meeting Created" source
 *   (@pipedream/fireflies 0.1.2, sources/new-meeting-created/test-event.mjs; audio_url cut).
 */

export const DOCS_V2_TRANSCRIBED = {
  event: 'meeting.transcribed',
  timestamp: 1710876543210,
  meeting_id: 'ASxwZxCstx',
  client_reference_id: 'be582c46-4ac9-4565-9ba6-6ab4264496a8',
} as const;

export const DOCS_V2_SUMMARIZED = {
  event: 'meeting.summarized',
  timestamp: 1710876789456,
  meeting_id: 'ASxwZxCstx',
} as const;

export const DOCS_V1 = {
  meetingId: 'ASxwZxCstx',
  eventType: 'Transcription completed',
  clientReferenceId: 'be582c46-4ac9-4565-9ba6-6ab4264496a8',
} as const;

export const DOCS_ERROR_NOT_FOUND = {
  message: 'User not found',
  code: 'object_not_found',
  extensions: { code: 'object_not_found', status: 404, metadata: { objectType: 'User' } },
} as const;

export const DOCS_ERROR_TOO_MANY = {
  message: 'Too many requests. Please retry after 2:45:45 AM (UTC)',
  code: 'too_many_requests',
  extensions: { code: 'too_many_requests', status: 429, metadata: { retryAfter: 1720651545066 } },
} as const;

export const DOCS_ERROR_INVALID = {
  message: 'Invalid argument(s) were provided',
  code: 'invalid_arguments',
  extensions: {
    code: 'invalid_arguments',
    status: 400,
    metadata: { fields: [{ name: 'fromDate', message: 'fromDate must be a Date instance', constraints: [{ type: 'isDate', message: 'fromDate must be a Date instance' }] }] },
  },
} as const;

export const CAPTURED_TRANSCRIPT = {
  id: 'OvwNiwrXXWzo6q1v',
  title: 'file_example',
  transcript_url: 'https://app.fireflies.ai/view/OvwNiwrXXWzo6q1v',
  duration: 0.700952410697937,
  date: 1713201000000,
  audio_url: 'https://rtmp-server-ff.s3.amazonaws.com/OvwNiwrXXWzo6q1v/audio.mp3',
  video_url: null,
  sentences: null,
  calendar_id: null,
  summary: { action_items: '', keywords: [], outline: '', overview: '', shorthand_bullet: '' },
  user: { user_id: 'VsFnU96JJB', name: 'Test User' },
} as const;

/** The query Pipedream sent to get CAPTURED_TRANSCRIPT (its listTranscriptsByDate selection). */
export const CAPTURED_QUERY = /* GraphQL */ `
  query Transcripts($fromDate: DateTime, $limit: Int, $skip: Int) {
    transcripts(fromDate: $fromDate, limit: $limit, skip: $skip) {
      id title transcript_url duration date audio_url video_url
      sentences { text }
      calendar_id
      summary { action_items keywords outline overview shorthand_bullet }
      user { user_id name }
    }
  }
`;

/** "kind" of each value: the test compares these, recursively. */
export function kindOf(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length ? [kindOf(value[0])] : [];
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, kindOf(v)]));
  return typeof value;
}
