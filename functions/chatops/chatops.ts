import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ChatopsConfig } from '../../shared/config/ops.ts';
import { chatopsScope, type ChatDeps, type ChatSources } from '../../shared/core/chatops.ts';
import type { Logger } from '../../shared/core/deps.ts';
import { HttpError, errorMessage } from '../../shared/core/errors.ts';
import type { DeliveryLog } from '../../shared/ports/index.ts';
import { oncePerDelivery, rawBodyOf } from '../shared/signed-request.ts';
import { answerDiscord, verifyDiscord } from './discord.ts';
import { answerSlack, decodeSlack, verifySlack } from './slack.ts';

/** Chat requests are small; anything larger is refused before any signature check. */
export const MAX_CHAT_BYTES = 64 * 1024;

export interface ChatopsDeps {
  readonly chat: ChatDeps;
  readonly sources: ChatSources;
  readonly config: ChatopsConfig | undefined;
  /** Secret values by the environment-variable names the config uses (the Slack signing secret). */
  readonly secret: (name: string) => string | undefined;
  /** Replay memory: a signed request is answered once. */
  readonly deliveries: DeliveryLog;
  readonly log: Logger;
  /** For posting to Slack's response_url. @default fetch */
  readonly fetch?: typeof fetch;
}

/** What a platform edge answers: a status and a JSON body ('' for none). */
export interface ChatAnswer {
  readonly statusCode: number;
  readonly body: unknown;
}

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => (body === ''
  ? { statusCode, body: '' }
  : { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/**
 * `POST /chatops/slack` (slash command and its interactivity) and `POST /chatops/discord`
 * (the interactions endpoint). Each checks its platform's signature over the raw body and the
 * replay memory before anything else (401 unsigned or stale, 409 a replay), then the user
 * list; the commands answer at once and leave the work to a queued task.
 */
export function createChatopsHandler(deps: ChatopsDeps) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().handler(async (event) => {
    try {
      const { bytes, text } = rawBodyOf(event);
      if (bytes.byteLength > MAX_CHAT_BYTES) throw new HttpError(413, `body larger than ${MAX_CHAT_BYTES} bytes`);
      const headers = event.headers ?? {};
      const now = deps.chat.clock.now();
      const platform = event.routeKey === 'POST /chatops/slack' ? 'slack' : event.routeKey === 'POST /chatops/discord' ? 'discord' : undefined;
      if (platform === undefined) throw new HttpError(404, `no route ${event.routeKey}`);
      const settings = deps.config?.[platform];
      if (!settings) throw new HttpError(404, `chat-ops for ${platform} is not configured (chatops.${platform})`);
      let verified;
      if (platform === 'slack') {
        const secretEnv = deps.config?.slack?.signingSecretEnv ?? '';
        const secret = deps.secret(secretEnv);
        if (!secret) {
          deps.log.error('the Slack signing secret is not set; every chat command is refused', { secretEnv });
          throw new HttpError(401, 'signature does not verify');
        }
        verified = verifySlack(secret, headers, bytes, now);
      } else {
        verified = verifyDiscord(deps.config?.discord?.publicKey ?? '', headers, bytes, now);
      }
      return await oncePerDelivery(deps.deliveries, { scope: chatopsScope(platform), id: verified.deliveryId, now },
        () => json(409, { error: 'this signed request was already answered: a replay' }),
        async () => {
          const answer = platform === 'slack'
            ? await answerSlack(deps, decodeSlack(text), settings.allowedUsers)
            : await answerDiscord(deps, text, settings.allowedUsers);
          return json(answer.statusCode, answer.body);
        });
    } catch (error) {
      if (error instanceof HttpError) return json(error.statusCode, { error: error.message });
      deps.log.error('chat command failed', { route: event.routeKey, error: errorMessage(error) });
      return json(500, { error: 'internal error' });
    }
  });
}
