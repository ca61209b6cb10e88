/**
 * Outbound-HTTP resilience, once for every client: the OpenAI embedder, the Pinecone vector
 * store and the connector kit's HttpClient.
 *
 * - status-policy: what is retried (408, 425, 429, 5xx, timeouts, connection failures) and
 *   what is not (any other 4xx).
 * - retry-policy: {@link RetryPolicy} — attempts, full-jitter backoff under a cap, never less
 *   than the provider advertised, and a cap on advertised waits.
 * - advertised-wait: `Retry-After` (seconds or HTTP date), `retry-after-ms`,
 *   `x-ratelimit-reset-after`, `RateLimit-Reset`, `X-RateLimit-Reset`, OpenAI's per-limit resets.
 * - rate-limiter / token-bucket: {@link RateLimiter} — concurrency, requests and tokens per
 *   minute, a pause shared by every call after a 429.
 * - time: injectable clock, sleep and random, so tests pin every wait.
 */
export * from './advertised-wait.ts';
export * from './backoff.ts';
export * from './rate-limiter.ts';
export * from './retry-policy.ts';
export * from './status-policy.ts';
export * from './time.ts';
export * from './token-bucket.ts';
