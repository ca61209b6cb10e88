/**
 * The Fireflies emulator against Fireflies' documented and captured payloads (./fireflies/samples.ts):
 * schema validation, auth, ordering and pagination, the processing delay, deletion, error
 * format, rate limits, visibility, and webhook payloads whose signatures are checked here with
 * node:crypto, independently of the emulator's helpers.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CAPTURED_QUERY, CAPTURED_TRANSCRIPT, DOCS_ERROR_INVALID, DOCS_ERROR_NOT_FOUND, DOCS_ERROR_TOO_MANY, DOCS_V1, DOCS_V2_SUMMARIZED,
  DOCS_V2_TRANSCRIBED, kindOf,
} from './fireflies/samples.ts';
import { postFirefliesWebhook, signFirefliesBody, startFireflies, type FirefliesEmulator, type MeetingSeed } from './fireflies.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const T0 = Date.parse('2026-03-02T09:00:00Z');
const HOUR = 3_600_000;
let ff: FirefliesEmulator;
let nowMs: number;
let alice: string;

async function gql(query: string, variables: Json = {}, key: string | null = alice): Promise<{ status: number; body: Json }> {
  const response = await fetch(ff.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

const LIST = 'query L($limit: Int, $skip: Int, $fromDate: DateTime, $toDate: DateTime) { transcripts(limit: $limit, skip: $skip, fromDate: $fromDate, toDate: $toDate) { id title date dateString } }';
const GET = 'query G($id: String!) { transcript(id: $id) { id title } }';
const meeting = (title: string, date: number, extra: Partial<MeetingSeed> = {}): MeetingSeed => ({
  title, date, organizer: 'alice@acme.test', attendees: [{ email: 'bob@acme.test', displayName: 'Bob' }, { email: 'guest@other.test', name: 'Guest' }],
  sentences: [{ speaker: 'Alice', text: 'Hello budget.', start: 0.5, end: 2.25 }, { speaker: 'Bob', text: 'Hi.', start: 2.5, end: 3 }], ...extra,
});

beforeEach(async () => {
  nowMs = T0 + 10 * HOUR;
  ff = await startFireflies({ now: () => nowMs });
  alice = ff.addUser({ email: 'alice@acme.test', name: 'Alice', admin: true }).apiKey;
  ff.addUser({ email: 'bob@acme.test', name: 'Bob' });
  ff.addUser({ email: 'eve@rival.test', name: 'Eve', team: 'rival' });
});

afterEach(async () => {
  await ff.close();
});

describe('schema and transport', () => {
  it('refuses unknown fields, unknown arguments and wrong variable types like Apollo (400 GRAPHQL_VALIDATION_FAILED)', async () => {
    const field = await gql('{ transcripts { id speaker } }');
    expect(field.status).toBe(400);
    expect(field.body.errors[0]).toMatchObject({ message: 'Cannot query field "speaker" on type "Transcript". Did you mean "speakers"?', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    const arg = await gql('{ transcripts(cursor: "x") { id } }');
    expect(arg.body.errors[0].message).toContain('Unknown argument "cursor"');
    // Live introspection: organizers is [String!] (magnus919/agent-skills #289), scope a String.
    const listType = await gql('query Q($o: [String]) { transcripts(organizers: $o) { id } }');
    expect(listType.body.errors[0].message).toBe('Variable "$o" of type "[String]" used in position expecting type "[String!]".');
    expect((await gql('query Q($s: TranscriptsQueryScope) { transcripts(scope: $s) { id } }')).body.errors[0].message).toBe('Unknown type "TranscriptsQueryScope".');
    const parse = await gql('{ transcripts { id ');
    expect(parse.status).toBe(400);
    expect(parse.body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('answers a missing or unknown key with auth_failed before anything else', async () => {
    for (const key of [null, 'wrong']) {
      const { status, body } = await gql('{ nonsense }', {}, key);
      expect(status).toBe(401);
      expect(body.errors[0]).toMatchObject({ code: 'auth_failed', friendly: true, extensions: { code: 'auth_failed', status: 401 } });
    }
    expect(ff.requests.map((r) => r.errorCodes[0])).toEqual(['auth_failed', 'auth_failed']);
  });

  it('serves the field set Pipedream captured from the live API, with the same kinds of values', async () => {
    ff.setPlan('pro');
    ff.addProcessedMeeting(meeting('file_example', T0), { keywords: [], action_items: '', outline: '', overview: '', shorthand_bullet: '' });
    const { body } = await gql(CAPTURED_QUERY, { fromDate: new Date(T0 - HOUR).toISOString(), limit: 5 });
    const got = body.data.transcripts[0];
    const { sentences: _s, video_url: _v, calendar_id: _c, ...captured } = CAPTURED_TRANSCRIPT;
    expect(kindOf({ ...got, sentences: null, video_url: null, calendar_id: null })).toEqual(kindOf({ ...captured, sentences: null, video_url: null, calendar_id: null }));
    expect(got.transcript_url).toBe(`https://app.fireflies.ai/view/${got.id}`);
    expect(got.sentences).toEqual([{ text: 'Hello budget.' }, { text: 'Hi.' }]);
  });

  it('numbers speakers as Int while sentences carry speaker_id as an ID string, as the docs type them', async () => {
    const id = ff.addProcessedMeeting(meeting('Sync', T0));
    const { body } = await gql('query G($id: String!) { transcript(id: $id) { speakers { id name } sentences { index speaker_id speaker_name start_time end_time raw_text ai_filters { task } } meeting_attendees { displayName email name } participants fireflies_users workspace_users } }', { id });
    const t = body.data.transcript;
    expect(t.speakers).toEqual([{ id: 0, name: 'Alice' }, { id: 1, name: 'Bob' }]);
    expect(t.sentences[1]).toEqual({ index: 1, speaker_id: '1', speaker_name: 'Bob', start_time: 2.5, end_time: 3, raw_text: 'Hi.', ai_filters: { task: null } });
    expect(t.participants).toEqual(['bob@acme.test', 'guest@other.test']);
    expect(t.fireflies_users).toEqual(['alice@acme.test', 'bob@acme.test']);
    expect(t.meeting_attendees[1]).toEqual({ displayName: 'Guest', email: 'guest@other.test', name: 'Guest' });
  });
});

describe('transcripts listing', () => {
  it('lists newest first by meeting date and pages with skip/limit', async () => {
    for (let i = 0; i < 5; i += 1) ff.addProcessedMeeting(meeting(`M${i}`, T0 + i * HOUR));
    const first = await gql(LIST, { limit: 2 });
    expect(first.body.data.transcripts.map((t: Json) => t.title)).toEqual(['M4', 'M3']);
    expect(first.body.data.transcripts[0].dateString).toBe(new Date(T0 + 4 * HOUR).toISOString());
    const second = await gql(LIST, { limit: 2, skip: 2 });
    expect(second.body.data.transcripts.map((t: Json) => t.title)).toEqual(['M2', 'M1']);
    const window = await gql(LIST, { fromDate: new Date(T0 + HOUR).toISOString(), toDate: new Date(T0 + 3 * HOUR).toISOString() });
    expect(window.body.data.transcripts.map((t: Json) => t.title)).toEqual(['M3', 'M2', 'M1']);
  });

  it('refuses limit above 50 and unparseable dates with invalid_arguments in the documented shape', async () => {
    const big = await gql(LIST, { limit: 51 });
    expect(big.status).toBe(200);
    expect(big.body.data).toEqual({ transcripts: null });
    expect(big.body.errors[0].extensions.metadata.fields[0]).toMatchObject({ name: 'limit', message: 'limit must not be greater than 50' });
    const date = await gql(LIST, { fromDate: 'last tuesday' });
    const { locations: _l, path, friendly, extensions: { helpUrls, ...extensions }, ...rest } = date.body.errors[0];
    expect({ ...rest, extensions }).toEqual(DOCS_ERROR_INVALID);
    expect({ path, friendly, helpUrls }).toEqual({ path: ['transcripts'], friendly: true, helpUrls: ['https://docs.fireflies.ai/miscellaneous/error-codes#invalid_arguments'] });
  });

  it('clamps limit instead when asked to, and enforces the documented argument rules', async () => {
    await ff.close();
    ff = await startFireflies({ now: () => nowMs, limitPolicy: 'clamp' });
    alice = ff.addUser({ email: 'alice@acme.test' }).apiKey;
    for (let i = 0; i < 52; i += 1) ff.addProcessedMeeting(meeting(`M${i}`, T0 + i * 1000));
    expect((await gql(LIST, { limit: 100 })).body.data.transcripts).toHaveLength(50);
    const scope = await gql('{ transcripts(scope: "sentences") { id } }');
    expect(scope.body.errors[0]).toMatchObject({ code: 'args_required', extensions: { metadata: { fields: ['keyword'] } } });
    const exclusive = await gql('{ transcripts(mine: true, user_id: "x") { id } }');
    expect(exclusive.body.errors[0].code).toBe('invalid_arguments');
    const words = await gql('{ transcripts(keyword: "BUDGET", scope: "sentences", limit: 3) { id } }');
    expect(words.body.data.transcripts).toHaveLength(3);
    expect((await gql('{ transcripts(keyword: "budget") { id } }')).body.data.transcripts).toEqual([]);
  });

  it('keeps a meeting out until it is processed, so a date cursor without overlap misses it', async () => {
    ff.addProcessedMeeting(meeting('Early', T0));
    const late = ff.addMeeting(meeting('Long call', T0 + 2 * HOUR, { clientReferenceId: 'ref-1' }));
    const firstSync = (await gql(LIST, { fromDate: new Date(T0).toISOString() })).body.data.transcripts;
    expect(firstSync.map((t: Json) => t.title)).toEqual(['Early']);
    const hidden = await gql(GET, { id: late });
    expect(hidden.body.errors[0].code).toBe('object_not_found');

    const cursor = nowMs; // the sync above ran "now", hours after the call started
    nowMs += HOUR;
    await ff.finishProcessing(late);
    const noOverlap = (await gql(LIST, { fromDate: new Date(cursor).toISOString() })).body.data.transcripts;
    expect(noOverlap).toEqual([]);
    const overlap = (await gql(LIST, { fromDate: new Date(cursor - 12 * HOUR).toISOString() })).body.data.transcripts;
    expect(overlap.map((t: Json) => t.title)).toEqual(['Long call', 'Early']);
    const info = await gql('query G($id: String!) { transcript(id: $id) { meeting_info { summary_status } summary { overview keywords } } }', { id: late });
    expect(info.body.data.transcript).toEqual({ meeting_info: { summary_status: 'processing' }, summary: { overview: null, keywords: null } });
  });
});

describe('deletion, privacy and errors', () => {
  it('deletes: the mutation returns the fields, then the meeting is gone from listing and transcript(id)', async () => {
    const id = ff.addProcessedMeeting(meeting('Doomed', T0));
    const del = await gql('mutation D($id: String!) { deleteTranscript(id: $id) { id title organizer_email date } }', { id });
    expect(del.body.data.deleteTranscript).toEqual({ id, title: 'Doomed', organizer_email: 'alice@acme.test', date: T0 });
    expect((await gql(LIST)).body.data.transcripts).toEqual([]);
    const gone = await gql(GET, { id });
    expect(gone.status).toBe(200);
    expect(gone.body.data).toEqual({ transcript: null });
    const { message: _m, locations: _l, path: _p, friendly: _f, extensions: { helpUrls: _h, ...extensions }, ...rest } = gone.body.errors[0];
    expect(kindOf({ ...rest, message: '', extensions })).toEqual(kindOf({ ...DOCS_ERROR_NOT_FOUND, message: '' }));
    expect(gone.body.errors[0]).toMatchObject({ message: 'Transcript not found', extensions: { status: 404, metadata: { objectType: 'Transcript' } } });
    const bob = ff.userByEmail('bob@acme.test')!.apiKey;
    const other = ff.addProcessedMeeting(meeting('Not yours', T0));
    expect((await gql('mutation D($id: String!) { deleteTranscript(id: $id) { id } }', { id: other }, bob)).body.errors[0].code).toBe('require_elevated_privilege');
  });

  it('shows a meeting to whom its privacy, shares and team allow', async () => {
    const bob = ff.userByEmail('bob@acme.test')!.apiKey;
    const eve = ff.userByEmail('eve@rival.test')!.apiKey;
    const carol = ff.addUser({ email: 'carol@acme.test' }).apiKey;
    const boss = ff.addUser({ email: 'boss@acme.test', superAdmin: true }).apiKey;
    const id = ff.addProcessedMeeting(meeting('Private', T0, { privacy: 'participants' }));
    const sees = async (key: string): Promise<boolean> => (await gql(LIST, {}, key)).body.data.transcripts.length === 1;
    expect([await sees(alice), await sees(bob), await sees(carol), await sees(eve), await sees(boss)]).toEqual([true, true, false, false, true]);
    ff.setPrivacy(id, 'owner');
    expect(await sees(bob)).toBe(false);
    ff.share(id, { email: 'eve@rival.test', expiresAt: nowMs + HOUR });
    expect(await sees(eve)).toBe(true);
    nowMs += 2 * HOUR;
    expect(await sees(eve)).toBe(false);
    ff.setPrivacy(id, 'teammates');
    expect([await sees(carol), await sees(eve)]).toEqual([true, false]);
    expect((await gql(GET, { id }, eve)).body.errors[0].code).toBe('object_not_found');
  });

  it('gates paid fields, answers user/users, and keeps title edits to admins', async () => {
    ff.setPlan('free');
    const id = ff.addProcessedMeeting(meeting('Sync', T0));
    const paid = await gql('query G($id: String!) { transcript(id: $id) { title audio_url } }', { id });
    expect(paid.body.data.transcript).toEqual({ title: 'Sync', audio_url: null }); // only the gated field nulls
    expect(paid.body.errors[0].path).toEqual(['transcript', 'audio_url']);
    expect(paid.body.errors[0]).toMatchObject({ code: 'paid_required', extensions: { metadata: { tier: 'pro_or_higher' } } });
    const me = await gql('{ user { email is_admin num_transcripts recent_meeting } users { email } }');
    expect(me.body.data.user).toEqual({ email: 'alice@acme.test', is_admin: true, num_transcripts: 1, recent_meeting: id });
    expect(me.body.data.users.map((u: Json) => u.email)).toEqual(['alice@acme.test', 'bob@acme.test']);
    const eveId = ff.userByEmail('eve@rival.test')!.id;
    expect((await gql('query U($id: String) { user(id: $id) { email } }', { id: eveId })).body.errors[0].code).toBe('not_in_team');
    const bob = ff.userByEmail('bob@acme.test')!.apiKey;
    const rename = 'mutation R($input: UpdateMeetingTitleInput!) { updateMeetingTitle(input: $input) { id title } }';
    expect((await gql(rename, { input: { id, title: 'x' } }, bob)).body.errors[0].code).toBe('require_elevated_privilege');
    expect((await gql(rename, { input: { id, title: 'Renamed' } })).body.data.updateMeetingTitle).toEqual({ id, title: 'Renamed' });
  });
});

describe('rate limits', () => {
  it('refuses past the per-minute budget with 429 too_many_requests and retryAfter, then recovers', async () => {
    ff.setRateLimits({ perMinute: 3 });
    for (let i = 0; i < 3; i += 1) expect((await gql(LIST)).status).toBe(200);
    const refused = await gql(LIST);
    expect(refused.status).toBe(429);
    const { locations: _l, friendly, extensions: { helpUrls: _h, ...extensions }, ...rest } = refused.body.errors[0];
    expect(kindOf({ ...rest, extensions })).toEqual(kindOf(DOCS_ERROR_TOO_MANY));
    expect(friendly).toBe(true);
    expect(extensions.metadata.retryAfter).toBe(nowMs + 60_000);
    expect(rest.message).toMatch(/^Too many requests\. Please retry after \d{1,2}:\d\d:\d\d [AP]M \(UTC\)$/);
    nowMs += 60_001;
    expect((await gql(LIST)).status).toBe(200);
    expect(ff.count('transcripts', 429)).toBe(1);
    expect(ff.requests.at(-1)).toMatchObject({ rootFields: ['transcripts'], variables: {}, status: 200, errorCodes: [] });
  });

  it('applies the documented 50 a day of free plans and deleteTranscript\'s own 10 a minute', async () => {
    ff.setPlan('free');
    for (let i = 0; i < 50; i += 1) await gql('{ user { email } }');
    expect((await gql('{ user { email } }')).status).toBe(429);
    ff.setRateLimits({ deleteTranscriptPerMinute: 1 });
    ff.resetRateLimits();
    const ids = [ff.addProcessedMeeting(meeting('A', T0)), ff.addProcessedMeeting(meeting('B', T0))];
    const del = 'mutation D($id: String!) { deleteTranscript(id: $id) { id } }';
    expect((await gql(del, { id: ids[0] })).status).toBe(200);
    expect((await gql(del, { id: ids[1] })).body.errors[0].code).toBe('too_many_requests');
    expect((await gql(LIST)).status).toBe(200);
  });
});

describe('webhooks', () => {
  let receiver: Server;
  let hookUrl: string;
  let received: { body: string; headers: Json }[];
  let replyStatus: number;
  const SECRET = 'sixteen-chars-secret';
  const hmac = (body: string): string => `sha256=${createHmac('sha256', SECRET).update(body, 'utf8').digest('hex')}`;
  const verified = (r: { body: string; headers: Json }): boolean => {
    const given = Buffer.from(String(r.headers['x-hub-signature'] ?? ''));
    const expected = Buffer.from(hmac(r.body));
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  beforeEach(async () => {
    received = [];
    replyStatus = 200;
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
        res.writeHead(replyStatus).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });

  afterEach(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('posts the documented V2 payloads, signed sha256=<hex HMAC of the raw body>, for the owner\'s meetings', async () => {
    ff.registerWebhook('alice@acme.test', { url: hookUrl, secret: SECRET, events: ['meeting.transcribed', 'meeting.summarized'] });
    const id = ff.addMeeting(meeting('Call', T0, { clientReferenceId: 'ref-42' }));
    ff.addUser({ email: 'dan@acme.test' });
    const foreign = ff.addMeeting({ ...meeting('Dan only', T0), organizer: 'dan@acme.test' });
    await ff.finishProcessing(foreign);
    expect(received).toEqual([]);

    const [transcribed] = await ff.finishProcessing(id);
    expect(transcribed!.ok).toBe(true);
    nowMs += 5000;
    await ff.finishSummary(id, { overview: 'We talked.' });
    expect(received).toHaveLength(2);
    const [first, second] = received.map((r) => JSON.parse(r.body) as Json);
    expect(Object.keys(first!)).toEqual(Object.keys(DOCS_V2_TRANSCRIBED));
    expect(kindOf(first)).toEqual(kindOf(DOCS_V2_TRANSCRIBED));
    expect(first).toEqual({ event: 'meeting.transcribed', timestamp: nowMs - 5000, meeting_id: id, client_reference_id: 'ref-42' });
    expect(second).toMatchObject({ event: 'meeting.summarized', timestamp: nowMs, meeting_id: id });
    expect(received.every(verified)).toBe(true);
    expect(received[0]!.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': 'Fireflies-Webhook/1.0' });

    const plain = ff.addMeeting(meeting('No ref', T0));
    await ff.finishProcessing(plain);
    await ff.finishSummary(plain);
    expect(Object.keys(JSON.parse(received.at(-1)!.body) as Json)).toEqual(Object.keys(DOCS_V2_SUMMARIZED));
  });

  it('sends the legacy V1 payload, unsigned without a secret, and records failed deliveries', async () => {
    ff.registerWebhook('alice@acme.test', { url: hookUrl, version: 'v1' });
    const id = ff.addMeeting(meeting('Old style', T0, { clientReferenceId: 'ref-1' }));
    replyStatus = 500;
    const [delivery] = await ff.finishProcessing(id);
    await ff.finishSummary(id);
    expect(received).toHaveLength(1);
    expect(kindOf(JSON.parse(received[0]!.body))).toEqual(kindOf(DOCS_V1));
    expect(JSON.parse(received[0]!.body)).toEqual({ meetingId: id, eventType: 'Transcription completed', clientReferenceId: 'ref-1' });
    expect(received[0]!.headers['x-hub-signature']).toBeUndefined();
    expect(delivery).toMatchObject({ ok: false, status: 500, version: 'v1' });
    expect(ff.deliveries).toHaveLength(1);
  });

  it('lets tests sign any body, replay it and tamper with it', async () => {
    const body = JSON.stringify({ ...DOCS_V2_TRANSCRIBED, timestamp: nowMs });
    expect(signFirefliesBody(body, SECRET)).toBe(hmac(body));
    await postFirefliesWebhook(hookUrl, body, { secret: SECRET });
    await postFirefliesWebhook(hookUrl, body, { secret: SECRET });
    await postFirefliesWebhook(hookUrl, body.replace('ASxwZxCstx', 'forged0000'), { signature: signFirefliesBody(body, SECRET) });
    await postFirefliesWebhook(hookUrl, body, { signature: null });
    expect(received.map(verified)).toEqual([true, true, false, false]);
    expect(received[0]!.body).toBe(received[1]!.body);
  });
});
