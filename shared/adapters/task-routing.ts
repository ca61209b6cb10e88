import { randomUUID } from 'node:crypto';
import { docKey, sha256 } from '../core/ids.ts';
import type { EmbedTask, FetchTask } from '../ports/index.ts';

/**
 * How tasks map onto FIFO message groups and deduplication ids: the same for every TaskQueue
 * adapter (SQS, the local SQLite queue, the in-memory twin), so ordering and deduplication
 * behave alike everywhere.
 */

/** Scheduled triggers inside one bucket share a deduplication id (Scheduler may deliver twice). */
const SCHEDULE_COALESCE_MS = 10_000;

/** SQS FIFO drops a message whose deduplication id was sent within the last five minutes. */
export const DEDUP_WINDOW_MS = 5 * 60_000;

/** What every embed group of a source starts with. */
export function embedGroupPrefix(sourceId: string): string {
  return `${sourceId}#`;
}

/** One document's tasks form one FIFO group: in order per document, parallel across documents. */
export function embedGroupId(task: Pick<EmbedTask, 'sourceId' | 'docId'>): string {
  return `${embedGroupPrefix(task.sourceId)}${docKey(task.docId)}`;
}

/** A redelivered embed task (same rev and run) is the same message. */
export function embedDedupId(task: EmbedTask): string {
  return sha256(`${task.type}|${task.sourceId}|${task.docId}|${task.rev}|${task.runId}`);
}

/** The deduplication id a fetch task is sent with (the in-memory twin uses these too). */
export function fetchDedupId(task: FetchTask): string {
  // A continuation or rerun must never be swallowed.
  if (task.trigger !== 'webhook' && task.trigger !== 'watch' && task.trigger !== 'schedule') return randomUUID();
  // SQS drops a repeated deduplication id for five minutes, consumed or not. A hint is only a
  // repeat when it is the same send (same ids, same instant): bucketing hints would drop an edit
  // hinted after the first hint's run had read the source, and nothing would wake it up.
  // Bursts are absorbed by the fetcher instead (a hint older than the last completed pass is
  // skipped; hints for one source queue behind each other in their FIFO group).
  const at = task.trigger === 'schedule' ? String(Math.floor(Date.parse(task.requestedAt) / SCHEDULE_COALESCE_MS)) : task.requestedAt;
  const ids = task.ids ? sha256([...task.ids].sort().join('\n')) : 'all';
  return sha256(`${task.sourceId}|${task.trigger}|${task.full === true}|${task.recover === true}|${task.buffered === true}|${ids}|${at}`);
}
