import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { DepsOf } from '../../shared/core/deps.ts';
import type { RunLog, SourceStates } from '../../shared/ports/index.ts';
import { HttpError, errorMessage } from '../../shared/core/errors.ts';
import { sourceHealth } from '../../shared/core/freshness.ts';
import { resetSource } from '../../shared/core/reset.ts';
import { withGenerations } from '../../shared/core/generations.ts';
import { searchIndex } from '../../shared/core/search.ts';
import { reportSource } from '../../shared/core/source-status.ts';

export interface AdminOptions {
  readonly sourceIds: readonly string[];
  /** A source's freshness SLO (minutes) for its report. @default 60 */
  readonly freshnessSloMinutes?: (sourceId: string) => number | undefined;
  /** Lease owner id for resets. */
  readonly owner: () => string;
}

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
});

/** Where sources stand and their runs (no ledger, no embedding cache), the queue for triggers, the index for search. */
export type AdminDeps = DepsOf<'queue' | 'vectors' | 'embedder' | 'clock' | 'log' | 'settings' | 'profiles' | 'generations', SourceStates & RunLog>;

/**
 * Admin API (IAM-authorised on the HTTP API): source status, trigger a sync, full resync
 * and reset (both need `{"confirm": "<sourceId>"}` in the body), run history, search (`as`:
 * only what those principals may see).
 */
export function createAdminHandler(deps: AdminDeps, options: AdminOptions) {
  const known = (id: string | undefined): string => {
    if (!id || !options.sourceIds.includes(id)) throw new HttpError(404, `unknown source "${id ?? ''}"; sources: ${options.sourceIds.join(', ')}`);
    return id;
  };
  const confirmed = (event: APIGatewayProxyEventV2, sourceId: string, action: string): void => {
    let body: unknown = {};
    try {
      const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : event.body ?? '';
      body = raw ? JSON.parse(raw) : {};
    } catch {
      throw new HttpError(400, 'body is not valid JSON');
    }
    if ((body as { confirm?: unknown }).confirm !== sourceId) {
      throw new HttpError(400, `${action} needs confirmation: send {"confirm":"${sourceId}"} as the body`);
    }
  };
  const now = () => new Date(deps.clock.now()).toISOString();

  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().handler(async (event) => {
    try {
      const id = event.pathParameters?.['sourceId'];
      switch (event.routeKey) {
        case 'GET /admin/sources': {
          const states = await deps.state.getSources(options.sourceIds);
          const t = deps.clock.now();
          const sources = await Promise.all(options.sourceIds.map(async (sourceId) => {
            const state = states.get(sourceId);
            const [lastRun] = await deps.state.listRuns(sourceId, 1);
            return {
              // The report `tributary status` gives, the watchdog's health figures, and the whole latest run.
              ...reportSource({ sourceId, state, lastRun, now: t, freshnessSloMinutes: options.freshnessSloMinutes?.(sourceId) ?? 60 }),
              ...sourceHealth(sourceId, state, t), lastRun: lastRun ?? null,
            };
          }));
          return json(200, { sources });
        }
        case 'POST /admin/sources/{sourceId}/sync': {
          const sourceId = known(id);
          await deps.queue.sendFetch([{ type: 'fetch', sourceId, trigger: 'admin', requestedAt: now() }]);
          return json(202, { accepted: true, sourceId });
        }
        case 'POST /admin/sources/{sourceId}/resync': {
          const sourceId = known(id);
          confirmed(event, sourceId, 'a full resync');
          await deps.queue.sendFetch([{ type: 'fetch', sourceId, trigger: 'admin', full: true, requestedAt: now() }]);
          return json(202, { accepted: true, sourceId, full: true });
        }
        case 'POST /admin/sources/{sourceId}/reset': {
          const sourceId = known(id);
          confirmed(event, sourceId, 'a reset');
          const outcome = await resetSource(deps, sourceId, options.owner());
          if (!outcome.reset) throw new HttpError(409, `source "${sourceId}" is syncing right now; try again when the run ends`);
          return json(200, { reset: sourceId, vectorsDeleted: outcome.vectorsDeleted });
        }
        case 'GET /admin/sources/{sourceId}/runs': {
          const sourceId = known(id);
          const limit = Math.min(100, Math.max(1, Number(event.queryStringParameters?.['limit'] ?? 20) || 20));
          return json(200, { runs: await deps.state.listRuns(sourceId, limit) });
        }
        case 'GET /admin/search': {
          const q = event.queryStringParameters?.['q'] ?? '';
          const top = Number(event.queryStringParameters?.['top'] ?? 10);
          if (!Number.isInteger(top) || top < 1 || top > 100) throw new HttpError(400, 'top must be an integer from 1 to 100');
          const source = event.queryStringParameters?.['source'];
          if (source !== undefined) known(source);
          // `as`: principals to search as; API Gateway joins a repeated parameter with commas.
          const as = event.queryStringParameters?.['as'];
          // `profile`: search that index profile of each source (default: each one's `default`, or first).
          const profile = event.queryStringParameters?.['profile'];
          // Each profile answers from its current generation (the alias), never from one being built.
          const serving = await withGenerations(deps, source !== undefined ? [source] : options.sourceIds, 'serving');
          return json(200, { query: q, results: await searchIndex(serving, q, {
            topK: top, sourceIds: options.sourceIds, ...(source ? { sourceId: source } : {}), ...(as !== undefined ? { as: [as] } : {}),
            ...(profile ? { profile } : {}),
          }) });
        }
        default:
          throw new HttpError(404, `no route ${event.routeKey}`);
      }
    } catch (error) {
      if (error instanceof HttpError) return json(error.statusCode, { error: error.message });
      deps.log.error('admin request failed', { route: event.routeKey, error: errorMessage(error) });
      return json(500, { error: 'internal error' });
    }
  });
}
