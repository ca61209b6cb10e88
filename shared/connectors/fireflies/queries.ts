/**
 * The GraphQL documents the connector sends and the shapes it reads back.
 *
 * Fields (https://docs.fireflies.ai/schema/transcript, /schema/sentence, /schema/shared-with,
 * /schema/meeting-attendee, /schema/enum/meeting-privacy): the listing asks only for what the
 * version and the access list are made of, 50 meetings a request; `sentences` are asked for only
 * when a meeting is read, several meetings per request as aliased `transcript(id)` fields.
 *
 * The shapes are lenient (every field may be null or absent, dates may come as epoch ms or ISO
 * text, and a field of an unexpected type reads as null): one odd transcript must not fail a
 * page. Only `id` is required.
 */
import { z } from 'zod';

const LISTED_FIELDS = `id title date duration organizer_email participants
    meeting_attendees { email displayName name }
    speakers { id name }
    privacy shared_with { email expires_at } workspace_users is_live`;

/** One listing page: newest first, `[fromDate, toDate]` (both inclusive), `limit` ≤ 50, `skip`. */
export const LISTING_QUERY = `query TributaryListing($fromDate: DateTime, $toDate: DateTime, $limit: Int, $skip: Int) {
  transcripts(fromDate: $fromDate, toDate: $toDate, limit: $limit, skip: $skip) {
    ${LISTED_FIELDS}
  }
}`;

/** The alias of the `index`-th transcript of a batch read. */
export const aliasOf = (index: number): string => `m${index}`;

/** Reads `count` transcripts in one request: `m0: transcript(id: $id0) {…}`, … (ids as variables, never inlined). */
export function transcriptsQuery(count: number): string {
  const variables = Array.from({ length: count }, (_, i) => `$id${i}: String!`).join(', ');
  const fields = Array.from({ length: count }, (_, i) => `  ${aliasOf(i)}: transcript(id: $id${i}) { ...TributaryTranscript }`).join('\n');
  return `query TributaryTranscripts(${variables}) {
${fields}
}
fragment TributaryTranscript on Transcript {
  ${LISTED_FIELDS}
  transcript_url
  sentences { index speaker_id speaker_name text raw_text start_time }
}`;
}

const text = z.string().nullish().catch(null);
const list = <T extends z.ZodType>(item: T) => z.array(item.nullish().catch(null)).nullish().catch(null);

/** Epoch ms from a number, a numeric string or ISO text; null when there is none. */
const instant = z.union([z.number(), z.string()]).nullish().transform((value) => {
  if (value === null || value === undefined) return null;
  const ms = typeof value === 'number' ? value : /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}).catch(null);

const seconds = z.union([z.number(), z.string()]).nullish().transform((value) => {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}).catch(null);

/** What a listing returns per meeting: everything its version and access are made of. */
export const listedTranscript = z.object({
  id: z.string().min(1),
  title: text,
  date: instant,
  duration: z.number().nullish().catch(null),
  organizer_email: text,
  participants: list(z.string()),
  meeting_attendees: list(z.object({ email: text, displayName: text, name: text })),
  speakers: list(z.object({ id: z.union([z.number(), z.string()]).nullish().catch(null), name: text })),
  privacy: text,
  shared_with: list(z.object({ email: text, expires_at: instant })),
  workspace_users: list(z.string()),
  is_live: z.boolean().nullish().catch(null),
});
export type ListedTranscript = z.output<typeof listedTranscript>;

export const sentence = z.object({
  index: z.number().nullish().catch(null),
  speaker_id: z.union([z.string(), z.number()]).nullish().catch(null),
  speaker_name: text,
  text,
  raw_text: text,
  start_time: seconds,
});
export type Sentence = z.output<typeof sentence>;

/** A meeting as it is read: the listing's fields, its link and its sentences. */
export const fullTranscript = listedTranscript.extend({
  transcript_url: text,
  sentences: list(sentence),
});
export type FullTranscript = z.output<typeof fullTranscript>;

/** One `errors[]` entry as Fireflies sends it (https://docs.fireflies.ai/fundamentals/errors). */
export const graphqlError = z.object({
  message: z.string().nullish(),
  code: z.string().nullish(),
  path: z.array(z.union([z.string(), z.number()])).nullish(),
  extensions: z.object({ code: z.string().nullish() }).nullish(),
});
export type GraphqlError = z.output<typeof graphqlError>;

/** A GraphQL answer: `data` with one value per root field (or alias), and `errors`. */
export const graphqlAnswer = z.object({
  data: z.record(z.string(), z.unknown()).nullish(),
  errors: z.array(graphqlError).nullish(),
});
export type GraphqlAnswer = z.output<typeof graphqlAnswer>;

/** The code of an error entry: `extensions.code`, else the top-level `code`. */
export function codeOf(error: GraphqlError): string | undefined {
  return error.extensions?.code ?? error.code ?? undefined;
}
