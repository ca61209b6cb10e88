import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { TributaryConfig } from '../../shared/config/schema.ts';
import { headerOf } from '../../shared/connectors/kit/webhook-verify.ts';
import { definitionOf } from '../../shared/connectors/lookup.ts';
import type { Logger } from '../../shared/core/deps.ts';
import { HttpError, errorMessage } from '../../shared/core/errors.ts';
import { deliveryScope, parseHintBody, SIGNATURE_HEADER, verifyWebhookSignature } from '../../shared/core/webhook.ts';
import type { Clock, CredentialStore, DeliveryLog, EventBus, WebhookAnswer } from '../../shared/ports/index.ts';
import { notVerified, oncePerDelivery, rawBodyOf } from '../shared/signed-request.ts';

export const MAX_WEBHOOK_BYTES = 1024 * 1024;

export interface WebhookDeps {
  readonly config: TributaryConfig;
  /** Secret values by the environment-variable names the config uses. */
  readonly secret: (name: string) => string | undefined;
  readonly eventBus: EventBus;
  /** Replay memory: a signed request is accepted once. */
  readonly deliveries: DeliveryLog;
  readonly clock: Clock;
  readonly log: Logger;
  /** Where signing secrets the provider sends itself are kept (ConnectorDefinition.storedWebhookSecret). */
  readonly credentials?: CredentialStore;
}

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
});

/**
 * `GET /webhooks/{sourceId}`: a provider's subscription check, answered by the kind's
 * `answerWebhookGet` (Tempo echoes `randomString`). A source without one, without a webhook, or
 * unknown gets the same 401 as an unverified POST.
 */
function answerGet(deps: WebhookDeps, event: APIGatewayProxyEventV2): APIGatewayProxyStructuredResultV2 {
  const sourceId = event.pathParameters?.['sourceId'] ?? '';
  const source = deps.config.sources.find((s) => s.id === sourceId);
  const definition = source ? definitionOf(source.kind) : undefined;
  if (!source || !source.webhook || !definition?.answerWebhookGet) throw notVerified();
  const query: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(event.queryStringParameters ?? {})) query[key] = value?.split(',').at(-1);
  const answer = definition.answerWebhookGet(source, { headers: event.headers ?? {}, query, nowMs: deps.clock.now() });
  return { statusCode: answer.statusCode, headers: { 'content-type': answer.contentType, 'x-content-type-options': 'nosniff' }, body: answer.body };
}

/**
 * `POST /webhooks/{sourceId}`: verify the signature over the body's bytes, decode the hint, put
 * one `SourceChanged` event on the bus, answer 202. Nothing is published on any 4xx: 413 for
 * a body over the limit, 401 for an unknown source or a bad signature alike (a 404 would tell
 * anyone which source ids exist), 400 for a malformed hint, 409 for a replayed request.
 */
