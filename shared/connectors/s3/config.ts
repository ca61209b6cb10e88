import { z } from 'zod';
import { envName, schedule, sourceBase } from '../../config/source-base.ts';

/** ListObjectsV2 answers at most 1,000 keys per page. */
export const MAX_PAGE_SIZE = 1000;

/** Every format the kit's extractors read (shared/connectors/kit/extract.ts), by extension. */
export const DEFAULT_INCLUDE: readonly string[] = [
  '**/*.md', '**/*.markdown', '**/*.mdx', '**/*.txt', '**/*.html', '**/*.htm', '**/*.pdf', '**/*.docx', '**/*.pptx', '**/*.xlsx',
];

/** S3 bucket names: 3-63 characters of lowercase letters, digits, dots and hyphens (general purpose buckets). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * `"kind": "s3"`: the objects of an S3 bucket under a prefix (or of any S3-compatible store:
 * MinIO, R2, Ceph), one document per object. Every key and its default: docs/sources/s3.md.
 */
export const s3Source = z.strictObject({
  ...sourceBase,
  kind: z.literal('s3'),
  // With EventBridge, the schedule is only the safety net (a listing, which fetches nothing unchanged).
  schedule: schedule('rate(1 hour)'),
  /** The bucket's name (not its ARN or URL). */
  bucket: z.string().regex(BUCKET_NAME, { message: 'must be an S3 bucket name (3-63 lowercase letters, digits, "." or "-"), not an ARN or URL, e.g. "acme-handbook"' }),
  /** Only keys starting with this are indexed; ids are keys without it. A folder prefix ends in "/". */
  prefix: z.string().max(1024).refine((p) => !p.startsWith('/'), { message: 'must not start with "/": S3 keys have no leading slash (e.g. "handbook/")' }).default(''),
  /** Globs over the id (the key after `prefix`), picomatch syntax. */
  include: z.array(z.string().min(1)).min(1, { message: 'must name at least one glob, e.g. ["**/*.md"]' }).default([...DEFAULT_INCLUDE]),
  exclude: z.array(z.string().min(1)).default([]),
  /** The bucket's region. Default: the SDK's (AWS_REGION; on Lambda, the function's region). */
  region: z.string().regex(/^[a-z0-9-]{2,32}$/, { message: 'must be a region name such as "eu-west-1"' }).optional(),
  /** An S3-compatible endpoint (MinIO, R2, a test emulator). Default: AWS's. */
  endpoint: z.string().regex(/^https?:\/\/[^/\s]+/, { message: 'must be an absolute http(s) URL such as "http://127.0.0.1:9000"' }).optional(),
  /** Path-style requests (`<endpoint>/<bucket>/<key>`), which MinIO-style stores need. */
  forcePathStyle: z.boolean().default(false),
  /** Environment variable holding an access key id. Default: the SDK's credential chain (on Lambda, the function's role). */
  accessKeyIdEnv: envName.optional(),
  /** Environment variable holding the secret access key that goes with `accessKeyIdEnv`. */
  secretAccessKeyEnv: envName.optional(),
  /** Objects larger than this are not indexed (left out, so one that grows past it leaves the index). */
  maxFileBytes: z.number().int().min(1).max(512 * 1024 * 1024, { message: 'must be at most 536870912 (512 MiB): the object is read into memory' }).default(10 * 1024 * 1024),
  /**
   * Versions are `<etag>:<version id>` from ListObjectVersions (for a versioned bucket: a
   * metadata-only copy changes the version id, not the ETag). Default: the ETag from ListObjectsV2.
   */
  useVersionIds: z.boolean().default(false),
  /** Keys per listing request (S3's max-keys). */
  pageSize: z.number().int().min(1, { message: 'must be at least 1' }).max(MAX_PAGE_SIZE, { message: `must be at most ${MAX_PAGE_SIZE}: S3 answers no more keys per page` }).default(MAX_PAGE_SIZE),
  /** Objects read at once. */
  concurrency: z.number().int().min(1).max(64).default(8),
  /** Attempts per S3 request, the first included (503 SlowDown, 5xx and timeouts are retried with the SDK's backoff). */
  maxAttempts: z.number().int().min(1).max(20).default(6),
  /**
   * Where change events come from: `eventbridge` (on AWS, the stacks add a rule for the
   * bucket and prefix; locally nothing, the schedule polls), `webhook` (S3 events POSTed to
   * `/webhooks/<id>` with `Authorization: Bearer <webhook.secretEnv>`: an EventBridge API
   * destination, MinIO's webhook target) or `none` (the schedule alone).
   */
  events: z.enum(['eventbridge', 'webhook', 'none']).default('eventbridge'),
}).superRefine((source, ctx) => {
  if ((source.accessKeyIdEnv === undefined) !== (source.secretAccessKeyEnv === undefined)) {
    ctx.addIssue({
      code: 'custom', path: [source.accessKeyIdEnv === undefined ? 'accessKeyIdEnv' : 'secretAccessKeyEnv'],
      message: 'set both accessKeyIdEnv and secretAccessKeyEnv, or neither (the SDK\'s credential chain, e.g. the Lambda role)',
    });
  }
  if (source.events === 'webhook' && !source.webhook) {
    ctx.addIssue({ code: 'custom', path: ['webhook'], message: 'events "webhook" needs "webhook": { "secretEnv": … }, the bearer token the sender puts in Authorization' });
  }
  if (source.events !== 'webhook' && source.webhook) {
    ctx.addIssue({
      code: 'custom', path: ['webhook'],
      message: `an s3 source takes webhooks only with "events": "webhook"; remove "webhook" (events "${source.events}" has no webhook route) or set "events": "webhook"`,
    });
  }
});

export type S3SourceConfig = z.output<typeof s3Source>;
