import { defineConnector } from '../definition.ts';
import { pushSourceSchema } from './config.ts';
import { applyPushBatch, parsePushBody, type OperationResult } from './push-batch.ts';
import { PushConnector, pushStateOf } from './push-connector.ts';

const DAY_MS = 86_400_000;

/**
 * `push`: documents your system sends to `POST /ingest/<id>`, kept in the state table's stash
 * and read from there by the fetcher like any other source. Its `webhook.secretEnv` signs the
 * pushes (the ingest function reads it), never hints. See docs/sources/push.md.
 */
export const pushConnector = defineConnector({
  kind: 'push',
  schema: pushSourceSchema,
  docs: 'docs/sources/push.md',
  summary: {
    indexes: 'documents your system sends to `POST /ingest/<id>` (upserts/deletes, idempotent)',
    nearRealTime: 'the push itself',
  },
  create: (source, context) => new PushConnector({ sourceId: source.id, state: pushStateOf(context.state, source.id), pageSize: source.pageSize }),
  secrets: (source) => [{ key: 'webhook.secretEnv', env: source.webhook.secretEnv, functions: ['ingest'] }],
  ingest: {
    store: (state, sourceId) => pushStateOf(state, sourceId),
    parse: (body) => parsePushBody(body),
    async apply({ source, request, store, clock }) {
      const outcome = await applyPushBatch({ state: store, clock }, {
        sourceId: source.id, maxDocumentBytes: source.maxDocumentBytes, tombstoneRetentionMs: source.tombstoneDays * DAY_MS,
      }, request as unknown[]);
      return { ...answer(outcome.results), touched: outcome.touched };
    },
    idempotencyMs: (source) => source.idempotencyHours * 3_600_000,
  },
});

/** A result per operation: 200 when none was rejected, 207 otherwise. */
function answer(results: readonly OperationResult[]): { statusCode: number; body: unknown } {
  const count = (status: OperationResult['status']): number => results.filter((r) => r.status === status).length;
  const rejected = count('rejected');
  return { statusCode: rejected > 0 ? 207 : 200, body: { accepted: count('accepted'), unchanged: count('unchanged'), rejected, results } };
}
