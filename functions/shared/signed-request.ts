import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError } from '../../shared/core/errors.ts';
import { WEBHOOK_TOLERANCE_SECONDS } from '../../shared/core/signatures.ts';
import type { DeliveryLog } from '../../shared/ports/index.ts';

/**
 * How long an accepted delivery is remembered: its signature stays valid for the window on
 * either side of the sender's clock, plus a margin.
 */
export const REPLAY_MEMORY_MS = (2 * WEBHOOK_TOLERANCE_SECONDS + 60) * 1000;

/** The body's exact bytes (API Gateway base64-encodes what it does not take for text) and its text. */
export function rawBodyOf(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): { bytes: Buffer; text: string } {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  return { bytes, text: bytes.toString('utf8') };
}

/**
 * What an unauthenticated caller learns about a request that names an unknown source, one
 * without a signing secret, or one signed wrongly: the same 401. Answering 404 first would
 * tell anyone which source ids exist.
 */
export function notVerified(): HttpError {
  return new HttpError(401, 'signature does not verify for this source');
}

/**
 * Runs `work` once per delivery: a second request with the same delivery id within the
 * memory is a replay and gets `onReplay` instead. Work that fails is forgotten, so the
 * sender's retry of the same request is accepted.
 */
export async function oncePerDelivery<T>(
  deliveries: DeliveryLog,
  delivery: { scope: string; id: string; now: number; ttlMs?: number },
  onReplay: () => T,
  work: () => Promise<T>,
): Promise<T> {
  const remembered = await deliveries.rememberDelivery({ ...delivery, ttlMs: delivery.ttlMs ?? REPLAY_MEMORY_MS });
  if (!remembered) return onReplay();
  try {
    return await work();
  } catch (error) {
    await deliveries.forgetDelivery(delivery).catch(() => undefined);
    throw error;
  }
}
