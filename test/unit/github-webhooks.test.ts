/** GitHub webhook decoding: signature over raw bytes first, delivery GUID as replay key, events to hints. */
import { describe, expect, it } from 'vitest';
import { githubSource } from '../../shared/connectors/github/config.ts';
import { decodeGitHubWebhook } from '../../shared/connectors/github/webhooks.ts';
import { HttpError } from '../../shared/core/errors.ts';
import { hmacOf } from '../../shared/connectors/kit/webhook-verify.ts';

const SECRET = "It's a Secret to Everybody";
const source = githubSource.parse({ id: 'gh', kind: 'github', repositories: [{ owner: 'acme', repo: 'docs' }], issues: { enabled: true } });
const sign = (body: string, secret = SECRET): string => `sha256=${hmacOf(secret, body)}`;

function request(event: string, payload: unknown, headers: Record<string, string | undefined> = {}) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return {
    headers: { 'x-github-event': event, 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958', 'x-hub-signature-256': sign(body), ...headers },
    rawBody: new TextEncoder().encode(body), body, secret: SECRET, nowMs: Date.now(),
  };
}
const statusOf = (fn: () => unknown): number | undefined => {
  try { fn(); } catch (error) { return error instanceof HttpError ? error.statusCode : -1; }
  return undefined;
};
const repository = { full_name: 'acme/docs', default_branch: 'main' };

describe('github webhooks', () => {
  it('signs like GitHub documents (test vector)', () => {
    expect(sign('Hello, World!')).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
  });

  it('refuses a bad or missing signature with 401 before looking at anything else', () => {
    expect(statusOf(() => decodeGitHubWebhook(source, request('push', '{not json', { 'x-hub-signature-256': sign('other') })))).toBe(401);
    expect(statusOf(() => decodeGitHubWebhook(source, request('nope', {}, { 'x-hub-signature-256': undefined, 'x-github-delivery': undefined })))).toBe(401);
  });

  it('answers malformed deliveries with 400', () => {
    expect(statusOf(() => decodeGitHubWebhook(source, request('push', '{not json')))).toBe(400);
    expect(statusOf(() => decodeGitHubWebhook(source, request('push', { ref: 'refs/heads/main' }, { 'x-github-delivery': undefined })))).toBe(400);
    expect(statusOf(() => decodeGitHubWebhook(source, request('issues', { repository, issue: { number: 'x' } })))).toBe(400);
  });

  it('turns a push to the indexed branch into a sync hint, ignores other refs, dedupes by delivery', () => {
    const answer = decodeGitHubWebhook(source, request('push', { ref: 'refs/heads/main', repository }));
    expect(answer.hints).toEqual({ sourceId: 'gh', ids: [] });
    expect(answer.delivery).toMatchObject({ id: 'gh:72d3162e-cc78-11e3-81ab-4c9367dc0958', replay: { statusCode: 200 } });
    expect(answer.delivery!.ttlMs).toBeGreaterThan(3 * 86_400_000);
    expect(decodeGitHubWebhook(source, request('push', { ref: 'refs/heads/feature', repository })).hints).toBeUndefined();
    expect(decodeGitHubWebhook(source, request('push', { ref: 'refs/heads/main', repository: { full_name: 'acme/other' } })).hints).toBeUndefined();
    expect(decodeGitHubWebhook(source, request('ping', { zen: 'Keep it logically awesome.' })).statusCode).toBe(200);
  });

  it('names the issue of issue, comment and pull request events', () => {
    expect(decodeGitHubWebhook(source, request('issues', { action: 'deleted', repository, issue: { number: 4 } })).hints!.ids).toEqual(['acme/docs#4']);
    expect(decodeGitHubWebhook(source, request('issue_comment', { action: 'created', repository, issue: { number: 5 } })).hints!.ids).toEqual(['acme/docs#5']);
    expect(decodeGitHubWebhook(source, request('pull_request', { action: 'opened', repository, pull_request: { number: 6 } })).hints!.ids).toEqual(['acme/docs#6']);
  });
});
