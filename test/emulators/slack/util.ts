/**
 * Small helpers of the Slack emulator: Slack `ts` values, cursor pagination and argument parsing.
 *
 * Sources:
 * - `ts` is "<epoch seconds>.<6 digits>", unique per channel (every captured event in
 *   MercuryTechnologies/slack-web tests/golden/SlackWebhookEvent/*.json).
 * - Pagination: `limit`, `cursor`, `response_metadata.next_cursor` ("" on the last page), opaque
 *   base64 cursors (https://docs.slack.dev/apis/web-api/pagination; MercuryTechnologies/slack-web
 *   tests/golden/MembersRsp/test.json carries such a cursor; slackapi/java-slack-sdk
 *   json-logs/samples/api/conversations.history.json `response_metadata.next_cursor`).
 * - Arguments: form-encoded or JSON bodies, token as `Authorization: Bearer` or `token`
 *   (https://docs.slack.dev/apis/web-api/#posting_json; `@slack/web-api` sends form bodies).
 */

export class SlackError extends Error {
  constructor(readonly code: string, readonly extra: Record<string, unknown> = {}) {
    super(code);
  }
}

/** Orders two `ts` values numerically (microsecond precision). */
export function compareTs(a: string, b: string): number {
  const x = tsMicros(a);
  const y = tsMicros(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function tsMicros(ts: string): bigint {
  const [seconds = '0', fraction = '0'] = ts.split('.');
  return BigInt(seconds || '0') * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6) || '0');
}

export function formatTs(micros: bigint): string {
  return `${micros / 1_000_000n}.${String(micros % 1_000_000n).padStart(6, '0')}`;
}

/** Offset-based cursors, opaque like Slack's (base64 of "offset:<n>"). */
export function paginate<T>(all: readonly T[], args: Record<string, string>, max: number, fallback: number): { items: T[]; next: string } {
  const limit = Math.min(max, Math.max(1, Number(args['limit'] ?? fallback) || fallback));
  let offset = 0;
  if (args['cursor']) {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(args['cursor'], 'base64').toString('utf8'));
    if (!decoded) throw new SlackError('invalid_cursor');
    offset = Number(decoded[1]);
  }
  const items = all.slice(offset, offset + limit);
  const end = offset + items.length;
  return { items, next: end < all.length ? Buffer.from(`offset:${end}`).toString('base64') : '' };
}

export function parseArgs(raw: string, contentType: string, url: string): Record<string, string> {
  const args: Record<string, string> = {};
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  for (const [k, v] of new URLSearchParams(query)) args[k] = v;
  if (contentType.includes('application/json') && raw.trim() !== '') {
    for (const [k, v] of Object.entries(JSON.parse(raw) as Record<string, unknown>)) args[k] = typeof v === 'string' ? v : JSON.stringify(v);
  } else {
    for (const [k, v] of new URLSearchParams(raw)) args[k] = v;
  }
  return args;
}

export const isTrue = (value: string | undefined): boolean => value === 'true' || value === '1';

/** A short deterministic id (Slack's `block_id`s and `client_msg_id`s look random; ours are stable). */
export function shortId(seed: string, length = 5): string {
  let h = 2166136261;
  for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < length; i++) {
    out += alphabet[h % alphabet.length];
    h = Math.imul(h ^ (h >>> 13), 2654435761) >>> 0;
  }
  return out;
}

/** A UUID-shaped id derived from a seed, like the `client_msg_id` Slack clients send. */
export function uuidFrom(seed: string): string {
  const hex = [0, 1, 2, 3].map((i) => {
    let h = 2166136261 ^ i;
    for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    return h.toString(16).padStart(8, '0');
  }).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
