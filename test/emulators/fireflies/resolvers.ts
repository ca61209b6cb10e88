/**
 * The root fields: what transcripts/transcript/user/users return and what the mutations do.
 *
 * Sources (docs.fireflies.ai):
 * - transcripts (/graphql-api/query/transcripts): `fromDate` "all transcripts created after",
 *   `toDate` "created before" (the emulator includes both bounds), `date` (deprecated) = that UTC
 *   day, `limit` "Maximum 50 in one query", `skip`, `keyword` in the title and/or the spoken
 *   words per `scope` (title by default; "If scope is provided, keyword becomes a required
 *   field"), `title` (deprecated, exclusive with keyword), `host_email`, `organizers` /
 *   `participants` ("any of these emails", not combinable with the deprecated organizer_email /
 *   participant_email), `user_id` ("as the organizer or participant"; unknown → object_not_found
 *   (user)), `mine` ("the API key owner as the organizer"), `channel_id`; lengths 255/256. Since
 *   2.4.0 only one of organizer_email, participant_email, user_id, mine may be used at a time
 *   (/additional-info/change-log). Order: newest first — not stated by the docs; twentyhq/twenty's
 *   Fireflies backfill relies on it ("Fireflies returns transcripts newest-first",
 *   run-fireflies-backfill.ts). Whether limit > 50 is refused or clamped is not documented:
 *   `limitPolicy` picks; the refusal is worded like the documented class-validator messages.
 * - transcript (/graphql-api/query/transcript): object_not_found when it "does not exist or you do
 *   not have access to it" — deleted, still processing and private meetings all look alike.
 * - user (/graphql-api/query/user): no id → the key's owner; object_not_found (user); not_in_team.
 *   users (/graphql-api/query/users): everyone in the team.
 * - deleteTranscript (/graphql-api/mutation/delete-transcript): returns the deleted transcript's
 *   fields; require_elevated_privilege without admin rights (owners may delete their own here).
 * - updateMeetingTitle: admins only, owner in the caller's team; updateMeetingPrivacy: owner or
 *   admin (/graphql-api/mutation/update-meeting-title, update-meeting-privacy).
 * - setUserRole: admins only; not_in_team; admin_must_exist when the last admin would go
 *   (/graphql-api/mutation/set-user-role, /miscellaneous/error-codes).
 */

import { argsRequired, elevated, FirefliesError, invalidArguments, notFound, notInTeam, type FieldViolation } from './errors.ts';
import { transcriptObject, userObject, type RenderContext } from './shapes.ts';
import { PRIVACY_LEVELS, type MeetingPrivacy, type StoredMeeting } from './workspace.ts';

export interface ResolverContext extends RenderContext {
  readonly limitPolicy: 'error' | 'clamp';
  readonly defaultLimit: number;
}

export const MAX_LIMIT = 50;
type Args = Record<string, unknown>;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const present = (v: unknown): boolean => v !== undefined && v !== null;

