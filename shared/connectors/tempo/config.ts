import { z } from 'zod';
import { envName, schedule, sourceBase } from '../../config/source-base.ts';

/** Tempo v4 answers at most 5,000 worklogs per request ("maximum of 5000 records per API call in version 4.0"). */
export const MAX_PAGE_SIZE = 5000;
/** Tempo's gateway allows 5 requests a second per token (Tempo KB "Best Practices for Tempo Cloud REST API"). */
export const TEMPO_REQUESTS_PER_SECOND = 5;

const numericId = z.union([
  z.number().int().positive(),
  z.string().regex(/^\d{1,18}$/, { message: 'must be a numeric Jira project id such as "10000" (Tempo v4 filters by projectId, not by key)' }),
]).transform((value) => String(value));

/** The Jira site worklogs' issues are looked up on (key, summary, project). */
export const jiraLookup = z.strictObject({
  /** The site's base URL, e.g. "https://acme.atlassian.net"; issue links in the index point here. */
  siteUrl: z.string().url({ message: 'must be the Jira site\'s absolute URL, e.g. "https://acme.atlassian.net"' }),
  /** With `email`: Basic auth (Atlassian account e-mail + API token); without: the token is sent as a Bearer token. */
  email: z.string().email({ message: 'must be the e-mail address of the Atlassian account the API token belongs to' }).optional(),
  /** Environment variable holding the Jira API token (or OAuth/PAT bearer token when `email` is absent). */
  tokenEnv: envName.default('JIRA_API_TOKEN'),
  /** Requests per minute sent to Jira (Atlassian answers 429 with Retry-After beyond its budget). */
  requestsPerMinute: z.number().int().min(1).max(6000).default(300),
});

/**
 * `"kind": "tempo"`: Tempo Cloud worklogs (REST API v4) of some Jira projects, one document per
 * worklog, with the Jira issue's key and summary resolved through Jira. Every key and its default
 * is documented in docs/sources/tempo.md.
 */
export const tempoSource = z.strictObject({
  ...sourceBase,
  kind: z.literal('tempo'),
  schedule: schedule('rate(15 minutes)'),
  /** Tempo's API root (api.tempo.io, api.eu.tempo.io, api.us.tempo.io); tests point it at a loopback emulator. */
  apiUrl: z.string().url({ message: 'must be an absolute URL such as "https://api.tempo.io"' }).default('https://api.tempo.io'),
  /** Environment variable holding the Tempo API token (Tempo → Settings → API integration). */
  tokenEnv: envName.default('TEMPO_API_TOKEN'),
  /** Jira project ids whose worklogs are indexed; absent: every worklog the token may see. */
  projects: z.array(numericId).min(1, { message: 'must name at least one Jira project id, or be left out to index every project the token sees' }).max(500).optional(),
  jira: jiraLookup,
  /** Worklogs per Tempo request (`limit`). */
  pageSize: z.number().int().min(1, { message: 'must be at least 1' })
    .max(MAX_PAGE_SIZE, { message: `must be at most ${MAX_PAGE_SIZE}: Tempo v4 returns no more per request` }).default(MAX_PAGE_SIZE),
  /** Requests per second sent to Tempo (its gateway allows 5 per token, shared by every client of the token). */
  requestsPerSecond: z.number().min(0.1).max(TEMPO_REQUESTS_PER_SECOND, { message: `must be at most ${TEMPO_REQUESTS_PER_SECOND}: Tempo's gateway refuses more per token` }).default(4),
  /** How long a Jira issue's key, summary and project are trusted without asking Jira again (renames are caught sooner: see docs). */
  issueCacheSeconds: z.number().int().min(0).max(7 * 86_400).default(3600),
  /**
   * Hours between reconciles (a full listing of the scope's worklog ids and versions) after
   * incremental passes; deletions arrive through Tempo's audit feed in between. 0: after every pass.
   */
  reconcileIntervalHours: z.number().min(0).max(24 * 30).default(24),
  /** Per-request timeout, reading the body included (a page of 5,000 worklogs is a few MB). */
  requestTimeoutMs: z.number().int().min(1000).max(300_000).default(60_000),
  /** Longest wait a throttled request sleeps through before the run stops (a later run resumes from the saved page). */
  maxRetryWaitSeconds: z.number().int().min(1).max(900).default(60),
});

export type TempoSourceConfig = z.output<typeof tempoSource>;
