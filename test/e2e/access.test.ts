/**
 * Access metadata end to end, through the CLI and the local server, against the loopback Slack
 * emulator: a public channel's messages are found by anyone, a private channel's only by its
 * members (`tributary search --as`, `GET /search?as=`); an operator's search (no `--as`) sees all;
 * a malformed principal is refused.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SlackEmulator } from '../emulators/slack.ts';
import { describeResult, killStragglers, makeWorkspace, parseJson, runCli, runOk, spawnCli, syncReport, waitFor, type Workspace } from './support/cli.ts';

const TOKEN = 'xoxb-e2e-access';
const GENERAL = 'C0GENERAL';
const PRIVATE = 'G0INCIDENTS';

interface Found {
  results: Array<{ docId: string; access?: string[] }>;
}

let ws: Workspace | undefined;
let slack: SlackEmulator | undefined;

afterAll(async () => {
  await killStragglers();
  await slack?.close();
  await ws?.remove();
});

describe('access through `tributary search --as` and GET /search?as=', () => {
  it('finds a private channel\'s messages only as one of its members', async () => {
    // Prepare
    slack = await SlackEmulator.start({ token: TOKEN, now: () => Date.now() - 600_000 });
    slack.addUser({ id: 'U0ALICE', name: 'alice', displayName: 'Alice' });
    slack.addUser({ id: 'U0BOB', name: 'bob', displayName: 'Bob' });
    slack.addChannel({ id: GENERAL, name: 'general' });
    slack.addChannel({ id: PRIVATE, name: 'incidents', isPrivate: true, members: ['U0ALICE'] });
    const open = slack.post({ channel: GENERAL, user: 'U0BOB', text: 'The failover drill is on Friday' }).ts;
    const closed = slack.post({ channel: PRIVATE, user: 'U0ALICE', text: 'The failover drill exposed the replica lag' }).ts;
    ws = await makeWorkspace('access', {
      config: { sources: [{ id: 'team', kind: 'slack', apiUrl: slack.url, tokenEnv: 'E2E_SLACK_TOKEN', retryMinDelayMs: 0, retryMaxDelayMs: 10 }] },
    });
    const env = { E2E_SLACK_TOKEN: TOKEN };
    const report = syncReport(await runOk(ws.dir, ['sync', '--json'], { env }), 'team');
    expect(report.docsChanged).toBe(2);
    const docIds = async (...as: string[]): Promise<string[]> => {
      const r = await runOk(ws!.dir, ['search', 'failover drill', '--top', '5', '--json', ...as.flatMap((p) => ['--as', p])], { env });
      return parseJson<Found>(r).results.map((x) => x.docId).sort();
    };

    // Act: the CLI.
    const operator = await docIds();
    const alice = await docIds('user:U0ALICE');
    const bob = await docIds('user:U0BOB');
    const both = await docIds('user:U0BOB', 'user:U0ALICE');
    const malformed = await runCli(ws.dir, ['search', 'failover', '--as', 'alice'], { env });

    // Assess
    const openId = `${GENERAL}/${open}`;
    const closedId = `${PRIVATE}/${closed}`;
    expect(operator).toEqual([openId, closedId].sort());
    expect(alice).toEqual([openId, closedId].sort());
    expect(bob).toEqual([openId]);
    expect(both).toEqual([openId, closedId].sort());
    expect(malformed.code, describeResult(malformed)).not.toBe(0);
    expect(malformed.stderr).toMatch(/"alice" is not a principal/);

    // Act: the local server.
    const running = spawnCli(ws.dir, ['start', '--port', '0'], { env, timeoutMs: 120_000 });
    const base = await waitFor('the status page URL on stdout', () => {
      if (running.child.exitCode !== null) throw new Error(`start exited early:\n${running.stdout()}\n${running.stderr()}`);
      return /Console \(status, runs, actions, search\): (https?:\/\/\S+?)\/?$/m.exec(running.stdout())?.[1];
    }, { timeoutMs: 60_000 });
    const served = async (query: string): Promise<{ status: number; body: Found & { error?: string } }> => {
      const res = await fetch(`${base}/search?q=failover%20drill&top=5${query}`);
      return { status: res.status, body: (await res.json()) as Found & { error?: string } };
    };
    const asBob = await served('&as=user:U0BOB');
    const asAlice = await served('&as=user:U0ALICE');
    const repeated = await served('&as=user:U0BOB&as=user:U0ALICE');
    const refused = await served('&as=U0BOB');
    running.child.kill('SIGTERM');
    await running.exited;

    // Assess
    expect(asBob.body.results.map((r) => r.docId)).toEqual([openId]);
    expect(asAlice.body.results.map((r) => r.docId).sort()).toEqual([openId, closedId].sort());
    expect(asAlice.body.results.find((r) => r.docId === closedId)?.access).toEqual(['user:U0ALICE', 'user:UBOTEMU01']);
    expect(repeated.body.results).toHaveLength(2);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/"U0BOB" is not a principal/);
  }, 180_000);
});
