import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { SourceConfig, TributaryConfig } from '../../shared/config/schema.ts';
import { headerOf } from '../../shared/connectors/kit/webhook-verify.ts';
import { decodeSlackWebhook, type WebhookAnswer, type WebhookRequest } from '../../shared/connectors/slack/events.ts';
import type { Logger } from '../../shared/core/deps.ts';
import { HttpError, errorMessage } from '../../shared/core/errors.ts';
import { parseHintBody, SIGNATURE_HEADER, verifyWebhookSignature } from '../../shared/core/webhook.ts';
import type { Clock, EventBus } from '../../shared/ports/index.ts';

export const MAX_WEBHOOK_BYTES = 1024 * 1024;

export interface WebhookDeps {
  readonly config: TributaryConfig;
  /** Secret values by the environment-variable names the config uses. */
  readonly secret: (name: string) => string | undefined;
  readonly eventBus: EventBus;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * Source kinds that speak their provider's webhook protocol (signature scheme, payloads,
 * answers) instead of Tributary's own hint format. A decoder verifies, decodes and answers;
 * the handler publishes the hints it returns. Throws HttpError for a 4xx.
 */
const kindDecoders: Partial<Record<SourceConfig['kind'], (source: SourceConfig, request: WebhookRequest) => WebhookAnswer>> = {
  slack: (source, request) => decodeSlackWebhook(source as Extract<SourceConfig, { kind: 'slack' }>, request),
};

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
});

/**
 * `POST /webhooks/{sourceId}`: verify the signature, decode the hint, put one
 * `SourceChanged` event on the bus, answer 202. Nothing is published on any 4xx.
 */
export function createWebhookHandler(deps: WebhookDeps) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().handler(async (event) => {
    try {
      const sourceId = event.pathParameters?.['sourceId'] ?? '';
      const source = deps.config.sources.find((s) => s.id === sourceId);
      if (!source) throw new HttpError(404, `unknown source "${sourceId}"`);
      // A push source's secret signs its pushes; it takes POST /ingest, never hints.
      if (source.kind === 'push') throw new HttpError(404, `source "${sourceId}" is a push source: send its documents to POST /ingest/${sourceId}`);
      if (!source.webhook) throw new HttpError(404, `source "${sourceId}" has no webhook configured`);
      const raw = event.body ?? '';
      const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
      if (Buffer.byteLength(body, 'utf8') > MAX_WEBHOOK_BYTES) throw new HttpError(413, `body larger than ${MAX_WEBHOOK_BYTES} bytes`);
      const secret = deps.secret(source.webhook.secretEnv);
      if (!secret) return json(503, { error: `webhook secret ${source.webhook.secretEnv} is not configured` });
      const decoder = kindDecoders[source.kind];
      if (decoder) {
        const answer = decoder(source, { headers: event.headers ?? {}, body, secret, nowMs: deps.clock.now() });
        if (answer.hints) await deps.eventBus.publish([answer.hints]);
        return json(answer.statusCode, answer.body);
      }
      verifyWebhookSignature(secret, headerOf(event.headers ?? {}, SIGNATURE_HEADER), body, deps.clock.now());
      const hints = parseHintBody(sourceId, body);
      await deps.eventBus.publish([hints]);
      return json(202, { accepted: true, sourceId, ids: hints.ids.length });
    } catch (error) {
      if (error instanceof HttpError) return json(error.statusCode, { error: error.message });
      deps.log.error('webhook failed', { error: errorMessage(error) });
      return json(500, { error: 'internal error' });
    }
  });
}
