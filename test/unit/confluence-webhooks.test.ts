import { describe, expect, it } from 'vitest';
import { decodeConfluenceWebhook } from '../../shared/connectors/confluence/webhooks.ts';
import { HttpError } from '../../shared/core/errors.ts';
import type { WebhookRequest } from '../../shared/ports/index.ts';
import { dcPayload, signConfluenceBody } from '../emulators/confluence.ts';

const SECRET = 'dc-webhook-secret';
const NOW = Date.parse('2026-03-02T10:00:00.000Z');
const source = { id: 'wiki', includeBlogPosts: false };

/** A delivery as Confluence Data Center signs it (the emulator's signing helper, from Atlassian's docs). */
function request(body: string, signature: string | null = signConfluenceBody(SECRET, body), nowMs = NOW): WebhookRequest {
  return {
    headers: { 'content-type': 'application/json', ...(signature !== null ? { 'X-Hub-Signature': signature } : {}) },
    rawBody: new TextEncoder().encode(body), body, secret: SECRET, nowMs,
  };
}

const payload = (event: Parameters<typeof dcPayload>[0], id = '65540', type: 'page' | 'blogpost' = 'page', at = NOW): string =>
  JSON.stringify(dcPayload(event, { id, type }, '5b10ac8d82e05b22cc7d4001', at, event.endsWith('_updated') ? { updateTrigger: 'edit_page' } : {}));

function rejection(req: WebhookRequest, src = source): HttpError {
  try {
    decodeConfluenceWebhook(src, req);
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return error as HttpError;
  }
  return expect.fail('expected an HttpError');
}

describe('Confluence Data Center webhooks', () => {
  it.each(['page_created', 'page_updated', 'page_moved', 'page_trashed', 'page_removed', 'page_restored'] as const)('%s names the page', (event) => {
    // Act
    const answer = decodeConfluenceWebhook(source, request(payload(event)));

    // Assess
    expect(answer).toMatchObject({ statusCode: 200, hints: { sourceId: 'wiki', ids: ['65540'] } });
    expect(answer.delivery).toMatchObject({ replay: { statusCode: 200 } });
    expect(answer.delivery!.ttlMs).toBeGreaterThan(10 * 60_000);
  });

  it('gives one delivery id per signed body, so a replay is recognised and a new event is not', () => {
    // Act
    const body = payload('page_updated');
    const first = decodeConfluenceWebhook(source, request(body));
    const again = decodeConfluenceWebhook(source, request(body));
    const later = decodeConfluenceWebhook(source, request(payload('page_updated', '65540', 'page', NOW + 1)));

    // Assess
    expect(again.delivery!.id).toBe(first.delivery!.id);
    expect(later.delivery!.id).not.toBe(first.delivery!.id);
  });

  it('names blog posts only when the source indexes them, and ignores other events', () => {
    // Act
    const ignored = decodeConfluenceWebhook(source, request(payload('blog_created', '70000', 'blogpost')));
    const named = decodeConfluenceWebhook({ ...source, includeBlogPosts: true }, request(payload('blog_created', '70000', 'blogpost')));
    const other = decodeConfluenceWebhook(source, request(JSON.stringify({ timestamp: NOW, event: 'space_created', userKey: 'ff80', space: { key: 'X' } })));

    // Assess
    expect(ignored).toEqual({ statusCode: 200, body: { ok: true, ignored: 'blog_created' } });
    expect(named.hints).toEqual({ sourceId: 'wiki', ids: ['70000'] });
    expect(other).toEqual({ statusCode: 200, body: { ok: true, ignored: 'space_created' } });
  });

  it('refuses a missing, forged or tampered signature with 401 before reading the body', () => {
    // Prepare
    const body = payload('page_updated');

    // Act / Assess
    expect(rejection(request(body, null)).statusCode).toBe(401);
    expect(rejection(request(body, signConfluenceBody('not-the-secret', body))).statusCode).toBe(401);
    expect(rejection(request(body.replace('65540', '65541'), signConfluenceBody(SECRET, body))).statusCode).toBe(401);
    expect(rejection(request('not json', 'sha256=00')).statusCode).toBe(401);
  });

  it('refuses a stale signed timestamp (a replay outside the window) with 401', () => {
    const error = rejection(request(payload('page_updated', '65540', 'page', NOW - 6 * 60_000)));
    expect(error.statusCode).toBe(401);
    expect(error.message).toMatch(/360 s old, outside the 5-minute window/);
  });

  it.each([
    ['not json', /not valid JSON/],
    ['[1]', /must be a JSON object/],
    [JSON.stringify({ timestamp: NOW, page: { id: 1 } }), /"event" must be a non-empty string/],
    [JSON.stringify({ event: 'page_updated', page: { id: 1 } }), /"timestamp" must be a number/],
    [JSON.stringify({ timestamp: NOW, event: 'page_updated' }), /"page.id" must be a Confluence content id/],
    [JSON.stringify({ timestamp: NOW, event: 'page_updated', page: { id: -4 } }), /"page.id" must be a Confluence content id/],
  ])('answers a signed but malformed body %s with 400', (body, pattern) => {
    const error = rejection(request(body));
    expect(error.statusCode).toBe(400);
    expect(error.message).toMatch(pattern);
  });
});
