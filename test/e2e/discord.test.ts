/**
 * A Discord source through the real CLI (`tributary sync`, `tributary start` as child processes)
 * against the loopback Discord emulator (REST and Gateway on one port):
 *
 * - sync: the initial sync is exact; a sync with no change makes no embedding call and no write; a
 *   new message re-embeds at most one chunk; a recent edit and deletion arrive with the next sync
 *   (the re-read window); an old edit and a vanished day with the reconcile pass; `search --as`
 *   sees a private channel only as a role or member that may read it.
 * - start: with a once-a-day schedule, edits, deletions and new messages arrive over the Gateway.
 */
import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import { afterAll, describe, expect, it } from 'vitest';
import { dayOfMs } from '../../shared/connectors/kit/days.ts';
import { DiscordEmulator } from '../emulators/discord.ts';
import {
  byDocument, describeResult, exportRows, killStragglers, lanceFiles, makeWorkspace, parseJson, runCli, runOk, spawnCli, syncReport, waitFor,
  type SyncSourceReport, type Workspace,
} from './support/cli.ts';

const TIMEOUT = 240_000;
const TOKEN = 'e2e-discord-bot-token';
const env = { E2E_DISCORD_TOKEN: TOKEN };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Found {
  results: Array<{ docId: string; text: string; access?: string[] }>;
}
interface Status {
  sources: Array<{ id: string; running: boolean; lastRun: { status: string; trigger: string } | null }>;
  queues: { fetch: { visible: number; inFlight: number }; embed: { visible: number; inFlight: number } };
  deadLetters: unknown[];
}

const emulators: DiscordEmulator[] = [];
const workspaces: Workspace[] = [];

afterAll(async () => {
  await killStragglers();
  for (const e of emulators) await e.close();
  for (const w of workspaces) await w.remove();
});

/** A guild with #general (everyone), #ops (the staff role and Bob), a thread, and history over five days. */
async function world() {
  const emu = await DiscordEmulator.start({ token: TOKEN });
  emulators.push(emu);
  const alice = emu.addUser({ username: 'alice', globalName: 'Alice' }).id;
  const bob = emu.addUser({ username: 'bob', globalName: 'Bob' }).id;
  const now = Date.now();
  // Days are anchored to UTC midnights, so no message straddles one whatever the hour the test runs.
  const today0 = Math.floor(now / DAY) * DAY;
  const guild = emu.addGuild({ name: 'Tributary', at: now - 90 * DAY }).id;
  const staff = emu.addRole(guild, { name: 'staff' }).id;
  emu.addMember(guild, alice, { roles: [staff] });
  emu.addMember(guild, bob);
  const general = emu.addChannel({ guild, name: 'general', at: now - 90 * DAY }).id;
  const ops = emu.addChannel({
    guild, name: 'ops', at: now - 90 * DAY,
    overwrites: [{ id: guild, type: 'role', deny: [P.ViewChannel] }, { id: staff, type: 'role', allow: [P.ViewChannel] }, { id: bob, type: 'member', allow: [P.ViewChannel] }, { id: emu.bot.id, type: 'member', allow: [P.ViewChannel] }],
  }).id;
  const words: string[] = [];
  for (let d = 5; d >= 1; d--) {
    for (let i = 0; i < 12; i++) {
      const word = `word${d}x${i}q`;
      words.push(word);
      emu.post({ channel: general, author: i % 2 ? bob : alice, content: `Day ${d} message ${i} mentions ${word} for <@${bob}>`, at: today0 - d * DAY + 10 * HOUR + i * 60_000 });
    }
  }
  const topic = emu.post({ channel: general, author: alice, content: 'Shall we plan the zeppelin launch?', at: today0 - 2 * DAY + 12 * HOUR });
  const thread = emu.startThread({ channel: general, fromMessage: topic.id, name: 'Zeppelin', author: alice, at: today0 - 2 * DAY + 13 * HOUR });
  emu.post({ channel: thread.id, author: bob, content: 'Hangar booked for the zeppelin', at: today0 - 2 * DAY + 14 * HOUR });
  emu.post({ channel: ops, author: bob, content: 'The pager rota changes on Monday', at: today0 - DAY + 12 * HOUR });
  // Today's messages, minutes old: inside the re-read window.
  const recentAt = Math.max(today0 + 1000, now - 20 * 60_000);
  const recent = emu.post({ channel: general, author: alice, content: 'Standup notes mention the capybara', at: recentAt });
  const doomed = emu.post({ channel: general, author: bob, content: 'A typo about the ocelot', at: (recentAt + now) / 2 });
  return { emu, guild, staff, alice, bob, general, ops, thread, words, recent, doomed, now };
}

