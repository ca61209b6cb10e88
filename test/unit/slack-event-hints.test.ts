/**
 * Signed Events API deliveries, as the emulator makes them, through the webhook route: which
 * ones become hints for a Slack source with includeBotMessages off (`humans`) and on
 * (`everyone`) — every kind of poster, and the message shapes the connector relies on
 * (broadcasts, reply edits, a parent's tombstone, file shares, /me, notices, renames).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookHandler } from '../../functions/webhook/webhook.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import type { Hints } from '../../shared/ports/index.ts';
import { SlackEmulator, signSlackRequest } from '../emulators/slack.ts';
import { CI_APP, posterCases } from '../support/slack-posters.ts';
import { InMemoryDeliveryLog } from '../support/memory-delivery-log.ts';

const SECRET = 'hints-signing-secret';
const NOW_MS = Date.parse('2026-03-02T12:00:00Z');
const GENERAL = 'C0GENERAL';

const slackSource = (id: string, extra: Record<string, unknown> = {}) => ({ id, kind: 'slack', webhook: { secretEnv: 'SLACK_SIGNING_SECRET' }, ...extra });
const config = parseConfig({
  sources: [slackSource('humans'), slackSource('everyone', { includeBotMessages: true }), slackSource('days', { documentMode: 'channel-day' })],
});

/** What one delivery did: the ids it hinted, or "ignored" (200, nothing published). */
type Outcome = string[] | 'ignored';

let slack: SlackEmulator;
let published: Hints[];
/** Per test: each test's emulator numbers its event ids from the start again. */
let handler: ReturnType<typeof createWebhookHandler>;

/** POSTs the payload signed as Slack signs it to /webhooks/<sourceId>; returns what it published. */
async function deliver(sourceId: string, payload: Record<string, unknown>): Promise<Outcome> {
  const body = JSON.stringify(payload);
  const before = published.length;
  const result = (await handler({
    headers: signSlackRequest(SECRET, body, Math.floor(NOW_MS / 1000)), body, isBase64Encoded: false, pathParameters: { sourceId },
  } as unknown as APIGatewayProxyEventV2, {} as Context)) as APIGatewayProxyStructuredResultV2;
  expect(result.statusCode, String(result.body)).toBe(200);
  const hints = published.slice(before);
  if (hints.length === 0) {
    expect(JSON.parse(String(result.body))).toHaveProperty('ignored');
    return 'ignored';
  }
  return hints.flatMap((h) => h.ids);
}

const thread = (ts: string): string[] => [`${GENERAL}/${ts}`];

beforeEach(async () => {
  published = [];
  handler = createWebhookHandler({
    config, secret: (name) => (name === 'SLACK_SIGNING_SECRET' ? SECRET : undefined),
    eventBus: { publish: async (hints) => void published.push(...hints) }, deliveries: new InMemoryDeliveryLog(), clock: { now: () => NOW_MS }, log: silentLogger,
  });
  let now = NOW_MS - 600_000;
  slack = await SlackEmulator.start({ now: () => (now += 1000) });
  slack.addUser({ id: 'U0ALICE', name: 'alice', displayName: 'Alice' });
  slack.addUser({ id: 'U0BOB', name: 'bob', realName: 'Bob Builder' });
  slack.addApp(CI_APP);
  slack.addChannel({ id: GENERAL, name: 'general' });
});

afterEach(async () => {
  await slack.close();
});

describe('Events API deliveries of each poster', () => {
  it.each(posterCases())('%s, includeBotMessages %s: post, edit, deletion, replies', async (_name, includeBotMessages, poster) => {
    // Prepare: the poster posts, edits and deletes; posts a parent a person replies to (then
    // deletes it); replies in a person's thread.
    const source = includeBotMessages ? 'everyone' : 'humans';
    const post = poster.post(slack, { channel: GENERAL, text: 'first' });
    const edit = slack.edit(GENERAL, post.ts, 'first, edited');
    const deletion = slack.remove(GENERAL, post.ts);
    const parent = poster.post(slack, { channel: GENERAL, text: 'a thread' });
    const personReply = slack.postAsUser({ channel: GENERAL, user: 'U0BOB', text: 'a person replies', threadTs: parent.ts });
    const humanThread = slack.postAsUser({ channel: GENERAL, user: 'U0BOB', text: 'a person asks' }).ts;
    const reply = poster.replies ? poster.post(slack, { channel: GENERAL, text: 'the poster replies', threadTs: humanThread }) : undefined;
    const parentDeleted = slack.remove(GENERAL, parent.ts);

    // Act
    const outcomes = {
      post: await deliver(source, post.envelope), edit: await deliver(source, edit), deletion: await deliver(source, deletion),
      parent: await deliver(source, parent.envelope), personReply: await deliver(source, personReply.envelope),
      parentDeleted: await deliver(source, parentDeleted),
      ...(reply ? { reply: await deliver(source, reply.envelope) } : {}),
    };

    // Assess: a bot's own messages hint nothing without bots; a person's reply under it always
    // does, and so does the tombstone its deletion leaves above that reply.
    const hinted = !poster.bot || includeBotMessages;
    const ifHinted = (ids: string[]): Outcome => (hinted ? ids : 'ignored');
    expect(outcomes).toEqual({
      post: ifHinted(thread(post.ts)), edit: ifHinted(thread(post.ts)), deletion: ifHinted(thread(post.ts)),
      parent: ifHinted(thread(parent.ts)), personReply: thread(parent.ts), parentDeleted: thread(parent.ts),
      ...(reply ? { reply: ifHinted(thread(humanThread)) } : {}),
    });
  });

  it('message_replied names the thread even when its parent is a bot\'s', async () => {
    // Prepare: Slack's documented message_replied (docs.slack.dev reference/events/message/message_replied),
    // under a parent an app posted with its bot token.
    const parent = slack.postAsApp({ channel: GENERAL, app: CI_APP, text: 'deploy 42 finished' });
    const reply = slack.postAsUser({ channel: GENERAL, user: 'U0BOB', text: 'thanks', threadTs: parent.ts });
    const parentEvent = parent.envelope['event'] as Record<string, unknown>;
    const replied = {
      ...reply.envelope,
      event: {
        type: 'message', subtype: 'message_replied', hidden: true, channel: GENERAL, event_ts: reply.ts, ts: reply.ts,
        message: { ...parentEvent, thread_ts: parent.ts, reply_count: 1, replies: [{ user: 'U0BOB', ts: reply.ts }] },
      },
    };

    // Act
    const outcome = await deliver('humans', replied);

    // Assess
    expect(outcome).toEqual(thread(parent.ts));
  });
});

