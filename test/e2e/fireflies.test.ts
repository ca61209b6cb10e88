/**
 * A Fireflies source through the real CLI (`tributary sync`, `search --as`, `export`, `audit` as
 * child processes) against the loopback Fireflies emulator: the initial sync indexes exactly the
 * meetings' chunks; a sync with no change makes no embedding call, writes nothing and reads no
 * transcript; a new meeting, a grown transcript (≤ 1 chunk embedded), a rename, a share and a
 * deletion each do only their own work; searches as principals see what Fireflies' privacy and
 * shares allow. Every step's requests to Fireflies are counted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { chunkDocument, TURN_SEPARATOR } from '../../shared/core/chunker.ts';
import { startFireflies, type FirefliesEmulator, type MeetingSeed, type SentenceSeed } from '../emulators/fireflies.ts';
import {
  byDocument, describeResult, duplicatePositions, exportRows, killStragglers, makeWorkspace, nonContiguous, parseJson, runCli, runOk,
  syncReport, type SyncSourceReport, type Workspace,
} from './support/cli.ts';

const TIMEOUT = 240_000;
const HOUR = 3_600_000;
const ALICE = 'alice@acme.test';
const BOB = 'bob@acme.test';
const GUEST = 'guest@other.test';
const env = { E2E_FIREFLIES_KEY: 'ff-e2e-key-0123456789' };

let ws: Workspace | undefined;
let ff: FirefliesEmulator | undefined;

afterAll(async () => {
  delete process.env['E2E_FIREFLIES_KEY'];
  await killStragglers();
  await ff?.close();
  await ws?.remove();
});

const WORDS = ['budget', 'roadmap', 'hiring', 'latency', 'pricing', 'churn', 'onboarding', 'security', 'billing', 'migration', 'launch', 'forecast'];

/** Sentences of a meeting: `turns` speaker runs, two sentences each, with words of their own. */
function sentences(topic: string, turns: number, length = 1): SentenceSeed[] {
  const out: SentenceSeed[] = [];
  let t = 0;
  for (let i = 0; i < turns; i++) {
    const speaker = i % 2 === 0 ? 'Alice' : 'Bob';
    for (let j = 0; j < 2; j++) {
      const text = `About ${topic} point ${i}.${j} we said ${'something careful and specific '.repeat(length).trim()} ${topic}${i}x${j}.`;
      out.push({ speaker, text, start: t, end: t + 4 });
      t += 5;
    }
  }
  return out;
}

/** The document text the connector must produce for a seed, written out independently (docs/sources/fireflies.md). */
function expectedText(seed: MeetingSeed, sentenceList: readonly SentenceSeed[]): string {
  const date = new Date(seed.date as number).toISOString().slice(0, 16).replace('T', ' ');
  const people = [...new Set((seed.attendees ?? []).map((a) => a.email!.toLowerCase()))].sort()
    .map((email) => {
      const name = seed.attendees!.find((a) => a.email!.toLowerCase() === email)?.displayName;
      return name ? `${name} <${email}>` : email;
    });
  const header = [`Meeting: ${seed.title}`, `Date: ${date} UTC`, `Organizer: ${seed.organizer}`, ...(people.length ? [`Participants: ${people.join(', ')}`] : [])].join('\n');
  const turns: string[] = [];
  let last: { speaker: string; parts: string[]; start: number } | undefined;
  const flush = (): void => {
    if (!last) return;
    const s = Math.floor(last.start);
    turns.push(`${last.speaker} [${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}]: ${last.parts.join(' ')}`);
  };
  for (const s of sentenceList) {
    if (last?.speaker === s.speaker) {
      last.parts.push(s.text);
      continue;
    }
    flush();
    last = { speaker: s.speaker, parts: [s.text], start: s.start };
  }
  flush();
  return [header, ...turns].join(TURN_SEPARATOR);
}

interface Step {
  readonly step: string;
  readonly report: SyncSourceReport;
  readonly requests: number;
  readonly transcriptsRead: number;
}

