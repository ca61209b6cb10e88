import { ConfigError } from '../../shared/core/errors.ts';
import { lambdaEntry } from '../shared/lambda.ts';
import { createChatopsHandler } from './chatops.ts';

/** Chat-ops Lambda: `POST /chatops/slack` and `POST /chatops/discord` on the HTTP API (signatures checked inside). */
export const handler = lambdaEntry('control', (rt) => {
  if (!rt.deliveries) throw new ConfigError('the chat-ops function needs the state table (TRIBUTARY_TABLE) for its replay memory: deploy it with the Tributary stacks');
  return createChatopsHandler({
    chat: { state: rt.deps.state, queue: rt.deps.queue, clock: rt.deps.clock },
    sources: { ids: rt.config.sources.map((s) => s.id), freshnessSloMinutes: (id) => rt.config.sources.find((s) => s.id === id)?.freshnessSloMinutes ?? 60 },
    config: rt.config.chatops, secret: (name) => rt.secrets[name], deliveries: rt.deliveries, log: rt.deps.log,
  });
}, { publishesMetrics: false });
