/**
 * Alerts on the local stack, in-process: a failing source's alert reaches a loopback Slack
 * incoming webhook and a loopback SMTP server with the source, the error and the fix; one
 * alert per incident (also across two stacks on one database), one recovery; a failed post
 * is retried by the next check; conditions and config errors.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Context, SNSEvent } from 'aws-lambda';
import { startLocalAlerts, type LocalAlerts } from '../../../functions/local/alerts.ts';
import { createNotifierHandler } from '../../../functions/notifier/notifier.ts';
import { SlackWebhookChannel } from '../../../shared/adapters/alerts/slack-webhook-channel.ts';
import { parseConfig } from '../../../shared/config/load.ts';
import { checkSourceAlerts } from '../../../shared/core/alerts/check.ts';
import { activeConditions, deadLettersBySource, splitFix } from '../../../shared/core/alerts/conditions.ts';
import { silentLogger } from '../../../shared/core/deps.ts';
import { reportSource } from '../../../shared/core/source-status.ts';
import type { AlertChannel, AlertMessage } from '../../../shared/ports/index.ts';
import { alertsFromConfig } from '../../../shared/wiring/alerts.ts';
import { openLocalStack, type LocalStack } from '../../../shared/wiring/local-stack.ts';
import { configError } from '../../support/config-error.ts';
import { ManualClock } from '../../support/embedded.ts';
import { startLoopbackSlack, type LoopbackSlack } from '../../support/loopback-slack.ts';
import { InMemoryIncidentLog } from '../../support/memory-incident-log.ts';
import { InMemoryStateStore } from '../../support/memory-state-store.ts';

const AUTH_ERROR = 'GitHub rejected the credentials of source "code" (401) on GET /repos/acme/app/commits: Bad credentials; check the credentials the source config names';

interface Mail { subject: string; text: string; to: string[] }

let dir: string;
let slack: LoopbackSlack;
let smtp: SMTPServer;
let smtpUrl: string;
const mails: Mail[] = [];
let stack: LocalStack;
let other: LocalStack;

const config = (extra: Record<string, unknown> = {}) => parseConfig({
  stateDir: 'state',
  alerts: { slack: { webhookUrlEnv: 'ALERT_SLACK_URL' }, email: { to: ['ops@example.com'], from: 'tributary@example.com', smtpUrlEnv: 'ALERT_SMTP_URL' }, checkEverySeconds: 3600 },
  sources: [
    { id: 'code', kind: 'filesystem', root: join(tmpdir(), 'none') },
    { id: 'quiet', kind: 'filesystem', root: join(tmpdir(), 'none'), alerts: { enabled: false } },
  ],
  ...extra,
});
const secrets = (name: string): string | undefined => ({ ALERT_SLACK_URL: slack.url, ALERT_SMTP_URL: smtpUrl } as Record<string, string>)[name];

/** Records a run of `sourceId` that failed (or succeeded) in the state store, as the fetcher does. */
async function finishRun(target: LocalStack, sourceId: string, outcome: { ok: true } | { ok: false; error: string }): Promise<void> {
  const now = Date.now();
  const lease = await target.state.acquireLease({ sourceId, owner: target.owner, now, ttlMs: 60_000 });
  if (!lease.acquired) throw new Error('lease not acquired');
  await target.state.finishRun({
    sourceId, owner: target.owner, epoch: lease.epoch, now,
    outcome: outcome.ok ? { ok: true, watermark: new Date(now).toISOString() } : outcome,
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-alerts-'));
  slack = await startLoopbackSlack();
  smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const [head = '', ...body] = raw.split('\r\n\r\n');
        // Quoted-printable, as nodemailer sends long lines: soft breaks and =XX escapes.
        const text = body.join('\n').replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
        mails.push({ subject: /^Subject: (.*)$/m.exec(head)?.[1] ?? '', text, to: session.envelope.rcptTo.map((r) => r.address) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  const loaded = { config: config(), origin: 'test', baseDir: dir, stateDir: join(dir, 'state') };
  stack = await openLocalStack(loaded, { log: silentLogger });
  // A second process on the same state folder (another `tributary` command).
  other = await openLocalStack(loaded, { log: silentLogger });
});

afterAll(async () => {
  await stack.close();
  await other.close();
  await slack.close();
  await new Promise<void>((resolve) => smtp.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('alerts on the local stack', () => {
  let alerts: LocalAlerts;
  let alertsElsewhere: LocalAlerts;
  beforeAll(() => {
    alerts = startLocalAlerts(stack, { secret: secrets, log: silentLogger })!;
    alertsElsewhere = startLocalAlerts(other, { secret: secrets, log: silentLogger })!;
  });
  afterAll(async () => {
    await alerts.stop();
    await alertsElsewhere.stop();
  });
  beforeEach(() => {
    slack.posts.length = 0;
    mails.length = 0;
    slack.status = 200;
  });

  it('posts a failing source to Slack and e-mail with the source, the error and the fix', async () => {
    // Prepare
    await finishRun(stack, 'code', { ok: false, error: AUTH_ERROR });
    await finishRun(stack, 'quiet', { ok: false, error: AUTH_ERROR });

    // Act
    const outcomes = await alerts.check();

    // Assess
    expect(outcomes).toEqual([{ sourceId: 'code', condition: 'failure', firing: true, outcome: 'sent' }]);
    expect(slack.posts).toHaveLength(1);
    const post = slack.posts[0] as { text: string; blocks: Array<{ text: { text: string } }> };
    expect(post.text).toContain('source "code" is failing');
    const shown = post.blocks.map((b) => b.text.text).join('\n');
    expect(shown).toContain('*Source:* `code`');
    expect(shown).toContain('*Error:* GitHub rejected the credentials of source "code" (401) on GET /repos/acme/app/commits: Bad credentials');
    expect(shown).toContain('*Fix:* check the credentials the source config names');
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ subject: '[Tributary] code: failure', to: ['ops@example.com'] });
    expect(mails[0]?.text).toContain('Error: GitHub rejected the credentials');
    expect(mails[0]?.text).toContain('Fix: check the credentials the source config names');
  });

  it('sends one alert per incident: not again on the next check, nor from another process on the same database', async () => {
    // Act
    await finishRun(stack, 'code', { ok: false, error: AUTH_ERROR });
    const results = await Promise.all([alerts.check(), alertsElsewhere.check(), alerts.check()]);

    // Assess
    expect(results.flat()).toEqual([]);
    expect(slack.posts).toHaveLength(0);
    expect(mails).toHaveLength(0);
  });

  it('announces the recovery once when the source syncs again', async () => {
    // Act
    await finishRun(other, 'code', { ok: true });
    const [first, second] = await Promise.all([alertsElsewhere.check(), alerts.check()]);
    const later = await alerts.check();

    // Assess
    expect([...(first ?? []), ...(second ?? [])]).toEqual([{ sourceId: 'code', condition: 'failure', firing: false, outcome: 'sent' }]);
    expect(later).toEqual([]);
    expect(slack.posts).toHaveLength(1);
    expect((slack.posts[0] as { text: string }).text).toContain('recovered — source "code" is syncing again');
    expect(mails.map((m) => m.subject)).toEqual(['[Tributary] code: recovered (failure)']);
  });

  it('retries an alert whose every post failed on the next check', async () => {
    // Prepare
    const slackOnly = startLocalAlerts({ ...stack, loaded: { ...stack.loaded, config: config({ alerts: { slack: { webhookUrlEnv: 'ALERT_SLACK_URL' }, checkEverySeconds: 3600 } }) } }, { secret: secrets, log: silentLogger })!;
    await finishRun(stack, 'code', { ok: false, error: AUTH_ERROR });
    slack.status = 500;

    // Act
    const failed = await slackOnly.check();
    slack.status = 200;
    const retried = await slackOnly.check();
    await finishRun(stack, 'code', { ok: true });
    await slackOnly.check();
    await slackOnly.stop();

    // Assess
    expect(failed).toEqual([{ sourceId: 'code', condition: 'failure', firing: true, outcome: 'failed' }]);
    expect(retried).toEqual([{ sourceId: 'code', condition: 'failure', firing: true, outcome: 'sent' }]);
    expect(slack.posts).toHaveLength(2);
  });
});

describe('alert conditions', () => {
  const now = Date.parse('2026-01-01T12:00:00.000Z');
  const report = (state: Record<string, unknown> = {}) => reportSource({
    sourceId: 'docs', now, freshnessSloMinutes: 60, lastRun: undefined,
    state: { sourceId: 'docs', epoch: 1, rerunRequested: false, consecutiveFailures: 0, watermark: new Date(now - 60_000).toISOString(), ...state },
  });

  it('names staleness, a tripped breaker with its fix, and dead letters with their reason', () => {
    // Act
    const active = activeConditions({
      report: report({ watermark: new Date(now - 3 * 3_600_000).toISOString(), breaker: { trippedAt: new Date(now).toISOString(), wouldDelete: 40, known: 50, maxShare: 0.3 } }),
      deadLetters: deadLettersBySource([{ body: '{"type":"upsert","sourceId":"docs"}', reason: 'embedding provider refused the input' }, { body: 'not json' }]).get('docs') ?? { count: 0 },
      neverSyncedIsStale: true,
    });

    // Assess
    expect([...active.keys()]).toEqual(['stale', 'breaker', 'deadLetters']);
    expect(active.get('stale')?.title).toBe('source "docs" is 3.0 h behind (SLO 60 min)');
    expect(active.get('breaker')?.fix).toBe('run `tributary sync --source docs --allow-mass-delete` if the deletions are real');
    expect(active.get('deadLetters')).toMatchObject({ title: 'source "docs": 1 task dead-lettered', error: 'embedding provider refused the input' });
  });

  it('waits for the configured failures and for a first sync before alerting', () => {
    // Act
    const once = activeConditions({ report: report({ lastError: 'boom', consecutiveFailures: 1 }), deadLetters: { count: 0 }, failuresBeforeAlert: 2, neverSyncedIsStale: false });
    const twice = activeConditions({ report: report({ lastError: 'boom', consecutiveFailures: 2 }), deadLetters: { count: 0 }, failuresBeforeAlert: 2, neverSyncedIsStale: false });
    const fresh = activeConditions({ report: report({ watermark: undefined }), deadLetters: { count: 0 }, neverSyncedIsStale: false });

    // Assess
    expect(once.size).toBe(0);
    expect(twice.get('failure')).toMatchObject({ title: 'source "docs" is failing (2 runs in a row)', error: 'boom' });
    expect(twice.get('failure')?.fix).toContain('tributary sync --source docs');
    expect(fresh.size).toBe(0);
    expect(splitFix('a; b; c')).toEqual({ error: 'a; b', fix: 'c' });
  });

  it('reminds of an incident still open after repeatAfterHours', async () => {
    // Prepare
    const clock = new ManualClock(now);
    const sent: AlertMessage[] = [];
    const channel: AlertChannel = { name: 'test', send: async (m) => { sent.push(m); } };
    const deps = { incidents: new InMemoryIncidentLog(), clock, log: silentLogger };
    const input = { report: report({ lastError: 'boom', consecutiveFailures: 1 }), deadLetters: { count: 0 }, neverSyncedIsStale: false, channels: [channel] };
    const options = { watch: ['failure'] as const, repeatMs: 3_600_000 };

    // Act
    await checkSourceAlerts(deps, [input], options);
    clock.advance(1_800_000);
    await checkSourceAlerts(deps, [input], options);
    clock.advance(1_800_001);
    await checkSourceAlerts(deps, [input], options);

    // Assess
    expect(sent.map((m) => [m.state, m.at - now])).toEqual([['firing', 0], ['firing', 3_600_001]]);
  });
});

describe('alert configuration', () => {
  it('names the key and the fix for a missing or malformed secret, and for bad addresses', () => {
    // Act
    const missing = configError(() => alertsFromConfig(config(), () => undefined));
    const notHttps = configError(() => alertsFromConfig(config(), (n) => (n === 'ALERT_SLACK_URL' ? 'http://hooks.slack.com/services/x' : smtpUrl)));
    const badSmtp = configError(() => alertsFromConfig(config(), (n) => (n === 'ALERT_SLACK_URL' ? slack.url : 'mail.example.com')));
    const badAddress = configError(() => config({ alerts: { email: { to: ['not-an-address'] } } }));
    const typo = configError(() => config({ alerts: { slack: { webhookUrl: 'https://hooks.slack.com/services/x' } } }));

    // Assess
    expect(missing).toContain('alerts.slack.webhookUrlEnv: the environment variable ALERT_SLACK_URL is not set; export ALERT_SLACK_URL=https://hooks.slack.com/services/');
    expect(notHttps).toContain('alerts.slack.webhookUrlEnv: ALERT_SLACK_URL is not an https URL');
    expect(badSmtp).toContain('alerts.email.smtpUrlEnv: ALERT_SMTP_URL must be an SMTP URL');
    expect(badAddress).toContain('alerts.email.to[0]');
    expect(typo).toContain('alerts.slack.webhookUrl: unknown key "webhookUrl"');
    expect(alertsFromConfig(parseConfig({ sources: [{ id: 'a', kind: 'filesystem', root: '/tmp' }] }), () => undefined)).toBeUndefined();
  });
});

describe('the notifier (AWS: alarm topic → Slack)', () => {
  it('posts an alarm once per incident with the source\'s error and fix, and its recovery', async () => {
    // Prepare
    slack.posts.length = 0;
    const clock = new ManualClock();
    const state = new InMemoryStateStore();
    const lease = await state.acquireLease({ sourceId: 'code', owner: 'fetcher', now: clock.now(), ttlMs: 60_000 });
    if (!lease.acquired) throw new Error('lease not acquired');
    await state.finishRun({ sourceId: 'code', owner: 'fetcher', epoch: lease.epoch, now: clock.now(), outcome: { ok: false, error: AUTH_ERROR } });
    const channel = new SlackWebhookChannel(slack.url);
    const handler = createNotifierHandler({ incidents: new InMemoryIncidentLog(), state, clock, log: silentLogger }, {
      channelsFor: () => [channel], freshnessSloMinutes: () => 60, repeatMs: 3_600_000,
    });
    const sns = (newState: string): SNSEvent => ({ Records: [{ Sns: { MessageId: newState, Message: JSON.stringify({
      AlarmName: 'Tributary-dev-Pipeline-Failurescode', NewStateValue: newState, NewStateReason: 'Threshold Crossed: 1 datapoint [1.0] >= 1.0',
      Trigger: { MetricName: 'ConsecutiveFailures', Dimensions: [{ name: 'SourceId', value: 'code' }, { name: 'service', value: 'tributary' }] },
    }) } }] } as unknown as SNSEvent);

    // Act
    const fired = await handler(sns('ALARM'), {} as Context);
    const redelivered = await handler(sns('ALARM'), {} as Context);
    const ok = await handler(sns('OK'), {} as Context);

    // Assess
    expect([fired.results, redelivered.results, ok.results]).toEqual([['sent'], ['already-open'], ['sent']]);
    const shown = (slack.posts[0] as { blocks: Array<{ text: { text: string } }> }).blocks.map((b) => b.text.text).join('\n');
    expect(shown).toContain('source "code" is failing');
    expect(shown).toContain('*Error:* GitHub rejected the credentials');
    expect(shown).toContain('*Fix:* check the credentials the source config names');
    expect((slack.posts[1] as { text: string }).text).toContain('recovered');
  });
});
