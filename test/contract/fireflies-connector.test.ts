/**
 * What only the Fireflies connector owes, against the loopback Fireflies emulator: paging down by
 * date (meetings processed or deleted mid-pass, many meetings at one instant), the overlap of an
 * incremental pass, versions, documents, access per privacy level, batch reads and one bad
 * transcript, rate limits and refusals, and the reconcile listing. The contract itself runs in
 * registry-contract.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firefliesSource } from '../../shared/connectors/fireflies/config.ts';
import { FirefliesConnector } from '../../shared/connectors/fireflies/fireflies-connector.ts';
import { ProviderAuthError } from '../../shared/connectors/kit/index.ts';
import { TURN_SEPARATOR } from '../../shared/core/chunker.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { TransientError } from '../../shared/core/errors.ts';
import type { Cursor, PullWindow } from '../../shared/ports/index.ts';
import { startFireflies, type FirefliesEmulator, type MeetingSeed } from '../emulators/fireflies.ts';
import { collect, pullPass } from './source-connector.contract.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const ALICE = 'alice@acme.test';

let ff: FirefliesEmulator;
let nowMs: number;
let key: string;

beforeEach(async () => {
  nowMs = T0 + 48 * HOUR;
  ff = await startFireflies({ now: () => nowMs });
  key = ff.addUser({ email: ALICE, name: 'Alice', admin: true }).apiKey;
  ff.addUser({ email: 'bob@acme.test', name: 'Bob' });
  ff.addUser({ email: 'eve@rival.test', name: 'Eve', team: 'rival' });
});

afterEach(async () => {
  await ff.close();
});

function connector(config: Record<string, unknown> = {}, options: Partial<ConstructorParameters<typeof FirefliesConnector>[0]> = {}): FirefliesConnector {
  const source = firefliesSource.parse({ id: 'meetings', kind: 'fireflies', apiUrl: ff.url, pageSize: 3, ...config });
  return new FirefliesConnector({ source, apiKey: () => key, clock: { now: () => nowMs }, log: silentLogger, ...options });
}

const meeting = (title: string, date: number, extra: Partial<MeetingSeed> = {}): MeetingSeed => ({
  title, date, organizer: ALICE, attendees: [{ email: 'bob@acme.test', displayName: 'Bob' }, { email: 'Guest@Other.test' }],
  sentences: [
    { speaker: 'Alice', text: `Welcome to ${title}.`, start: 0.5, end: 2 },
    { speaker: 'Alice', text: 'Budget first.', start: 2.2, end: 4 },
    { speaker: 'Bob', text: 'Marketing is over by ten percent.', start: 12.4, end: 15 },
  ],
  ...extra,
});

const full = (): PullWindow => ({ snapshotAt: new Date(nowMs).toISOString(), full: true });
const requests = (): number => ff.requests.length;

describe('paging down by date', () => {
  it('hands out every meeting once when a meeting is deleted and another processed between two pages', async () => {
    // Prepare: 7 meetings an hour apart; page size 3.
    const ids = Array.from({ length: 7 }, (_, i) => ff.addProcessedMeeting(meeting(`M${i}`, T0 + i * HOUR)));
    const c = connector();
    const window = full();

    // Act: after the first page (M6, M5, M4), M5 is deleted and a meeting dated between M4 and M3 is processed.
    const first = await c.pull(undefined, window);
    ff.deleteMeeting(ids[5]!);
    const late = ff.addProcessedMeeting(meeting('late', T0 + 3.5 * HOUR));
    const rest = await pullPass(c, window, JSON.parse(JSON.stringify(first.next)) as Cursor);

    // Assess: nothing older than the first page is missed (a skip-paged listing would now skip M3), nothing repeats.
    const all = [...first.changed, ...rest.refs].map((r) => r.id);
    expect(first.changed.map((r) => r.id)).toEqual([ids[6], ids[5], ids[4]]);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual(expect.arrayContaining([...ids.slice(0, 5), ids[6], late]));
  });

  it('moves through more meetings at one instant than a page holds, each once', async () => {
    // Prepare: five meetings start at the same millisecond, one before them, one after.
    const same = Array.from({ length: 5 }, (_, i) => ff.addProcessedMeeting(meeting(`same${i}`, T0 + HOUR)));
    const before = ff.addProcessedMeeting(meeting('before', T0));
    const after = ff.addProcessedMeeting(meeting('after', T0 + 2 * HOUR));

    // Act
    const { refs, pages } = await pullPass(connector({ pageSize: 2 }), full());

    // Assess
    expect(refs.map((r) => r.id).sort()).toEqual([...same, before, after].sort());
    expect(pages).toBeGreaterThan(3);
  });

  it('lists an incremental pass from the overlap before the earlier of the window and the newest date seen', async () => {
    // Prepare: a full pass sees meetings up to T0 + 10 h.
    ff.addProcessedMeeting(meeting('old', T0));
    ff.addProcessedMeeting(meeting('newest', T0 + 10 * HOUR));
    const c = connector({ overlapHours: 6 });
    const pass = await pullPass(c, full());
    // A meeting that started at T0 + 7 h is processed only now, after the pass.
    const lateId = ff.addProcessedMeeting(meeting('late', T0 + 7 * HOUR));
    nowMs += HOUR;
    const since = new Date(nowMs - 2 * HOUR).toISOString();
    const marker = ff.requests.length;

    // Act
    const incremental = await pullPass(c, { since, snapshotAt: new Date(nowMs).toISOString(), full: false, resume: pass.cursor! });

    // Assess: from (T0 + 10 h) − 6 h, not from `since` − 6 h (which is later): the late meeting is found.
    const newestId = pass.refs[0]!.id;
    expect(incremental.refs.map((r) => r.id)).toEqual([newestId, lateId]);
    expect(ff.requests[marker]!.variables).toMatchObject({ fromDate: new Date(T0 + 4 * HOUR).toISOString(), toDate: new Date(nowMs).toISOString() });
  });

  it('leaves live meetings out of the listing until they are processed', async () => {
    // Prepare: the API marks one listed meeting live (is_live, API 2.23.0).
    const live = ff.addProcessedMeeting(meeting('live', T0 + HOUR));
    const done = ff.addProcessedMeeting(meeting('done', T0));
    const c = connector({}, {
      fetch: rewriting((body) => {
        const answer = JSON.parse(body) as { data: Record<string, Array<{ id: string; is_live: boolean }> | { id: string; is_live: boolean }> };
        for (const value of Object.values(answer.data)) for (const t of [value].flat()) t.is_live = t.id === live;
        return JSON.stringify(answer);
      }),
    });

    // Act
    const { refs } = await pullPass(c, full());
    const read = await c.fetch([live]);

    // Assess: read by id (a hint), it is skipped, not taken for deleted.
    expect(refs.map((r) => r.id)).toEqual([done]);
    expect(read).toEqual({ documents: [], skipped: [{ id: live, reason: expect.stringMatching(/live; it is indexed once Fireflies has processed it/) }] });
  });
});

describe('versions and documents', () => {
  it('keeps the version while nothing it covers changes, and changes it on a rename, a share, a privacy change and a re-processed transcript', async () => {
    // Prepare
    const id = ff.addProcessedMeeting(meeting('Budget', T0));
    const c = connector();
    const version = async (): Promise<string> => (await pullPass(c, full())).refs[0]!.version;
    const v0 = await version();

    // Act
    await ff.finishSummary(id, { overview: 'We talked budget.' }).catch(() => undefined);
    const vSummary = await version();
    ff.setTitle(id, 'Budget review');
    const vTitle = await version();
    ff.share(id, { email: 'auditor@ext.test' });
    const vShare = await version();
    ff.setPrivacy(id, 'participants');
    const vPrivacy = await version();
    const seed = ff.meeting(id)!.seed;
    ff.deleteMeeting(id);
    ff.addProcessedMeeting({ ...seed, id, title: 'Budget review', privacy: 'participants', sharedWith: [{ email: 'auditor@ext.test' }],
      sentences: [...seed.sentences!, { speaker: 'Bob', text: 'One more thing.', start: 20, end: 24 }] });
    const vGrown = await version();

    // Assess
    expect(vSummary).toBe(v0);
    expect(new Set([v0, vTitle, vShare, vPrivacy, vGrown]).size).toBe(5);
  });

  it('renders a header turn and one turn per speaker run, with the version the listing reported', async () => {
    // Prepare
    const id = ff.addProcessedMeeting(meeting('Q3 budget review', T0, {
      sentences: [
        { speaker: 'Alice', text: 'Welcome everyone.', start: 0, end: 2 },
        { speaker: 'Alice', text: `Let's start${TURN_SEPARATOR}with the budget.`, start: 2.5, end: 5 },
        { speaker: 'Bob', text: 'Marketing is over.', start: 12.4, end: 15 },
        { speaker: 'Alice', text: 'Noted.', start: 3725, end: 3727 },
      ],
    }));
    const c = connector();
    const [ref] = (await pullPass(c, full())).refs;

    // Act
    const { documents } = await c.fetch([id]);

    // Assess
    expect(documents).toHaveLength(1);
    const doc = documents[0]!;
    expect(doc.text.split(TURN_SEPARATOR)).toEqual([
      'Meeting: Q3 budget review\nDate: 2026-03-02 09:00 UTC\nOrganizer: alice@acme.test\nParticipants: Bob <bob@acme.test>, guest@other.test',
      "Alice [0:00]: Welcome everyone. Let's start with the budget.",
      'Bob [0:12]: Marketing is over.',
      'Alice [1:02:05]: Noted.',
    ]);
    expect(doc).toMatchObject({
      id, version: ref!.version, title: 'Q3 budget review', format: 'conversation', url: `https://app.fireflies.ai/view/${id}`,
      updatedAt: '2026-03-02T09:00:00.000Z', metadata: { meetingDate: '2026-03-02T09:00:00.000Z', organizer: ALICE },
    });
  });

  it('indexes a silent meeting as its header alone', async () => {
    // Prepare
    const id = ff.addProcessedMeeting(meeting('Nobody spoke', T0, { sentences: [], attendees: [] }));

    // Act
    const { documents } = await connector().fetch([id]);

    // Assess
    expect(documents[0]?.text).toBe('Meeting: Nobody spoke\nDate: 2026-03-02 09:00 UTC\nOrganizer: alice@acme.test');
  });
});

describe('access', () => {
  it.each([
    ['owner', ['user:alice@acme.test']],
    ['participants', ['user:alice@acme.test', 'user:bob@acme.test', 'user:guest@other.test']],
    ['participatingteammates', ['user:alice@acme.test', 'user:bob@acme.test']],
    ['teammates', ['group:acme', 'user:alice@acme.test']],
    ['teammatesandparticipants', ['group:acme', 'user:alice@acme.test', 'user:bob@acme.test', 'user:guest@other.test']],
    ['link', ['public', 'user:alice@acme.test']],
  ] as const)('maps privacy %s to %j', async (privacy, expected) => {
    // Prepare
    const id = ff.addProcessedMeeting(meeting('Sync', T0, { privacy }));

    // Act
    const { documents } = await connector({ team: 'acme' }).fetch([id]);

    // Assess
    expect(documents[0]?.access).toEqual(expected);
  });

  it('adds shares that have not expired, and keeps a link meeting to the team and participants with linkAccess', async () => {
    // Prepare
    const id = ff.addProcessedMeeting(meeting('Sync', T0, {
      privacy: 'link', sharedWith: [{ email: 'Auditor@Ext.test', expiresAt: nowMs + HOUR }, { email: 'former@ext.test', expiresAt: nowMs - 1 }],
    }));

    // Act
    const { documents } = await connector({ linkAccess: 'teammatesandparticipants' }).fetch([id]);

    // Assess: the team is the source id by default.
    expect(documents[0]?.access).toEqual(['group:meetings', 'user:alice@acme.test', 'user:auditor@ext.test', 'user:bob@acme.test', 'user:guest@other.test']);
  });

  it('changes the version when a share expires', async () => {
    // Prepare
    ff.addProcessedMeeting(meeting('Sync', T0, { privacy: 'owner', sharedWith: [{ email: 'auditor@ext.test', expiresAt: nowMs + HOUR }] }));
    const c = connector();
    const before = (await pullPass(c, full())).refs[0]!.version;

    // Act
    nowMs += 2 * HOUR;
    const after = (await pullPass(c, full())).refs[0]!.version;

    // Assess
    expect(after).not.toBe(before);
  });
});

describe('reading transcripts', () => {
  it('reads fetchBatchSize transcripts per request; a deleted one is absent, a malformed id costs no request', async () => {
    // Prepare
    const ids = Array.from({ length: 7 }, (_, i) => ff.addProcessedMeeting(meeting(`M${i}`, T0 + i * HOUR)));
    ff.deleteMeeting(ids[2]!);
    const before = requests();

    // Act
    const { documents, skipped } = await connector({ fetchBatchSize: 4 }).fetch([...ids, 'not/an id']);

    // Assess
    expect(documents.map((d) => d.id)).toEqual(ids.filter((id) => id !== ids[2]));
    expect(skipped).toEqual([]);
    expect(requests() - before).toBe(2);
    expect(ff.count('transcript')).toBe(2);
  });

  it('skips one transcript Fireflies fails to return, or returns without sentences, with the id and reason; the others are read', async () => {
    // Prepare: the answer for the 2nd alias is an error, the 3rd has sentences null.
    const ids = Array.from({ length: 4 }, (_, i) => ff.addProcessedMeeting(meeting(`M${i}`, T0 + i * HOUR)));
    const sabotage = rewriting((body) => {
      const answer = JSON.parse(body) as { data?: Record<string, { sentences?: unknown } | null>; errors?: unknown[] };
      if (!answer.data?.['m1']) return body;
      answer.data['m1'] = null;
      answer.data['m2']!.sentences = null;
      answer.errors = [{ message: 'Unexpected error', path: ['m1'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }];
      return JSON.stringify(answer);
    });

    // Act
    const { documents, skipped } = await connector({}, { fetch: sabotage }).fetch(ids);

    // Assess
    expect(documents.map((d) => d.id)).toEqual([ids[0], ids[3]]);
    expect(skipped).toEqual([
      { id: ids[1], reason: expect.stringMatching(/would not return transcript .* \(INTERNAL_SERVER_ERROR: Unexpected error\)/) },
      { id: ids[2], reason: expect.stringMatching(/no sentences for this transcript \(null\)/) },
    ]);
  });

  it('retries a batch refused because of one transcript one by one, and skips only that one', async () => {
    // Prepare: any request naming the bad id is refused (400).
    const ids = Array.from({ length: 3 }, (_, i) => ff.addProcessedMeeting(meeting(`M${i}`, T0 + i * HOUR)));
    const refuseBad: typeof fetch = async (input, init) => {
      if (String(init?.body).includes(ids[1]!)) {
        return new Response(JSON.stringify({ errors: [{ message: 'Invalid argument(s) were provided', code: 'invalid_arguments', extensions: { code: 'invalid_arguments', status: 400 } }] }), { status: 400 });
      }
      return fetch(input, init);
    };

    // Act
    const { documents, skipped } = await connector({}, { fetch: refuseBad }).fetch(ids);

    // Assess
    expect(documents.map((d) => d.id)).toEqual([ids[0], ids[2]]);
    expect(skipped?.map((s) => s.id)).toEqual([ids[1]]);
    expect(skipped?.[0]?.reason).toMatch(/Invalid argument/);
  });
});

describe('rate limits and refusals', () => {
  it('waits until the retryAfter Fireflies names in the body, then completes the pass', async () => {
    // Prepare: 2 requests a minute; the connector's sleep moves the shared clock.
    ff.setRateLimits({ perMinute: 2 });
    for (let i = 0; i < 7; i++) ff.addProcessedMeeting(meeting(`M${i}`, T0 + i * HOUR));
    const slept: number[] = [];
    const c = connector({}, { sleep: async (ms) => { slept.push(ms); nowMs += ms; }, random: () => 0 });

    // Act
    const { refs } = await pullPass(c, full());

    // Assess: three listing pages, one refused with 429; the wait honoured reached the window's end.
    expect(refs).toHaveLength(7);
    expect(ff.count('transcripts', 429)).toBe(1);
    expect(Math.max(...slept)).toBeGreaterThanOrEqual(59_000);
  });

  it('stops the run, naming the wait, when Fireflies asks for longer than maxRetryWaitSeconds (a daily budget)', async () => {
    // Prepare
    ff.setPlan('free');
    ff.setRateLimits({ perDay: 1 });
    ff.addProcessedMeeting(meeting('M', T0));
    const c = connector({ maxRetryWaitSeconds: 60 });
    await c.pull(undefined, full());

    // Act
    const error = await c.pull(undefined, full()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/asked source "meetings" to wait .* \(over maxRetryWaitMs 60 s\)/);
  });

  it('fails a read answered without any data (the request\'s failure, not the transcripts\'): retryable', async () => {
    // Prepare
    const ids = [ff.addProcessedMeeting(meeting('A', T0)), ff.addProcessedMeeting(meeting('B', T0 + HOUR))];
    const c = connector({}, { fetch: rewriting(() => JSON.stringify({ data: null, errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] })) });

    // Act
    const error = await c.fetch(ids).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/without data \(INTERNAL_SERVER_ERROR: Internal server error\)/);
  });

  it('fails the source on a rejected key with the fix, never showing the key', async () => {
    // Prepare
    key = 'ff-wrong-key-123';

    // Act
    const error = await connector().pull(undefined, full()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect((error as Error).message).toMatch(/Fireflies rejected the credentials of source "meetings" \(401\).*check that FIREFLIES_API_KEY holds a valid Fireflies API key/);
    expect((error as Error).message).not.toContain(key);
  });
});

describe('reconcile listing', () => {
  it('answers after a full pass from what the pass read, and lists afresh otherwise', async () => {
    // Prepare
    for (let i = 0; i < 4; i++) ff.addProcessedMeeting(meeting(`M${i}`, T0 + i * HOUR));
    const c = connector();
    const window = full();
    const pass = await pullPass(c, window);
    const before = requests();

    // Act
    const remembered = await collect(c.list!({ snapshotAt: window.snapshotAt }));
    const afterRemembered = requests();
    const fresh = await collect(c.list!());

    // Assess
    const expected = pass.refs.map(({ id, version }) => ({ id, version }));
    expect(remembered).toEqual(expected);
    expect(afterRemembered).toBe(before);
    expect(fresh).toEqual(expected);
    expect(requests() - afterRemembered).toBe(2);
  });

  it('has no listing with reconcile off', () => {
    expect(connector({ reconcile: false }).list).toBeUndefined();
  });
});

/** A fetch that rewrites every answer's body. */
function rewriting(rewrite: (body: string) => string): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const body = rewrite(await response.text());
    return new Response(body, { status: response.status, headers: response.headers });
  };
}
