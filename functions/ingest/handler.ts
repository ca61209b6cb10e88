import { ConfigError } from '../../shared/core/errors.ts';
import { lambdaEntry } from '../shared/lambda.ts';
import { createIngestHandler } from './ingest.ts';

/**
 * Ingest Lambda: `POST /ingest/{sourceId}` on the HTTP API → pushed documents in the state
 * table (for sources whose kind takes pushes) and one SourceChanged event on the bus. Builds only the table client and the bus.
 */
export const handler = lambdaEntry('state', (rt) => {
  if (!rt.eventBus) throw new ConfigError('TRIBUTARY_EVENT_BUS is not set: the ingest function needs the event bus');
  if (!rt.deliveries) throw new ConfigError('TRIBUTARY_TABLE is not set: the ingest function needs the state table');
  return createIngestHandler({
    config: rt.config, secret: (name) => rt.secrets[name], state: rt.deps.state,
    eventBus: rt.eventBus, deliveries: rt.deliveries, clock: rt.deps.clock, log: rt.deps.log,
  });
}, { publishesMetrics: false });
