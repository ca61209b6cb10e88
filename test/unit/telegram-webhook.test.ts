/**
 * Bot API webhooks → hints: updates as the loopback Bot API emulator makes them (the shapes of
 * tdlib/telegram-bot-api), verified by `X-Telegram-Bot-Api-Secret-Token`, each naming the
 * chat-day or topic-day document its message belongs to; refusals (401 for a missing or wrong
 * token, 400 for what is not an Update) publish nothing; through the webhook function a
 * redelivered update is answered 200 and published once.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookHandler } from '../../functions/webhook/webhook.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { decodeTelegramWebhook, TELEGRAM_SECRET_HEADER, type TelegramWebhookSettings } from '../../shared/connectors/telegram/webhook.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { HttpError } from '../../shared/core/errors.ts';
import type { Hints } from '../../shared/ports/index.ts';
import { BotApiEmulator, TelegramWorld, type BotUpdate } from '../emulators/telegram.ts';
import { InMemoryDeliveryLog } from '../support/memory-delivery-log.ts';

const SECRET = 'S3cr3t_token-for_tests';
const BOB = 42;
const FORUM = 1500000001;
const NEWS = 1600000001;
const FAMILY = 900001;
const SETTINGS: TelegramWebhookSettings = { id: 'tg', timezone: 'UTC' };

let clock: number;
let world: TelegramWorld;
let bot: BotApiEmulator;

beforeEach(async () => {
  clock = Date.parse('2026-03-02T23:30:00Z');
  world = new TelegramWorld(() => clock);
  world.addUser({ id: BOB, firstName: 'Bob' });
  world.addChat({ id: FORUM, kind: 'supergroup', title: 'Engineering', forum: true, members: [BOB], bot: true, botIsAdmin: true });
  world.addChat({ id: NEWS, kind: 'channel', title: 'Announcements', bot: true, botIsAdmin: true });
  world.addChat({ id: FAMILY, kind: 'group', title: 'Family', members: [BOB], bot: true });
  world.addChat({ id: world.bot.id, kind: 'private', peer: world.bot.id });
  bot = await BotApiEmulator.start({ world, privacyMode: false });
});
afterEach(async () => bot.close());

/** The updates the bot has pending (getUpdates), as Telegram would POST them. */
async function updates(): Promise<BotUpdate[]> {
  const response = await fetch(`${bot.apiRoot}getUpdates`);
  return ((await response.json()) as { result: BotUpdate[] }).result;
}

function request(update: unknown, token: string | null = SECRET): { headers: Record<string, string | undefined>; body: string } {
  return { headers: { 'content-type': 'application/json', ...(token !== null ? { [TELEGRAM_SECRET_HEADER]: token } : {}) }, body: JSON.stringify(update) };
}

function decode(r: { headers: Record<string, string | undefined>; body: string }, settings = SETTINGS) {
  return decodeTelegramWebhook(settings, { ...r, rawBody: Buffer.from(r.body, 'utf8'), secret: SECRET, nowMs: clock });
}

function rejection(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return error as HttpError;
  }
  return expect.fail('expected a rejection');
}

