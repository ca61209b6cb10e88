/**
 * The seed scenario through `tributary sync` against the Discord emulator: 10,000 messages
 * (5 channels × 20 days × 100) are synced; 50 new ones arrive; the next sync reads those 50 and
 * embeds only their documents. Then 50 more arrive in the same day: that day is read again whole
 * (a channel-day document is rendered from all its messages) but only its changed chunks are
 * embedded. Prints the measured calls, messages and tokens (see docs/sources/discord.md "Cost").
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DiscordEmulator, type RequestLogEntry } from '../emulators/discord.ts';
import { killStragglers, makeWorkspace, runOk, syncReport, type SyncSourceReport, type Workspace } from './support/cli.ts';

const TIMEOUT = 300_000;
const TOKEN = 'e2e-discord-seed-token';
const env = { E2E_DISCORD_TOKEN: TOKEN };
const DAY = 86_400_000;
const CHANNELS = 5;
const DAYS = 20;
const PER_DAY = 100;

let emu: DiscordEmulator | undefined;
let ws: Workspace | undefined;

afterAll(async () => {
  await killStragglers();
  await emu?.close();
  await ws?.remove();
});

/** What one sync cost on the Discord side: requests by route, and messages Discord returned. */
function discordCost(e: DiscordEmulator, from: number): { requests: number; byRoute: Record<string, number>; messagePages: number; messagesRead: number } {
  const log: readonly RequestLogEntry[] = e.requests.slice(from);
  const byRoute: Record<string, number> = {};
  let messagesRead = 0;
  let messagePages = 0;
  for (const r of log) {
    byRoute[r.route] = (byRoute[r.route] ?? 0) + 1;
    if (r.route !== 'GET /channels/{channel.id}/messages' || r.status !== 200) continue;
    // The emulator's state does not change during a sync: replay what the page held.
    const channel = r.path.split('/')[4]!;
    const after = BigInt(r.query['after'] ?? '0');
    messagesRead += e.messagesOf(channel).filter((m) => BigInt(m.id) > after).slice(0, Number(r.query['limit'] ?? 50)).length;
    messagePages += 1;
  }
  return { requests: log.length, byRoute, messagePages, messagesRead };
}

describe('discord seed scenario', () => {
  it('syncs 10,000 messages, then reads and embeds only the 50 that arrive', async () => {
    // Prepare: 10,000 messages, the newest a day old.
    emu = await DiscordEmulator.start({ token: TOKEN });
    const today0 = Math.floor(Date.now() / DAY) * DAY;
    const alice = emu.addUser({ username: 'alice', globalName: 'Alice' }).id;
    const bob = emu.addUser({ username: 'bob', globalName: 'Bob' }).id;
    const guild = emu.addGuild({ name: 'Seed', at: today0 - 100 * DAY }).id;
    emu.addMember(guild, alice);
    emu.addMember(guild, bob);
    const channels = Array.from({ length: CHANNELS }, (_, c) => emu!.addChannel({ guild, name: `channel-${c}`, at: today0 - 100 * DAY }).id);
    for (const [c, channel] of channels.entries()) {
      for (let d = DAYS; d >= 1; d--) {
        for (let i = 0; i < PER_DAY; i++) {
          emu.post({ channel, author: i % 2 ? bob : alice, content: `Channel ${c} day ${d} message ${i}: notes on topic ${(c * 7 + d * 3 + i) % 97}`, at: today0 - d * DAY + 8 * 3_600_000 + i * 300_000 });
        }
      }
    }
    ws = await makeWorkspace('discord-seed', {
      config: { sources: [{ id: 'chat', kind: 'discord', apiUrl: emu.api, tokenEnv: 'E2E_DISCORD_TOKEN', schedule: 'rate(1 day)', watch: false }] },
    });
    const sync = async (): Promise<{ report: SyncSourceReport; discord: ReturnType<typeof discordCost> }> => {
      const from = emu!.requests.length;
      const report = syncReport(await runOk(ws!.dir, ['sync', '--json'], { env, timeoutMs: TIMEOUT }), 'chat');
      return { report, discord: discordCost(emu!, from) };
    };
    const line = (what: string, r: { report: SyncSourceReport; discord: ReturnType<typeof discordCost> }): string =>
      `${what}: docs read ${r.report.docsSeen}, changed ${r.report.docsChanged}; Discord requests ${r.discord.requests} (message pages ${r.discord.messagePages}, messages read ${r.discord.messagesRead}); `
      + `chunks embedded ${r.report.chunksEmbedded}, embedding calls ${r.report.embeddingCalls}, tokens ${r.report.tokensEmbedded}, vectors written ${r.report.vectorsUpserted}`;

    // Act 1: the initial sync, then one with nothing new.
    const initial = await sync();
    const quiet = await sync();

    // Act 2: 50 new messages this morning, 30 in one channel and 20 in another.
    const newAt = Math.min(Date.now() - 60_000, today0 + 60_000);
    for (let i = 0; i < 50; i++) {
      emu.post({ channel: channels[i < 30 ? 0 : 1]!, author: i % 2 ? bob : alice, content: `Fresh message ${i} about the launch checklist item ${i}`, at: newAt + i * 100 });
    }
    const fifty = await sync();

    // Act 3: 50 more, into the same two days.
    for (let i = 0; i < 50; i++) {
      emu.post({ channel: channels[i < 30 ? 0 : 1]!, author: i % 2 ? bob : alice, content: `Later message ${i} about the retrospective point ${i}`, at: newAt + 10_000 + i * 100 });
    }
    const fiftyMore = await sync();
    console.log([line('initial (10,000 messages)', initial), line('no change', quiet), line('50 new (a new day)', fifty), line('50 more (same day)', fiftyMore)].join('\n'));

    // Assess 1: exact and complete.
    expect(initial.report).toMatchObject({ status: 'synced', docsChanged: CHANNELS * DAYS, tasksFailed: 0 });
    expect(initial.discord.messagesRead).toBe(CHANNELS * DAYS * PER_DAY);
    expect(quiet.report).toMatchObject({ docsChanged: 0, embeddingCalls: 0, vectorsUpserted: 0, vectorsDeleted: 0 });
    expect(quiet.discord.messagePages).toBe(0);

    // Assess 2: exactly the 50 read, two documents embedded, nothing else.
    expect(fifty.discord.messagesRead).toBe(50);
    expect(fifty.discord.messagePages).toBe(2);
    expect(fifty.report).toMatchObject({ docsChanged: 2, docsDeleted: 0 });
    expect(fifty.report.embeddingCalls).toBeLessThanOrEqual(2);
    expect(fifty.report.vectorsUpserted).toBe(fifty.report.chunksEmbedded);

    // Assess 3: the two days again (100 messages + 50 new), only their changed or new chunks embedded.
    expect(fiftyMore.discord.messagesRead).toBe(100);
    expect(fiftyMore.discord.messagePages).toBe(2);
    expect(fiftyMore.report.docsChanged).toBe(2);
    expect(fiftyMore.report.chunksEmbedded).toBeLessThanOrEqual(fifty.report.chunksEmbedded + 2);
  }, TIMEOUT);
});