function transcriptsArgs(args: Args, ctx: ResolverContext): { limit: number; skip: number } {
  const bad: FieldViolation[] = [];
  const str = (name: string): string | undefined => (present(args[name]) ? String(args[name]) : undefined);
  const maxLength = (name: string, max: number): void => {
    const v = str(name);
    if (v !== undefined && v.length > max) bad.push({ name, message: `${name} must be shorter than or equal to ${max} characters`, constraint: 'maxLength' });
  };
  maxLength('title', 256);
  maxLength('keyword', 255);
  maxLength('channel_id', 256);
  if (present(args['title']) && present(args['keyword'])) bad.push({ name: 'keyword', message: 'keyword and title are mutually exclusive', constraint: 'mutuallyExclusive' });
  if (present(args['scope'])) {
    if (!present(args['keyword'])) throw argsRequired(['keyword']);
    if (!['title', 'sentences', 'all'].includes(String(args['scope']).toLowerCase())) {
      bad.push({ name: 'scope', message: 'scope must be one of the following values: title, sentences, all', constraint: 'isEnum' });
    }
  }
  for (const name of ['fromDate', 'toDate']) {
    const v = str(name);
    if (v !== undefined && Number.isNaN(Date.parse(v))) bad.push({ name, message: `${name} must be a Date instance`, constraint: 'isDate' });
  }
  for (const name of ['host_email', 'organizer_email', 'participant_email']) {
    const v = str(name);
    if (v !== undefined && (!EMAIL.test(v) || v.length > 256)) bad.push({ name, message: `${name} must be an email`, constraint: 'isEmail' });
  }
  for (const name of ['organizers', 'participants']) {
    const list = args[name] as string[] | null | undefined;
    if (list?.some((e) => !EMAIL.test(e) || e.length > 256)) bad.push({ name, message: `each value in ${name} must be an email`, constraint: 'isEmail' });
  }
  const exclusive = ['organizer_email', 'participant_email', 'user_id', 'mine'].filter((n) => present(args[n]));
  if (exclusive.length > 1) bad.push({ name: exclusive.join(', '), message: `only one of ${exclusive.join(', ')} may be used at a time`, constraint: 'mutuallyExclusive' });
  if ((present(args['organizers']) || present(args['participants'])) && (present(args['organizer_email']) || present(args['participant_email']))) {
    bad.push({ name: 'organizers', message: 'organizers and participants cannot be combined with organizer_email or participant_email', constraint: 'mutuallyExclusive' });
  }
  let limit = present(args['limit']) ? Number(args['limit']) : ctx.defaultLimit;
  if (limit > MAX_LIMIT) {
    if (ctx.limitPolicy === 'clamp') limit = MAX_LIMIT;
    else bad.push({ name: 'limit', message: `limit must not be greater than ${MAX_LIMIT}`, constraint: 'max' });
  }
  if (limit < 1) bad.push({ name: 'limit', message: 'limit must not be less than 1', constraint: 'min' });
  const skip = present(args['skip']) ? Number(args['skip']) : 0;
  if (skip < 0) bad.push({ name: 'skip', message: 'skip must not be less than 0', constraint: 'min' });
  if (bad.length > 0) throw invalidArguments(bad);
  return { limit, skip };
}

function matches(meeting: StoredMeeting, args: Args, ctx: ResolverContext): boolean {
  const lower = (v: unknown): string => String(v).toLowerCase();
  const { caller, workspace } = ctx;
  if (present(args['fromDate']) && meeting.date < Date.parse(String(args['fromDate']))) return false;
  if (present(args['toDate']) && meeting.date > Date.parse(String(args['toDate']))) return false;
  if (present(args['date'])) {
    const day = new Date(Number(args['date'])).toISOString().slice(0, 10);
    if (new Date(meeting.date).toISOString().slice(0, 10) !== day) return false;
  }
  const text = present(args['keyword']) ? lower(args['keyword']) : present(args['title']) ? lower(args['title']) : undefined;
  if (text !== undefined) {
    const scope = present(args['scope']) ? lower(args['scope']) : 'title';
    const inTitle = meeting.title.toLowerCase().includes(text);
    const inWords = meeting.sentences.some((s) => s.text.toLowerCase().includes(text));
    if (!(scope === 'title' ? inTitle : scope === 'sentences' ? inWords : inTitle || inWords)) return false;
  }
  if (present(args['host_email']) && meeting.organizerEmail !== lower(args['host_email'])) return false;
  if (present(args['organizer_email']) && meeting.organizerEmail !== lower(args['organizer_email'])) return false;
  if (present(args['participant_email']) && !meeting.participants.includes(lower(args['participant_email']))) return false;
  const organizers = args['organizers'] as string[] | null | undefined;
  if (organizers && !organizers.map(lower).includes(meeting.organizerEmail)) return false;
  const participants = args['participants'] as string[] | null | undefined;
  if (participants && !participants.map(lower).some((e) => meeting.participants.includes(e))) return false;
  if (args['mine'] === true && meeting.organizerEmail !== caller.email) return false;
  if (present(args['user_id'])) {
    const user = workspace.userById(String(args['user_id']))!;
    if (meeting.organizerEmail !== user.email && !meeting.participants.includes(user.email)) return false;
  }
  if (present(args['channel_id']) && !(meeting.seed.channels ?? []).some((c) => c.id === args['channel_id'])) return false;
  return true;
}