describe('decodeTelegramWebhook', () => {
  it('names the chat-day or topic-day of every message, edit and channel post the bot sees', async () => {
    // Prepare
    const topic = world.createTopic(FORUM, 'Deploys', 0x6fb9f0, BOB);
    const inTopic = world.post({ chat: FORUM, from: BOB, topic, text: 'deploying' });
    world.post({ chat: FORUM, from: BOB, text: 'in General' });
    world.post({ chat: NEWS, from: 'channel', text: 'Release 1.0' });
    world.post({ chat: FAMILY, from: BOB, text: 'dinner' });
    clock += 3600; // the next day in UTC: an edit keeps its message's date
    world.edit(FORUM, inTopic.id, 'deployed');

    // Act
    const decoded = (await updates()).map((u) => decode(request(u)));

    // Assess
    expect(decoded.map((a) => a.hints?.ids ?? a.body)).toEqual([
      { ok: true, ignored: 'message in a supergroup chat' }, // the topic's creation: a service message
      [`-1001500000001/topic-${topic}/2026-03-02`],
      ['-1001500000001/2026-03-02'],
      ['-1001600000001/2026-03-02'],
      ['-900001/2026-03-02'], // the bot's message_id differs from the account's here; the day does not
      [`-1001500000001/topic-${topic}/2026-03-02`],
    ]);
    expect(decoded[1]).toMatchObject({ statusCode: 200, hints: { sourceId: 'tg' }, delivery: { ttlMs: 25 * 3_600_000, replay: { statusCode: 200 } } });
    expect(new Set(decoded.map((a) => a.delivery?.id).filter(Boolean)).size).toBe(5);
  });

  it('puts the day in the configured time zone', async () => {
    // Prepare
    world.post({ chat: FAMILY, from: BOB, text: 'late dinner' });
    const [update] = await updates();

    // Act
    const answer = decode(request(update), { ...SETTINGS, timezone: 'Europe/Berlin' });

    // Assess
    expect(answer.hints?.ids).toEqual(['-900001/2026-03-03']);
  });

  it('acknowledges and ignores private chats, service messages, other update types and chats outside `chats`', async () => {
    // Prepare
    world.post({ chat: world.bot.id, text: 'hi bot' });
    world.service(FAMILY, { kind: 'new_chat_members', userIds: [BOB] });
    world.post({ chat: NEWS, from: 'channel', text: 'not configured' });
    const [privateMessage, joined, post] = await updates();
    const other = { update_id: 9, my_chat_member: { chat: { id: -900001, type: 'group' } } };

    // Act
    const answers = [
      decode(request(privateMessage)), decode(request(joined)), decode(request(other)),
      decode(request(post), { ...SETTINGS, chats: ['-900001'] }),
    ];

    // Assess
    expect(answers.map((a) => [a.statusCode, a.hints])).toEqual([[200, undefined], [200, undefined], [200, undefined], [200, undefined]]);
    expect(answers.map((a) => (a.body as { ignored: string }).ignored)).toEqual([
      'message in a private chat', 'message in a group chat', 'update my_chat_member', 'channel_post in a channel chat',
    ]);
  });

  it('refuses a missing or wrong secret token with 401, and what is not an Update with 400', async () => {
    // Prepare
    world.post({ chat: FAMILY, from: BOB, text: 'dinner' });
    const [update] = await updates();

    // Act
    const missing = rejection(() => decode(request(update, null)));
    const wrong = rejection(() => decode(request(update, `${SECRET.slice(0, -1)}X`)));
    const longer = rejection(() => decode(request(update, `${SECRET}-and-more`)));
    const empty = rejection(() => decode(request(update, '')));
    const notJson = rejection(() => decode({ headers: request(update).headers, body: '{"update_id": 1,' }));
    const noId = rejection(() => decode(request({ message: update!.message })));
    const noChat = rejection(() => decode(request({ update_id: 1, message: { date: 1, text: 'x' } })));

    // Assess
    expect([missing, wrong, longer, empty].map((e) => [e.statusCode, e.message])).toEqual([
      [401, `missing ${TELEGRAM_SECRET_HEADER}`], [401, `${TELEGRAM_SECRET_HEADER} does not match`], [401, `${TELEGRAM_SECRET_HEADER} does not match`],
      [401, `missing ${TELEGRAM_SECRET_HEADER}`],
    ]);
    expect([notJson, noId, noChat].map((e) => e.statusCode)).toEqual([400, 400, 400]);
  });
});

describe('webhook function with a telegram source', () => {
  const config = parseConfig({
    sources: [{ id: 'tg', kind: 'telegram', apiId: 1, webhook: { secretEnv: 'TELEGRAM_WEBHOOK_SECRET' } }],
  });

  it('publishes a verified update once, answers its redelivery 200, and publishes nothing for a forged one', async () => {
    // Prepare
    const published: Hints[] = [];
    const handler = createWebhookHandler({
      config, secret: (name) => (name === 'TELEGRAM_WEBHOOK_SECRET' ? SECRET : undefined),
      eventBus: { publish: async (hints) => void published.push(...hints) }, deliveries: new InMemoryDeliveryLog(), clock: { now: () => clock }, log: silentLogger,
    });
    const call = async (r: { headers: Record<string, string | undefined>; body: string }) => (await handler({
      headers: r.headers, body: r.body, isBase64Encoded: false, pathParameters: { sourceId: 'tg' },
    } as unknown as APIGatewayProxyEventV2, {} as Context)) as APIGatewayProxyStructuredResultV2;
    world.post({ chat: FORUM, from: BOB, text: 'hello' });
    const [update] = await updates();

    // Act
    const forged = await call(request(update, 'not-the-secret'));
    const first = await call(request(update));
    const again = await call(request(update));

    // Assess
    expect([forged.statusCode, first.statusCode, again.statusCode]).toEqual([401, 200, 200]);
    expect(JSON.parse(again.body as string)).toEqual({ ok: true, duplicate: true });
    expect(published).toEqual([{ sourceId: 'tg', ids: ['-1001500000001/2026-03-02'] }]);
  });
});
