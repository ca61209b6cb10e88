/**
 * Who posted, through the real CLI against the loopback Slack emulator: two Slack sources read
 * the same channel, `humans` (includeBotMessages off) and `everyone` (on). `tributary sync`
 * indexes every kind of poster's messages into `everyone` and only people's into `humans`
 * (a person's reply under a bot's post included); then `tributary start` receives each poster's
 * new post as a signed Events API delivery: `humans` ignores the bots' without a Slack call,
 * and both index what they should without a scheduled run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SlackEmulator, signSlackRequest } from '../emulators/slack.ts';
import { CI_APP, POSTERS } from '../support/slack-posters.ts';
import { describeResult, exportRows, killStragglers, makeWorkspace, runOk, spawnCli, syncReport, waitFor, type Workspace } from './support/cli.ts';

const TIMEOUT = 180_000;
const SECRET = 'e2e-slack-posters-signing-secret';
const TOKEN = 'xoxb-e2e-posters';
const GENERAL = 'C0GENERAL';
const ENV = { E2E_SLACK_TOKEN: TOKEN, E2E_SLACK_SIGNING_SECRET: SECRET };

interface SourceStatus {
  id: string;
  documents: number;
  running: boolean;
  lastRun: { trigger: string; status: string; finishedAt: string | null } | null;
}
interface Status {
  sources: SourceStatus[];
  queues: { fetch: { visible: number; inFlight: number }; embed: { visible: number; inFlight: number } };
  deadLetters: unknown[];
}

let ws: Workspace | undefined;
let slack: SlackEmulator | undefined;

afterAll(async () => {
  await killStragglers();
  await slack?.close();
  await ws?.remove();
});

/** A marker word per poster and occasion, so exports show exactly whose messages are in. */
const word = (poster: number, what: string): string => `p${poster}${what}x`;

