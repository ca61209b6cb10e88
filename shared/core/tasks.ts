import { z } from 'zod';
import { PoisonTaskError } from './errors.ts';
import type { EmbedTask, FetchTask } from '../ports/index.ts';

const id = z.string().min(1).max(1024);

const fetchTask = z.strictObject({
  type: z.literal('fetch'),
  sourceId: id,
  trigger: z.enum(['schedule', 'webhook', 'watch', 'cli', 'continuation', 'rerun', 'recovery', 'admin']),
  full: z.boolean().optional(),
  ids: z.array(id).max(10_000).optional(),
  recover: z.boolean().optional(),
  buffered: z.boolean().optional(),
  noCache: z.boolean().optional(),
  profiles: z.array(z.string().min(1).max(64)).max(16).optional(),
  requestedAt: z.string().datetime(),
});

const chunk = z.strictObject({ index: z.number().int().min(0), hash: z.string().length(64), text: z.string(), context: z.string().optional() });

const upsertTask = z.strictObject({
  type: z.literal('upsert'),
  sourceId: id,
  profile: z.string().min(1).max(64).optional(),
  docId: id,
  rev: z.string().min(1),
  version: z.string(),
  contentHash: z.string(),
  title: z.string().optional(),
  url: z.string().optional(),
  metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])).optional(),
  access: z.array(z.string().min(1).max(300)).min(1).max(1000).optional(),
  updatedAt: z.string(),
  runId: z.string().min(1),
  rewrite: z.boolean().optional(),
  chunker: z.string().optional(),
  noCache: z.boolean().optional(),
  chunks: z.array(chunk).optional(),
});

const deleteTask = z.strictObject({
  type: z.literal('delete'),
  sourceId: id,
  profile: z.string().min(1).max(64).optional(),
  docId: id,
  rev: z.string().min(1),
  runId: z.string().min(1),
});

const embedTask = z.discriminatedUnion('type', [upsertTask, deleteTask]);

/** Decodes a fetch task body; anything else is poison (dead-lettered with the reason). */
export function decodeFetchTask(body: unknown): FetchTask {
  const parsed = fetchTask.safeParse(typeof body === 'string' ? safeJson(body) : body);
  if (!parsed.success) throw new PoisonTaskError(`malformed fetch task: ${z.prettifyError(parsed.error).replaceAll('\n', '; ')}`);
  return parsed.data as FetchTask;
}

/**
 * Tasks enqueued before run ids were opaque name their run by the state table's sort key
 * (`runSk: "RUN#<id>"`): read as `runId: "<id>"`, so a queue drained across an upgrade still
 * counts into its run.
 */
function withRunId(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || !('runSk' in body) || 'runId' in body) return body;
  const { runSk, ...rest } = body as { runSk: unknown };
  return { ...rest, runId: typeof runSk === 'string' && runSk.startsWith('RUN#') ? runSk.slice('RUN#'.length) : runSk };
}

/** Decodes an embed task body; anything else is poison. */
export function decodeEmbedTask(body: unknown): EmbedTask {
  const parsed = embedTask.safeParse(withRunId(typeof body === 'string' ? safeJson(body) : body));
  if (!parsed.success) throw new PoisonTaskError(`malformed embed task: ${z.prettifyError(parsed.error).replaceAll('\n', '; ')}`);
  return parsed.data as EmbedTask;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new PoisonTaskError('task body is not JSON');
  }
}

/**
 * A task as a queue message body: JSON in which every character outside the Basic Multilingual
 * Plane (and U+FFFE/U+FFFF) is written as `\u` escapes of its UTF-16 code units. Any SQS
 * implementation accepts such a body (SQS allows only #x9, #xA, #xD, #x20–#xD7FF, #xE000–#xFFFD
 * and #x10000–#x10FFFF, and some emulators not even the last range), and JSON.parse restores
 * the text exactly: an emoji costs 12 bytes instead of 4, CJK text keeps its 3 bytes.
 */
export function encodeTask(task: EmbedTask | FetchTask): string {
  return JSON.stringify(task).replace(/[\uD800-\uDFFF\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
