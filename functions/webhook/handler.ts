import { ConfigError } from '../../shared/core/errors.ts';
import { lambdaEntry } from '../shared/lambda.ts';
import { createWebhookHandler } from './webhook.ts';

/** Webhook Lambda: `POST /webhooks/{sourceId}` on the HTTP API → a SourceChanged event on the bus. */
export const handler = lambdaEntry('edge', (rt) => {
  if (!rt.eventBus) throw new ConfigError('TRIBUTARY_EVENT_BUS is not set: the webhook function needs the event bus');
  if (!rt.deliveries) throw new ConfigError('TRIBUTARY_TABLE is not set: the webhook function keeps its replay memory in the state table');
  return createWebhookHandler({
    config: rt.config, secret: (name) => rt.secrets[name], eventBus: rt.eventBus, deliveries: rt.deliveries, clock: rt.deps.clock, log: rt.deps.log,
    ...(rt.credentials ? { credentials: rt.credentials } : {}),
  });
}, { publishesMetrics: false });