const sourceConfig = (emu: DiscordEmulator, extra: Record<string, unknown> = {}) => ({
  id: 'chat', kind: 'discord', apiUrl: emu.api, tokenEnv: 'E2E_DISCORD_TOKEN', schedule: 'rate(1 day)', watch: false, ...extra,
});
const sync = async (dir: string, extra: string[] = []): Promise<SyncSourceReport> => syncReport(await runOk(dir, ['sync', '--json', ...extra], { env }), 'chat');
async function search(dir: string, query: string, as: string[] = []): Promise<Found['results']> {
  const r = await runOk(dir, ['search', query, '--top', '5', '--json', ...as.flatMap((p) => ['--as', p])], { env });
  const parsed = parseJson<Found | Found['results']>(r);
  return Array.isArray(parsed) ? parsed : parsed.results;
}

describe('discord source through `tributary sync`', () => {
  it('syncs exactly, then follows new messages, edits, deletions and access', async () => {
    // Prepare
    const w = await world();
    const day = (ms: number) => `${w.general}/${dayOfMs(ms, 'UTC')}`;
    const ws = await makeWorkspace('discord', { config: { sources: [sourceConfig(w.emu, { recheckMinutes: 60 })] } });
    workspaces.push(ws);

    // Act 1: the initial sync.
    const initial = await sync(ws.dir);
    const docs = byDocument(await exportRows(ws.dir, 'chat'));

    // Assess 1: one document per channel-day, the thread, and #ops; every word indexed; bots never.
    const expected = new Set([...Array.from({ length: 5 }, (_, i) => day(w.now - (i + 1) * DAY)), day(w.now), `${w.general}/threads/${w.thread.id}`, `${w.ops}/${dayOfMs(w.now - DAY, 'UTC')}`]);
    expect(new Set(docs.keys())).toEqual(expected);
    expect(initial).toMatchObject({ status: 'synced', docsChanged: expected.size, tasksFailed: 0, docsSkipped: 0 });
    const indexed = [...docs.values()].flat().map((r) => r.text).join('\n');
    for (const word of w.words) expect(indexed).toContain(word);
    expect(indexed).toContain('for @Bob');
    expect(docs.get(`${w.general}/threads/${w.thread.id}`)!.map((r) => r.text).join('\n')).toContain('Alice: Shall we plan the zeppelin launch?');

    // Act 2: nothing changed.
    const filesBefore = await lanceFiles(ws.stateDir);
    const unchanged = await sync(ws.dir);

    // Assess 2: no embedding call, no write.
    expect(unchanged).toMatchObject({ docsChanged: 0, docsDeleted: 0, chunksEmbedded: 0, embeddingCalls: 0, tokensEmbedded: 0, vectorsUpserted: 0, vectorsDeleted: 0 });
    expect(await lanceFiles(ws.stateDir)).toBe(filesBefore);

    // Act 3: a new message today.
    w.emu.post({ channel: w.general, author: w.bob, content: 'The narwhal shipped' });
    const added = await sync(ws.dir);

    // Assess 3: today's document only, at most one chunk embedded.
    expect(added.docsChanged).toBe(1);
    expect(added.chunksEmbedded).toBeLessThanOrEqual(1);
    expect((await search(ws.dir, 'narwhal shipped'))[0]).toMatchObject({ docId: day(w.now) });

    // Act 4: a recent edit and a recent deletion (inside recheckMinutes).
    w.emu.edit(w.general, w.recent.id, { content: 'Standup notes mention the wombat' });
    w.emu.remove(w.general, w.doomed.id);
    const edited = await sync(ws.dir);
    const today = byDocument(await exportRows(ws.dir, 'chat')).get(day(w.now))!.map((r) => r.text).join('\n');

    // Assess 4
    expect(edited.docsChanged).toBe(1);
    expect(today).toContain('wombat');
    expect(today).not.toContain('capybara');
    expect(today).not.toContain('ocelot');

    // Act 5: an old edit and an old day emptied: invisible to an incremental sync…
    const oldDay = w.emu.messagesOf(w.general).filter((m) => dayOfMs(m.createdAt, 'UTC') === dayOfMs(w.now - 5 * DAY, 'UTC'));
    for (const m of oldDay) w.emu.remove(w.general, m.id);
    const fourDays = w.emu.messagesOf(w.general).find((m) => m.content.includes(w.words[12]!))!;
    w.emu.edit(w.general, fourDays.id, { content: 'Day 4 now talks about the axolotl' });
    const blind = await sync(ws.dir);
    // …until the reconcile pass is due (here: every pass).
    await ws.writeConfig({ sources: [sourceConfig(w.emu, { recheckMinutes: 60, reconcileIntervalMinutes: 0 })] });
    const reconciled = await sync(ws.dir);
    const after = byDocument(await exportRows(ws.dir, 'chat'));

    // Assess 5
    expect(blind).toMatchObject({ docsChanged: 0, docsDeleted: 0 });
    expect(reconciled).toMatchObject({ docsChanged: 1, docsDeleted: 1 });
    expect(after.has(day(w.now - 5 * DAY))).toBe(false);
    expect(after.get(day(w.now - 4 * DAY))!.map((r) => r.text).join('\n')).toContain('axolotl');

    // Act 6: access.
    const everyone = await search(ws.dir, 'pager rota Monday', [`group:discord-role:${w.guild}`]);
    const staff = await search(ws.dir, 'pager rota Monday', [`group:discord-role:${w.staff}`]);
    const asBob = await search(ws.dir, 'pager rota Monday', [`user:${w.bob}`]);

    // Assess 6: #ops only for the staff role and Bob; #general for everyone.
    const opsDoc = `${w.ops}/${dayOfMs(w.now - DAY, 'UTC')}`;
    expect(everyone.map((r) => r.docId)).not.toContain(opsDoc);
    expect(everyone.length).toBeGreaterThan(0);
    expect(staff[0]?.docId).toBe(opsDoc);
    expect(asBob[0]?.docId).toBe(opsDoc);
    const audit = await runCli(ws.dir, ['audit', '--json'], { env });
    expect(audit.code, describeResult(audit)).toBe(0);
  }, TIMEOUT);
});

