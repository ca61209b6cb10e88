/**
 * A Telegram source through `tributary start`, with the loopback Bot API emulator delivering a
 * bot's updates to `POST /webhooks/<id>` (setWebhook with a secret_token, the server's own
 * per-chat queue and retries): a new message and an edit of a post older than the edit window
 * are searchable without a scheduled run, each read through the account (the GramJS fake in the
 * child); requests without the secret token, or with another, get 401 and start nothing; every
 * update the emulator delivered was answered 2xx.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { BotApiEmulator } from '../emulators/telegram.ts';
import { exportRows, killStragglers, waitFor, type RunningCli } from './support/cli.ts';
import { eveningZone, TelegramCliWorkspace } from './support/telegram.ts';
import { dayOfMs } from '../../shared/connectors/kit/days.ts';

const TIMEOUT = 240_000;
const SECRET = 'e2e_webhook-secret_0123456789';
const BOB = 42;
const FORUM = 1500000001;
const NEWS = 1600000001;
const FAMILY = 900001;
const ZONE = eveningZone();

interface Status {
  sources: Array<{ id: string; documents: number; running: boolean; lagSeconds: number | null; lastRun: { status: string; startedAt: string } | null }>;
  queues: { fetch: { visible: number; inFlight: number }; embed: { visible: number; inFlight: number } };
  deadLetters: unknown[];
}

let tg: TelegramCliWorkspace | undefined;
let bot: BotApiEmulator | undefined;

afterAll(async () => {
  await killStragglers();
  await bot?.close();
  await tg?.remove();
});

describe('telegram source through `tributary start` with Bot API webhooks', () => {
  it('makes a new message and an old post\'s edit searchable from bot updates; refuses forged ones', async () => {
    // Prepare: three days of a forum, a channel and a basic group the bot is in (admin; privacy mode off).
    const start = Date.now() - 3 * 86_400_000;
    tg = await TelegramCliWorkspace.create('telegram-webhook', start, { webhook: { secretEnv: 'E2E_TELEGRAM_WEBHOOK_SECRET' }, timezone: ZONE });
    const w = tg.log;
    w.addUser({ id: BOB, firstName: 'Bob', lastName: 'Builder' });
    w.addChat({ id: FORUM, kind: 'supergroup', title: 'Engineering', forum: true, members: [BOB], bot: true, botIsAdmin: true });
    w.addChat({ id: NEWS, kind: 'channel', title: 'Announcements', bot: true, botIsAdmin: true });
    w.addChat({ id: FAMILY, kind: 'group', title: 'Family', members: [BOB], bot: true });
    const oldPost = w.post({ chat: NEWS, from: 'channel', text: 'Release 0.9 is out' });
    w.tick(3600);
    w.post({ chat: FAMILY, from: BOB, text: 'dinner on Sunday' });
    w.tick(86_400);
    w.post({ chat: FORUM, from: BOB, text: 'standup moved to ten' });
    const running: RunningCli = tg.spawn(['start', '--port', '0'], { E2E_TELEGRAM_WEBHOOK_SECRET: SECRET });
    const base = await waitFor('the status page URL on stdout', () => {
      if (running.child.exitCode !== null) throw new Error(`start exited early:\n${running.stdout()}\n${running.stderr()}`);
      return /Console \(status, runs, actions, search\): (https?:\/\/\S+?)\/?$/m.exec(running.stdout())?.[1];
    }, { timeoutMs: 60_000 });
    const status = async (): Promise<Status> => (await (await fetch(`${base}/status`)).json()) as Status;
    const settled = (s: Status, documents: number): boolean => {
      const src = s.sources[0]!;
      return src.lagSeconds !== null && !src.running && src.documents === documents
        && s.queues.embed.visible + s.queues.embed.inFlight === 0 && s.queues.fetch.visible + s.queues.fetch.inFlight === 0;
    };
    const search = async (q: string): Promise<Array<{ docId: string; text: string }>> =>
      ((await (await fetch(`${base}/search?q=${encodeURIComponent(q)}&top=3`)).json()) as { results: Array<{ docId: string; text: string }> }).results;
    const initial = await waitFor('the initial sync', async () => {
      const s = await status();
      return settled(s, 3) ? s : undefined;
    }, { timeoutMs: 120_000, intervalMs: 250 });
    bot = await BotApiEmulator.start({ world: tg.world, privacyMode: false, setWebhookIntervalMs: 0 });
    const hook = await fetch(`${bot.apiRoot}setWebhook`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `${base}/webhooks/tg`, secret_token: SECRET }),
    });
    expect(await hook.json()).toMatchObject({ ok: true, description: 'Webhook was set' });

    // Act 1: forged requests, without the token and with another.
    const update = { update_id: 1, message: { message_id: 9, date: Math.floor(Date.now() / 1000), chat: { id: -1001500000001, type: 'supergroup' }, text: 'forged zebracorn' } };
    const forged = await Promise.all([undefined, 'not-the-secret'].map((token) => fetch(`${base}/webhooks/tg`, {
      method: 'POST', body: JSON.stringify(update), headers: { 'content-type': 'application/json', ...(token ? { 'x-telegram-bot-api-secret-token': token } : {}) },
    })));
    const afterForged = await status();

    // Assess 1
    expect(forged.map((r) => r.status)).toEqual([401, 401]);
    expect(afterForged.queues.fetch.visible + afterForged.queues.fetch.inFlight).toBe(0);
    expect(afterForged.sources[0]!.lastRun?.startedAt).toBe(initial.sources[0]!.lastRun?.startedAt);

    // Act 2: a new message in the forum; an edit of the channel's two-day-old post (older than the edit window).
    w.clock = Date.now();
    const posted = w.post({ chat: FORUM, from: BOB, text: 'a quokka visited the datacenter' });
    w.edit(NEWS, oldPost.id, 'Release 0.9 was withdrawn because of a wombat');
    await bot.flushWebhook();

    // Assess 2: both searchable without a scheduled run, each in its day's document.
    const hit = await waitFor('the new message in search', async () => (await search('quokka datacenter')).find((r) => r.text.includes('quokka')), { timeoutMs: 60_000, intervalMs: 200 });
    expect(hit.docId).toBe(`-1001500000001/${dayOfMs(posted.date * 1000, ZONE)}`);
    const edited = await waitFor('the edit in search', async () => (await search('withdrawn wombat')).find((r) => r.text.includes('wombat')), { timeoutMs: 60_000, intervalMs: 200 });
    expect(edited.docId).toBe(`-1001600000001/${dayOfMs(oldPost.date * 1000, ZONE)}`);
    expect(edited.text).toBe('Announcements: Release 0.9 was withdrawn because of a wombat');
    const final = await waitFor('the source to settle', async () => {
      const s = await status();
      return settled(s, 4) ? s : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200 });
    expect(final.deadLetters).toEqual([]);
    expect(bot.queue.attempts.map((a) => a.status)).toEqual([200, 200]);
    const info = (await (await fetch(`${bot.apiRoot}getWebhookInfo`)).json()) as { result: Record<string, unknown> };
    expect(info.result).toMatchObject({ pending_update_count: 0 });
    expect(info.result).not.toHaveProperty('last_error_message');
    const rows = await exportRows(tg.ws.dir, 'tg');
    expect(rows.map((r) => r.text).join('\n')).not.toContain('zebracorn');
    expect(rows.map((r) => r.text).join('\n')).not.toContain('Release 0.9 is out');
    running.child.kill('SIGINT');
    await running.exited;
  }, TIMEOUT);
});
