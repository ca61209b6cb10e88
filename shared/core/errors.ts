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

/**
 * One document cannot be indexed now (unreadable, undecodable, refused by a provider as input):
 * it is skipped for this pass with this message as the reason and retried on the next, while
 * the rest of the pass goes on. Never fails a source; an embed task failing with it is
 * dead-lettered at once and recorded on its run.
 */
export class DocumentError extends TributaryError {
  readonly docId: string;
  constructor(docId: string, message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retryable: false, context: { docId } });
    this.docId = docId;
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

/**
 * Whether a failure belongs to one document or one task's input (a DocumentError, or a
 * PoisonTaskError such as a provider's 400 for an input): skip that document, keep going.
 * Anything else non-retryable (auth, a wrong model or dimension) concerns every document.
 */
export function isDocumentFailure(error: unknown): boolean {
  return error instanceof DocumentError || error instanceof PoisonTaskError;
}

/**
 * A refusal no retry can fix and no other document escapes: a TributaryError that is not
 * retryable and not about one document (a bad API key, a wrong vector size, a missing model).
 */
export function isDeploymentFailure(error: unknown): boolean {
  return error instanceof TributaryError && !error.retryable && !isDocumentFailure(error)
    && !(error instanceof LeaseLostError) && !(error instanceof CursorExpiredError);
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
