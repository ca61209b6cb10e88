/**
 * The connector kit: what every SaaS connector reuses. See docs/connectors.md.
 *
 * - http: {@link HttpClient} — timeouts, retries with backoff and jitter honouring
 *   `Retry-After` and rate-limit headers, per-minute pacing, a per-run request budget, typed errors.
 * - pagination: cursor, token and offset paging with loop guards and resumable positions.
 * - cursors: watermark (timestamp keyset), page and change-token cursors, decoded with zod.
 * - listing: slim `list()` listings with dedupe and guards.
 * - fetch-each: `fetch(ids)` one request per document, one document's refusal skipped, not fatal.
 * - webhook-verify: timestamped HMAC verification, constant-time compare, header helpers.
 */
export * from './errors.ts';
export * from './retry.ts';
export * from './http.ts';
export * from './pagination.ts';
export * from './cursors.ts';
export * from './listing.ts';
export * from './fetch-each.ts';
export * from './webhook-verify.ts';
