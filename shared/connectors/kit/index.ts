/**
 * The connector kit: what every SaaS connector reuses. See docs/connectors.md.
 *
 * - http: {@link HttpClient} — timeouts, retries, waits and pacing by the rules of
 *   shared/resilience, typed errors.
 * - pagination: cursor (or page token) and offset paging with loop guards and resumable positions.
 * - cursors: watermark (timestamp keyset), page and change-token cursors, decoded with zod.
 * - listing: slim `list()` listings with dedupe and guards.
 * - fetch-each: `fetch(ids)` one request per document, one document's refusal skipped, not fatal.
 * - webhook-verify: timestamped HMAC verification, constant-time compare, header helpers.
 * - days: calendar days in a time zone, for documents of one chat and day; minute literals
 *   in a user's zone (JQL, CQL).
 * - text: bytes to text (UTF-8/UTF-16, binary refused), a Markdown document's title.
 * - extract: text out of files (PDF, Word, PowerPoint, Excel, HTML, text), or why not.
 * - adf: Atlassian Document Format to Markdown.
 */
export * from './errors.ts';
export * from './http.ts';
export * from './pagination.ts';
export * from './cursors.ts';
export * from './listing.ts';
export * from './fetch-each.ts';
export * from './webhook-verify.ts';
export * from './days.ts';
export * from './text.ts';
export * from './adf.ts';
export * from './extract.ts';