describe('discord source through `tributary start`', () => {
  it('applies edits, deletions and new messages from the Gateway, without a scheduled run', async () => {
    // Prepare
    const w = await world();
    const day = (ms: number) => `${w.general}/${dayOfMs(ms, 'UTC')}`;
    const ws = await makeWorkspace('discord-start', { config: { sources: [sourceConfig(w.emu, { watch: true, recheckMinutes: 0 })] } });
    workspaces.push(ws);
    const running = spawnCli(ws.dir, ['start', '--port', '0'], { env, timeoutMs: TIMEOUT });
    const base = await waitFor('the status page URL on stdout', () => {
      if (running.child.exitCode !== null) throw new Error(`start exited early:\n${running.stdout()}\n${running.stderr()}`);
      return /Console \(status, runs, actions, search\): (https?:\/\/\S+?)\/?$/m.exec(running.stdout())?.[1];
    }, { timeoutMs: 60_000 });
    const status = async (): Promise<Status> => (await (await fetch(`${base}/status`)).json()) as Status;
    const idle = (s: Status) => !s.sources[0]!.running && s.sources[0]!.lastRun?.status === 'succeeded'
      && s.queues.fetch.visible + s.queues.fetch.inFlight + s.queues.embed.visible + s.queues.embed.inFlight === 0;
    const find = async (q: string): Promise<Found['results']> => ((await (await fetch(`${base}/search?q=${encodeURIComponent(q)}&top=3`)).json()) as Found).results;
    await waitFor('the start-up sync', async () => idle(await status()), { timeoutMs: 90_000, intervalMs: 250 });
    await waitFor('the Gateway session', () => w.emu.gatewaySessions.length === 1, { timeoutMs: 30_000 });

    // Act: an old message edited (outside any re-read), a message deleted, a new one.
    const old = w.emu.messagesOf(w.general).find((m) => m.content.includes(w.words[0]!))!;
    w.emu.edit(w.general, old.id, { content: 'Day 5 now talks about the quetzal' });
    w.emu.remove(w.general, w.doomed.id);
    const fresh = w.emu.post({ channel: w.general, author: w.alice, content: 'A pangolin visited the office' });

    // Assess: each lands in search; the runs came from the watcher, not the schedule.
    const hit = await waitFor('the edit in search', async () => (await find('quetzal')).find((r) => r.text.includes('quetzal')), { timeoutMs: 30_000, intervalMs: 200 });
    expect(hit.docId).toBe(day(old.createdAt));
    await waitFor('the new message in search', async () => (await find('pangolin visited')).some((r) => r.docId === day(fresh.createdAt)), { timeoutMs: 30_000, intervalMs: 200 });
    await waitFor('the deletion', async () => !(await find('ocelot typo')).some((r) => r.text.includes('ocelot')), { timeoutMs: 30_000, intervalMs: 200 });
    const s = await status();
    expect(s.sources[0]!.lastRun?.trigger).not.toBe('schedule');
    expect(s.deadLetters).toEqual([]);

    running.child.kill('SIGTERM');
    const stopped = await running.exited;
    expect(stopped.code, describeResult(stopped)).toBe(0);
  }, TIMEOUT);
});