export function createWebhookHandler(deps: WebhookDeps) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().handler(async (event) => {
    try {
      if (event.requestContext?.http?.method === 'GET') return answerGet(deps, event);
      const { bytes, text } = rawBodyOf(event);
      // Before any HMAC: an unauthenticated sender must not make the verifier hash megabytes.
      if (bytes.byteLength > MAX_WEBHOOK_BYTES) throw new HttpError(413, `body larger than ${MAX_WEBHOOK_BYTES} bytes`);
      const sourceId = event.pathParameters?.['sourceId'] ?? '';
      const source = deps.config.sources.find((s) => s.id === sourceId);
      const definition = source ? definitionOf(source.kind) : undefined;
      // A source fed by POST /ingest: its secret signs its pushes, never hints.
      // A secret the provider sent itself (stored), when no webhook.secretEnv pins one.
      const storedKey = source && definition && !source.webhook ? definition.storedWebhookSecret?.(source) : undefined;
      if (!source || !definition || definition.ingest || (!source.webhook && (storedKey === undefined || !deps.credentials))) throw notVerified();
      const secret = source.webhook ? deps.secret(source.webhook.secretEnv) : (await deps.credentials!.getToken(storedKey!))?.accessToken ?? '';
      if (secret === undefined || (source.webhook && !secret)) {
        deps.log.error('webhook secret is not configured; every request is refused', { sourceId, secretEnv: source.webhook?.secretEnv });
        throw notVerified();
      }
      const now = deps.clock.now();
      const headers = event.headers ?? {};
      // A kind that speaks its provider's protocol (signature scheme, payloads, answers)
      // decodes the request itself; the handler publishes the hints it returns.
      if (definition.decodeWebhook) {
        const answer = definition.decodeWebhook(source, { headers, rawBody: bytes, body: text, secret, nowMs: now });
        if (answer.storeSecret) return json(...await storeSecret(deps, { sourceId, storedKey, secretEnv: source.webhook?.secretEnv, answer, value: answer.storeSecret.value, now }));
        const hints = answer.hints;
        if (!hints) return json(answer.statusCode, answer.body);
        if (!answer.delivery) {
          await deps.eventBus.publish([hints]);
          return json(answer.statusCode, answer.body);
        }
        const { replay, id, ttlMs } = answer.delivery;
        return await oncePerDelivery(deps.deliveries, { scope: deliveryScope('webhook', sourceId), id, now, ttlMs }, () => json(replay.statusCode, replay.body), async () => {
          await deps.eventBus.publish([hints]);
          return json(answer.statusCode, answer.body);
        });
      }
      const verified = verifyWebhookSignature(secret, headerOf(headers, SIGNATURE_HEADER), bytes, now);
      const hints = parseHintBody(sourceId, text);
      return await oncePerDelivery(deps.deliveries, { scope: deliveryScope('webhook', sourceId), id: verified.deliveryId, now },
        () => json(409, { error: 'this signed request was already accepted: a replay (sign each request anew)' }),
        async () => {
          await deps.eventBus.publish([hints]);
          return json(202, { accepted: true, sourceId, ids: hints.ids.length });
        });
    } catch (error) {
      if (error instanceof HttpError) return json(error.statusCode, { error: error.message });
      deps.log.error('webhook failed', { error: errorMessage(error) });
      return json(500, { error: 'internal error' });
    }
  });
}

/**
 * Keeps a signing secret the provider sent (Notion's verification request). The first one
 * stored stays: a later, different one is refused (409) so nobody can replace the secret by
 * posting a verification request; delete the stored value (or set webhook.secretEnv) to rotate.
 */
async function storeSecret(
  deps: WebhookDeps,
  input: { sourceId: string; storedKey: string | undefined; secretEnv: string | undefined; answer: WebhookAnswer; value: string; now: number },
): Promise<[number, unknown]> {
  const { sourceId, storedKey, value } = input;
  if (storedKey === undefined || !deps.credentials) {
    // webhook.secretEnv pins the secret: the operator copies the value there.
    deps.log.warn(`webhook verification token received for source "${sourceId}": set ${input.secretEnv ?? 'the webhook secret'} to it and paste it into the provider to verify the subscription`, { sourceId, token: value });
    return [input.answer.statusCode, input.answer.body];
  }
  const existing = await deps.credentials.getToken(storedKey);
  if (existing && existing.accessToken !== value) {
    deps.log.warn('a webhook verification token is already stored for this source; the new one is refused (delete the stored one to accept a new subscription)', { sourceId, key: storedKey });
    return [409, { error: 'a verification token is already stored for this source' }];
  }
  if (!existing) await deps.credentials.putToken({ key: storedKey, token: { accessToken: value }, expectVersion: undefined, now: input.now });
  deps.log.warn(`webhook verification token stored for source "${sourceId}": paste it into the provider to verify the subscription`, { sourceId, key: storedKey, token: value });
  return [input.answer.statusCode, input.answer.body];
}
