/**
 * The Slack emulator against Slack's own captured payloads (field sets in ./slack/samples.ts):
 * every kind of poster, threads, edits, deletions and tombstones, as Events API deliveries and as
 * conversations.history / conversations.replies return them; the envelope and its signing; the
 * Web API's errors, scopes, pagination and rate limiting.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API, AUTHORIZATION, ENVELOPE, EVENTS, NESTED, type Sample } from './slack/samples.ts';
import {
  OWN_APP, RETRY_REASONS, SlackEmulator, signSlackRequest, TOMBSTONE_TEXT, verifySlackSignature, type EmulatedApp, type Posted,
} from './slack.ts';

type Json = Record<string, unknown>;

const GENERAL = 'C0GENERAL';
const SECRET_ROOM = 'G0SECRET';
const CI: EmulatedApp = { appId: 'A0CIAPP01', botId: 'B0CIBOT01', botUserId: 'U0CIBOT01', name: 'CI' };
const EVENT_ONLY = ['channel', 'event_ts', 'channel_type'];

const keys = (o: unknown): string[] => Object.keys(o as Json).sort();
const expected = (s: Sample): string[] => [...s.keys.filter((k) => !s.omit?.includes(k)), ...(s.extra ?? [])].sort();
const eventOf = (p: Posted | Json): Json => ('envelope' in p ? (p as Posted).envelope : p)['event'] as Json;

let slack: SlackEmulator;
let nowMs: number;

async function api(method: string, args: Record<string, string> = {}, token: string | null = slack.token): Promise<{ status: number; headers: Headers; body: Json }> {
  const response = await fetch(`${slack.url}${method}`, {
    method: 'POST', body: new URLSearchParams(args).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Json };
}

async function history(channel = GENERAL): Promise<Json[]> {
  const { body } = await api('conversations.history', { channel });
  expect(body['ok'], JSON.stringify(body)).toBe(true);
  return body['messages'] as Json[];
}

async function replies(ts: string, channel = GENERAL): Promise<Json[]> {
  const { body } = await api('conversations.replies', { channel, ts, limit: '100' });
  expect(body['ok'], JSON.stringify(body)).toBe(true);
  return body['messages'] as Json[];
}

beforeEach(async () => {
  nowMs = Date.parse('2026-01-05T10:00:00Z');
  slack = await SlackEmulator.start({ now: () => (nowMs += 1000) });
  slack.addUser({ id: 'U0ALICE', name: 'alice', realName: 'Alice Liddell', displayName: 'Alice' });
  slack.addUser({ id: 'U0BOB', name: 'bob', realName: 'Bob Builder' });
  slack.addApp(CI);
  slack.addChannel({ id: GENERAL, name: 'general', members: ['U0ALICE', 'U0BOB'] });
  slack.addChannel({ id: SECRET_ROOM, name: 'secret', isPrivate: true, member: false });
});

afterEach(async () => {
  await slack.close();
});

describe('who posted: each poster as Slack delivers and returns it', () => {
  const posters: Array<[string, Sample, () => Posted, (e: Json) => void]> = [
    ['a person', EVENTS.person, () => slack.postAsUser({ channel: GENERAL, user: 'U0ALICE', text: 'hello' }), (e) => {
      expect(e['user']).toBe('U0ALICE');
      for (const k of ['subtype', 'bot_id', 'bot_profile', 'app_id']) expect(e).not.toHaveProperty(k);
    }],
    ['an app with its bot token', EVENTS.app, () => slack.postAsApp({ channel: GENERAL, app: CI.appId, text: 'deploy finished' }), (e) => {
      expect(e).not.toHaveProperty('subtype');
      expect(e).toMatchObject({ user: CI.botUserId, bot_id: CI.botId, app_id: CI.appId });
      expect(keys(e['bot_profile'])).toEqual(expected(NESTED.botProfile));
      expect(keys((e['bot_profile'] as Json)['icons'])).toEqual(expected(NESTED.botIcons));
      expect(e['bot_profile']).toMatchObject({ id: CI.botId, app_id: CI.appId, name: 'CI', deleted: false });
      expect(e['blocks']).toEqual([expect.objectContaining({ type: 'rich_text' })]);
    }],
    ['a legacy integration', EVENTS.legacyBot, () => slack.postLegacyBot({ channel: GENERAL, botId: 'B0LEGACY1', username: 'github', text: 'Pushing is the answer' }), (e) => {
      expect(e).toMatchObject({ subtype: 'bot_message', bot_id: 'B0LEGACY1', username: 'github' });
      for (const k of ['user', 'bot_profile', 'app_id']) expect(e).not.toHaveProperty(k);
    }],
    ['an incoming webhook', EVENTS.webhook, () => slack.postWebhook({ channel: GENERAL, text: 'build green', username: 'Slackistrano', icons: { image_48: 'https://example.com/48.png' } }), (e) => {
      expect(e).toMatchObject({ subtype: 'bot_message', username: 'Slackistrano' });
      expect(e).not.toHaveProperty('user');
      expect(keys(e['bot_profile'])).toEqual(expected(NESTED.botProfile));
    }],
    ['a workflow', EVENTS.workflow, () => slack.postWorkflow({ channel: GENERAL, text: 'Standup time' }), (e) => {
      expect(e).toMatchObject({ subtype: 'bot_message', username: 'Standup workflow' });
      for (const k of ['user', 'bot_profile']) expect(e).not.toHaveProperty(k);
      expect(e['bot_id']).toMatch(/^B/);
      expect(e['app_id']).toMatch(/^A/);
    }],
    ['a file share', EVENTS.fileShare, () => slack.shareFile({ channel: GENERAL, user: 'U0BOB', text: 'the notes', file: { name: 'notes.txt' } }), (e) => {
      expect(e).toMatchObject({ subtype: 'file_share', user: 'U0BOB', upload: true });
      expect(keys((e['files'] as Json[])[0])).toEqual(expected(NESTED.file));
    }],
    ['a join', EVENTS.channelJoin, () => slack.join({ channel: GENERAL, user: 'U0BOB', inviter: 'U0ALICE' }), (e) => {
      expect(e).toMatchObject({ subtype: 'channel_join', user: 'U0BOB', text: '<@U0BOB> has joined the channel', inviter: 'U0ALICE' });
    }],
    ['a leave', EVENTS.channelLeave, () => slack.leave({ channel: GENERAL, user: 'U0BOB' }), (e) => expect(e['subtype']).toBe('channel_leave')],
    ['a /me message', EVENTS.meMessage, () => slack.meMessage({ channel: GENERAL, user: 'U0ALICE', text: 'waves' }), (e) => expect(e['subtype']).toBe('me_message')],
    ['a topic change', EVENTS.channelTopic, () => slack.setTopic({ channel: GENERAL, user: 'U0ALICE', topic: 'Deploys' }), (e) => expect(e).toMatchObject({ subtype: 'channel_topic', topic: 'Deploys' })],
  ];

  it.each(posters)('%s: the event has the captured field set', (_name, sample, seed, check) => {
    // Act
    const event = eventOf(seed());

    // Assess
    expect(keys(event)).toEqual(expected(sample));
    expect(event['type']).toBe('message');
    expect(event).toMatchObject({ channel: GENERAL, channel_type: 'channel', event_ts: event['ts'] });
    check(event);
  });

  it.each(posters)('%s: conversations.history returns the same object without the event-only fields', async (_name, _sample, seed) => {
    // Prepare
    const posted = seed();

    // Act
    const [first] = await history();

    // Assess
    const event = eventOf(posted);
    expect(first).toEqual(Object.fromEntries(Object.entries(event).filter(([k]) => !EVENT_ONLY.includes(k))));
  });

  it('a rename sends channel_rename and leaves a channel_name message', async () => {
    // Act
    const renamed = slack.rename(GENERAL, 'town-square', 'U0ALICE');
    const [notice] = await history();

    // Assess
    expect(renamed['event']).toMatchObject({ type: 'channel_rename', channel: { id: GENERAL, name: 'town-square' } });
    expect(keys(eventOf(slack.events.at(-1)!))).toEqual(expected(EVENTS.channelName));
    expect(notice).toMatchObject({ subtype: 'channel_name', old_name: 'general', name: 'town-square', user: 'U0ALICE' });
  });

  it('a bot_message never has a user: the compatible post refuses botId with user', () => {
    expect(() => slack.post({ channel: GENERAL, user: 'U0ALICE', botId: 'B0X', text: 'x' })).toThrow(/no user/);
    expect(eventOf(slack.post({ channel: GENERAL, botId: 'B0X', username: 'ci', text: 'x' }))).toMatchObject({ subtype: 'bot_message', username: 'ci' });
  });
});

describe('threads', () => {
  it('replies carry thread_ts and parent_user_id; the parent gains its thread fields; history leaves replies out', async () => {
    // Prepare
    const parent = slack.postAsUser({ channel: GENERAL, user: 'U0ALICE', text: 'who owns the runbook?' }).ts;
    const human = slack.postAsUser({ channel: GENERAL, user: 'U0BOB', text: 'I do', threadTs: parent });
    const app = slack.postAsApp({ channel: GENERAL, app: CI, text: 'linked', threadTs: parent });

    // Act
    const thread = await replies(app.ts);
    const top = await history();

    // Assess
    expect(keys(eventOf(human))).toEqual(expected(EVENTS.personReply));
    expect(keys(eventOf(app))).toEqual(expected(EVENTS.appReply));
    expect(eventOf(human)).toMatchObject({ thread_ts: parent, parent_user_id: 'U0ALICE' });
    expect(thread.map((m) => m['ts'])).toEqual([parent, human.ts, app.ts]);
    expect(thread[0]).toMatchObject({
      thread_ts: parent, reply_count: 2, reply_users_count: 2, reply_users: ['U0BOB', CI.botUserId], latest_reply: app.ts, is_locked: false, subscribed: false,
    });
    expect(top.map((m) => m['ts'])).toEqual([parent]);
    expect(top[0]).toEqual(thread[0]);
  });

  it('a thread broadcast shows in history with its root', async () => {
    // Prepare
    const parent = slack.postAsUser({ channel: GENERAL, user: 'U0ALICE', text: 'original' }).ts;

    // Act
    const broadcast = slack.postAsUser({ channel: GENERAL, user: 'U0BOB', text: 'moved to #ops', threadTs: parent, broadcast: true });
    const top = await history();

    // Assess
    const event = eventOf(broadcast);
    expect(keys(event)).toEqual(expected(EVENTS.threadBroadcast));
    expect(keys(event['root'])).toEqual(expected(NESTED.broadcastRoot));
    expect(event).toMatchObject({ subtype: 'thread_broadcast', thread_ts: parent, root: { ts: parent, reply_count: 1, latest_reply: broadcast.ts } });
    expect(top.map((m) => [m['ts'], m['subtype']])).toEqual([[broadcast.ts, 'thread_broadcast'], [parent, undefined]]);
    expect((await replies(parent)).map((m) => m['ts'])).toEqual([parent, broadcast.ts]);
  });
});

describe('edits and deletions', () => {
  it('an edit is message_changed with the new and the previous message', async () => {
    // Prepare
    const { ts } = slack.postAsUser({ channel: GENERAL, user: 'U0ALICE', text: 'teh plan' });

    // Act
    const changed = eventOf(slack.edit(GENERAL, ts, 'the plan'));
    const [stored] = await history();

    // Assess
    expect(keys(changed)).toEqual(expected(EVENTS.messageChanged));
    expect(keys(changed['message'])).toEqual(expected(NESTED.editedMessage));
    expect(keys(changed['previous_message'])).toEqual(expected(NESTED.editedPrevious));
    expect(changed).toMatchObject({ subtype: 'message_changed', hidden: true, message: { ts, text: 'the plan', edited: { user: 'U0ALICE' } }, previous_message: { text: 'teh plan' } });
    expect(((changed['message'] as Json)['edited'] as Json)['ts']).toMatch(/^\d+\.000000$/);
    expect(changed['ts']).not.toBe(ts);
    expect(stored).toMatchObject({ ts, text: 'the plan', edited: { user: 'U0ALICE' } });
  });

  it('an edited reply keeps its thread fields; an app edit is stamped with its bot id', () => {
    // Prepare
    const parent = slack.postAsUser({ channel: GENERAL, user: 'U0ALICE', text: 'parent' }).ts;
    const reply = slack.postAsUser({ channel: GENERAL, user: 'U0BOB', text: 'reply', threadTs: parent }).ts;
    const appPost = slack.postAsApp({ channel: GENERAL, app: CI.appId, text: 'build 1' }).ts;

    // Act
    const replyEdit = eventOf(slack.edit(GENERAL, reply, 'reply, edited'));
    const appEdit = eventOf(slack.edit(GENERAL, appPost, 'build 2'));

    // Assess
    expect(keys(replyEdit['message'])).toEqual(expected(NESTED.editedReply));
    expect(replyEdit['message']).toMatchObject({ thread_ts: parent, parent_user_id: 'U0ALICE' });
    expect(appEdit['message']).toMatchObject({ user: CI.botUserId, bot_id: CI.botId, edited: { user: CI.botId } });
    expect(appEdit['message']).not.toHaveProperty('subtype');
  });

  it('deleting a message without replies is message_deleted, and history no longer has it', async () => {
    // Prepare
    const { ts } = slack.postAsUser({ channel: GENERAL, user: 'U0ALICE', text: 'This message will be deleted' });

    // Act
    const deleted = eventOf(slack.remove(GENERAL, ts));

    // Assess
    expect(keys(deleted)).toEqual(expected(EVENTS.messageDeleted));
    expect(deleted).toMatchObject({ subtype: 'message_deleted', hidden: true, deleted_ts: ts, previous_message: { ts, text: 'This message will be deleted' } });
    expect(await history()).toEqual([]);
  });

  it('deleting a parent with replies leaves a tombstone, announced by message_changed; the last reply removes it', async () => {
    // Prepare: a parent (edited once) with two replies, one of them edited, like the capture.
    const parent = slack.postAsUser({ channel: GENERAL, user: 'U0ALICE', text: 'when did we run TV ads?' }).ts;
    slack.edit(GENERAL, parent, 'when did we run TV and radio ads?');
    const first = slack.postAsUser({ channel: GENERAL, user: 'U0BOB', text: 'radio?', threadTs: parent }).ts;
    slack.edit(GENERAL, first, 'radio too?');
    const second = slack.postAsUser({ channel: GENERAL, user: 'U0BOB', text: 'yes', threadTs: parent }).ts;
    slack.takeEvents();

    // Act 1: delete the parent.
    const announced = eventOf(slack.remove(GENERAL, parent));
    const replayed = slack.takeEvents().slice(1).map(eventOf);
    const top = await history();
    const thread = await replies(parent);

    // Assess 1
    expect(keys(announced)).toEqual(expected(EVENTS.messageChanged));
    expect(keys(announced['message'])).toEqual(expected(NESTED.tombstoneEvent));
    expect(keys(announced['previous_message'])).toEqual(expected(NESTED.tombstonePrevious));
    expect(announced).toMatchObject({
      subtype: 'message_changed', hidden: true,
      message: { subtype: 'tombstone', text: TOMBSTONE_TEXT, user: 'USLACKBOT', hidden: true, ts: parent, thread_ts: parent, reply_count: 2, latest_reply: second },
      previous_message: { user: 'U0ALICE', ts: parent, reply_count: 2 },
    });
    expect(replayed.map((e) => [e['subtype'], (e['message'] as Json)['ts']])).toEqual([['message_changed', first], ['message_changed', second]]);
    expect(keys(top[0])).toEqual(expected(NESTED.tombstoneRead));
    expect(top).toEqual([thread[0]]);
    expect(thread.map((m) => m['ts'])).toEqual([parent, first, second]);
    expect(slack.messages(GENERAL).map((m) => m.ts)).toEqual([first, second]);

    // Act 2: delete both replies.
    const replyGone = eventOf(slack.remove(GENERAL, first));
    slack.takeEvents();
    slack.remove(GENERAL, second);
    const lastEvents = slack.takeEvents().map(eventOf);

    // Assess 2
    expect(keys(replyGone['previous_message'])).toEqual(expected(NESTED.deletedReplyPrevious));
    expect(lastEvents.map((e) => [e['subtype'], e['deleted_ts']])).toEqual([['message_deleted', second], ['message_deleted', parent]]);
    expect(keys(lastEvents[1]!['previous_message'])).toEqual(expected(NESTED.tombstoneRead));
    expect(lastEvents[1]!['previous_message']).toMatchObject({ subtype: 'tombstone', reply_count: 0, reply_users: [], latest_reply: '0000000000.000000' });
    expect(await history()).toEqual([]);
  });
});

describe('Events API deliveries', () => {
  it('wrap each event in the event_callback envelope Slack sends', () => {
    // Act
    const a = slack.postAsUser({ channel: GENERAL, user: 'U0ALICE', text: 'one' }).envelope;
    const b = slack.postAsUser({ channel: SECRET_ROOM, user: 'U0ALICE', text: 'two' }).envelope;

    // Assess
    expect(keys(a)).toEqual(expected(ENVELOPE));
    expect(keys((a['authorizations'] as Json[])[0])).toEqual(expected(AUTHORIZATION));
    expect(a).toMatchObject({ type: 'event_callback', team_id: 'T0EMULATOR', api_app_id: OWN_APP.appId, is_ext_shared_channel: false });
    expect(a['event_id']).toMatch(/^Ev[0-9A-Z]+$/);
    expect(a['event_id']).not.toBe(b['event_id']);
    expect(typeof a['event_time']).toBe('number');
    expect(eventOf(b)['channel_type']).toBe('group');
    expect(slack.events).toEqual([a, b]);
  });

  it('are signed with v0, and retries name their number and reason', () => {
    // Prepare
    const body = JSON.stringify(slack.postAsUser({ channel: GENERAL, user: 'U0ALICE', text: 'signed' }).envelope);
    const at = 1_767_225_600;

    // Act
    const first = signSlackRequest('shh', body, at);
    const retry = signSlackRequest('shh', body, at, { num: 2, reason: 'http_timeout' });

    // Assess
    expect(first['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(verifySlackSignature('shh', first, body, at + 299)).toBe(true);
    expect(verifySlackSignature('shh', first, body, at + 301)).toBe(false);
    expect(verifySlackSignature('other', first, body, at)).toBe(false);
    expect(first).not.toHaveProperty('x-slack-retry-num');
    expect(retry).toMatchObject({ 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout', 'x-slack-signature': first['x-slack-signature'] });
    expect(RETRY_REASONS).toContain('http_error');
  });
});

describe('Web API', () => {
  it('auth.test, users.info, bots.info, team.info and conversations.members answer with Slack\'s fields', async () => {
    // Act
    const auth = (await api('auth.test')).body;
    const person = (await api('users.info', { user: 'U0ALICE' })).body['user'] as Json;
    const botUser = (await api('users.info', { user: CI.botUserId })).body['user'] as Json;
    const appBot = (await api('bots.info', { bot: CI.botId })).body['bot'] as Json;
    slack.postLegacyBot({ channel: GENERAL, botId: 'B0LEGACY1', username: 'github', text: 'x' });
    const legacyBot = (await api('bots.info', { bot: 'B0LEGACY1' })).body['bot'] as Json;
    const team = (await api('team.info')).body;
    const members = (await api('conversations.members', { channel: GENERAL })).body;
    const missing = await Promise.all([api('users.info', { user: 'U0NOBODY' }), api('bots.info', { bot: 'B0NOBODY' })]);

    // Assess
    expect(keys(auth).every((k) => API.authTest.keys.includes(k))).toBe(true);
    expect(auth).toMatchObject({ user_id: OWN_APP.botUserId, bot_id: OWN_APP.botId, team_id: 'T0EMULATOR' });
    for (const u of [person, botUser]) {
      expect(keys(u).filter((k) => !API.user.keys.includes(k))).toEqual([]);
      expect(keys(u['profile']).filter((k) => !API.userProfile.keys.includes(k))).toEqual([]);
    }
    expect(person).toMatchObject({ is_bot: false, real_name: 'Alice Liddell', profile: { display_name: 'Alice' } });
    expect(botUser).toMatchObject({ is_bot: true, profile: { bot_id: CI.botId, api_app_id: CI.appId } });
    expect(keys(appBot)).toEqual(expected(API.botsInfo));
    expect(appBot).toMatchObject({ id: CI.botId, app_id: CI.appId, user_id: CI.botUserId });
    expect(legacyBot).toMatchObject({ id: 'B0LEGACY1', name: 'github' });
    expect(legacyBot).not.toHaveProperty('user_id');
    expect(team['team']).toMatchObject({ id: 'T0EMULATOR' });
    expect(keys(members)).toEqual(expected(API.members));
    expect(members['members']).toEqual(expect.arrayContaining(['U0ALICE', 'U0BOB', OWN_APP.botUserId]));
    expect(missing.map((r) => r.body['error'])).toEqual(['user_not_found', 'bot_not_found']);
  });

  it('history and replies page with limit, has_more and next_cursor', async () => {
    // Prepare
    for (let i = 0; i < 5; i++) slack.postAsUser({ channel: GENERAL, user: 'U0ALICE', text: `m${i}` });

    // Act
    const page1 = (await api('conversations.history', { channel: GENERAL, limit: '2' })).body;
    const page2 = (await api('conversations.history', { channel: GENERAL, limit: '2', cursor: (page1['response_metadata'] as Json)['next_cursor'] as string })).body;
    const last = (await api('conversations.history', { channel: GENERAL, limit: '10' })).body;
    const bad = (await api('conversations.history', { channel: GENERAL, cursor: 'bm90LWEtY3Vyc29y' })).body;

    // Assess
    expect(keys(page1).every((k) => API.history.keys.includes(k))).toBe(true);
    expect((page1['messages'] as Json[]).map((m) => m['text'])).toEqual(['m4', 'm3']);
    expect((page2['messages'] as Json[]).map((m) => m['text'])).toEqual(['m2', 'm1']);
    expect(page1['has_more']).toBe(true);
    expect(last).toMatchObject({ has_more: false, response_metadata: { next_cursor: '' } });
    expect(bad['error']).toBe('invalid_cursor');
  });

  it('answers auth, membership and scope errors the way Slack does', async () => {
    // Prepare
    slack.addChannel({ id: 'C0OUTSIDE', name: 'outside', member: false });

    // Act
    const noToken = await api('auth.test', {}, null);
    const wrongToken = await api('auth.test', {}, 'xoxb-wrong');
    const outside = await api('conversations.history', { channel: 'C0OUTSIDE' });
    const privateRoom = await api('conversations.history', { channel: SECRET_ROOM });
    const unknown = await api('conversations.history', { channel: 'C0NOPE' });
    const noThread = await api('conversations.replies', { channel: GENERAL, ts: '1.000000' });
    slack.setScopes(['channels:read']);
    const scoped = await api('conversations.history', { channel: GENERAL });

    // Assess
    expect([noToken, wrongToken].map((r) => [r.status, r.body])).toEqual([[200, { ok: false, error: 'not_authed' }], [200, { ok: false, error: 'invalid_auth' }]]);
    expect([outside, privateRoom, unknown, noThread].map((r) => r.body['error'])).toEqual(['not_in_channel', 'channel_not_found', 'channel_not_found', 'thread_not_found']);
    expect(scoped.body).toEqual({ ok: false, error: 'missing_scope', needed: 'channels:history', provided: 'channels:read' });
    expect(scoped.headers.get('x-oauth-scopes')).toBe('channels:read');
  });

  it('rate limits with HTTP 429, Retry-After and error ratelimited', async () => {
    // Prepare
    slack.failNext('conversations.history', 1, 3);

    // Act
    const limited = await api('conversations.history', { channel: GENERAL });
    const next = await api('conversations.history', { channel: GENERAL });

    // Assess
    expect([limited.status, limited.headers.get('retry-after'), limited.body]).toEqual([429, '3', { ok: false, error: 'ratelimited' }]);
    expect(next.status).toBe(200);
    expect(slack.count('conversations.history', 429)).toBe(1);
  });
});