describe('slack posters through `tributary sync` and `tributary start`', () => {
  it('indexes people always and bots only with includeBotMessages, by pull and by signed events', async () => {
    // Prepare: an hour ago, each poster posts on its own and starts a thread a person answers;
    // those that can reply also answer a person's question.
    let offsetMs = -3_600_000;
    slack = await SlackEmulator.start({ token: TOKEN, now: () => Date.now() + offsetMs });
    slack.addUser({ id: 'U0ALICE', name: 'alice', displayName: 'Alice' });
    slack.addUser({ id: 'U0BOB', name: 'bob', realName: 'Bob Builder' });
    slack.addApp(CI_APP);
    slack.addChannel({ id: GENERAL, name: 'general' });
    const question = slack.postAsUser({ channel: GENERAL, user: 'U0BOB', text: 'who knows the release steps?' }).ts;
    POSTERS.forEach((poster, i) => {
      poster.post(slack!, { channel: GENERAL, text: `post ${word(i, 'lone')}` });
      const parent = poster.post(slack!, { channel: GENERAL, text: `thread ${word(i, 'parent')}` }).ts;
      slack!.postAsUser({ channel: GENERAL, user: 'U0BOB', text: `answer ${word(i, 'answer')}`, threadTs: parent });
      if (poster.replies) poster.post(slack!, { channel: GENERAL, text: `reply ${word(i, 'reply')}`, threadTs: question });
    });
    slack.join({ channel: GENERAL, user: 'U0BOB', inviter: 'U0ALICE' });
    offsetMs = 0;
    const source = (id: string, includeBotMessages: boolean) => ({
      id, kind: 'slack', apiUrl: slack!.url, tokenEnv: 'E2E_SLACK_TOKEN', webhook: { secretEnv: 'E2E_SLACK_SIGNING_SECRET' },
      channels: [GENERAL], includeBotMessages, schedule: 'rate(1 day)', retryMinDelayMs: 0, retryMaxDelayMs: 20,
    });
    ws = await makeWorkspace('slack-posters', { config: { sources: [source('humans', false), source('everyone', true)] } });
    const dir = ws.dir;
    const indexed = async (sourceId: string): Promise<string> => (await exportRows(dir, sourceId)).map((r) => r.text).join('\n');
    const words = (what: readonly string[], which: (i: number) => boolean): string[] =>
      POSTERS.flatMap((p, i) => (which(i) ? what.filter((w) => w !== 'reply' || p.replies).map((w) => word(i, w)) : []));
    const person = (i: number): boolean => !POSTERS[i]!.bot;
    const bot = (i: number): boolean => POSTERS[i]!.bot;

    // Act 1: one sync of both sources.
    const synced = await runOk(dir, ['sync', '--json'], { env: ENV });
    const humans = syncReport(synced, 'humans');
    const everyone = syncReport(synced, 'everyone');
    const humansText = await indexed('humans');
    const everyoneText = await indexed('everyone');

    // Assess 1: humans has the person's posts and every person's answer (under bot posts too),
    // none of the bots' words; everyone has all of them. No notice is a document.
    expect([humans.status, everyone.status]).toEqual(['synced', 'synced']);
    expect([humans.docsChanged, everyone.docsChanged]).toEqual([1 + 1 + POSTERS.length, POSTERS.length * 2 + 1]);
    for (const w of [...words(['lone', 'parent', 'reply'], person), ...words(['answer'], () => true)]) expect(humansText).toContain(w);
    for (const w of words(['lone', 'parent', 'reply'], bot)) expect(humansText).not.toContain(w);
    for (const w of words(['lone', 'parent', 'reply', 'answer'], () => true)) expect(everyoneText).toContain(w);
    expect(everyoneText).not.toContain('has joined the channel');

    // Act 2: `start`; once its start-up sync is done, each poster posts anew and Slack delivers it.
    const running = spawnCli(dir, ['start', '--port', '0'], { env: ENV, timeoutMs: TIMEOUT });
    const base = await waitFor('the status page URL on stdout', () => {
      if (running.child.exitCode !== null) throw new Error(`start exited early:\n${running.stdout()}\n${running.stderr()}`);
      return /Console \(status, runs, actions, search\): (https?:\/\/\S+?)\/?$/m.exec(running.stdout())?.[1];
    }, { timeoutMs: 60_000 });
    const status = async (): Promise<Status> => (await (await fetch(`${base}/status`)).json()) as Status;
    const settled = async (trigger: string, documents: Record<string, number>): Promise<Status | undefined> => {
      const s = await status();
      const idle = s.queues.fetch.visible + s.queues.fetch.inFlight + s.queues.embed.visible + s.queues.embed.inFlight === 0;
      const done = s.sources.every((src) => !src.running && src.lastRun?.trigger === trigger && src.lastRun.finishedAt !== null
        && src.documents === documents[src.id]);
      return idle && done ? s : undefined;
    };
    await waitFor('the start-up sync', () => settled('schedule', { humans: humans.docsChanged, everyone: everyone.docsChanged }), { timeoutMs: 60_000, intervalMs: 250 });
    const historyCalls = slack.count('conversations.history');
    const fresh = POSTERS.map((poster, i) => poster.post(slack!, { channel: GENERAL, text: `news ${word(i, 'fresh')}` }));
    const alert = slack.postAsApp({ channel: GENERAL, app: CI_APP, text: 'alert p9alertx' });
    const ack = slack.postAsUser({ channel: GENERAL, user: 'U0ALICE', text: 'acknowledged p9ackx', threadTs: alert.ts });
    const deliver = async (sourceId: string, payload: unknown): Promise<Record<string, unknown>> => {
      const body = JSON.stringify(payload);
      const response = await fetch(`${base}/webhooks/${sourceId}`, { method: 'POST', body, headers: signSlackRequest(SECRET, body, Math.floor(Date.now() / 1000)) });
      expect(response.status).toBe(200);
      return (await response.json()) as Record<string, unknown>;
    };
    const answers: Record<string, Array<Record<string, unknown>>> = { humans: [], everyone: [] };
    for (const posted of [...fresh, alert, ack]) {
      for (const id of ['humans', 'everyone']) answers[id]!.push(await deliver(id, posted.envelope));
    }

    // Assess 2: humans hints only the people's messages (the answer under the app's alert too);
    // everyone hints all; both index them by targeted runs, without reading history.
    const kinds = [...POSTERS.map((p) => p.bot), true, false];
    expect(answers['humans']!.map((a) => 'ignored' in a)).toEqual(kinds);
    expect(answers['everyone']!.map((a) => a['ids'])).toEqual(kinds.map(() => 1));
    const final = await waitFor('the events indexed', () => settled('webhook', {
      humans: humans.docsChanged + 2, everyone: everyone.docsChanged + POSTERS.length + 1,
    }), { timeoutMs: 60_000, intervalMs: 250 });
    expect(final.deadLetters).toEqual([]);
    expect(slack.count('conversations.history')).toBe(historyCalls);
    const humansAfter = await indexed('humans');
    const everyoneAfter = await indexed('everyone');
    for (const w of [...words(['fresh'], person), 'p9ackx']) expect(humansAfter).toContain(w);
    for (const w of [...words(['fresh'], bot), 'p9alertx']) expect(humansAfter).not.toContain(w);
    for (const w of [...words(['fresh'], () => true), 'p9alertx', 'p9ackx']) expect(everyoneAfter).toContain(w);

    running.child.kill('SIGTERM');
    const stopped = await running.exited;
    expect(stopped.code, describeResult(stopped)).toBe(0);
  }, TIMEOUT);
});
