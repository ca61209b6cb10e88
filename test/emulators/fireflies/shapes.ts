/**
 * How a stored meeting and a user look on the wire, for one caller.
 *
 * Sources:
 * - https://docs.fireflies.ai/schema/transcript — `date` is epoch ms (UTC), `dateString` its ISO
 *   form ("2024-04-22T20:14:04.454Z"), `duration` in minutes (a captured 42-second upload reads
 *   `"duration": 0.700952410697937`, @pipedream/fireflies test-event.mjs), `participants` = all
 *   participant emails incl. people without an account, `fireflies_users` = those with an
 *   account, `workspace_users` = the subset in the requesting user's team, `user` = whom Fred
 *   recorded for, `host_email` deprecated (= organizer_email), `is_live` false once processed.
 * - transcript_url: "https://app.fireflies.ai/view/<id>" in the same capture.
 * - audio_url needs Pro or higher, video_url Business or higher, analytics Pro or higher; asking
 *   for them below that tier is `paid_required` with tier pro_or_higher / business_or_higher
 *   (https://docs.fireflies.ai/graphql-api/mutation/upload-audio, error codes section).
 *   video_url needs the RECORD MEETING VIDEO setting, so it is null unless a test seeds one.
 * - Sentences: /schema/sentence (index, text = possibly user-edited, raw_text = as transcribed,
 *   times in seconds, speaker_id, speaker_name, ai_filters); speakers = "the id and name of the
 *   speaker as it appears within the transcript" (/schema/speaker). The emulator numbers speakers
 *   0, 1, … in order of first appearance.
 * - Summary fields stay null until `meeting.summarized`; meeting_info.summary_status reports
 *   processing / processed / failed / skipped (/schema/meeting-info).
 * - MeetingAttendee.location is a "Deprecated field" (null here). User: /schema/user
 *   (recent_transcript deprecated in favour of recent_meeting, https://docs.fireflies.ai/).
 */

import { paidRequired } from './errors.ts';
import type { EmulatedUser, FirefliesWorkspace, Plan, StoredMeeting, SummarySeed } from './workspace.ts';

export interface RenderContext {
  readonly workspace: FirefliesWorkspace;
  readonly caller: EmulatedUser;
  readonly plan: Plan;
}

type Wire = Record<string, unknown>;

const PAID_RANK: Record<Plan, number> = { free: 0, pro: 1, business: 2, enterprise: 3 };
const SUMMARY_FIELDS = [
  'action_items', 'keywords', 'outline', 'overview', 'shorthand_bullet', 'notes', 'gist', 'bullet_gist',
  'short_summary', 'short_overview', 'meeting_type', 'topics_discussed', 'transcript_chapters', 'extended_sections',
] as const;
const AI_FILTERS = ['task', 'pricing', 'metric', 'question', 'date_and_time', 'text_cleanup', 'sentiment'] as const;

/** A resolver that refuses below `tier` (graphql-js calls function-valued properties). */
function gated<T>(ctx: RenderContext, tier: 'pro_or_higher' | 'business_or_higher', value: () => T): () => T {
  return () => {
    if (PAID_RANK[ctx.plan] < (tier === 'pro_or_higher' ? 1 : 2)) throw paidRequired(tier);
    return value();
  };
}

export function speakersOf(meeting: StoredMeeting): { id: number; name: string }[] {
  const names: string[] = [];
  for (const s of meeting.sentences) if (!names.includes(s.speaker)) names.push(s.speaker);
  return names.map((name, id) => ({ id, name }));
}

export function transcriptObject(meeting: StoredMeeting, ctx: RenderContext): Wire {
  const { workspace, caller } = ctx;
  const seed = meeting.seed;
  const speakers = speakersOf(meeting);
  const everyone = [...new Set([meeting.organizerEmail, ...meeting.participants])];
  const firefliesUsers = everyone.filter((email) => workspace.userByEmail(email));
  return {
    id: meeting.id,
    title: meeting.title,
    host_email: meeting.organizerEmail,
    organizer_email: meeting.organizerEmail,
    user: () => userObject(workspace.ownerOf(meeting), ctx),
    speakers,
    transcript_url: `https://app.fireflies.ai/view/${meeting.id}`,
    participants: meeting.participants,
    meeting_attendees: meeting.attendees.map((a) => ({
      displayName: a.displayName ?? a.name ?? null, email: a.email ?? null, phoneNumber: a.phoneNumber ?? null,
      name: a.name ?? a.displayName ?? null, location: null,
    })),
    meeting_attendance: seed.attendance?.map((a) => ({ name: a.name, join_time: a.join_time, leave_time: a.leave_time ?? null })) ?? [],
    fireflies_users: firefliesUsers,
    workspace_users: firefliesUsers.filter((email) => workspace.userByEmail(email)?.team === caller.team),
    duration: meeting.durationMinutes,
    dateString: new Date(meeting.date).toISOString(),
    date: meeting.date,
    audio_url: gated(ctx, 'pro_or_higher', () => seed.audioUrl ?? `https://media.fireflies.emulator.invalid/${meeting.id}/audio.mp3`),
    video_url: gated(ctx, 'business_or_higher', () => seed.videoUrl ?? null),
    sentences: meeting.sentences.map((s, index) => ({
      index,
      text: s.text,
      raw_text: s.rawText ?? s.text,
      start_time: s.start,
      end_time: s.end,
      speaker_id: String(speakers.find((sp) => sp.name === s.speaker)!.id),
      speaker_name: s.speaker,
      ai_filters: Object.fromEntries(AI_FILTERS.map((k) => [k, s.aiFilters?.[k] ?? null])),
    })),
    calendar_id: seed.calendarId ?? null,
    summary: summaryObject(meeting.summaryStatus === 'processed' ? meeting.summary : undefined),
    meeting_info: { fred_joined: true, silent_meeting: meeting.sentences.length === 0, summary_status: meeting.summaryStatus },
    cal_id: seed.calId ?? null,
    calendar_type: seed.calendarType ?? null,
    apps_preview: { outputs: [] },
    meeting_link: seed.meetingLink ?? null,
    analytics: gated(ctx, 'pro_or_higher', () => seed.analytics ?? null),
    channels: (seed.channels ?? []).map((c) => ({
      id: c.id, title: c.title, is_private: c.isPrivate ?? false, created_at: null, updated_at: null, created_by: null, members: [],
    })),
    shared_with: meeting.sharedWith.map((s) => ({
      email: s.email, name: s.name ?? null, photo_url: null, expires_at: s.expiresAt !== undefined ? new Date(s.expiresAt).toISOString() : null,
    })),
    is_live: false,
    privacy: meeting.privacy,
  };
}

function summaryObject(summary: SummarySeed | undefined): Wire {
  return Object.fromEntries(SUMMARY_FIELDS.map((k) => [k, summary?.[k] ?? null]));
}

export function userObject(user: EmulatedUser, ctx: RenderContext): Wire {
  const owned = ctx.workspace.allMeetings()
    .filter((m) => m.organizerEmail === user.email && m.state === 'transcribed')
    .sort((a, b) => b.date - a.date);
  return {
    user_id: user.id,
    user_groups: [],
    email: user.email,
    name: user.name,
    num_transcripts: owned.length,
    recent_transcript: owned[0]?.id ?? null,
    recent_meeting: owned[0]?.id ?? null,
    minutes_consumed: Math.round(owned.reduce((sum, m) => sum + m.durationMinutes, 0)),
    is_admin: user.admin,
    integrations: user.integrations,
    is_calendar_in_sync: false,
  };
}
