/**
 * The emulated Fireflies team: users and their API keys, meetings and their processing state,
 * and who may see which meeting. Everything a test seeds goes through here.
 *
 * Sources:
 * - A key "can access data of the user who generated the API Key and the users who are part of
 *   the same team if the API Key is generated from a team admin account":
 *   https://docs.fireflies.ai/getting-started/introduction ("User"). Privacy settings still
 *   apply to admins; only the Enterprise Super Admin role bypasses them
 *   (https://docs.fireflies.ai/fundamentals/super-admin, "Privacy Settings Bypass").
 * - Privacy levels: https://docs.fireflies.ai/schema/enum/meeting-privacy — link (anyone with
 *   the link), owner, participants, participatingteammates (teammates who took part, beta),
 *   teammatesandparticipants, teammates. External shares (`shared_with`, with an optional expiry)
 *   also grant access: https://docs.fireflies.ai/graphql-api/mutation/share-meeting,
 *   https://docs.fireflies.ai/schema/shared-with. Reading `link` as "fetchable by id with any
 *   key, listed only for teammates and participants" is the emulator's interpretation.
 * - A meeting is only in the API once processed: `meeting.transcribed` "triggers when a meeting
 *   has been transcribed and the transcript is ready", `meeting.summarized` after the AI summary
 *   (https://docs.fireflies.ai/graphql-api/webhooks-v2). While processing, the emulator answers
 *   transcript(id) with object_not_found and leaves the meeting out of transcripts; its `date` is
 *   the meeting's start, so it surfaces with a date already in the past.
 * - Ids: transcript ids like "ASxwZxCstx" (docs examples), "OvwNiwrXXWzo6q1v" (captured,
 *   @pipedream/fireflies test-event.mjs) and ULIDs like "01K8DV541XM97WMGRCX66TPSWG"
 *   (/graphql-api/query/rule-executions-by-meeting); the emulator mints ULID-shaped ids.
 *   User ids like "VsFnU96JJB" (same capture).
 */

import { notFound } from './errors.ts';
import type { WebhookHub, FiredDelivery } from './webhooks.ts';

export type MeetingPrivacy = 'link' | 'owner' | 'participants' | 'participatingteammates' | 'teammatesandparticipants' | 'teammates';
export const PRIVACY_LEVELS: readonly MeetingPrivacy[] = ['link', 'owner', 'participants', 'participatingteammates', 'teammatesandparticipants', 'teammates'];
export type SummaryStatus = 'processing' | 'processed' | 'failed' | 'skipped';
export type Plan = 'free' | 'pro' | 'business' | 'enterprise';

export interface EmulatedUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly apiKey: string;
  readonly team: string;
  admin: boolean;
  readonly superAdmin: boolean;
  readonly integrations: readonly string[];
}

export interface UserSeed {
  readonly email: string;
  readonly name?: string;
  readonly id?: string;
  readonly apiKey?: string;
  /** Team name; users of one team see each other's `teammates` meetings. @default 'team' */
  readonly team?: string;
  readonly admin?: boolean;
  /** Enterprise Super Admin: bypasses privacy settings, team-wide webhooks. */
  readonly superAdmin?: boolean;
  readonly integrations?: readonly string[];
}

export interface AttendeeSeed {
  readonly email?: string;
  readonly displayName?: string;
  readonly name?: string;
  readonly phoneNumber?: string;
}

export interface SentenceSeed {
  readonly speaker: string;
  readonly text: string;
  /** Seconds from the start of the recording. */
  readonly start: number;
  readonly end: number;
  readonly rawText?: string;
  readonly aiFilters?: Readonly<Record<string, string | null>>;
}

export interface SummarySeed {
  readonly action_items?: string;
  readonly keywords?: readonly string[];
  readonly outline?: string;
  readonly overview?: string;
  readonly shorthand_bullet?: string;
  readonly notes?: string;
  readonly gist?: string;
  readonly bullet_gist?: string;
  readonly short_summary?: string;
  readonly short_overview?: string;
  readonly meeting_type?: string;
  readonly topics_discussed?: readonly string[];
  readonly transcript_chapters?: readonly string[];
  readonly extended_sections?: readonly { title: string; content: string }[];
}

export interface ShareSeed {
  readonly email: string;
  readonly name?: string;
  /** Epoch ms; absent: never expires. */
  readonly expiresAt?: number;
}

