import type { FastifyInstance } from 'fastify';
import type { LocalStack } from '../../shared/wiring/local-stack.ts';
import { createChatopsHandler, MAX_CHAT_BYTES } from '../chatops/chatops.ts';
import { asLambdaRoute } from './server.ts';

/**
 * The chat-ops routes on the local server: the handler the chat-ops Lambda runs, for a Slack
 * app's slash command and interactivity URL (`/chatops/slack`) and a Discord application's
 * interactions endpoint (`/chatops/discord`). Nothing is registered when `chatops` is absent.
 */
export function registerChatopsRoutes(app: FastifyInstance, stack: LocalStack, options: { secret: (name: string) => string | undefined; fetch?: typeof fetch }): void {
  const { config } = stack.loaded;
  if (!config.chatops) return;
  const handler = createChatopsHandler({
    chat: { state: stack.state, queue: stack.queue, clock: stack.deps.clock },
    sources: { ids: config.sources.map((s) => s.id), freshnessSloMinutes: (id) => config.sources.find((s) => s.id === id)?.freshnessSloMinutes ?? 60 },
    config: config.chatops, secret: options.secret, deliveries: stack.deliveries, log: stack.deps.log,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  for (const platform of ['slack', 'discord'] as const) {
    if (config.chatops[platform]) app.post<{ Params: { sourceId: string } }>(`/chatops/${platform}`, { bodyLimit: MAX_CHAT_BYTES + 1024 }, asLambdaRoute(`POST /chatops/${platform}`, handler));
  }
}
