import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Logger as CoreLogger } from '../../shared/core/deps.ts';
import type { FetchRunResult } from '../../shared/core/fetch-run.ts';
import { buildAwsRuntime, type AwsRuntime, type RuntimeKind } from '../../shared/wiring/aws.ts';

/** Structured JSON logs (with the Lambda context), EMF metrics and X-Ray traces. */
export const logger = new Logger({ serviceName: 'tributary' });
export const metrics = new Metrics({ namespace: 'Tributary', serviceName: 'tributary' });
export const tracer = new Tracer({ serviceName: 'tributary' });

/** The core's Logger port on Powertools Logger. */
export const coreLogger: CoreLogger = {
  info: (message, fields) => logger.info(message, fields ?? {}),
  warn: (message, fields) => logger.warn(message, fields ?? {}),
  error: (message, fields) => logger.error(message, fields ?? {}),
};

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/**
 * Publishes metrics of one source now, each with the SourceId dimension the alarms and the
 * dashboard query. One single metric per value: a Powertools single metric publishes on
 * every addMetric and then drops its dimensions, so a second value would lose SourceId.
 */
export function publishSourceMetrics(sourceId: string, values: ReadonlyArray<readonly [name: string, unit: Unit, value: number]>): void {
  for (const [name, unit, value] of values) {
    const m = metrics.singleMetric();
    m.addDimension('SourceId', sourceId);
    m.addMetric(name, unit, value);
  }
}

/** Publishes a fetch run's counts as per-source EMF metrics. */
export function recordRunMetrics(result: FetchRunResult): void {
  publishSourceMetrics(result.sourceId, [
    ['DocsSeen', MetricUnit.Count, result.counters.docsSeen],
    ['DocsChanged', MetricUnit.Count, result.counters.docsChanged],
    ['DocsDeleted', MetricUnit.Count, result.counters.docsDeleted],
    ['TasksEnqueued', MetricUnit.Count, result.counters.tasksEnqueued],
    // Documents not indexed (unreadable, refused): a graph or alarm on it shows them without status.
    ['DocsSkipped', MetricUnit.Count, result.docsSkipped ?? 0],
  ]);
}

// One runtime per container: config, clients and secrets are read at cold start.
let runtime: Promise<AwsRuntime> | undefined;
let closing = false;

/**
 * Closes the runtime's connectors (a Postgres pool) and vector store when the container shuts
 * down. Lambda signals that with SIGTERM (to functions with an extension registered; without
 * one the container is frozen and then reclaimed, and the connections die with it).
 */
function closeOnShutdown(rt: AwsRuntime): void {
  process.once('SIGTERM', () => {
    if (closing) return;
    closing = true;
    void rt.close()
      .catch((error: unknown) => coreLogger.warn('closing the runtime failed', { error: error instanceof Error ? error.message : String(error) }))
      .finally(() => process.exit(0));
  });
}

/**
 * A Lambda entry point: builds the runtime once, then the middy handler over it, with
 * the Powertools middlewares. `build` is the same factory the local runtime uses.
 */
export function lambdaEntry<E, R>(
  kind: RuntimeKind,
  build: (rt: AwsRuntime) => MiddyfiedHandler<E, R>,
  options: { publishesMetrics?: boolean } = {},
): (event: E, context: Context) => Promise<R> {
  // Functions that publish no metrics skip the flush (it warns "No application metrics" on every call).
  const withMetrics = options.publishesMetrics ?? true;
  let handler: Promise<MiddyfiedHandler<E, R>> | undefined;
  return async (event, context) => {
    handler ??= (runtime ??= buildAwsRuntime(process.env, coreLogger, kind))
      .then((rt) => {
        closeOnShutdown(rt);
        const h = build(rt).use(captureLambdaHandler(tracer)).use(injectLambdaContext(logger));
        return withMetrics ? h.use(logMetrics(metrics)) : h;
      })
      .catch((error: unknown) => {
        // A failed cold start (say, a secret read denied while a new role propagates) must
        // not stick to the container: the next invocation builds again.
        runtime = undefined;
        handler = undefined;
        throw error;
      });
    const h = await handler;
    return h(event, context);
  };
}
