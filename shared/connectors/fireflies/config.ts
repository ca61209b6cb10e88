import { z } from 'zod';
import { envName, schedule, sourceBase } from '../../config/source-base.ts';

/** Fireflies answers at most 50 transcripts per `transcripts` query and refuses a larger `limit`. */
export const MAX_PAGE_SIZE = 50;

/**
 * `"kind": "fireflies"`: the meeting transcripts a Fireflies API key can list, one conversation
 * document per meeting. Every key and its default is documented in docs/sources/fireflies.md.
 */
export const firefliesSource = z.strictObject({
  ...sourceBase,
  kind: z.literal('fireflies'),
  // Meetings surface minutes to hours after they end, and Free/Pro keys have 50 requests a day.
  schedule: schedule('rate(1 hour)'),
  /** Environment variable holding the API key (Fireflies: Integrations → Fireflies API). */
  apiKeyEnv: envName.default('FIREFLIES_API_KEY'),
  /** The GraphQL endpoint; tests point it at a loopback emulator. */
  apiUrl: z.string().url({ message: 'must be an absolute URL such as "https://api.fireflies.ai/graphql"' }).default('https://api.fireflies.ai/graphql'),
  /** Transcripts per `transcripts` listing request (Fireflies' `limit`). */
  pageSize: z.number().int().min(1, { message: 'must be at least 1' })
    .max(MAX_PAGE_SIZE, { message: `must be at most ${MAX_PAGE_SIZE}: Fireflies refuses a larger transcripts limit` }).default(MAX_PAGE_SIZE),
  /** Transcripts read (with their sentences) per request, as aliased `transcript(id)` fields of one query. */
  fetchBatchSize: z.number().int().min(1, { message: 'must be at least 1' })
    .max(25, { message: 'must be at most 25: one response then carries that many whole transcripts' }).default(10),
  /**
   * A meeting enters the API only once processed, dated by its start: an incremental pass lists
   * meetings dated from this long before the newest date it saw (or the pass window, if earlier).
   * Cover your longest meeting plus Fireflies' processing time.
   */
  overlapHours: z.number().min(1, { message: 'must be at least 1: meetings appear after processing, dated by their start' })
    .max(24 * 30, { message: 'must be at most 720 (30 days)' }).default(24),
  /**
   * List every transcript (ids and versions, 50 per request) after each pass, so deleted
   * meetings leave the index and renames, privacy changes and shares of older meetings are
   * read again. Without it, only meetings within `overlapHours` are ever re-read.
   */
  reconcile: z.boolean().default(true),
  /**
   * The group principal for "teammates": documents of a meeting teammates may see name
   * `group:<team>`. Default: the source id.
   */
  team: z.string().regex(/^[^\s,]{1,200}$/, { message: 'must be 1-200 characters without whitespace or commas (it becomes the principal group:<team>)' }).optional(),
  /**
   * Who may find a meeting whose privacy is `link` (anyone with the link may open it):
   * `public` (every searcher) or `teammatesandparticipants` (as Fireflies lists it).
   */
  linkAccess: z.enum(['public', 'teammatesandparticipants']).default('public'),
  /** Requests per minute this source sends (Fireflies allows Business keys 60 a minute, Free/Pro keys 50 a day). */
  requestsPerMinute: z.number().int().min(1).max(60, { message: 'must be at most 60: Fireflies allows no key more' }).default(50),
  /** Per-request timeout, reading the body included (responses with sentences are large). */
  requestTimeoutMs: z.number().int().min(1000).max(300_000).default(60_000),
  /**
   * Longest wait a rate-limited request sleeps through (Fireflies names when to retry); a longer
   * one (a daily budget used up) stops the run, and a later run resumes from the saved page.
   */
  maxRetryWaitSeconds: z.number().int().min(0).max(900).default(60),
});

export type FirefliesSourceConfig = z.output<typeof firefliesSource>;
