/**
 * A Slack source through the real local runtime (`tributary start` as a child process) against
 * the loopback Slack emulator: the initial sync survives a 429 storm with every message indexed;
 * signed Events API requests make an edit, a deletion and a new message searchable (or gone)
 * without a scheduled run; forged and stale signatures get 401 and start nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SlackEmulator, signSlackRequest, urlVerification } from '../emulators/slack.ts';
import { describeResult, exportRows, killStragglers, makeWorkspace, spawnCli, waitFor, type RunningCli, type Workspace } from './support/cli.ts';

const TIMEOUT = 180_000;
const SECRET = 'e2e-slack-signing-secret-0123456789';
const TOKEN = 'xoxb-e2e-token';
const GENERAL = 'C0GENERAL';
const RANDOM = 'C0RANDOM';

interface Status {
  sources: Array<{ id: string; documents: number; lagSeconds: number | null; running: boolean; lastRun: { status: string; startedAt: string } | null }>;
  queues: { fetch: { visible: number; inFlight: number }; embed: { visible: number; inFlight: number } };
  deadLetters: unknown[];
}

interface SearchResponse {
  results: Array<{ docId: string; sourceId: string; text: string; score: number }>;
}

let ws: Workspace | undefined;
let slack: SlackEmulator | undefined;

afterAll(async () => {
  await killStragglers();
  await slack?.close();
  await ws?.remove();
});

describe('slack source through `tributary start`', () => {
  it('syncs under a 429 storm, then applies signed events without a scheduled run', async () => {
    // Prepare: a workspace of 30 threads (6 with 3 replies) in two channels, posted an hour ago.
    let offsetMs = -3_600_000;
    slack = await SlackEmulator.start({ token: TOKEN, now: () => Date.now() + offsetMs });
    slack.addUser({ id: 'U0ALICE', name: 'alice', displayName: 'Alice' });
    slack.addUser({ id: 'U0BOB', name: 'bob', realName: 'Bob Builder' });
    slack.addChannel({ id: GENERAL, name: 'general' });
    slack.addChannel({ id: RANDOM, name: 'random' });
    const threads: Array<{ channel: string; ts: string }> = [];
    const words: string[] = [];
    for (let i = 0; i < 30; i++) {
      const channel = i % 3 === 0 ? RANDOM : GENERAL;
      const word = `topic${i}x`;
      words.push(word);
      const { ts } = slack.post({ channel, user: i % 2 ? 'U0BOB' : 'U0ALICE', text: `Message ${i} is about ${word} and <@U0BOB>` });
      threads.push({ channel, ts });
      if (i % 5 === 0) {
        for (let r = 0; r < 3; r++) {
          const reply = `reply${i}r${r}x`;
          words.push(reply);
          slack.post({ channel, user: 'U0BOB', text: `Reply ${reply}`, threadTs: ts });
        }
      }
    }
    offsetMs = 0;
    // Half of the calls are rate limited during the initial sync.
    slack.rateLimit({ share: 0.5, retryAfterSeconds: 0, seed: 11 });
    ws = await makeWorkspace('slack', {
      config: {
        sources: [{
          id: 'team', kind: 'slack', apiUrl: slack.url, tokenEnv: 'E2E_SLACK_TOKEN', webhook: { secretEnv: 'E2E_SLACK_SIGNING_SECRET' },
          schedule: 'rate(1 day)', pageSize: 7, maxRetries: 30, retryMinDelayMs: 0, retryMaxDelayMs: 20,
        }],
      },
    });
    const running: RunningCli = spawnCli(ws.dir, ['start', '--port', '0'], {
      env: { E2E_SLACK_TOKEN: TOKEN, E2E_SLACK_SIGNING_SECRET: SECRET }, timeoutMs: TIMEOUT,
    });
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
    const search = async (q: string): Promise<SearchResponse> => (await (await fetch(`${base}/search?q=${encodeURIComponent(q)}&top=3`)).json()) as SearchResponse;
    const deliver = (payload: unknown, options: { at?: number; secret?: string } = {}) => {
      const body = JSON.stringify(payload);
      return fetch(`${base}/webhooks/team`, {
        method: 'POST', body, headers: signSlackRequest(options.secret ?? SECRET, body, options.at ?? Math.floor(Date.now() / 1000)),
      });
    };

    // Act 1: the initial sync, under the storm.
    const initial = await waitFor('the initial sync', async () => {
      const s = await status();
      return settled(s, 30) ? s : undefined;
    }, { timeoutMs: 120_000, intervalMs: 250 });
    slack.rateLimit(undefined);

    // Assess 1: every message and reply is in the index, nothing dead-lettered.
    expect(initial.sources[0]!.lastRun?.status, running.stderr()).toBe('succeeded');
    expect(initial.deadLetters).toEqual([]);
    const stormed = slack.calls.filter((c) => c.status === 429).length;
    expect(stormed).toBeGreaterThan(5);
    const rows = await exportRows(ws.dir, 'team');
    const indexed = rows.map((r) => r.text).join('\n');
    for (const word of words) expect(indexed).toContain(word);
    expect(new Set(rows.map((r) => r.docId))).toEqual(new Set(threads.map((t) => `${t.channel}/${t.ts}`)));
    expect(indexed).toContain('@Bob Builder');

    // Act 2: forged and stale signatures.
    const event = slack.edit(threads[1]!.channel, threads[1]!.ts, 'Message 1 now mentions zebracorn grazing');
    const forged = await deliver(event, { secret: 'not-the-signing-secret' });
    const stale = await deliver(event, { at: Math.floor(Date.now() / 1000) - 600 });
    const afterRefusals = await status();

    // Assess 2: 401, nothing queued or run.
    expect([forged.status, stale.status]).toEqual([401, 401]);
    expect(afterRefusals.queues.fetch.visible + afterRefusals.queues.fetch.inFlight).toBe(0);
    expect(afterRefusals.sources[0]!.running).toBe(false);
    expect(afterRefusals.sources[0]!.lastRun?.startedAt).toBe(initial.sources[0]!.lastRun?.startedAt);
    expect((await search('zebracorn')).results.some((r) => r.text.includes('zebracorn'))).toBe(false);

    // Act 3: the same edit, properly signed; a deletion; a new message; a URL verification.
    const challenge = await deliver(urlVerification('c-123'));
    const edited = await deliver(event);
    const doomed = threads[4]!;
    const deleted = await deliver(slack.remove(doomed.channel, doomed.ts));
    const posted = slack.post({ channel: GENERAL, user: 'U0ALICE', text: 'A quokka visited the datacenter' });
    const added = await deliver(posted.envelope);

    // Assess 3: each change lands in search without a scheduled run.
    expect(challenge.status).toBe(200);
    expect(await challenge.json()).toEqual({ challenge: 'c-123' });
    expect([edited.status, deleted.status, added.status]).toEqual([200, 200, 200]);
    const hit = await waitFor('the edit in search', async () => {
      const r = await search('zebracorn grazing');
      // The thread can be the top hit before the edit lands (nothing else is close): wait for its new text.
      const top = r.results[0];
      return top?.docId === `${threads[1]!.channel}/${threads[1]!.ts}` && top.text.includes('zebracorn') ? top : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(hit.text).toContain('Bob Builder: Message 1 now mentions zebracorn grazing');
    await waitFor('the new message in search', async () => {
      const r = await search('quokka datacenter');
      return r.results[0]?.docId === `${GENERAL}/${posted.ts}`;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    const final = await waitFor('the deletion applied', async () => {
      const s = await status();
      return settled(s, 30) ? s : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(final.deadLetters).toEqual([]);
    const after = await exportRows(ws.dir, 'team');
    expect(after.some((r) => r.docId === `${doomed.channel}/${doomed.ts}`)).toBe(false);
    expect(after.map((r) => r.text).join('\n')).not.toContain(words[4]!);
    // Targeted runs only: the trigger of every run after the first is the webhook.
    expect(slack.count('users.conversations', 200)).toBe(1);

    running.child.kill('SIGTERM');
    const stopped = await running.exited;
    expect(stopped.code, describeResult(stopped)).toBe(0);
  }, TIMEOUT);
});
