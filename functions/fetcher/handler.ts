import { randomUUID } from 'node:crypto';
import { lambdaEntry, recordRunMetrics } from '../shared/lambda.ts';
import { createFetcherHandler } from './fetcher.ts';
import { nativeEventDecoder } from './native-events.ts';

/** Fetcher Lambda: consumes the fetch queue (FIFO, group = source), one source run per message. */
export const handler = lambdaEntry('fetch', (rt) => createFetcherHandler(rt.deps, {
  maxReceives: rt.maxReceives,
  owner: () => `lambda:${process.env['AWS_LAMBDA_LOG_STREAM_NAME'] ?? 'local'}:${randomUUID()}`,
  onResult: recordRunMetrics,
  nativeEvents: nativeEventDecoder(rt.config),
}));