/** A meeting the caller may read, or the documented not-found. */
function readable(id: string, ctx: ResolverContext): StoredMeeting {
  const meeting = ctx.workspace.meeting(id);
  if (!meeting || !ctx.workspace.canGet(ctx.caller, meeting)) throw notFound('Transcript');
  return meeting;
}

export const rootValue = {
  transcripts(args: Args, ctx: ResolverContext): unknown[] {
    const { limit, skip } = transcriptsArgs(args, ctx);
    if (present(args['user_id'])) {
      const user = ctx.workspace.userById(String(args['user_id']));
      if (!user || user.team !== ctx.caller.team) throw notFound('User');
    }
    return ctx.workspace.allMeetings()
      .filter((m) => ctx.workspace.canList(ctx.caller, m) && matches(m, args, ctx))
      .sort((a, b) => b.date - a.date || (a.id < b.id ? 1 : -1))
      .slice(skip, skip + limit)
      .map((m) => transcriptObject(m, ctx));
  },

  transcript(args: Args, ctx: ResolverContext): unknown {
    return transcriptObject(readable(String(args['id']), ctx), ctx);
  },

  user(args: Args, ctx: ResolverContext): unknown {
    if (!present(args['id'])) return userObject(ctx.caller, ctx);
    const user = ctx.workspace.userById(String(args['id']));
    if (!user) throw notFound('User');
    if (user.team !== ctx.caller.team) throw notInTeam();
    return userObject(user, ctx);
  },

  users(_args: Args, ctx: ResolverContext): unknown[] {
    return ctx.workspace.teamOf(ctx.caller.team).map((u) => userObject(u, ctx));
  },

  deleteTranscript(args: Args, ctx: ResolverContext): unknown {
    const meeting = readable(String(args['id']), ctx);
    const owner = ctx.workspace.ownerOf(meeting);
    if (owner.id !== ctx.caller.id && !(ctx.caller.admin && owner.team === ctx.caller.team)) throw elevated();
    const wire = transcriptObject(meeting, ctx);
    ctx.workspace.deleteMeeting(meeting.id);
    return wire;
  },

  updateMeetingTitle(args: Args, ctx: ResolverContext): unknown {
    const input = args['input'] as { id: string; title: string };
    const meeting = readable(input.id, ctx);
    if (!ctx.caller.admin || ctx.workspace.ownerOf(meeting).team !== ctx.caller.team) throw elevated();
    if (input.title.length > 256) throw invalidArguments([{ name: 'title', message: 'title must be shorter than or equal to 256 characters', constraint: 'maxLength' }]);
    ctx.workspace.setTitle(meeting.id, input.title);
    return transcriptObject(meeting, ctx);
  },

  updateMeetingPrivacy(args: Args, ctx: ResolverContext): unknown {
    const input = args['input'] as { id: string; privacy: string };
    const meeting = readable(input.id, ctx);
    const owner = ctx.workspace.ownerOf(meeting);
    if (owner.id !== ctx.caller.id && !(ctx.caller.admin && owner.team === ctx.caller.team)) throw elevated();
    if (!PRIVACY_LEVELS.includes(input.privacy as MeetingPrivacy)) {
      throw invalidArguments([{ name: 'privacy', message: `privacy must be one of the following values: ${PRIVACY_LEVELS.join(', ')}`, constraint: 'isEnum' }]);
    }
    ctx.workspace.setPrivacy(meeting.id, input.privacy as MeetingPrivacy);
    return transcriptObject(meeting, ctx);
  },

  setUserRole(args: Args, ctx: ResolverContext): unknown {
    if (!ctx.caller.admin) throw elevated();
    const user = ctx.workspace.userById(String(args['user_id']));
    if (!user) throw notFound('User');
    if (user.team !== ctx.caller.team) throw notInTeam();
    const admins = ctx.workspace.teamOf(user.team).filter((u) => u.admin);
    if (args['role'] === 'user' && user.admin && admins.length === 1) {
      throw new FirefliesError('admin_must_exist', 'You must have at least one admin your team');
    }
    user.admin = args['role'] === 'admin';
    return userObject(user, ctx);
  },
};
