/**
 * One error hierarchy for the whole project. Edges map errors to HTTP statuses and batch
 * failures with `instanceof`, never by message text.
 */
export class TributaryError extends Error {
  /** Whether retrying the same work may succeed. */
  readonly retryable: boolean;
  /** Whether the message may be shown to an external caller (HTTP client). */
  readonly expose: boolean;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(
    message: string,
    options: { cause?: unknown; retryable?: boolean; expose?: boolean; context?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable ?? false;
    this.expose = options.expose ?? false;
    this.context = options.context ?? {};
  }
}

/** Invalid configuration: the message names the key and the fix. */
export class ConfigError extends TributaryError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message, { expose: true, context });
  }
}

/** A fenced write was rejected: another run holds the source's lease now. */
export class LeaseLostError extends TributaryError {
  constructor(sourceId: string, epoch: number) {
    super(`lease on source "${sourceId}" lost (epoch ${epoch} is no longer current)`, {
      retryable: false,
      context: { sourceId, epoch },
    });
  }
}

/** A task that can never succeed (malformed, unknown source): dead-letter it with this reason. */
export class PoisonTaskError extends TributaryError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message, { retryable: false, context });
  }
}

/** A dependency failed in a way worth retrying (throttling, 5xx, timeout). */
export class TransientError extends TributaryError {
  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(message, { ...options, retryable: true });
  }
}

/** An HTTP request was rejected; `statusCode` is a 4xx and the message is safe to return. */
export class HttpError extends TributaryError {
  readonly statusCode: number;
  constructor(statusCode: number, message: string, context: Record<string, unknown> = {}) {
    super(message, { expose: true, context });
    this.statusCode = statusCode;
  }
}

/** The source refused: its change token expired (HTTP 410-like); a full pass is needed. */
export class CursorExpiredError extends TributaryError {
  constructor(sourceId: string, options: { cause?: unknown } = {}) {
    super(`change token of source "${sourceId}" expired; falling back to a full pass`, { ...options, context: { sourceId } });
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