describe('fireflies source through `tributary sync`', () => {
  it('indexes exactly, does only each change\'s work, and filters searches by privacy and shares', async () => {
    // Prepare: a team (Alice, admin; Bob) and 12 processed meetings over the last five days.
    ff = await startFireflies({ now: () => Date.now() });
    const key = ff.addUser({ email: ALICE, name: 'Alice', admin: true, apiKey: env.E2E_FIREFLIES_KEY }).apiKey;
    expect(key).toBe(env.E2E_FIREFLIES_KEY);
    ff.addUser({ email: BOB, name: 'Bob' });
    const now = Date.now();
    const privacies = ['teammates', 'participants', 'owner', 'link', 'teammatesandparticipants', 'participatingteammates'] as const;
    const seeds = new Map<string, { seed: MeetingSeed; sentences: SentenceSeed[] }>();
    for (let i = 0; i < WORDS.length; i++) {
      const topic = WORDS[i]!;
      // Meeting 0 is long (several chunks); the others a few turns each.
      const list = sentences(topic, i === 0 ? 24 : 3 + (i % 3), i === 0 ? 4 : 1);
      const seed: MeetingSeed = {
        title: `${topic[0]!.toUpperCase()}${topic.slice(1)} sync`, date: now - (5 * 24 - i * 9) * HOUR, organizer: ALICE,
        attendees: i % 2 === 0 ? [{ email: BOB, displayName: 'Bob' }, { email: GUEST }] : [{ email: BOB, displayName: 'Bob' }],
        privacy: privacies[i % privacies.length]!, sentences: list,
      };
      const id = ff.addProcessedMeeting(seed);
      seeds.set(id, { seed: { ...seed, id }, sentences: list });
    }
    const ids = [...seeds.keys()];
    const longId = ids[0]!;
    process.env['E2E_FIREFLIES_KEY'] = env.E2E_FIREFLIES_KEY;
    ws = await makeWorkspace('fireflies', {
      config: {
        sources: [{
          id: 'meetings', kind: 'fireflies', apiUrl: ff.url, apiKeyEnv: 'E2E_FIREFLIES_KEY', team: 'acme', schedule: 'rate(1 day)', lookbackSeconds: 5,
        }],
      },
    });
    const dir = ws.dir;
    const steps: Step[] = [];
    const sync = async (step: string, extra: string[] = []): Promise<SyncSourceReport> => {
      const requestsBefore = ff!.requests.length;
      const readFields = (): number => ff!.requests.slice(requestsBefore).reduce((n, r) => n + r.rootFields.filter((f) => f === 'transcript').length, 0);
      const report = syncReport(await runOk(dir, ['sync', '--json', ...extra], { env }), 'meetings');
      steps.push({ step, report, requests: ff!.requests.length - requestsBefore, transcriptsRead: readFields() });
      return report;
    };
    const search = async (query: string, ...as: string[]): Promise<string[]> => {
      const r = await runOk(dir, ['search', query, '--json', '--top', '100', ...as.flatMap((p) => ['--as', p])], { env });
      const parsed = parseJson<{ results: Array<{ docId: string }> } | Array<{ docId: string }>>(r);
      return [...new Set((Array.isArray(parsed) ? parsed : parsed.results).map((x) => x.docId))].sort();
    };
    // The meeting's title is embedded with each chunk as its context.
    const chunksOf = (id: string, list: readonly SentenceSeed[], seed = seeds.get(id)!.seed) => chunkDocument(expectedText(seed, list), 'conversation', {}, { title: seed.title });

    // Act 1: the initial sync.
    const initial = await sync('initial');

    // Assess 1: exactly the meetings' chunks, in order, nothing else.
    expect(initial).toMatchObject({ status: 'synced', docsChanged: 12, docsDeleted: 0, tasksFailed: 0, docsSkipped: 0 });
    const rows = await exportRows(dir, 'meetings');
    expect(duplicatePositions(rows)).toEqual([]);
    expect(nonContiguous(rows)).toEqual([]);
    const docs = byDocument(rows);
    expect([...docs.keys()].sort()).toEqual([...ids].sort());
    for (const [id, { sentences: list }] of seeds) expect(docs.get(id)!.map((r) => r.hash), id).toEqual(chunksOf(id, list).map((c) => c.hash));
    const longChunks = docs.get(longId)!.length;
    expect(longChunks).toBeGreaterThanOrEqual(4);
    expect(initial.chunksEmbedded).toBe(rows.length);

    // Act 2: nothing changed.
    const unchanged = await sync('no change');

    // Assess 2: no embedding call, no write, no transcript read: the listing and its reconcile only.
    expect(unchanged).toMatchObject({ docsChanged: 0, docsDeleted: 0, chunksEmbedded: 0, embeddingCalls: 0, vectorsUpserted: 0, vectorsDeleted: 0 });
    expect(steps.at(-1)).toMatchObject({ requests: 2, transcriptsRead: 0 });

    // Act 3: a new meeting, dated two hours ago, processed now.
    const fresh: MeetingSeed = { title: 'Quokka offsite planning', date: Date.now() - 2 * HOUR, organizer: ALICE, attendees: [{ email: BOB, displayName: 'Bob' }], privacy: 'teammates', sentences: sentences('quokka', 3) };
    const freshId = ff.addMeeting(fresh);
    await ff.finishProcessing(freshId);
    const added = await sync('new meeting');

    // Assess 3: that meeting alone is read and embedded.
    expect(added).toMatchObject({ docsChanged: 1, docsDeleted: 0, chunksEmbedded: chunksOf(freshId, fresh.sentences!, { ...fresh, id: freshId }).length });
    expect(steps.at(-1)).toMatchObject({ transcriptsRead: 1 });

    // Act 4: the long meeting (five days old) re-processed with one more sentence at its end.
    const long = seeds.get(longId)!;
    const lastSpeaker = long.sentences.at(-1)!.speaker;
    const grownList = [...long.sentences, { speaker: lastSpeaker, text: 'One last remark about the wombat budget.', start: long.sentences.at(-1)!.end + 1, end: long.sentences.at(-1)!.end + 4 }];
    ff.deleteMeeting(longId);
    ff.addProcessedMeeting({ ...long.seed, id: longId, sentences: grownList });
    const grown = await sync('grown transcript');

    // Assess 4: found by the reconcile listing (older than the overlap); only the last chunk is embedded.
    expect(grown).toMatchObject({ docsChanged: 1, docsDeleted: 0 });
    expect(grown.chunksEmbedded).toBeLessThanOrEqual(1);
    expect(grown.embeddingCalls).toBeLessThanOrEqual(1);
    expect(steps.at(-1)).toMatchObject({ transcriptsRead: 1 });
    expect(byDocument(await exportRows(dir, 'meetings')).get(longId)!.map((r) => r.hash)).toEqual(chunksOf(longId, grownList).map((c) => c.hash));
    expect(await search('wombat budget remark')).toContain(longId);

    // Act 5: an edit: a rename of a four-day-old meeting.
    const renamedId = ids[1]!;
    ff.setTitle(renamedId, 'Narwhal roadmap review');
    const renamed = await sync('rename');

    // Assess 5: one header chunk embedded; the rest rewritten from the cache (the title is on every vector).
    expect(renamed).toMatchObject({ docsChanged: 1, docsDeleted: 0, chunksEmbedded: 1 });
    expect(await search('Narwhal roadmap review')).toContain(renamedId);

    // Act 6: a share of Alice's own meeting with the guest.
    const ownerOnly = ids.find((id) => seeds.get(id)!.seed.privacy === 'owner')!;
    const ownerTopic = WORDS[ids.indexOf(ownerOnly)]!;
    const guestBefore = await search(`${ownerTopic} point`, `user:${GUEST}`);
    ff.share(ownerOnly, { email: GUEST, name: 'Guest' });
    const shared = await sync('share');
    const guestAfter = await search(`${ownerTopic} point`, `user:${GUEST}`);

    // Assess 6: nothing embedded; the guest finds it now.
    expect(shared).toMatchObject({ docsChanged: 1, chunksEmbedded: 0, embeddingCalls: 0 });
    expect(guestBefore).not.toContain(ownerOnly);
    expect(guestAfter).toContain(ownerOnly);

    // Act 7: a deletion.
    const doomed = ids[5]!;
    const doomedChunks = docs.get(doomed)!.length;
    ff.deleteMeeting(doomed);
    const deleted = await sync('delete');

    // Assess 7
    expect(deleted).toMatchObject({ docsChanged: 0, docsDeleted: 1, chunksEmbedded: 0, vectorsDeleted: doomedChunks });
    const finalRows = await exportRows(dir, 'meetings');
    expect(finalRows.some((r) => r.docId === doomed)).toBe(false);

    // Assess 8: searches as principals, over every meeting.
    const everything = await search('point we said something careful');
    const asBob = await search('point we said something careful', `user:${BOB}`, 'group:acme');
    const asGuest = await search('point we said something careful', `user:${GUEST}`);
    const asStranger = await search('point we said something careful', 'user:eve@rival.test');
    const live = ids.filter((id) => id !== doomed).concat(freshId);
    const visible = (who: 'bob' | 'guest' | 'stranger'): string[] => live.filter((id) => {
      const seed = id === freshId ? fresh : seeds.get(id)!.seed;
      const withGuest = (seed.attendees ?? []).some((a) => a.email === GUEST);
      switch (seed.privacy) {
        case 'link': return true;
        case 'owner': return who === 'guest' && id === ownerOnly;
        case 'teammates': return who === 'bob';
        case 'participants': return who === 'bob' || (who === 'guest' && withGuest);
        case 'participatingteammates': return who === 'bob';
        case 'teammatesandparticipants': return who === 'bob' || (who === 'guest' && withGuest);
        default: return false;
      }
    }).sort();
    expect(everything).toEqual([...live].sort());
    expect(asBob).toEqual(visible('bob'));
    expect(asGuest).toEqual(visible('guest'));
    expect(asStranger).toEqual(visible('stranger'));

    // Assess 9: audit finds the index and Fireflies alike.
    const audit = await runCli(dir, ['audit', '--json'], { env });
    expect(audit.code, describeResult(audit)).toBe(0);

    // Requests to Fireflies per step: listing (+ reconcile listing after an incremental pass) + batch reads.
    expect(steps.map((s) => s.requests)).toEqual([3, 2, 3, 3, 3, 3, 2]);

    // The measurements, for docs/sources/fireflies.md.
    console.log(steps.map((s) => [
      s.step.padEnd(18), `requests ${s.requests}`, `transcripts read ${s.transcriptsRead}`, `docs changed ${s.report.docsChanged}`,
      `deleted ${s.report.docsDeleted}`, `chunks embedded ${s.report.chunksEmbedded}`, `embedding calls ${s.report.embeddingCalls}`,
      `tokens ${s.report.tokensEmbedded}`, `upserted ${s.report.vectorsUpserted}`, `vectors deleted ${s.report.vectorsDeleted}`,
    ].join(' | ')).join('\n'));
  }, TIMEOUT);
});
