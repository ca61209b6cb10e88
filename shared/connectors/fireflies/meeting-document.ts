/**
 * A meeting as a `conversation` document, and its version. Pure: the connector reads, these
 * functions decide.
 *
 * Text: a header turn (title, date, organizer, participants), then one turn per speaker run —
 * consecutive sentences of one speaker merged — as `Name [m:ss]: text`, the time being where the
 * run starts in the recording. Turns are joined by TURN_SEPARATOR, so sentences added at the end
 * change at most the last chunk, and a rename changes only the header's.
 *
 * Version: Fireflies reports no modification time, so the version is a hash of everything the
 * listing returns that the document or its access is made of — title, date, duration, organizer,
 * participants, attendees, speaker names, and the access list (privacy, shares and their expiry).
 * The listing computes it without reading sentences; a read computes the same from the same
 * fields. A transcript re-processed with more or fewer words changes its duration; an edit of
 * sentence text in Fireflies' editor that changes none of these is not seen (docs/sources/fireflies.md).
 */
import { createHash } from 'node:crypto';
import { TURN_SEPARATOR } from '../../core/chunker.ts';
import { DocumentError } from '../../core/errors.ts';
import type { Metadata, SourceDocument } from '../../ports/index.ts';
import { emailsIn, participantEmails } from './access.ts';
import type { FullTranscript, ListedTranscript, Sentence } from './queries.ts';

/** Bump when the rendering changes: every meeting is then read again once. */
const FORMAT = 'fireflies/1';

/** The version of a meeting as listed (or read), with the access list computed for it. */
export function versionOf(meeting: ListedTranscript, access: readonly string[]): string {
  const attendees = (meeting.meeting_attendees ?? [])
    .map((a) => [a?.displayName ?? a?.name ?? '', a?.email?.toLowerCase() ?? ''].join('\u0000')).sort();
  const speakers = (meeting.speakers ?? []).map((s) => [String(s?.id ?? ''), s?.name ?? '']);
  const fields = [
    FORMAT, meeting.title ?? null, meeting.date ?? null, meeting.duration ?? null, meeting.organizer_email?.toLowerCase() ?? null,
    participantEmails(meeting), attendees, speakers, access,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 32);
}

/** One speaker run. */
export interface Turn {
  readonly speaker: string;
  /** Seconds from the start of the recording, of the run's first sentence. */
  readonly startSeconds: number | undefined;
  readonly text: string;
}

/** Sentences (in `index` order) merged into runs of one speaker; empty sentences left out. */
export function speakerTurns(sentences: readonly (Sentence | null | undefined)[]): Turn[] {
  const ordered = sentences
    .filter((s): s is Sentence => s !== null && s !== undefined)
    .map((s, position) => ({ s, position }))
    .sort((a, b) => (a.s.index ?? a.position) - (b.s.index ?? b.position) || a.position - b.position)
    .map(({ s }) => s);
  const turns: Array<{ speaker: string; startSeconds: number | undefined; parts: string[] }> = [];
  for (const s of ordered) {
    const words = clean(s.text ?? s.raw_text ?? '');
    if (words === '') continue;
    const speaker = speakerOf(s);
    const last = turns.at(-1);
    if (last && last.speaker === speaker) last.parts.push(words);
    else turns.push({ speaker, startSeconds: s.start_time ?? undefined, parts: [words] });
  }
  return turns.map((t) => ({ speaker: t.speaker, startSeconds: t.startSeconds, text: t.parts.join(' ') }));
}

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function clockOf(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export interface RenderOptions {
  /** The principals that may see it (./access.ts). */
  readonly access: readonly string[];
}

/** The meeting's document; a DocumentError when Fireflies returned no sentences (null, not an empty list). */
export function meetingDocument(meeting: FullTranscript, options: RenderOptions): SourceDocument {
  if (meeting.sentences === null || meeting.sentences === undefined) {
    throw new DocumentError(meeting.id, 'Fireflies returned no sentences for this transcript (null); it is read again on the next pass');
  }
  const title = clean(meeting.title ?? '') || 'Untitled meeting';
  const date = meeting.date !== null && meeting.date !== undefined ? new Date(meeting.date) : undefined;
  const organizer = emailsIn(meeting.organizer_email)[0];
  const header = [
    `Meeting: ${title}`,
    ...(date ? [`Date: ${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`] : []),
    ...(organizer ? [`Organizer: ${organizer}`] : []),
    ...participantsLine(meeting),
  ].join('\n');
  const turns = speakerTurns(meeting.sentences).map((t) => `${t.speaker}${t.startSeconds !== undefined ? ` [${clockOf(t.startSeconds)}]` : ''}: ${t.text}`);
  const metadata: Metadata = {
    ...(date ? { meetingDate: date.toISOString() } : {}),
    ...(organizer ? { organizer } : {}),
  };
  return {
    id: meeting.id,
    version: versionOf(meeting, options.access),
    text: [header, ...turns].join(TURN_SEPARATOR),
    title,
    url: meeting.transcript_url ?? `https://app.fireflies.ai/view/${encodeURIComponent(meeting.id)}`,
    format: 'conversation',
    metadata,
    access: options.access,
    ...(date ? { updatedAt: date.toISOString() } : {}),
  };
}

/** `Participants: Bob <bob@acme.test>, guest@other.test` — attendees by name where Fireflies has one. */
function participantsLine(meeting: FullTranscript): string[] {
  const names = new Map<string, string>();
  for (const a of meeting.meeting_attendees ?? []) {
    const email = emailsIn(a?.email)[0];
    const name = clean(a?.displayName ?? a?.name ?? '');
    if (email && name) names.set(email, name);
  }
  const people = participantEmails(meeting).map((email) => (names.has(email) ? `${names.get(email)} <${email}>` : email));
  return people.length > 0 ? [`Participants: ${people.join(', ')}`] : [];
}

function speakerOf(s: Sentence): string {
  const name = clean(s.speaker_name ?? '');
  if (name !== '') return name;
  return s.speaker_id !== null && s.speaker_id !== undefined ? `Speaker ${s.speaker_id}` : 'Unknown speaker';
}

/** One line of text without the turn separator (it would split a turn). */
function clean(text: string): string {
  return text.split(TURN_SEPARATOR).join(' ').replace(/\s+/g, ' ').trim();
}
