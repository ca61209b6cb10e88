/**
 * Fireflies' GraphQL API over the kit's HTTP client: one listing page, or a batch of transcripts
 * read by id in one request. The client retries, paces (`requestsPerMinute`) and waits as
 * Fireflies asks (./transport.ts turns its body-level 429 and 401 into statuses the client reads).
 *
 * GraphQL reports a failed field next to the others with HTTP 200: `errors[].path` names the
 * alias, `extensions.code` what went wrong (https://docs.fireflies.ai/miscellaneous/error-codes).
 * A transcript that is `object_not_found` is gone (deleted, or not visible to the key); any
 * other error on one transcript is that transcript's own. An error on the listing fails the
 * listing: a page cut short would make reconcile delete meetings.
 */
import { ConfigError, TransientError } from '../../core/errors.ts';
import type { Logger } from '../../core/deps.ts';
import type { Clock } from '../../ports/index.ts';
import { HttpClient, ProviderAuthError, ProviderRequestError, ProviderResponseError, type HttpSeams } from '../kit/index.ts';
import {
  aliasOf, codeOf, fullTranscript, graphqlAnswer, listedTranscript, LISTING_QUERY, transcriptsQuery,
  type FullTranscript, type GraphqlAnswer, type GraphqlError, type ListedTranscript,
} from './queries.ts';
import { firefliesFetch } from './transport.ts';

export interface FirefliesApiOptions extends HttpSeams {
  readonly sourceId: string;
  readonly apiUrl: string;
  /** Reads the API key (on the first request). */
  readonly apiKey: () => string | undefined;
  /** The variable it comes from, named in error messages. */
  readonly apiKeyEnv: string;
  readonly requestsPerMinute: number;
  readonly timeoutMs: number;
  readonly maxRetryWaitMs: number;
  readonly clock: Clock;
  readonly log: Logger;
}

/** One listing page: the meetings, in Fireflies' order, and how many entries it held. */
export interface ListingPage {
  readonly meetings: readonly ListedTranscript[];
  /** Entries returned, the unusable ones (no id) included: a short page ends the listing. */
  readonly count: number;
}

/** What reading one transcript by id found. */
export type ReadOutcome =
  | { readonly kind: 'found'; readonly transcript: FullTranscript }
  | { readonly kind: 'gone' }
  | { readonly kind: 'refused'; readonly reason: string };

/** Codes that say the key may not list at all: the listing fails with the fix. */
const LISTING_DENIED = new Set(['forbidden', 'not_in_team', 'require_elevated_privilege', 'paid_required', 'auth_failed']);
const PROVIDER = 'Fireflies';
/** Business and Enterprise keys: 60 requests a minute (https://docs.fireflies.ai/fundamentals/limits). */
const FIREFLIES_PER_MINUTE = 60;

export class FirefliesApi {
  private client: HttpClient | undefined;
  private readonly endpointPath: string;

  constructor(private readonly options: FirefliesApiOptions) {
    this.endpointPath = new URL(options.apiUrl).pathname;
  }

  /** Requests sent, retries and waits so far. */
  get stats(): HttpClient['stats'] | undefined {
    return this.client?.stats;
  }

  /** Meetings dated within `[from, to]` (either bound inclusive), newest first, `limit` ≤ 50 from `skip`. */
  async listPage(range: { readonly from?: string | undefined; readonly to: string; readonly limit: number; readonly skip: number }): Promise<ListingPage> {
    const answer = await this.post(LISTING_QUERY, {
      toDate: range.to, limit: range.limit,
      ...(range.from !== undefined ? { fromDate: range.from } : {}), ...(range.skip > 0 ? { skip: range.skip } : {}),
    });
    const raw = answer.data?.['transcripts'];
    if (!Array.isArray(raw)) throw this.listingError(answer.errors ?? []);
    const meetings: ListedTranscript[] = [];
    let unusable = 0;
    for (const entry of raw) {
      const parsed = listedTranscript.safeParse(entry);
      if (parsed.success) meetings.push(parsed.data);
      else unusable += 1;
    }
    // Without an id an entry is no document; it still counts for paging.
    if (unusable > 0) this.options.log.warn('Fireflies listed transcripts without an id; left out', { sourceId: this.options.sourceId, count: unusable });
    return { meetings, count: raw.length };
  }

  /** Reads the transcripts (with sentences) in one request; an outcome per id. */
  async readBatch(ids: readonly string[]): Promise<Map<string, ReadOutcome>> {
    const variables = Object.fromEntries(ids.map((id, i) => [`id${i}`, id]));
    const answer = await this.post(transcriptsQuery(ids.length), variables);
    const data = answer.data;
    if (data === null || data === undefined) {
      // No field was answered: the request failed, not a transcript (a later run tries again).
      const first = answer.errors?.[0];
      throw new TransientError(`Fireflies answered a transcripts read of source "${this.options.sourceId}" without data (${first ? `${codeOf(first) ?? 'error'}: ${first.message ?? 'no message'}` : 'no errors'}); a later run tries again`, {
        context: { sourceId: this.options.sourceId, provider: PROVIDER },
      });
    }
    const outcomes = new Map<string, ReadOutcome>();
    ids.forEach((id, i) => {
      const alias = aliasOf(i);
      const errors = (answer.errors ?? []).filter((e) => e.path?.[0] === alias);
      outcomes.set(id, outcomeOf(id, data[alias], errors));
    });
    return outcomes;
  }

