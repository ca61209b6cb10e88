import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { TributaryConfig } from '../../shared/config/schema.ts';
import { headerOf } from '../../shared/connectors/kit/webhook-verify.ts';
import { definitionOf } from '../../shared/connectors/lookup.ts';
import type { Logger } from '../../shared/core/deps.ts';
import { HttpError, errorMessage } from '../../shared/core/errors.ts';
import { sha256 } from '../../shared/core/ids.ts';
import { deliveryScope, SIGNATURE_HEADER, verifyWebhookSignature } from '../../shared/core/webhook.ts';
import type { Clock, DeliveryLog, EventBus, StateStore } from '../../shared/ports/index.ts';
import { notVerified, oncePerDelivery, rawBodyOf } from '../shared/signed-request.ts';

/** Lambda's limit on a synchronous invocation's event (6 MB, which Lambda counts as 6 MiB). */
export const LAMBDA_EVENT_MAX_BYTES = 6 * 1024 * 1024;

/**
 * The largest push body (UTF-8 bytes, after base64 decoding). API Gateway hands the body to
 * Lambda inside a JSON event, either base64-encoded (4/3 of its size) or as a JSON string,
 * where every `"` and `\` of the body doubles and a serializer that escapes non-ASCII turns a
 * 2-byte character into 6 bytes: at worst 3 times its size. 3 × 2,000,000 bytes plus the
 * largest headers and request context API Gateway adds stays under the 6 MiB event limit, so a
 * body within this limit always reaches the function, which answers 413 to anything larger
 * before it writes anything. A larger limit would let requests fail in API Gateway, on every
 * retry, with no answer from Tributary.
 */
export const MAX_INGEST_BYTES = 2_000_000;

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
/** A duplicate of an in-flight request is refused this long before its retry may take over. */
const IN_PROGRESS_LOCK_MS = 60_000;

export interface IngestDeps {
  readonly config: TributaryConfig;
  /** Secret values by the environment-variable names the config uses. */
  readonly secret: (name: string) => string | undefined;
  /** The state table: each kind's ingest endpoint applies pushes to its store in it. */
  readonly state: StateStore;
  readonly eventBus: EventBus;
  /** Replay memory: a signed push is applied once. */
  readonly deliveries: DeliveryLog;
  readonly clock: Clock;
  readonly log: Logger;
}

type Result = APIGatewayProxyStructuredResultV2;

const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): Result => ({
  statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
});

/**
 * `POST /ingest/{sourceId}`, for sources whose kind takes pushes (a definition with `ingest`):
 * verify the signature (as for webhooks), let the kind's endpoint apply the body (a push
 * source: a batch of upserts and deletes to its stash, a result per operation), publish one
 * hint naming the documents it touched, answer with the endpoint's answer. Embedding happens
 * behind the queues, never on the request thread. With an `Idempotency-Key`, a retry of the
 * same body gets the stored response without applying anything again.
 */
export function createIngestHandler(deps: IngestDeps) {
  return middy<APIGatewayProxyEventV2, Result>().handler(async (event) => {
    try {
      const { bytes, text: body } = rawBodyOf(event);
      if (bytes.byteLength > MAX_INGEST_BYTES) throw new HttpError(413, `body is ${bytes.byteLength} bytes, over the ${MAX_INGEST_BYTES}-byte limit: split the batch`);
      const sourceId = event.pathParameters?.['sourceId'] ?? '';
      const source = deps.config.sources.find((s) => s.id === sourceId);
      const endpoint = source ? definitionOf(source.kind).ingest : undefined;
      // The same 401 for an unknown source, a source that takes no pushes and a bad signature.
      if (!source || !endpoint || !source.webhook) throw notVerified();
      const secret = deps.secret(source.webhook.secretEnv);
      if (!secret) {
        deps.log.error('push secret is not configured; every push is refused', { sourceId, secretEnv: source.webhook.secretEnv });
        throw notVerified();
      }
      const headers = event.headers ?? {};
      const verified = verifyWebhookSignature(secret, headerOf(headers, SIGNATURE_HEADER), bytes, deps.clock.now());
      const key = idempotencyKeyOf(headerOf(headers, IDEMPOTENCY_HEADER));
      const request = endpoint.parse(body);
      const store = endpoint.store(deps.state, sourceId);
      // A captured push sent again (with its key, another key, or none) must not apply twice:
      // an old version would overwrite a newer one, a delete would remove a re-created document.
      const delivery = { scope: deliveryScope('ingest', sourceId), id: verified.deliveryId, now: deps.clock.now() };
      const replayed = (): Result => json(409, { error: 'this signed push was already accepted: a replay (sign each request anew; retry with the same Idempotency-Key to get the first answer)' });

      const apply = async (): Promise<Result> => {
        const outcome = await endpoint.apply({ source, request, store, clock: deps.clock });
        if (outcome.touched.length > 0) await deps.eventBus.publish([{ sourceId, ids: [...outcome.touched] }]);
        return json(outcome.statusCode, outcome.body);
      };
      if (key === undefined) return await oncePerDelivery(deps.deliveries, delivery, replayed, apply);

      const requestHash = sha256(body);
      const scope = sourceId;
      const retainMs = endpoint.idempotencyMs(source);
      const now = deps.clock.now();
      const begun = await store.beginIdempotent({ scope, key, requestHash, now, lockMs: IN_PROGRESS_LOCK_MS, retainMs });
      if (!begun.started) {
        const record = begun.record;
        if (record.requestHash !== requestHash) {
          throw new HttpError(422, `Idempotency-Key "${key}" was used for a different request body: use a new key for a new batch`);
        }
        if (record.status === 'in_progress' || !record.response) {
          const wait = Math.max(1, Math.ceil(((record.lockedUntil ?? now) - now) / 1000));
          return json(409, { error: `a request with Idempotency-Key "${key}" is still in progress: retry later` }, { 'retry-after': String(Math.min(wait, 60)) });
        }
        return {
          statusCode: record.response.statusCode,
          headers: { 'content-type': 'application/json', [REPLAYED_HEADER]: 'true' },
          body: record.response.body,
        };
      }
      let result: Result | undefined;
      try {
        result = await oncePerDelivery<Result | undefined>(deps.deliveries, delivery, () => undefined, apply);
      } catch (error) {
        // Not applied (or not all of it): let a retry run again at once.
        await store.releaseIdempotent({ scope, key, requestHash }).catch(() => undefined);
        throw error;
      }
      if (result === undefined) {
        // A replay under a new key: the key is not this request's to keep.
        await store.releaseIdempotent({ scope, key, requestHash }).catch(() => undefined);
        return replayed();
      }
      await store.completeIdempotent({
        scope, key, requestHash, now: deps.clock.now(), retainMs,
        response: { statusCode: result.statusCode ?? 200, body: typeof result.body === 'string' ? result.body : '' },
      });
      return result;
    } catch (error) {
      if (error instanceof HttpError) return json(error.statusCode, { error: error.message });
      deps.log.error('ingest failed', { error: errorMessage(error) });
      return json(500, { error: 'internal error' });
    }
  });
}

/** 1-255 printable ASCII characters, or absent. */
function idempotencyKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!/^[\x20-\x7e]{1,255}$/.test(header)) {
    throw new HttpError(400, 'Idempotency-Key must be 1-255 printable ASCII characters (a UUID is a good choice)');
  }
  return header;
}
