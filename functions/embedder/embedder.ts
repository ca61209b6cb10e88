import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { CoreDeps } from '../../shared/core/deps.ts';
import { abandonEmbedTask, countersOf, processEmbedTask, type EmbedDeps } from '../../shared/core/embed-task.ts';
import { issueReason, MAX_RECORDED_ISSUES } from '../../shared/core/document-issues.ts';
import { errorMessage, isDocumentFailure } from '../../shared/core/errors.ts';
import { decodeEmbedTask } from '../../shared/core/tasks.ts';
import type { DocumentIssue, RunCounters, RunLog } from '../../shared/ports/index.ts';
import { processBatch } from '../shared/sqs-batch.ts';
import { profileOfGeneration } from '../../shared/core/generations.ts';
import { profileKeyOf } from '../../shared/core/profiles.ts';

/** The price of the model the task's profile embeds with (a generation's: its profile's configured model). */
function priceOf(deps: EmbedderDeps, task: { sourceId: string; profile?: string }): number {
  const profile = task.profile === undefined ? undefined : deps.profiles?.(task.sourceId)?.find((p) => p.name === profileOfGeneration(task.profile!));
  return profile ? profile.pricePerMillionTokensUsd ?? 0 : deps.embeddingPricePerMillionTokensUsd ?? 0;
}

export interface EmbedderHandlerOptions {
  /** Attempts before a task is dead-lettered with its reason. */
  readonly maxReceives: number;
}

/** The embedder applies tasks (the ledger, the embedding cache) and adds up their runs (the run log). */
export type EmbedderDeps = EmbedDeps & Pick<CoreDeps, 'queue' | 'embeddingPricePerMillionTokensUsd'> & { readonly state: RunLog };

/**
 * The embedder Lambda: decode each SQS record → apply the embed task → report partial
 * batch failures. The local runtime invokes this same handler with SQS-shaped events.
 *
 * Run counters are summed over the batch and written once per run: every task of a run
 * updating one item would make it a hot key. If that write fails, the whole batch is
 * retried; the replayed tasks are dropped as already applied and still count as done.
 *
 * A dead-lettered task is reported on its run: as a failed document (with the reason) when
 * the failure was its document's own (unreadable, refused as input), which the next pass
 * retries; otherwise as the run's `taskError` (a provider refusing the key or the vector
 * size, retries run out), which the CLI's `sync` fails on at once.
 */
export function createEmbedderHandler(deps: EmbedderDeps, options: EmbedderHandlerOptions) {
  return middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
    interface RunTotals { sourceId: string; runId: string; delta: Partial<RunCounters>; failures: DocumentIssue[]; taskError?: string }
    const totals = new Map<string, RunTotals>();
    const totalsOf = (sourceId: string, runId: string): RunTotals => {
      const key = `${sourceId}\u0000${runId}`;
      const entry = totals.get(key) ?? { sourceId, runId, delta: {}, failures: [] };
      totals.set(key, entry);
      return entry;
    };
    const add = (sourceId: string, runId: string, delta: Partial<RunCounters>, profile?: string): void => {
      // A profile's task counts on the source's run record and on the profile's own.
      for (const key of profile === undefined ? [sourceId] : [sourceId, profileKeyOf(sourceId, profile)]) {
        const entry = totalsOf(key, runId);
        for (const [k, v] of Object.entries(delta) as Array<[keyof RunCounters, number]>) entry.delta[k] = (entry.delta[k] ?? 0) + v;
      }
    };
    const response = await processBatch(event, {
      queueName: 'embed', queue: deps.queue, maxReceives: options.maxReceives, log: deps.log,
      onDeadLetter: async (record, reason, error) => {
        let task;
        try {
          task = decodeEmbedTask(record.body);
        } catch {
          // Undecodable: it belongs to no run and no document.
          return;
        }
        // A source no longer configured has nothing left to release (and on AWS its items are
        // outside this function's grant).
        if (!deps.settings(task.sourceId)) return;
        // The next pass enqueues the document again; a failure here retries the dead-lettering.
        await abandonEmbedTask(deps, task);
        // The run must still settle: count the task as failed on its run record.
        add(task.sourceId, task.runId, { tasksFailed: 1 }, task.profile);
        // A task of an unknown source belongs to no run record.
        if (deps.settings(task.sourceId) === undefined) return;
        const entry = totalsOf(task.sourceId, task.runId);
        if (isDocumentFailure(error)) entry.failures.push({ id: task.docId, reason: issueReason(errorMessage(error)) });
        else entry.taskError = issueReason(reason);
      },
    }, async (record) => {
      const task = decodeEmbedTask(record.body);
      add(task.sourceId, task.runId, countersOf(await processEmbedTask(deps, task), priceOf(deps, task)), task.profile);
    });
    try {
      // A profile's record first: a reader that sees the source's record complete (sync's settle) sees the profiles' too.
      const ordered = [...totals.values()].sort((a, b) => Number(b.sourceId.includes('~')) - Number(a.sourceId.includes('~')));
      for (const { sourceId, runId, delta, failures, taskError } of ordered) {
        // Failures first: a reader that sees the counters complete (sync's settle) sees why too.
        if (failures.length > 0) await deps.state.addRunFailures(sourceId, runId, failures, MAX_RECORDED_ISSUES);
        if (taskError !== undefined) await deps.state.updateRun(sourceId, runId, { taskError });
        await deps.state.addRunCounters(sourceId, runId, delta);
      }
    } catch (error) {
      deps.log.warn('could not record run counters; retrying the batch', { error: errorMessage(error) });
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    }
    return response;
  });
}
