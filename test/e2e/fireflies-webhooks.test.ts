/**
 * Fireflies Webhooks V2 through the real local runtime (`tributary start` as a child process):
 * the emulator delivers `meeting.transcribed` to `POST /webhooks/<id>` as Fireflies would, and
 * the meeting is searchable without a scheduled run, read by a targeted run of one request. A
 * forged signature, a tampered body, a stale signed timestamp and a replayed delivery are refused
 * (4xx) and start nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { postFirefliesWebhook, signFirefliesBody, startFireflies, type FirefliesEmulator, type MeetingSeed } from '../emulators/fireflies.ts';
import { describeResult, killStragglers, makeWorkspace, spawnCli, waitFor, type RunningCli, type Workspace } from './support/cli.ts';

const TIMEOUT = 180_000;
const SECRET = 'e2e-fireflies-signing-secret';
const KEY = 'ff-e2e-webhook-key';
const ALICE = 'alice@acme.test';
const HOUR = 3_600_000;

interface Status {
  sources: Array<{ id: string; documents: number; lagSeconds: number | null; running: boolean; lastRun: { status: string; trigger: string; startedAt: string } | null }>;
  queues: { fetch: { visible: number; inFlight: number }; embed: { visible: number; inFlight: number } };
  deadLetters: unknown[];
}

let ws: Workspace | undefined;
let ff: FirefliesEmulator | undefined;

afterAll(async () => {
  await killStragglers();
  await ff?.close();
  await ws?.remove();
});

const meeting = (title: string, date: number, words: string): MeetingSeed => ({
  title, date, organizer: ALICE, privacy: 'teammates',
  sentences: [{ speaker: 'Alice', text: `Today we discuss ${words}.`, start: 0, end: 3 }, { speaker: 'Bob', text: `Agreed on ${words}.`, start: 4, end: 6 }],
});

describe('fireflies webhooks through `tributary start`', () => {
  it('indexes a transcribed meeting on its signed delivery, and refuses forged, tampered, stale and replayed ones', async () => {
    // Prepare: two meetings indexed by the start-up sync; a webhook registered for Alice's meetings.
    ff = await startFireflies({ now: () => Date.now() });
    ff.addUser({ email: ALICE, name: 'Alice', admin: true, apiKey: KEY });
    ff.addProcessedMeeting(meeting('Budget', Date.now() - 30 * HOUR, 'the budget'));
    ff.addProcessedMeeting(meeting('Hiring', Date.now() - 5 * HOUR, 'hiring plans'));
    ws = await makeWorkspace('fireflies-webhooks', {
      config: {
        sources: [{
          id: 'meetings', kind: 'fireflies', apiUrl: ff.url, apiKeyEnv: 'E2E_FIREFLIES_KEY', webhook: { secretEnv: 'E2E_FIREFLIES_SECRET' },
          schedule: 'rate(1 day)', team: 'acme',
        }],
      },
    });
    const running: RunningCli = spawnCli(ws.dir, ['start', '--port', '0'], { env: { E2E_FIREFLIES_KEY: KEY, E2E_FIREFLIES_SECRET: SECRET }, timeoutMs: TIMEOUT });
    const base = await waitFor('the status page URL on stdout', () => {
      if (running.child.exitCode !== null) throw new Error(`start exited early:\n${running.stdout()}\n${running.stderr()}`);
      return /Console \(status, runs, actions, search\): (https?:\/\/\S+?)\/?$/m.exec(running.stdout())?.[1];
    }, { timeoutMs: 60_000 });
    const status = async (): Promise<Status> => (await (await fetch(`${base}/status`)).json()) as Status;
    const idle = (s: Status): boolean => !s.sources[0]!.running
      && s.queues.fetch.visible + s.queues.fetch.inFlight + s.queues.embed.visible + s.queues.embed.inFlight === 0;
    const search = async (q: string): Promise<string[]> =>
      ((await (await fetch(`${base}/search?q=${encodeURIComponent(q)}&top=3`)).json()) as { results: Array<{ docId: string }> }).results.map((r) => r.docId);
    const startup = await waitFor('the start-up sync', async () => {
      const s = await status();
      return idle(s) && s.sources[0]!.documents === 2 && s.sources[0]!.lastRun?.status === 'succeeded' ? s : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200 });
    const hook = `${base}/webhooks/meetings`;
    ff.registerWebhook(ALICE, { url: hook, secret: SECRET, events: ['meeting.transcribed', 'meeting.summarized'] });

    // Act 1: refused deliveries — forged, tampered, stale, and one without a signature.
    const body = (extra: Record<string, unknown> = {}) => JSON.stringify({ event: 'meeting.transcribed', timestamp: Date.now(), meeting_id: 'ASxwZxCstx', ...extra });
    const forged = await postFirefliesWebhook(hook, body(), { secret: 'not-the-secret' });
    const signedOnce = body();
    const tampered = await postFirefliesWebhook(hook, signedOnce.replace('ASxwZxCstx', 'ASxwZxCsty'), { signature: signFirefliesBody(signedOnce, SECRET) });
    const stale = await postFirefliesWebhook(hook, body({ timestamp: Date.now() - 10 * 60_000 }), { secret: SECRET });
    const unsigned = await postFirefliesWebhook(hook, body(), {});
    const afterRefusals = await status();

    // Assess 1: 401 each; nothing queued, no run since the start-up sync.
    expect([forged.status, tampered.status, stale.status, unsigned.status]).toEqual([401, 401, 401, 401]);
    expect(idle(afterRefusals)).toBe(true);
    expect(afterRefusals.sources[0]!.lastRun?.startedAt).toBe(startup.sources[0]!.lastRun?.startedAt);

    // Act 2: a meeting that started an hour ago is transcribed: Fireflies delivers meeting.transcribed.
    const requestsBefore = ff.requests.length;
    const id = ff.addMeeting(meeting('Quokka offsite', Date.now() - HOUR, 'the quokka offsite'));
    const [delivery] = await ff.finishProcessing(id);

    // Assess 2: accepted, and searchable without a scheduled run; the run was the webhook's, one request.
    expect(delivery).toMatchObject({ ok: true, status: 200, event: 'meeting.transcribed' });
    await waitFor('the meeting in search', async () => (await search('quokka offsite'))[0] === id, { timeoutMs: 30_000, intervalMs: 200 });
    const indexed = await waitFor('the targeted run to finish', async () => {
      const s = await status();
      return idle(s) && s.sources[0]!.documents === 3 ? s : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(indexed.sources[0]!.lastRun).toMatchObject({ status: 'succeeded', trigger: 'webhook' });
    expect(ff.requests.slice(requestsBefore).map((r) => r.rootFields)).toEqual([['transcript']]);

    // Act 3: the same delivery replayed (same bytes, same signature), and meeting.summarized.
    const replayed = await postFirefliesWebhook(hook, delivery!.body, { signature: delivery!.headers['x-hub-signature']! });
    const [summarized] = await ff.finishSummary(id, { overview: 'Offsite planned.' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const final = await status();

    // Assess 3: the replay is refused (409) and reads nothing; the summary is acknowledged and ignored.
    expect(replayed.status).toBe(409);
    expect(summarized).toMatchObject({ ok: true, status: 200 });
    expect(idle(final)).toBe(true);
    expect(final.sources[0]!.lastRun?.startedAt).toBe(indexed.sources[0]!.lastRun?.startedAt);
    expect(ff.requests.length - requestsBefore).toBe(1);
    expect(final.deadLetters).toEqual([]);

    running.child.kill('SIGTERM');
    const stopped = await running.exited;
    expect(stopped.code, describeResult(stopped)).toBe(0);
  }, TIMEOUT);
});
