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

/** Publishes a fetch run's counts as per-source EMF metrics. */
export function recordRunMetrics(result: FetchRunResult): void {
  const m = metrics.singleMetric();
  m.addDimension('SourceId', result.sourceId);
  m.addMetric('DocsSeen', MetricUnit.Count, result.counters.docsSeen);
  m.addMetric('DocsChanged', MetricUnit.Count, result.counters.docsChanged);
  m.addMetric('DocsDeleted', MetricUnit.Count, result.counters.docsDeleted);
  m.addMetric('TasksEnqueued', MetricUnit.Count, result.counters.tasksEnqueued);
}

// One runtime per container: config, clients and secrets are read at cold start.
let runtime: Promise<AwsRuntime> | undefined;

/**
 * A Lambda entry point: builds the runtime once, then the middy handler over it, with
 * the Powertools middlewares. `build` is the same factory the local runtime uses.
 */
export function lambdaEntry<E, R>(kind: RuntimeKind, build: (rt: AwsRuntime) => MiddyfiedHandler<E, R>): (event: E, context: Context) => Promise<R> {
  let handler: Promise<MiddyfiedHandler<E, R>> | undefined;
  return async (event, context) => {
    runtime ??= buildAwsRuntime(process.env, coreLogger, kind);
    handler ??= runtime.then((rt) => build(rt)
      .use(captureLambdaHandler(tracer))
      .use(injectLambdaContext(logger))
      .use(logMetrics(metrics)));
    const h = await handler;
    return h(event, context);
  };
}