export interface MeetingSeed {
  readonly title: string;
  /** Meeting start (epoch ms, ISO string or Date): the transcript's `date`. */
  readonly date: number | string | Date;
  /** Email of the owner (organizer_email); must be a seeded user. */
  readonly organizer: string;
  readonly id?: string;
  readonly durationMinutes?: number;
  /** Participant emails; default: the attendees' emails. */
  readonly participants?: readonly string[];
  readonly attendees?: readonly AttendeeSeed[];
  readonly sentences?: readonly SentenceSeed[];
  /** @default 'teammates' (the emulator's choice; Fireflies' default is team-configurable) */
  readonly privacy?: MeetingPrivacy;
  readonly sharedWith?: readonly ShareSeed[];
  readonly channels?: readonly { id: string; title: string; isPrivate?: boolean }[];
  readonly meetingLink?: string;
  readonly calendarId?: string;
  readonly calId?: string;
  readonly calendarType?: string;
  readonly clientReferenceId?: string;
  readonly audioUrl?: string;
  readonly videoUrl?: string;
  readonly attendance?: readonly { name: string; join_time: string; leave_time?: string }[];
  readonly analytics?: Readonly<Record<string, unknown>>;
}

export interface StoredMeeting {
  readonly id: string;
  title: string;
  readonly date: number;
  readonly durationMinutes: number;
  readonly organizerEmail: string;
  readonly participants: readonly string[];
  readonly attendees: readonly AttendeeSeed[];
  readonly sentences: readonly SentenceSeed[];
  privacy: MeetingPrivacy;
  sharedWith: ShareSeed[];
  readonly seed: MeetingSeed;
  state: 'processing' | 'transcribed';
  summaryStatus: SummaryStatus;
  summary: SummarySeed | undefined;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export class FirefliesWorkspace {
  protected readonly users = new Map<string, EmulatedUser>();
  protected readonly meetings = new Map<string, StoredMeeting>();
  /** Ids of deleted meetings, for assertions; the API itself forgets them. */
  readonly deletedIds = new Set<string>();
  private counter = 0;

  constructor(readonly now: () => number, protected readonly webhooks: WebhookHub) {}

  // ───────────────────────────── users ─────────────────────────────

  addUser(seed: UserSeed): EmulatedUser {
    const n = ++this.counter;
    const user: EmulatedUser = {
      id: seed.id ?? this.mint(ALNUM, 10, n),
      email: seed.email.toLowerCase(),
      name: seed.name ?? seed.email.split('@')[0]!,
      apiKey: seed.apiKey ?? `ff-key-${n}`,
      team: seed.team ?? 'team',
      admin: seed.admin ?? false,
      superAdmin: seed.superAdmin ?? false,
      integrations: seed.integrations ?? [],
    };
    this.users.set(user.id, user);
    return user;
  }

  userByKey(apiKey: string): EmulatedUser | undefined {
    return [...this.users.values()].find((u) => u.apiKey === apiKey);
  }

  userById(id: string): EmulatedUser | undefined {
    return this.users.get(id);
  }

  userByEmail(email: string): EmulatedUser | undefined {
    const wanted = email.toLowerCase();
    return [...this.users.values()].find((u) => u.email === wanted);
  }

  teamOf(team: string): EmulatedUser[] {
    return [...this.users.values()].filter((u) => u.team === team);
  }

  // ───────────────────────────── meetings ─────────────────────────────

  /** Adds a meeting that is still processing: invisible to the API until finishProcessing(). */
  addMeeting(seed: MeetingSeed): string {
    if (!this.userByEmail(seed.organizer)) throw new Error(`organizer ${seed.organizer} is not a seeded user`);
    const id = seed.id ?? this.mint(CROCKFORD, 26, (this.counter += 1));
    if (this.meetings.has(id)) throw new Error(`meeting ${id} exists`);
    const attendees = seed.attendees ?? [];
    const date = seed.date instanceof Date ? seed.date.getTime() : typeof seed.date === 'string' ? Date.parse(seed.date) : seed.date;
    const sentences = seed.sentences ?? [];
    this.meetings.set(id, {
      id, title: seed.title, date,
      durationMinutes: seed.durationMinutes ?? (sentences.length ? Math.max(...sentences.map((s) => s.end)) / 60 : 0),
      organizerEmail: seed.organizer.toLowerCase(),
      participants: (seed.participants ?? attendees.flatMap((a) => (a.email ? [a.email] : []))).map((e) => e.toLowerCase()),
      attendees, sentences,
      privacy: seed.privacy ?? 'teammates',
      sharedWith: [...(seed.sharedWith ?? [])],
      seed, state: 'processing', summaryStatus: 'processing', summary: undefined,
    });
    return id;
  }

  /** Adds a meeting that is already transcribed and summarised, without firing webhooks. */
  addProcessedMeeting(seed: MeetingSeed, summary: SummarySeed = {}): string {
    const id = this.addMeeting(seed);
    const meeting = this.meetings.get(id)!;
    meeting.state = 'transcribed';
    meeting.summaryStatus = 'processed';
    meeting.summary = summary;
    return id;
  }

  /** Transcription done: the meeting enters the API and `meeting.transcribed` (v1: "Transcription completed") fires. */
  finishProcessing(id: string): Promise<FiredDelivery[]> {
    const meeting = this.stored(id);
    meeting.state = 'transcribed';
    return this.webhooks.fire('meeting.transcribed', meeting, this.ownerOf(meeting));
  }

  /** Summary done: `summary` and meeting_info.summary_status fill in and `meeting.summarized` fires. */
  finishSummary(id: string, summary: SummarySeed = {}, status: Exclude<SummaryStatus, 'processing'> = 'processed'): Promise<FiredDelivery[]> {
    const meeting = this.stored(id);
    if (meeting.state !== 'transcribed') throw new Error(`meeting ${id} is not transcribed yet`);
    meeting.summaryStatus = status;
    meeting.summary = status === 'processed' ? summary : undefined;
    return status === 'processed' ? this.webhooks.fire('meeting.summarized', meeting, this.ownerOf(meeting)) : Promise.resolve([]);
  }

  /** Fred joined the live meeting (`meeting.bot_joined`, listed in the current webhooks-v2 page). */
  botJoined(id: string): Promise<FiredDelivery[]> {
    const meeting = this.stored(id);
    return this.webhooks.fire('meeting.bot_joined', meeting, this.ownerOf(meeting));
  }

  deleteMeeting(id: string): void {
    this.stored(id);
    this.meetings.delete(id);
    this.deletedIds.add(id);
  }

  setTitle(id: string, title: string): void {
    this.stored(id).title = title;
  }

  setPrivacy(id: string, privacy: MeetingPrivacy): void {
    this.stored(id).privacy = privacy;
  }

  share(id: string, share: ShareSeed): void {
    const meeting = this.stored(id);
    meeting.sharedWith = [...meeting.sharedWith.filter((s) => s.email.toLowerCase() !== share.email.toLowerCase()), share];
  }

  revokeShare(id: string, email: string): void {
    const meeting = this.stored(id);
    meeting.sharedWith = meeting.sharedWith.filter((s) => s.email.toLowerCase() !== email.toLowerCase());
  }

  meeting(id: string): StoredMeeting | undefined {
    return this.meetings.get(id);
  }

  allMeetings(): StoredMeeting[] {
    return [...this.meetings.values()];
  }

  ownerOf(meeting: StoredMeeting): EmulatedUser {
    return this.userByEmail(meeting.organizerEmail)!;
  }

  // ───────────────────────────── visibility ─────────────────────────────

  /** transcript(id): may this caller read the meeting? */
  canGet(caller: EmulatedUser, meeting: StoredMeeting): boolean {
    return meeting.state === 'transcribed' && (meeting.privacy === 'link' || this.grants(caller, meeting));
  }

  /** transcripts(...): does the meeting appear in this caller's listing? */
  canList(caller: EmulatedUser, meeting: StoredMeeting): boolean {
    if (meeting.state !== 'transcribed') return false;
    if (meeting.privacy === 'link') return this.grants(caller, { ...meeting, privacy: 'teammatesandparticipants' });
    return this.grants(caller, meeting);
  }

  private grants(caller: EmulatedUser, meeting: StoredMeeting): boolean {
    const owner = this.ownerOf(meeting);
    if (owner.id === caller.id) return true;
    const teammate = owner.team === caller.team;
    if (caller.superAdmin && teammate) return true;
    const now = this.now();
    if (meeting.sharedWith.some((s) => s.email.toLowerCase() === caller.email && (s.expiresAt === undefined || s.expiresAt > now))) return true;
    const participant = meeting.participants.includes(caller.email);
    switch (meeting.privacy) {
      case 'owner': return false;
      case 'participants': return participant;
      case 'teammates': return teammate;
      case 'participatingteammates': return teammate && participant;
      case 'teammatesandparticipants':
      case 'link': return teammate || participant;
    }
  }

  protected stored(id: string): StoredMeeting {
    const meeting = this.meetings.get(id);
    if (!meeting) throw notFound('Transcript');
    return meeting;
  }

  /** Deterministic, collision-free ids of Fireflies' shapes (clock and counter, no randomness). */
  private mint(alphabet: string, length: number, n: number): string {
    const base = BigInt(alphabet.length);
    let x = BigInt(this.now() % 100_000_000_000) * 1_000_000n + BigInt(n);
    let out = '';
    while (out.length < length) {
      out = alphabet[Number(x % base)]! + out;
      x /= base;
    }
    return out;
  }
}
