import { decodeEmbedTask, decodeFetchTask } from './tasks.ts';
import type { DeadLetter, EmbedTask, FetchTask, QueueName } from '../ports/index.ts';

/** What the console and `tributary dead-letters` show of one dead letter. */
export interface DeadLetterSummary extends DeadLetter {
  /** The task's source; absent when the body is not a task (poison). */
  readonly sourceId?: string;
  /** `fetch (schedule)`, `upsert notes/a.md`, `delete notes/b.md`, or `not a task`. */
  readonly task: string;
  /** False for a body no queue handler accepts: redriving it would dead-letter it again. */
  readonly redrivable: boolean;
}

/** The task a dead letter's body holds, or the reason it holds none. */
export function deadLetterTask(queue: QueueName, body: string): { task: FetchTask | EmbedTask } | { error: string } {
  try {
    return { task: queue === 'fetch' ? decodeFetchTask(body) : decodeEmbedTask(body) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

export function summarizeDeadLetter(letter: DeadLetter): DeadLetterSummary {
  const decoded = deadLetterTask(letter.queue, letter.body);
  if ('error' in decoded) return { ...letter, task: 'not a task', redrivable: false };
  const t = decoded.task;
  const task = t.type === 'fetch' ? `fetch (${t.trigger}${t.full ? ', full' : ''}${t.ids ? `, ${t.ids.length} documents` : ''})` : `${t.type} ${t.docId}`;
  return { ...letter, sourceId: t.sourceId, task, redrivable: true };
}
