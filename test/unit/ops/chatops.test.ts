/**
 * Chat-ops, in-process: the Slack slash command and interactivity (v0 signatures) and the
 * Discord interactions endpoint (Ed25519): unsigned, badly signed, stale and replayed requests
 * are refused; users off the list get a polite refusal; status, sync and resync (with its
 * confirmation) answer at once and queue the normal fetch task; the local server serves both.
 */
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createChatopsHandler } from '../../../functions/chatops/chatops.ts';
import { RESYNC_ACTION } from '../../../functions/chatops/slack.ts';
import { accessPolicy } from '../../../functions/local/access.ts';
import { buildServer } from '../../../functions/local/server.ts';
import { parseConfig } from '../../../shared/config/load.ts';
import { parseChatCommand } from '../../../shared/core/chatops.ts';
import { silentLogger } from '../../../shared/core/deps.ts';
import type { FetchTask, TaskQueue } from '../../../shared/ports/index.ts';
import { openLocalStack } from '../../../shared/wiring/local-stack.ts';
import { configError } from '../../support/config-error.ts';
import { ManualClock } from '../../support/embedded.ts';
import { startLoopbackSlack, type LoopbackSlack } from '../../support/loopback-slack.ts';
import { InMemoryDeliveryLog } from '../../support/memory-delivery-log.ts';
import { InMemoryStateStore } from '../../support/memory-state-store.ts';

const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const ALLOWED_SLACK = 'U0ALLOWED';
const ALLOWED_DISCORD = '80351110224678912';
const keys = generateKeyPairSync('ed25519');
const PUBLIC_KEY = keys.publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
const T0 = Date.parse('2026-01-01T12:00:00.000Z');

const chatops = { slack: { signingSecretEnv: 'SLACK_SIGNING_SECRET', allowedUsers: [ALLOWED_SLACK] }, discord: { publicKey: PUBLIC_KEY, allowedUsers: [ALLOWED_DISCORD] } };

