import { describe, expect, it } from 'vitest';
import { decodeJiraWebhook } from '../../shared/connectors/jira/webhooks.ts';
import { HttpError } from '../../shared/core/errors.ts';
import { signJiraBody } from '../emulators/jira.ts';

const SECRET = "It's a Secret to Everybody";

function request(body: string, headers: Record<string, string | undefined> = {}, secret = SECRET) {
  return {
    headers: { 'x-hub-signature': signJiraBody(body, secret), 'x-atlassian-webhook-identifier': 'd-1', ...headers },
    rawBody: new TextEncoder().encode(body), body, secret: SECRET, nowMs: Date.now(),
  };
}
const decode = (body: string, headers?: Record<string, string | undefined>, secret?: string) => decodeJiraWebhook({ id: 'issues' }, request(body, headers, secret));
function status(fn: () => unknown): number {
  try { fn(); } catch (error) { expect(error).toBeInstanceOf(HttpError); return (error as HttpError).statusCode; }
  return expect.fail('expected an HttpError');
}
const issueEvent = (event: string, extra: Record<string, unknown> = {}) => JSON.stringify({ webhookEvent: event, issue: { id: '10042', key: 'ENG-7' }, ...extra });

describe('jira webhooks', () => {
  it('signs like Atlassian\'s vector', () => {
    expect(signJiraBody('Hello World!', SECRET)).toMatch(/^sha256=a4771c39/);
  });

  it('turns issue and comment events into hints naming the issue, deduplicated by the delivery identifier', () => {
    for (const event of ['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted', 'comment_created', 'comment_deleted']) {
      const answer = decode(issueEvent(event));
      expect(answer).toMatchObject({ statusCode: 200, hints: { sourceId: 'issues', ids: ['10042'] }, delivery: { id: 'jira:d-1', replay: { statusCode: 200 } } });
    }
  });

  it('a rename or move asks for an incremental sync (the pass refreshes the children); a status change names the issue', () => {
    const renamed = decode(issueEvent('jira:issue_updated', { changelog: { items: [{ field: 'summary', fieldId: 'summary', fromString: 'a', toString: 'b' }] } }));
    expect(renamed.hints).toEqual({ sourceId: 'issues', ids: [] });
    const moved = decode(issueEvent('jira:issue_updated', { changelog: { items: [{ field: 'Key', fieldId: 'issuekey' }] } }));
    expect(moved.hints?.ids).toEqual([]);
    const status = decode(issueEvent('jira:issue_updated', { issue_event_type_name: 'issue_generic', changelog: { items: [{ field: 'status', fieldId: 'status' }] } }));
    expect(status.hints?.ids).toEqual(['10042']);
  });

  it('ignores worklog and other events with a 200 and no hint', () => {
    expect(decode(JSON.stringify({ webhookEvent: 'worklog_created', worklog: { id: '1' } }))).toEqual({ statusCode: 200, body: { ok: true, ignored: 'worklog_created' } });
    expect(decode(JSON.stringify({ webhookEvent: 'project_created' })).hints).toBeUndefined();
  });

  it('401 for a missing or wrong signature before looking at the body; 400 for a malformed one', () => {
    expect(status(() => decode('not json', { 'x-hub-signature': undefined }))).toBe(401);
    expect(status(() => decode(issueEvent('jira:issue_created'), {}, 'another secret'))).toBe(401);
    expect(status(() => decode('not json'))).toBe(400);
    expect(status(() => decode('[]'))).toBe(400);
    expect(status(() => decode(JSON.stringify({ issue: { id: '1' } })))).toBe(400);
    expect(status(() => decode(JSON.stringify({ webhookEvent: 'jira:issue_created', issue: { id: 'ENG-1' } })))).toBe(400);
  });
});
