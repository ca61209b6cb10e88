import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import { envName } from './env-name.ts';
import { sourceAlerts } from './ops.ts';

/*
 * Fields every source kind shares. A connector's config schema is
 * `z.strictObject({ ...sourceBase, kind: z.literal('<kind>'), …its own fields })`, added to the
 * registry (shared/connectors/registry.ts) through the connector's definition (see docs/connectors.md).
 */

/** Source ids appear in queue group ids, vector ids and URLs: keep them plain. */
export const sourceId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, {
  message: 'must be 1-63 characters of lowercase letters, digits, "-" or "_", starting with a letter or digit (e.g. "docs")',
});

export { envName };

/**
 * `rate(5 minutes)` — the EventBridge rate syntax, so one config serves local and AWS. The
 * count must be positive: `rate(0 minutes)` would make the local scheduler spin (and EventBridge rejects it).
 */
export const RATE_PATTERN = /^rate\((?:(1) (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))\)$/;

/** Milliseconds of a `rate(N unit)` expression. */
export function rateMs(expression: string): number {
  const m = RATE_PATTERN.exec(expression);
  if (!m) throw new ConfigError(`schedule "${expression}" is not a rate expression like "rate(15 minutes)"`);
  const n = Number(m[1] ?? m[3]);
  const unit = m[2] ?? m[4] ?? 'minutes';
  const per = unit.startsWith('minute') ? 60_000 : unit.startsWith('hour') ? 3_600_000 : 86_400_000;
  return n * per;
}

export const chunking = z.strictObject({
  targetTokens: z.number().int().min(32).max(8000).default(300),
  maxTokens: z.number().int().min(64).max(8000).default(800),
  /** Conversations only: turns repeated at the start of the next chunk (a sliding window). */
  overlapTurns: z.number().int().min(0).max(20).default(0),
  /** Conversations only: how turns become chunks (absent: `packed`, whole turns to the target). */
  strategy: z.enum(['packed', 'message', 'sliding', 'temporal', 'token-aware']).optional(),
  /** `sliding`: turns per window. */
  windowTurns: z.number().int().min(1).max(200).optional(),
  /** `temporal`: a gap between two turns longer than this starts a new chunk. */
  gapMinutes: z.number().int().min(1).max(7 * 24 * 60).optional(),
}).refine((c) => c.maxTokens >= c.targetTokens, { message: 'maxTokens must be at least targetTokens' })
  .refine((c) => c.strategy !== 'sliding' || c.overlapTurns < (c.windowTurns ?? 6), { message: 'overlapTurns must be less than windowTurns' });

/** Profile names appear in ledger keys, table names and CLI flags: plain, like source ids. */
export const profileName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,30}$/, {
  message: 'must be 1-31 characters of lowercase letters, digits, "-" or "_", starting with a letter or digit (e.g. "sliding")',
});

/**
 * One index profile of a source: a chunking, an embedder (model and dimensions over the
 * configured embedder kind) and a vector target. The profile named `default` is the index a
 * source had before profiles existed (its ledger, table and ids); any other gets its own.
 */
export const indexProfile = z.strictObject({
  name: profileName,
  chunking: chunking.optional(),
  embedder: z.strictObject({
    /** Embedding model (openai: the API model; local: a label that keys the embedding cache). */
    model: z.string().min(1).max(200).optional(),
    dimensions: z.number().int().min(16).max(4096).optional(),
  }).optional(),
  /** LanceDB table of the profile's vectors. Default: `chunks` for `default`, else `chunks-<sourceId>-<name>`. */
  table: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, { message: 'must be letters, digits, "-" or "_"' }).optional(),
  /** Pinecone namespace of the profile's vectors. Default: the source's, then `-<name>` for a profile other than `default`. */
  namespace: z.string().min(1).max(256).optional(),
});

export const webhook = z.strictObject({
  /** Environment variable that holds the HMAC secret. */
  secretEnv: envName,
});

export const schedule = (fallback: string) => z.string().regex(RATE_PATTERN, {
  message: 'must be a rate expression like "rate(15 minutes)" or "rate(1 hour)" (EventBridge syntax: singular unit for 1, plural otherwise)',
}).default(fallback);

/** Spread into every source kind's strict object. */
export const sourceBase = {
  id: sourceId,
  schedule: schedule('rate(15 minutes)'),
  webhook: webhook.optional(),
  lookbackSeconds: z.number().int().min(0).max(7 * 86_400).default(600),
  maxDeleteShare: z.number().min(0).max(1).default(0.3),
  deleteGuardMin: z.number().int().min(0).default(5),
  freshnessSloMinutes: z.number().int().min(1).default(60),
  chunking: chunking.optional(),
  /**
   * Index profiles fed by this source (each its own ledger, checkpoint and vector target).
   * Absent: one, `default`, from the top-level embedder and the source's chunking.
   */
  profiles: z.array(indexProfile).min(1).max(16).optional(),
  /** This source's alert destinations, over the top-level `alerts` (README "Alerts"). */
  alerts: sourceAlerts.optional(),
};

/** The fields every source kind shares, as validated: what code that handles any kind may read. */
export type SourceBaseConfig = z.output<z.ZodObject<typeof sourceBase & { kind: z.ZodString }>>;
