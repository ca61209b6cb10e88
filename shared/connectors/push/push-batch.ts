/**
 * The push API's use case: validate a batch of upsert and delete operations, apply each to
 * the stash with one conditional write, and report per operation. Pure over the ports: the
 * Lambda handler (functions/ingest) decodes the request and publishes the hint.
 */

import { z } from 'zod';
import { forEachLimited } from '../../core/concurrency.ts';
import { HttpError } from '../../core/errors.ts';
import { sha256 } from '../../core/ids.ts';
import type { Clock, Metadata, PushStateStore, StashedDocument } from '../../ports/index.ts';
import { compareVersions } from './versions.ts';

/** Operations per request. */
export const MAX_OPERATIONS = 100;
/** Document ids end up in DynamoDB sort keys (at most 1,024 bytes with their prefix). */
export const MAX_ID_BYTES = 1000;
/** Distinct documents written at once. */
const WRITE_CONCURRENCY = 16;
/** Re-reads after losing a conditional write to a concurrent push of the same document. */
const WRITE_ATTEMPTS = 5;

export type OperationStatus = 'accepted' | 'unchanged' | 'rejected';

export interface OperationResult {
  /** Position of the operation in the request. */
  readonly index: number;
  /** The operation's id, when it had a string one. */
  readonly id?: string;
  readonly status: OperationStatus;
  /** Why it was rejected. */
  readonly reason?: string;
}

const docId = z.string()
  .min(1, 'must not be empty')
  .refine((s) => Buffer.byteLength(s, 'utf8') <= MAX_ID_BYTES, `must be at most ${MAX_ID_BYTES} bytes (UTF-8)`)
  // eslint-disable-next-line no-control-regex
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters');

const VERSION_RULE = 'must be a non-empty string of at most 256 characters, or a non-negative integer';
const version = z.union([
  z.string().min(1, VERSION_RULE).max(256, VERSION_RULE),
  z.number().int(VERSION_RULE).min(0, VERSION_RULE).max(Number.MAX_SAFE_INTEGER, VERSION_RULE),
], { error: VERSION_RULE }).transform(String);

const metadata = z.record(
  z.string().min(1).max(128),
  z.union([z.string(), z.number().finite(), z.boolean()], { error: 'metadata values must be strings, numbers or booleans' }),
).refine((m) => Object.keys(m).length <= 64, 'at most 64 keys');

const upsertSchema = z.strictObject({
  op: z.literal('upsert'),
  id: docId,
  text: z.string({ error: 'required: the document text (a string)' }).min(1, 'is empty: send {"op":"delete"} to remove a document'),
  version,
  title: z.string().max(1000).optional(),
  url: z.string().max(2048).optional(),
  metadata: metadata.optional(),
  format: z.enum(['markdown', 'text']).optional(),
});

const deleteSchema = z.strictObject({
  op: z.literal('delete'),
  id: docId,
  version: version.optional(),
});

type Upsert = z.output<typeof upsertSchema>;
type Delete = z.output<typeof deleteSchema>;
type Operation = Upsert | Delete;

/**
 * Decodes `{"operations": [...]}`. A body that is not that shape is a 400 with the reason;
 * the operations themselves are validated one by one by {@link applyPushBatch}.
 */