const slackHeaders = (body: string, at = T0, secret = SIGNING_SECRET): Record<string, string> => {
  const ts = String(Math.floor(at / 1000));
  return { 'x-slack-request-timestamp': ts, 'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`, 'content-type': 'application/x-www-form-urlencoded' };
};
const discordHeaders = (body: string, at = T0): Record<string, string> => {
  const ts = String(Math.floor(at / 1000));
  return { 'x-signature-timestamp': ts, 'x-signature-ed25519': sign(null, Buffer.from(ts + body), keys.privateKey).toString('hex'), 'content-type': 'application/json' };
};
const slashCommand = (text: string, user = ALLOWED_SLACK): string => new URLSearchParams({ command: '/tributary', text, user_id: user, response_url: 'https://hooks.slack.com/commands/T0/1/x' }).toString();
const discordCommand = (sub: string, source?: string, user = ALLOWED_DISCORD): string => JSON.stringify({
  type: 2, id: '1', application_id: '2', token: 't', member: { user: { id: user } },
  data: { name: 'tributary', options: [{ type: 1, name: sub, ...(source ? { options: [{ type: 3, name: 'source', value: source }] } : {}) }] },
});

describe('the chat-ops handler', () => {
  let clock: ManualClock;
  let sent: FetchTask[];
  let respondTo: LoopbackSlack;
  let handler: ReturnType<typeof createChatopsHandler>;
  beforeAll(async () => {
    respondTo = await startLoopbackSlack();
  });
  afterAll(async () => {
    await respondTo.close();
  });
  beforeEach(() => {
    clock = new ManualClock(T0);
    sent = [];
    respondTo.posts.length = 0;
    const queue = { sendFetch: async (tasks: readonly FetchTask[]) => { sent.push(...tasks); } } as unknown as TaskQueue;
    handler = createChatopsHandler({
      chat: { state: new InMemoryStateStore(), queue, clock },
      sources: { ids: ['docs', 'code'], freshnessSloMinutes: () => 60 },
      config: chatops, secret: (n) => (n === 'SLACK_SIGNING_SECRET' ? SIGNING_SECRET : undefined),
      deliveries: new InMemoryDeliveryLog(), log: silentLogger,
    });
  });
  const call = async (platform: 'slack' | 'discord', body: string, headers: Record<string, string>) => {
    const event = { routeKey: `POST /chatops/${platform}`, headers, body: Buffer.from(body).toString('base64'), isBase64Encoded: true } as unknown as APIGatewayProxyEventV2;
    const result = await handler(event, {} as Context) as APIGatewayProxyStructuredResultV2;
    return { status: result.statusCode, body: result.body ? JSON.parse(result.body) as Record<string, any> : undefined }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  describe('Slack', () => {
    it('refuses unsigned, wrongly signed and stale requests, and a replay', async () => {
      // Prepare
      const body = slashCommand('sync docs');

      // Act
      const unsigned = await call('slack', body, { 'content-type': 'application/x-www-form-urlencoded' });
      const wrong = await call('slack', body, slackHeaders(body, T0, 'another-secret'));
      const stale = await call('slack', body, slackHeaders(body, T0 - 6 * 60_000));
      const signed = slackHeaders(body);
      const first = await call('slack', body, signed);
      const replay = await call('slack', body, signed);

      // Assess
      expect([unsigned.status, wrong.status, stale.status, first.status, replay.status]).toEqual([401, 401, 401, 200, 409]);
      expect(stale.body?.['error']).toContain('outside the 5-minute window');
      expect(sent).toHaveLength(1);
    });

    it('answers status, queues a sync, and refuses a user off the list politely', async () => {
      // Act
      const status = await call('slack', slashCommand('status'), slackHeaders(slashCommand('status')));
      const sync = await call('slack', slashCommand('sync docs'), slackHeaders(slashCommand('sync docs')));
      const unknown = await call('slack', slashCommand('sync nope'), slackHeaders(slashCommand('sync nope')));
      const stranger = await call('slack', slashCommand('sync docs', 'U0STRANGER'), slackHeaders(slashCommand('sync docs', 'U0STRANGER')));

      // Assess
      expect(status.body).toMatchObject({ response_type: 'ephemeral' });
      expect(status.body?.['text']).toContain('❌ `docs` — never synced');
      expect(status.body?.['text']).toContain('`code`');
      expect(sync.body?.['text']).toBe('Sync of `docs` queued; `/tributary status` shows when it has run.');
      expect(unknown.body?.['text']).toBe('There is no source "nope". Sources: `docs`, `code`.');
      expect(stranger.status).toBe(200);
      expect(stranger.body?.['text']).toContain('Sorry <@U0STRANGER>, you are not on the list');
      expect(stranger.body?.['text']).toContain('chatops.slack.allowedUsers');
      expect(sent.map((t) => [t.sourceId, t.trigger, t.full ?? false])).toEqual([['docs', 'admin', false]]);
    });

    it('asks to confirm a resync with a button, and queues it on the click or on `confirm`', async () => {
      // Prepare
      const ask = slashCommand('resync docs');
      const click = new URLSearchParams({ payload: JSON.stringify({
        type: 'block_actions', user: { id: ALLOWED_SLACK }, response_url: `${respondTo.url}/respond`, actions: [{ action_id: RESYNC_ACTION, value: 'docs' }],
      }) }).toString();
      const typed = slashCommand('resync code confirm');

      // Act
      const asked = await call('slack', ask, slackHeaders(ask));
      const queuedBeforeClick = sent.length;
      const clicked = await call('slack', click, slackHeaders(click));
      const confirmed = await call('slack', typed, slackHeaders(typed));

      // Assess
      expect(queuedBeforeClick).toBe(0);
      const button = (asked.body?.['blocks'] as Array<{ type: string; elements?: Array<Record<string, any>> }>).find((b) => b.type === 'actions')?.elements?.[0]; // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(button).toMatchObject({ action_id: RESYNC_ACTION, value: 'docs', style: 'danger' });
      expect(button?.['confirm']).toBeDefined();
      expect(clicked).toEqual({ status: 200, body: undefined });
      expect(respondTo.posts).toEqual([{ replace_original: true, text: `Full resync of \`docs\` queued; \`/tributary status\` shows when it has run. (confirmed by <@${ALLOWED_SLACK}>)` }]);
      expect(confirmed.body?.['text']).toContain('Full resync of `code` queued');
      expect(sent.map((t) => [t.sourceId, t.full])).toEqual([['docs', true], ['code', true]]);
    });
  });

  describe('Discord', () => {
    it('answers a PING with a PONG, and refuses bad signatures, stale timestamps and replays', async () => {
      // Prepare
      const ping = JSON.stringify({ type: 1 });
      const command = discordCommand('sync', 'docs');
      const forged = { ...discordHeaders(command), 'x-signature-ed25519': discordHeaders(ping)['x-signature-ed25519'] as string };

      // Act
      const pong = await call('discord', ping, discordHeaders(ping));
      const unsigned = await call('discord', ping, { 'content-type': 'application/json' });
      const bad = await call('discord', command, forged);
      const stale = await call('discord', command, discordHeaders(command, T0 - 10 * 60_000));
      const headers = discordHeaders(command);
      const first = await call('discord', command, headers);
      const replay = await call('discord', command, headers);

      // Assess
      expect(pong).toEqual({ status: 200, body: { type: 1 } });
      expect([unsigned.status, bad.status, stale.status, first.status, replay.status]).toEqual([401, 401, 401, 200, 409]);
      expect(sent).toHaveLength(1);
    });

    it('runs status and sync, refuses a stranger, and resyncs only after the confirmation button', async () => {
      // Prepare
      const click = (customId: string, user = ALLOWED_DISCORD) => JSON.stringify({ type: 3, member: { user: { id: user } }, data: { custom_id: customId, component_type: 2 } });

      // Act
      const status = await call('discord', discordCommand('status'), discordHeaders(discordCommand('status')));
      const stranger = await call('discord', discordCommand('sync', 'docs', '42'), discordHeaders(discordCommand('sync', 'docs', '42')));
      const asked = await call('discord', discordCommand('resync', 'docs'), discordHeaders(discordCommand('resync', 'docs')));
      const queuedBeforeClick = sent.length;
      const cancelled = await call('discord', click('cancel'), discordHeaders(click('cancel')));
      const strangerClick = await call('discord', click('resync:docs', '42'), discordHeaders(click('resync:docs', '42')));
      const confirmed = await call('discord', click('resync:docs'), discordHeaders(click('resync:docs')));

      // Assess
      expect(status.body).toMatchObject({ type: 4, data: { flags: 64 } });
      expect(status.body?.['data']?.content).toContain('`docs` — never synced');
      expect(stranger.body?.['data']?.content).toContain('Sorry <@42>, you are not on the list');
      expect(stranger.body?.['data']?.content).toContain('chatops.discord.allowedUsers');
      expect(queuedBeforeClick).toBe(0);
      expect(asked.body?.['data']?.components?.[0]?.components?.[0]).toMatchObject({ type: 2, style: 4, custom_id: 'resync:docs' });
      expect(cancelled.body).toMatchObject({ type: 7, data: { content: 'Resync cancelled.', components: [] } });
      expect(strangerClick.body).toMatchObject({ type: 7 });
      expect(confirmed.body).toMatchObject({ type: 7, data: { components: [] } });
      expect(confirmed.body?.['data']?.content).toContain('Full resync of `docs` queued');
      expect(sent.map((t) => [t.sourceId, t.full ?? false])).toEqual([['docs', true]]);
    });
  });

  it('parses commands and says what is wrong with a malformed one', () => {
    expect(parseChatCommand('  STATUS ')).toEqual({ kind: 'status' });
    expect(parseChatCommand('resync docs confirm')).toEqual({ kind: 'resync', sourceId: 'docs', confirmed: true });
    expect(parseChatCommand('resync docs now')).toMatchObject({ kind: 'help' });
    expect(parseChatCommand('sync')).toMatchObject({ kind: 'help', problem: 'name one source: `/tributary sync <source>`' });
    expect(parseChatCommand('delete everything')).toMatchObject({ kind: 'help', problem: 'unknown command "delete"' });
  });

  it('names the key and the fix in config errors', () => {
    const base = { sources: [{ id: 'docs', kind: 'filesystem', root: '/tmp' }] };
    expect(configError(() => parseConfig({ ...base, chatops: { discord: { publicKey: 'abc', allowedUsers: ['1'] } } }))).toContain('chatops.discord.publicKey: must be the application\'s public key: 64 hex characters');
    expect(configError(() => parseConfig({ ...base, chatops: { slack: { allowedUsers: [] } } }))).toContain('chatops.slack.allowedUsers: list the user ids allowed to run commands');
  });
});

describe('the local server', () => {
  it('serves the chat-ops routes without the access token (they carry their own signature) and queues the task', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'tributary-chatops-'));
    const config = parseConfig({ stateDir: 'state', server: { host: '0.0.0.0' }, chatops, sources: [{ id: 'docs', kind: 'filesystem', root: dir }] });
    const stack = await openLocalStack({ config, origin: 'test', baseDir: dir, stateDir: join(dir, 'state') }, { log: silentLogger });
    const secret = (n: string): string | undefined => ({ SLACK_SIGNING_SECRET: SIGNING_SECRET, TRIBUTARY_ACCESS_TOKEN: 'token' } as Record<string, string>)[n];
    const app = buildServer(stack, { secret, access: accessPolicy(config.server, { TRIBUTARY_ACCESS_TOKEN: 'token' }) });
    const body = slashCommand('sync docs');
    try {
      // Act
      const res = await app.inject({ method: 'POST', url: '/chatops/slack', headers: { ...slackHeaders(body, Date.now()), host: 'localhost' }, payload: body });
      const status = await app.inject({ method: 'GET', url: '/status', headers: { host: 'localhost' } });

      // Assess
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ response_type: 'ephemeral', text: 'Sync of `docs` queued; `/tributary status` shows when it has run.' });
      expect(status.statusCode).toBe(401);
      expect((await stack.queue.depth('fetch')).visible).toBe(1);
    } finally {
      await app.close();
      await stack.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