  private async post(query: string, variables: Record<string, unknown>): Promise<GraphqlAnswer> {
    // The endpoint itself (an absolute URL on the client's origin), not a path under it.
    return this.http().postJson(this.options.apiUrl, { query, variables }, { schema: graphqlAnswer });
  }

  private listingError(errors: readonly GraphqlError[]): Error {
    const error = errors.find((e) => !e.path || e.path[0] === 'transcripts') ?? errors[0];
    const details = { sourceId: this.options.sourceId, provider: PROVIDER, method: 'POST', path: this.endpointPath, status: 200 };
    const code = error ? codeOf(error) : undefined;
    const said = error?.message ? `: ${error.message}` : '';
    if (code !== undefined && LISTING_DENIED.has(code)) {
      return new ProviderAuthError(
        `Fireflies refused to list transcripts for source "${this.options.sourceId}" (${code})${said}; check that ${this.options.apiKeyEnv} holds the key of a user who may see the team's meetings`,
        details,
      );
    }
    if (code === 'invalid_arguments' || code === 'args_required') {
      return new ProviderRequestError(`Fireflies rejected the transcripts query of source "${this.options.sourceId}" (${code})${said}`, details);
    }
    if (!error) return new ProviderResponseError(`Fireflies answered the transcripts query of source "${this.options.sourceId}" without transcripts or errors`, details);
    return new TransientError(`Fireflies could not list transcripts for source "${this.options.sourceId}" (${code ?? 'no code'})${said}; a later run tries again`, {
      context: { sourceId: this.options.sourceId, provider: PROVIDER, code },
    });
  }

  private http(): HttpClient {
    if (this.client) return this.client;
    const key = this.options.apiKey();
    if (!key) {
      throw new ConfigError(
        `fireflies source "${this.options.sourceId}": apiKeyEnv names ${this.options.apiKeyEnv}, which is not set: ` +
          `export ${this.options.apiKeyEnv}=<API key from Fireflies → Integrations → Fireflies API> (on AWS: map ${this.options.apiKeyEnv} in aws.secrets)`,
        { sourceId: this.options.sourceId, key: 'apiKeyEnv' },
      );
    }
    const o = this.options;
    this.client = new HttpClient({
      sourceId: o.sourceId, provider: PROVIDER, baseUrl: o.apiUrl,
      headers: { authorization: `Bearer ${key}` },
      authHint: `check that ${o.apiKeyEnv} holds a valid Fireflies API key (Integrations → Fireflies API)`,
      timeoutMs: o.timeoutMs, maxRetryWaitMs: o.maxRetryWaitMs, requestsPerMinute: o.requestsPerMinute, burst: burstFor(o.requestsPerMinute),
      fetch: firefliesFetch(o.fetch ?? globalThis.fetch, o.clock), clock: o.clock,
      ...(o.sleep ? { sleep: o.sleep } : {}), ...(o.random ? { random: o.random } : {}),
      ...(o.maxAttempts !== undefined ? { maxAttempts: o.maxAttempts } : {}),
      ...(o.baseBackoffMs !== undefined ? { baseBackoffMs: o.baseBackoffMs } : {}),
      onRetry: (event) => o.log.warn('Fireflies request retried', { sourceId: o.sourceId, ...event }),
    });
    return this.client;
  }
}

/**
 * Requests let through back to back: as many as keep any minute within Fireflies' 60 (the burst
 * plus a minute's refill), at most 10, at least 1.
 */
export function burstFor(requestsPerMinute: number): number {
  return Math.max(1, Math.min(10, FIREFLIES_PER_MINUTE - requestsPerMinute));
}

/** One alias of a batch read. */
function outcomeOf(id: string, value: unknown, errors: readonly GraphqlError[]): ReadOutcome {
  const described = errors.map((e) => `${codeOf(e) ?? 'error'}: ${e.message ?? 'no message'}`).join('; ');
  if (value === null || value === undefined) {
    if (errors.some((e) => codeOf(e) === 'object_not_found')) return { kind: 'gone' };
    if (errors.length > 0) return { kind: 'refused', reason: `Fireflies would not return transcript ${id} (${described}); it is read again on the next pass` };
    // An answer without the alias at all is no statement about the transcript.
    if (value === undefined) return { kind: 'refused', reason: `Fireflies answered without transcript ${id}; it is read again on the next pass` };
    return { kind: 'gone' };
  }
  // A part of the transcript failed (its sentences, say): the whole of it cannot be indexed now.
  if (errors.length > 0) return { kind: 'refused', reason: `Fireflies returned transcript ${id} incomplete (${described}); it is read again on the next pass` };
  const parsed = fullTranscript.safeParse(value);
  if (!parsed.success) return { kind: 'refused', reason: `Fireflies returned transcript ${id} in an unexpected shape (${parsed.error.issues[0]?.message ?? 'invalid'})` };
  return { kind: 'found', transcript: parsed.data };
}
