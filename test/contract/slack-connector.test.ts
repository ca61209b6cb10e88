import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chunkDocument, TURN_SEPARATOR } from '../../shared/core/chunker.ts';
import { ConfigError, CursorExpiredError } from '../../shared/core/errors.ts';
import { dayOf } from '../../shared/connectors/slack/messages.ts';
import { SlackApiError } from '../../shared/connectors/slack/slack-api.ts';
import { SlackConnector } from '../../shared/connectors/slack/slack-connector.ts';
import type { PullWindow } from '../../shared/ports/index.ts';
import { SlackEmulator } from '../emulators/slack.ts';
import { ManualClock } from '../support/embedded.ts';
import { connectorFor, GENERAL, RANDOM, seedWorkspace, tsAt } from './slack-fixtures.ts';
import { collect, pullPass } from './source-connector.contract.ts';

// ───────────────────────────── connector behaviour ─────────────────────────────
// (The SourceConnector contract runs over every registered kind: registry-contract.test.ts.)

describe('SlackConnector', () => {
  let slack: SlackEmulator;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    slack = await SlackEmulator.start({ now: () => clock.now() });
    seedWorkspace(slack);
  });

  afterEach(async () => {
    await slack.close();
  });

  const fullWindow = (): PullWindow => ({ snapshotAt: new Date(clock.now() + 1000).toISOString(), full: true });
  const post = (text: string, extra: Partial<Parameters<SlackEmulator['post']>[0]> = {}): string => {
    clock.advance(1000);
    return slack.post({ channel: GENERAL, user: 'U0ALICE', text, ...extra }).ts;
  };

  it('pages through every channel the bot is in, resuming from a saved cursor without gaps', async () => {
    // Prepare: 25 messages in #general, 7 in #random, 3 in a channel the bot is not in.
    for (let i = 0; i < 25; i++) post(`general ${i}`);
    for (let i = 0; i < 7; i++) post(`random ${i}`, { channel: RANDOM });
    for (let i = 0; i < 3; i++) post(`secret ${i}`, { channel: 'C0SECRET' });
    const connector = connectorFor(slack, { pageSize: 10 });
    const window = fullWindow();

    // Act
    const first = await connector.pull(undefined, window);
    const rest = await pullPass(connector, window, JSON.parse(JSON.stringify(first.next)));

    // Assess
    const ids = [...first.changed, ...rest.refs].map((r) => r.id);
    expect(new Set(ids).size).toBe(32);
    expect(ids.filter((id) => id.startsWith(`${GENERAL}/`))).toHaveLength(25);
    expect(ids.filter((id) => id.startsWith(`${RANDOM}/`))).toHaveLength(7);
    expect(rest.pages).toBe(3); // after the first: 2 more pages of #general, 1 of #random
    expect(slack.count('conversations.history', 200)).toBe(4);
    expect(slack.count('users.conversations', 200)).toBe(1);
  });

  it('makes a thread one document: parent then replies as turns; a new reply changes only the last chunk', async () => {
    // Prepare
    const parent = post('Who owns the <https://wiki.example.com/deploy|deploy runbook>?');
    post('I do, <@U0ALICE> wrote it with me', { user: 'U0BOB', threadTs: parent });
    post('Thanks &amp; noted', { threadTs: parent });
    post('Broadcast: runbook moved to #ops', { user: 'U0BOB', threadTs: parent, broadcast: true });
    post('A message of its own');
    const connector = connectorFor(slack);
    const before = (await connector.fetch([`${GENERAL}/${parent}`])).documents[0]!;

    // Act
    const { refs } = await pullPass(connector, fullWindow());
    post('One more reply', { user: 'U0BOB', threadTs: parent });
    const after = (await connector.fetch([`${GENERAL}/${parent}`])).documents[0]!;

    // Assess
    expect(refs.map((r) => r.id)).toHaveLength(2);
    expect(before.format).toBe('conversation');
    expect(before.text.split(TURN_SEPARATOR)).toEqual([
      'Alice: Who owns the deploy runbook (https://wiki.example.com/deploy)?',
      'Bob Builder: I do, @Alice wrote it with me',
      'Alice: Thanks & noted',
      'Bob Builder: Broadcast: runbook moved to #ops',
    ]);
    expect(before.title).toBe(`#general — Alice, ${dayOf(parent, 'UTC')}`);
    expect(before.url).toBe(`https://emulated.slack.com/archives/${GENERAL}/p${parent.replace('.', '')}`);
    expect(before.metadata).toMatchObject({ channelId: GENERAL, channelName: 'general', threadTs: parent });
    expect(after.version).not.toBe(before.version);
    const small = { targetTokens: 32, maxTokens: 64 };
    const chunksBefore = chunkDocument(before.text, 'conversation', small);
    const chunksAfter = chunkDocument(after.text, 'conversation', small);
    expect(chunksBefore.length).toBeGreaterThan(1);
    expect(chunksAfter.slice(0, chunksBefore.length - 1).map((c) => c.hash)).toEqual(chunksBefore.slice(0, -1).map((c) => c.hash));
  });

  it('an incremental pass picks new messages, old threads with new replies and old edited messages', async () => {
    // Prepare: history before the window, then a window with changes.
    const old = post('old and untouched');
    const oldThread = post('old thread');
    const oldEdited = post('old, to be edited');
    clock.advance(3_600_000);
    const since = new Date(clock.now()).toISOString();
    post('a reply in the window', { threadTs: oldThread });
    slack.edit(GENERAL, oldEdited, 'old, edited in the window');
    const fresh = post('new in the window');
    const connector = connectorFor(slack);

    // Act
    const { refs } = await pullPass(connector, { since, snapshotAt: new Date(clock.now() + 1000).toISOString(), full: false });

    // Assess
    const ids = refs.map((r) => r.id).sort();
    expect(ids).toEqual([oldThread, oldEdited, fresh].map((ts) => `${GENERAL}/${ts}`).sort());
    expect(ids).not.toContain(`${GENERAL}/${old}`);
  });

  it('fetch reflects edits and deletions of replies and parents', async () => {
    // Prepare
    const parent = post('parent');
    const reply = post('reply to edit', { threadTs: parent, user: 'U0BOB' });
    const doomed = post('reply to delete', { threadTs: parent });
    const lonely = post('a message without replies');
    const id = `${GENERAL}/${parent}`;
    const connector = connectorFor(slack);
    const v0 = (await connector.fetch([id])).documents[0]!;

    // Act
    slack.edit(GENERAL, reply, 'reply, edited');
    const v1 = (await connector.fetch([id])).documents[0]!;
    slack.remove(GENERAL, doomed);
    const v2 = (await connector.fetch([id])).documents[0]!;
    slack.remove(GENERAL, parent);
    const v3 = (await connector.fetch([id])).documents[0]!;
    slack.remove(GENERAL, lonely);
    const gone = (await connector.fetch([`${GENERAL}/${lonely}`, `${GENERAL}/${reply}`])).documents;

    // Assess
    expect(new Set([v0.version, v1.version, v2.version, v3.version]).size).toBe(4);
    expect(v1.text).toContain('Bob Builder: reply, edited');
    expect(v2.text).not.toContain('reply to delete');
    // The parent's tombstone keeps the thread: its replies stay a document.
    expect(v3.text.split(TURN_SEPARATOR)).toEqual(['Bob Builder: reply, edited']);
    // A deleted message without replies is gone; a reply's ts names no document.
    expect(gone).toEqual([]);
  });

  it('resolves user and channel names once per cache period', async () => {
    // Prepare
    for (let i = 0; i < 6; i++) post(`note ${i} for <@U0BOB> in <#${RANDOM}>`, { user: i % 2 === 0 ? 'U0ALICE' : 'U0BOB' });
    const connector = connectorFor(slack, { clock, nameCacheSeconds: 60 });

    // Act
    const first = await pullPass(connector, fullWindow());
    await pullPass(connector, fullWindow());
    const callsWithinTtl = slack.count('users.info');
    slack.setDisplayName('U0BOB', 'Bobby');
    clock.advance(61_000);
    const later = await pullPass(connector, fullWindow());

    // Assess
    expect(first.refs[0]!.document!.text).toMatch(/^(Alice|Bob Builder): note \d for @Bob Builder in #random$/);
    expect(callsWithinTtl).toBe(2);
    expect(slack.count('conversations.info')).toBe(2 * 2); // general + random, before and after expiry
    expect(slack.count('users.info')).toBe(4);
    expect(later.refs.map((r) => r.document!.text).join('\n')).toContain('for @Bobby in #random');
    // Names are part of the version: a renamed user re-renders the documents that show them.
    expect(later.refs[0]!.version).not.toBe(first.refs.find((r) => r.id === later.refs[0]!.id)!.version);
  });

  it('buckets channel-day documents by the configured time zone, replies under their parent', async () => {
    // Prepare: 23:30 and 00:30 UTC are both evening of 10 March in New York (UTC-4 after DST).
    const late = tsAt(Date.parse('2026-03-10T23:30:00Z'));
    const early = tsAt(Date.parse('2026-03-11T00:30:00Z'));
    slack.post({ channel: GENERAL, user: 'U0ALICE', text: 'late evening', ts: late });
    slack.post({ channel: GENERAL, user: 'U0BOB', text: 'reply next day', ts: tsAt(Date.parse('2026-03-11T09:00:00Z')), threadTs: late });
    slack.post({ channel: GENERAL, user: 'U0BOB', text: 'after midnight UTC', ts: early });
    const window: PullWindow = { snapshotAt: new Date(Date.parse('2026-03-12T00:00:00Z')).toISOString(), full: true };

    // Act
    const utc = await pullPass(connectorFor(slack, { documentMode: 'channel-day' }), window);
    const ny = connectorFor(slack, { documentMode: 'channel-day', timezone: 'America/New_York' });
    const nyPass = await pullPass(ny, window);
    const [fetched] = (await ny.fetch([`${GENERAL}/2026-03-10`])).documents;

    // Assess
    expect(utc.refs.map((r) => r.id).sort()).toEqual([`${GENERAL}/2026-03-10`, `${GENERAL}/2026-03-11`]);
    expect(nyPass.refs.map((r) => r.id)).toEqual([`${GENERAL}/2026-03-10`]);
    expect(fetched?.text.split(TURN_SEPARATOR)).toEqual(['Alice: late evening', '↳ Bob Builder: reply next day', 'Bob Builder: after midnight UTC']);
    expect(fetched?.title).toBe('#general — 2026-03-10');
    expect(fetched?.version).toBe(nyPass.refs[0]!.version);
  });

  it('leaves out bot messages and join notices unless asked for bots', async () => {
    // Prepare
    post('human');
    // A legacy integration's bot_message has no `user` (the shared `post` helper adds one).
    clock.advance(1000);
    slack.postLegacyBot({ channel: GENERAL, botId: 'B0CI', username: 'ci', text: 'deploy finished' });

    // Act
    const without = await pullPass(connectorFor(slack), fullWindow());
    const withBots = await pullPass(connectorFor(slack, { includeBotMessages: true }), fullWindow());

    // Assess
    expect(without.refs).toHaveLength(1);
    expect(withBots.refs.map((r) => r.document!.text).sort()).toEqual(['Alice: human', 'ci: deploy finished']);
  });

  it('leaves out posts by apps, webhooks and workflows unless asked for bots', async () => {
    // Prepare: what Slack sends for each (see test/emulators/slack/shapes.ts): an app posting
    // with its bot token has bot_id, bot_profile and its bot user in `user`, and no subtype.
    slack.addApp({ appId: 'A0CIAPP', botId: 'B0CIAPP', botUserId: 'U0CIBOT', name: 'CI' });
    post('human');
    clock.advance(1000);
    slack.postAsApp({ channel: GENERAL, app: 'A0CIAPP', text: 'app post' });
    clock.advance(1000);
    slack.postAsApp({ channel: GENERAL, text: 'our own app post' });
    clock.advance(1000);
    slack.postWebhook({ channel: GENERAL, text: 'webhook post' });
    clock.advance(1000);
    slack.postWorkflow({ channel: GENERAL, text: 'workflow post' });

    // Act
    const without = await pullPass(connectorFor(slack), fullWindow());
    const withBots = await pullPass(connectorFor(slack, { includeBotMessages: true }), fullWindow());

    // Assess
    expect(without.refs.map((r) => r.document!.text)).toEqual(['Alice: human']);
    const texts = withBots.refs.map((r) => r.document!.text).join('\n');
    for (const text of ['app post', 'our own app post', 'webhook post', 'workflow post']) expect(texts).toContain(text);
  });

  it('fetch ignores ids of the other mode, malformed ids and channels outside the configured list', async () => {
    // Prepare
    const ts = post('hello');
    const connector = connectorFor(slack, { channels: [RANDOM] });
    const all = connectorFor(slack);

    // Act
    const filtered = (await connector.fetch([`${GENERAL}/${ts}`])).documents;
    const odd = (await all.fetch([`${GENERAL}/2026-01-01`, 'nonsense', `${GENERAL}/${ts}/x`, `C0NOPE/${ts}`])).documents;

    // Assess
    expect(filtered).toEqual([]);
    expect(odd).toEqual([]);
  });

  it('absorbs a 429 storm: every message is read, nothing lost', async () => {
    // Prepare: 60 messages, 10 of them threads with 2 replies; half of all calls rate limited.
    for (let i = 0; i < 60; i++) {
      const ts = post(`storm message ${i}`, { channel: i % 3 === 0 ? RANDOM : GENERAL });
      if (i % 6 === 0) for (let r = 0; r < 2; r++) post(`reply ${r} to ${i}`, { channel: i % 3 === 0 ? RANDOM : GENERAL, threadTs: ts, user: 'U0BOB' });
    }
    slack.rateLimit({ share: 0.5, retryAfterSeconds: 0, seed: 7 });
    const connector = connectorFor(slack, { pageSize: 7 });

    // Act
    const { refs } = await pullPass(connector, fullWindow());

    // Assess
    expect(refs).toHaveLength(60);
    const texts = refs.map((r) => r.document!.text).join('\n');
    for (let i = 0; i < 60; i++) expect(texts).toContain(`storm message ${i}`);
    expect(texts.match(/reply \d to/g)).toHaveLength(20);
    const limited = slack.calls.filter((c) => c.status === 429).length;
    expect(limited).toBeGreaterThan(10);
    expect(connector.api.rateLimited).toBe(limited);
  });

  it('waits the Retry-After Slack sends before retrying', async () => {
    // Prepare
    post('patience');
    slack.failNext('conversations.history', 1, 1);
    const connector = connectorFor(slack);

    // Act
    const { refs } = await pullPass(connector, fullWindow());

    // Assess
    const history = slack.calls.filter((c) => c.method === 'conversations.history' && c.args['channel'] === GENERAL);
    expect(refs).toHaveLength(1);
    expect(history.map((c) => c.status)).toEqual([429, 200]);
    expect(history[1]!.at - history[0]!.at).toBeGreaterThanOrEqual(1000);
  });

  it('fails on a missing or rejected token, naming the fix; skips a channel the bot is not in, naming the fix, and reads the others', async () => {
    // Prepare
    post('readable');
    const missing = new SlackConnector({ sourceId: 'slack', token: () => undefined, tokenEnv: 'TEAM_SLACK_TOKEN', apiUrl: slack.url });
    const wrong = connectorFor(slack, { token: () => 'xoxb-wrong', tokenEnv: 'TEAM_SLACK_TOKEN' });
    const outside = connectorFor(slack, { channels: ['C0SECRET', GENERAL] });

    // Act
    const errors = await Promise.all([missing, wrong].map((c) => c.pull(undefined, fullWindow()).then(() => undefined, (e: unknown) => e)));
    const { refs, skipped } = await pullPass(outside, fullWindow());

    // Assess
    expect(errors[0]).toBeInstanceOf(ConfigError);
    expect(String((errors[0] as Error).message)).toContain('export TEAM_SLACK_TOKEN=');
    expect(errors[1]).toBeInstanceOf(SlackApiError);
    expect((errors[1] as SlackApiError).slackError).toBe('invalid_auth');
    expect((errors[1] as Error).message).toContain('TEAM_SLACK_TOKEN');
    // The channel's documents are skipped as a whole (reconcile keeps them), the rest is read.
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ id: 'C0SECRET/', prefix: true });
    expect(skipped[0]?.reason).toContain('not_in_channel');
    expect(skipped[0]?.reason).toContain('/invite');
    expect(refs.map((r) => r.id)).toHaveLength(1);
  });

  it('skips a thread Slack refuses to return, with the reason, and reads the rest of the page; fetch skips it too', async () => {
    // Prepare
    const broken = post('a thread Slack will not return');
    post('its reply', { threadTs: broken });
    const fine = post('a fine thread');
    post('its reply', { threadTs: fine });
    post('a lone message');
    slack.refuse('conversations.replies', 'invalid_ts_oldest', (args) => args['ts'] === broken);
    const connector = connectorFor(slack);

    // Act
    const { refs, skipped } = await pullPass(connector, fullWindow());
    const fetched = await connector.fetch([`${GENERAL}/${broken}`, `${GENERAL}/${fine}`]);
    slack.refuse('conversations.replies', 'invalid_auth');
    const authFailure = await connector.fetch([`${GENERAL}/${fine}`]).then(() => undefined, (e: unknown) => e);

    // Assess
    expect(refs).toHaveLength(2); // the fine thread and the lone message
    expect(refs.map((r) => r.id)).toContain(`${GENERAL}/${fine}`);
    expect(refs.map((r) => r.id)).not.toContain(`${GENERAL}/${broken}`);
    expect(skipped).toEqual([{ id: `${GENERAL}/${broken}`, reason: expect.stringContaining('invalid_ts_oldest') }]);
    expect(fetched.documents.map((d) => d.id)).toEqual([`${GENERAL}/${fine}`]);
    expect(fetched.skipped).toEqual([{ id: `${GENERAL}/${broken}`, reason: expect.stringContaining('invalid_ts_oldest') }]);
    // The token is everyone's problem: that still fails the call.
    expect(authFailure).toBeInstanceOf(SlackApiError);
  });

  it('turns a cursor Slack no longer accepts into CursorExpiredError (the core restarts a full pass)', async () => {
    // Prepare
    post('x');
    const connector = connectorFor(slack);

    // Act
    const error = await connector.pull({ channel: GENERAL, next: 'bm90LWEtY3Vyc29y' }, fullWindow()).then(() => undefined, (e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(CursorExpiredError);
  });

  it('list is offered only with reconcile, and names what a pass names', async () => {
    // Prepare
    const parent = post('listed');
    post('reply', { threadTs: parent });
    post('second');
    clock.advance(1000);

    // Act
    const plain = connectorFor(slack);
    const reconciling = connectorFor(slack, { reconcile: true, clock });
    const listed = await collect(reconciling.list!());
    const { refs } = await pullPass(reconciling, fullWindow());

    // Assess
    expect(plain.list).toBeUndefined();
    expect(listed.map((l) => `${l.id}@${l.version}`).sort()).toEqual(refs.map((r) => `${r.id}@${r.version}`).sort());
  });
});