describe('Events API deliveries of the message shapes the connector relies on', () => {
  it('broadcasts, reply edits, file shares and /me name their thread; notices name nothing; a rename asks for a sync', async () => {
    // Prepare
    const parent = slack.postAsUser({ channel: GENERAL, user: 'U0ALICE', text: 'the plan' }).ts;
    const reply = slack.postAsUser({ channel: GENERAL, user: 'U0BOB', text: 'agreed', threadTs: parent });
    const events: Array<[string, Record<string, unknown>]> = [
      ['broadcast', slack.postAsUser({ channel: GENERAL, user: 'U0BOB', text: 'see thread', threadTs: parent, broadcast: true }).envelope],
      ['reply edit', slack.edit(GENERAL, reply.ts, 'agreed, with one change')],
      ['file share', slack.shareFile({ channel: GENERAL, user: 'U0BOB', text: 'the notes', file: { name: 'notes.txt' } }).envelope],
      ['file share in the thread', slack.shareFile({ channel: GENERAL, user: 'U0BOB', text: 'slides', threadTs: parent }).envelope],
      ['/me', slack.meMessage({ channel: GENERAL, user: 'U0ALICE', text: 'waves' }).envelope],
      ['join', slack.join({ channel: GENERAL, user: 'U0BOB', inviter: 'U0ALICE' }).envelope],
      ['leave', slack.leave({ channel: GENERAL, user: 'U0BOB' }).envelope],
      ['topic', slack.setTopic({ channel: GENERAL, user: 'U0ALICE', topic: 'Deploys' }).envelope],
      ['purpose', slack.setPurpose({ channel: GENERAL, user: 'U0ALICE', purpose: 'Ship it' }).envelope],
      ['channel_rename', slack.rename(GENERAL, 'town-square', 'U0ALICE')],
    ];
    events.push(['channel_name', slack.events.at(-1)!]);
    const tsOf = (name: string): string => ((events.find(([n]) => n === name)![1]['event'] as Record<string, unknown>)['ts'] as string);

    // Act
    const outcomes: Record<string, Outcome> = {};
    for (const [name, payload] of events) outcomes[name] = await deliver('humans', payload);

    // Assess
    expect(outcomes).toEqual({
      'broadcast': thread(parent), 'reply edit': thread(parent), 'file share': thread(tsOf('file share')),
      'file share in the thread': thread(parent), '/me': thread(tsOf('/me')),
      'join': 'ignored', 'leave': 'ignored', 'topic': 'ignored', 'purpose': 'ignored', 'channel_rename': [], 'channel_name': [],
    });
  });

  it('a parent deleted with replies, then its replies: every event names the thread (its day in channel-day mode)', async () => {
    // Prepare
    const parent = slack.postAsUser({ channel: GENERAL, user: 'U0ALICE', text: 'question' }).ts;
    const first = slack.postAsUser({ channel: GENERAL, user: 'U0BOB', text: 'answer', threadTs: parent }).ts;
    const second = slack.postAsUser({ channel: GENERAL, user: 'U0ALICE', text: 'thanks', threadTs: parent }).ts;
    slack.takeEvents();
    slack.remove(GENERAL, parent);
    const tombstoned = slack.takeEvents();
    slack.remove(GENERAL, first);
    slack.remove(GENERAL, second);
    const emptied = slack.takeEvents();

    // Act
    const threads: Outcome[] = [];
    for (const payload of [...tombstoned, ...emptied]) threads.push(await deliver('humans', payload));
    const days = await deliver('days', tombstoned[0]!);

    // Assess: the tombstone's message_changed and the replays of the replies, then the replies'
    // deletions and the tombstone's own (each a thread to re-read: kept while replies remain).
    const kinds = [...tombstoned, ...emptied].map((p) => (p['event'] as Record<string, unknown>)['subtype']);
    expect(kinds).toEqual(['message_changed', 'message_changed', 'message_changed', 'message_deleted', 'message_deleted', 'message_deleted']);
    expect(((tombstoned[0]!['event'] as Record<string, unknown>)['message'] as Record<string, unknown>)['subtype']).toBe('tombstone');
    expect(threads).toEqual(kinds.map(() => thread(parent)));
    expect(days).toEqual([`${GENERAL}/2026-03-02`]);
  });
});