export function parsePushBody(body: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new HttpError(400, `body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'body must be a JSON object like {"operations":[{"op":"upsert","id":"a","text":"…","version":"1"}]}');
  }
  const unknownKeys = Object.keys(parsed).filter((k) => k !== 'operations');
  if (unknownKeys.length > 0) throw new HttpError(400, `unknown field(s) ${unknownKeys.join(', ')}: the body has only "operations"`);
  const operations = (parsed as { operations?: unknown }).operations;
  if (!Array.isArray(operations)) throw new HttpError(400, '"operations" must be an array of operations');
  if (operations.length === 0) throw new HttpError(400, '"operations" is empty: send 1 to 100 operations');
  if (operations.length > MAX_OPERATIONS) {
    throw new HttpError(400, `"operations" has ${operations.length} entries; at most ${MAX_OPERATIONS} per request: split the batch`);
  }
  return operations;
}

export interface PushBatchOptions {
  readonly sourceId: string;
  readonly maxDocumentBytes: number;
  /** Tombstones expire (DynamoDB TTL) this long after the delete. */
  readonly tombstoneRetentionMs: number;
}

export interface PushBatchResult {
  /** One per operation, in request order. */
  readonly results: OperationResult[];
  /** Ids of operations that were not rejected: the fetcher must look at them. */
  readonly touched: string[];
  /** Conditional writes that landed (tests count them). */
  readonly writes: number;
}

/**
 * Applies a batch. Invalid operations are rejected with their reason, the valid ones applied;
 * operations on one id apply in request order, different ids concurrently.
 */
export async function applyPushBatch(
  deps: { readonly state: PushStateStore; readonly clock: Clock },
  options: PushBatchOptions,
  operations: readonly unknown[],
): Promise<PushBatchResult> {
  const results: OperationResult[] = [];
  const valid: Array<{ index: number; op: Operation }> = [];
  operations.forEach((raw, index) => {
    const checked = validate(raw, options.maxDocumentBytes);
    if ('reason' in checked) {
      const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined;
      results.push({ index, ...(id !== undefined ? { id } : {}), status: 'rejected', reason: checked.reason });
    } else {
      valid.push({ index, op: checked.op });
    }
  });

  const groups = new Map<string, Array<{ index: number; op: Operation }>>();
  for (const entry of valid) groups.set(entry.op.id, [...(groups.get(entry.op.id) ?? []), entry]);
  const stash = await deps.state.getStashed(options.sourceId, [...groups.keys()]);
  let writes = 0;

  await forEachLimited([...groups], WRITE_CONCURRENCY, async ([id, ops]) => {
    let current = stash.get(id);
    for (const { index, op } of ops) {
      for (let attempt = 1; ; attempt++) {
        const now = deps.clock.now();
        const decision = decide(options, current, op, now);
        if (!decision.write) {
          results.push({ index, id, status: decision.status, ...(decision.reason !== undefined ? { reason: decision.reason } : {}) });
          break;
        }
        const stamp = await deps.state.putStashed({
          document: decision.write, expectStamp: current?.stamp,
          ...(decision.write.deleted ? { expiresAt: Math.ceil((now + options.tombstoneRetentionMs) / 1000) } : {}),
        });
        if (stamp !== undefined) {
          writes += 1;
          current = { ...decision.write, stamp };
          results.push({ index, id, status: decision.status });
          break;
        }
        // Another push of this document landed between our read and write: decide again.
        if (attempt >= WRITE_ATTEMPTS) {
          results.push({ index, id, status: 'rejected', reason: 'conflict: the document kept changing under concurrent pushes; send the operation again' });
          break;
        }
        current = (await deps.state.getStashed(options.sourceId, [id])).get(id);
      }
    }
  });

  results.sort((a, b) => a.index - b.index);
  const touched = [...new Set(results.filter((r) => r.status !== 'rejected' && r.id !== undefined).map((r) => r.id as string))];
  return { results, touched, writes };
}

/** Hash of everything an upsert stores besides its version. */
export function stashContentHash(doc: { text: string; title?: string; url?: string; format?: string; metadata?: Metadata }): string {
  const meta = doc.metadata ? Object.entries(doc.metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : null;
  return sha256(JSON.stringify([doc.text, doc.title ?? null, doc.url ?? null, doc.format ?? null, meta]));
}

function validate(raw: unknown, maxDocumentBytes: number): { op: Operation } | { reason: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { reason: 'an operation must be a JSON object' };
  const kind = (raw as { op?: unknown }).op;
  if (kind !== 'upsert' && kind !== 'delete') return { reason: 'op: must be "upsert" or "delete"' };
  const parsed = (kind === 'upsert' ? upsertSchema : deleteSchema).safeParse(raw);
  if (!parsed.success) {
    return {
      reason: parsed.error.issues.map((issue) => {
        const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'operation';
        if (issue.code === 'unrecognized_keys') return `${where}: unknown field(s) ${issue.keys.join(', ')}`;
        return `${where}: ${issue.message}`;
      }).join('; '),
    };
  }
  const op = parsed.data;
  if (op.op === 'upsert') {
    const bytes = Buffer.byteLength(op.text, 'utf8') + Buffer.byteLength(op.title ?? '', 'utf8') + Buffer.byteLength(op.url ?? '', 'utf8')
      + (op.metadata ? Buffer.byteLength(JSON.stringify(op.metadata), 'utf8') : 0);
    if (bytes > maxDocumentBytes) {
      return { reason: `document is ${bytes} bytes (text, title, url and metadata), over maxDocumentBytes ${maxDocumentBytes}: split it into several documents` };
    }
  }
  return { op };
}

interface Decision {
  readonly status: OperationStatus;
  readonly reason?: string;
  /** The item to write; absent when nothing is written. */
  readonly write?: Omit<StashedDocument, 'stamp'>;
}

/** What one operation does to the document as stashed now. */
function decide(options: PushBatchOptions, current: StashedDocument | undefined, op: Operation, now: number): Decision {
  const updatedAt = new Date(now).toISOString();
  const base = { sourceId: options.sourceId, docId: op.id, updatedAt };
  if (op.op === 'upsert') {
    const fields = {
      text: op.text,
      ...(op.title !== undefined ? { title: op.title } : {}),
      ...(op.url !== undefined ? { url: op.url } : {}),
      ...(op.format !== undefined ? { format: op.format } : {}),
      ...(op.metadata !== undefined ? { metadata: op.metadata } : {}),
    };
    const hash = stashContentHash(fields);
    const write = { ...base, ...fields, version: op.version, deleted: false, contentHash: hash };
    if (!current || current.version === undefined) return { status: 'accepted', write };
    const order = compareVersions(op.version, current.version);
    if (current.deleted) {
      if (order === 0 || order === -1) {
        return { status: 'rejected', reason: `stale version: the document was deleted at version ${current.version}; send a newer version to restore it` };
      }
      return { status: 'accepted', write };
    }
    if (order === 0) {
      return current.contentHash === hash
        ? { status: 'unchanged' }
        : { status: 'rejected', reason: `version ${op.version} is already stored with different content: send the change with a new version` };
    }
    if (order === -1) return { status: 'rejected', reason: `stale version: ${op.version} is older than the stored version ${current.version}` };
    return { status: 'accepted', write };
  }

  // Delete.
  const tombstone = (v: string | undefined): Omit<StashedDocument, 'stamp'> => ({ ...base, deleted: true, ...(v !== undefined ? { version: v } : {}) });
  if (!current || current.deleted) {
    // Nothing to remove. A versioned delete still leaves (or moves up) a tombstone, so an
    // older upsert arriving late stays refused.
    const newer = op.version !== undefined && (current?.version === undefined || compareVersions(op.version, current.version) === 1);
    return newer ? { status: 'unchanged', write: tombstone(op.version) } : { status: 'unchanged' };
  }
  if (op.version !== undefined && current.version !== undefined && compareVersions(op.version, current.version) === -1) {
    return { status: 'rejected', reason: `stale version: ${op.version} is older than the stored version ${current.version}` };
  }
  return { status: 'accepted', write: tombstone(op.version ?? current.version) };
}
