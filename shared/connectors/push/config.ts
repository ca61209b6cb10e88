import { z } from 'zod';
import { envName, schedule, sourceBase } from '../../config/source-base.ts';

/** Largest document (text, title, url and metadata, UTF-8) a push may stash by default: fits a DynamoDB item (400 KB) with room for the rest. */
export const DEFAULT_MAX_DOCUMENT_BYTES = 300 * 1024;
/** The hard ceiling for `maxDocumentBytes`: above it the stash item would not fit in DynamoDB. */
export const MAX_DOCUMENT_BYTES_LIMIT = 380 * 1024;

/** A push source is signed like a webhook, so its secret is required. */
const pushWebhook = z.strictObject({
  /** Environment variable that holds the HMAC secret pushes are signed with. */
  secretEnv: envName,
}, {
  error: (issue) => (issue.input === undefined
    ? 'required for a push source: pushes are signed like webhooks; add "webhook": {"secretEnv": "MY_PUSH_SECRET"}'
    : undefined),
});

/**
 * `kind: "push"`: documents arrive by `POST /ingest/<id>` and are kept in the state table
 * ("the stash"); the fetcher reads them from there like from any other source.
 */
export const pushSourceSchema = z.strictObject({
  ...sourceBase,
  kind: z.literal('push'),
  /** Pushes wake the pipeline themselves; the scheduled pass is a cheap reconcile over the stash. */
  schedule: schedule('rate(1 day)'),
  /** Pushes do not move the watermark (only passes do): fresh means the daily pass ran. */
  freshnessSloMinutes: z.number().int().min(1).default(25 * 60),
  webhook: pushWebhook,
  /** Largest document (text + title + url + metadata, UTF-8 bytes) an upsert may carry; larger ones are rejected with the reason. */
  maxDocumentBytes: z.number().int().min(1024).max(MAX_DOCUMENT_BYTES_LIMIT).default(DEFAULT_MAX_DOCUMENT_BYTES),
  /** Stashed documents per page of a pass. */
  pageSize: z.number().int().min(1).max(1000).default(200),
  /** How long an `Idempotency-Key` and its stored response are kept. */
  idempotencyHours: z.number().int().min(1).max(24 * 30).default(24),
  /** How long a deleted document's tombstone (which refuses older versions) is kept. */
  tombstoneDays: z.number().int().min(1).max(3650).default(30),
});

export type PushSourceConfig = z.output<typeof pushSourceSchema>;
