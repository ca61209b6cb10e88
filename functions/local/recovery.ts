import { embedGroupId } from '../../shared/adapters/task-routing.ts';
import { unsettledDocuments } from '../../shared/core/recovery.ts';
import type { LocalStack } from '../../shared/wiring/local-stack.ts';

/**
 * Unsettled documents of a source that have no task left in the embed queue: the queue is
 * durable, so a document whose task is still waiting or in flight (also one held by a process
 * that died: it returns to the queue) is not lost and is left to that task.
 */
export async function documentsWithoutTask(stack: LocalStack, sourceId: string): Promise<string[]> {
  const unsettled = await unsettledDocuments(stack.deps, sourceId);
  if (unsettled.length === 0) return [];
  const queued = stack.queue.groupsWithMessages('embed');
  return unsettled.filter((docId) => !queued.has(embedGroupId({ sourceId, docId })));
}
