/**
 * Fireflies' error format and the codes the emulator raises.
 *
 * Sources:
 * - Shape: https://docs.fireflies.ai/fundamentals/errors — `errors[]` entries carry `message`,
 *   `code`, `friendly` (safe to show to an end user) and `extensions {code, status, helpUrls,
 *   ...otherFields}`; helpUrls point at `https://docs.fireflies.ai/miscellaneous/error-codes#<code>`.
 * - Codes, statuses, messages and metadata: https://docs.fireflies.ai/miscellaneous/error-codes —
 *   invalid_arguments 400 ("Invalid argument(s) were provided", metadata.fields[{name, message,
 *   constraints[{type, message}]}]), object_not_found 404 ("User not found", metadata.objectType),
 *   forbidden 403, paid_required 403 (metadata.tier), not_in_team 403, require_elevated_privilege
 *   403, args_required 400 (metadata.fields), too_many_requests 429 ("Too many requests. Please
 *   retry after 2:45:45 AM (UTC)", metadata.retryAfter in epoch ms), admin_must_exist 400.
 * - auth_failed: named in https://docs.fireflies.ai/fundamentals/authorization (FAQ "Why am I
 *   getting an 'auth_failed' error?"); its message and status are not documented — the emulator
 *   uses 401 and its own wording.
 * - Validation errors: Fireflies runs Apollo Server (Apollo Sandbox at api.fireflies.ai/graphql,
 *   https://docs.fireflies.ai/fundamentals/introspection); a live unknown-type error came back
 *   as `GRAPHQL_VALIDATION_FAILED` (magnus919/agent-skills issue #289). Apollo Server 4 answers
 *   parse / validation / variable-coercion errors with HTTP 400 and extensions.code
 *   GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED / BAD_USER_INPUT.
 */

import type { GraphQLError } from 'graphql';

export type FirefliesCode =
  | 'invalid_arguments' | 'object_not_found' | 'forbidden' | 'paid_required' | 'not_in_team'
  | 'require_elevated_privilege' | 'args_required' | 'too_many_requests' | 'admin_must_exist' | 'auth_failed';

const STATUS: Record<FirefliesCode, number> = {
  invalid_arguments: 400, object_not_found: 404, forbidden: 403, paid_required: 403, not_in_team: 403,
  require_elevated_privilege: 403, args_required: 400, too_many_requests: 429, admin_must_exist: 400, auth_failed: 401,
};

export interface FieldViolation {
  readonly name: string;
  readonly message: string;
  readonly constraint: string;
}

/** Thrown by resolvers; graphql-js puts it in `errors[].originalError`. */
export class FirefliesError extends Error {
  readonly status: number;
  constructor(readonly code: FirefliesCode, message: string, readonly metadata?: Record<string, unknown>) {
    super(message);
    this.status = STATUS[code];
  }

  /** The `errors[]` entry, without GraphQL's `locations`/`path` (the caller adds those). */
  toJSON(): Record<string, unknown> {
    return {
      message: this.message,
      code: this.code,
      friendly: true,
      extensions: {
        code: this.code,
        status: this.status,
        helpUrls: [`https://docs.fireflies.ai/miscellaneous/error-codes#${this.code}`],
        ...(this.metadata ? { metadata: this.metadata } : {}),
      },
    };
  }
}

export const invalidArguments = (violations: readonly FieldViolation[]): FirefliesError =>
  new FirefliesError('invalid_arguments', 'Invalid argument(s) were provided', {
    fields: violations.map((v) => ({ name: v.name, message: v.message, constraints: [{ type: v.constraint, message: v.message }] })),
  });

export const notFound = (objectType: string): FirefliesError =>
  new FirefliesError('object_not_found', `${objectType} not found`, { objectType });

export const argsRequired = (fields: readonly string[]): FirefliesError =>
  new FirefliesError('args_required', `You must provide one of the following: ${fields.join(', ')}`, { fields });

export const elevated = (): FirefliesError =>
  new FirefliesError('require_elevated_privilege', 'You do not have permission to perform this action');

export const notInTeam = (): FirefliesError =>
  new FirefliesError('not_in_team', 'You do not have permissions for this team');

export const paidRequired = (tier: 'pro_or_higher' | 'business_or_higher'): FirefliesError =>
  new FirefliesError('paid_required', 'You need to be subscribed to a paid plan to perform this action', { tier });

export const authFailed = (): FirefliesError =>
  new FirefliesError('auth_failed', 'Invalid or missing API key. Pass it as "Authorization: Bearer <api key>"');

/** "Too many requests. Please retry after 2:45:45 AM (UTC)", retryAfter in epoch ms. */
export function tooManyRequests(retryAfterMs: number): FirefliesError {
  const clock = new Date(retryAfterMs).toLocaleTimeString('en-US', { timeZone: 'UTC' });
  return new FirefliesError('too_many_requests', `Too many requests. Please retry after ${clock} (UTC)`, { retryAfter: retryAfterMs });
}

/** One `errors[]` entry for a graphql-js error: Fireflies' own shape when a resolver threw ours. */
export function formatError(error: GraphQLError): Record<string, unknown> {
  const where = { ...(error.locations ? { locations: error.locations } : {}), ...(error.path ? { path: error.path } : {}) };
  if (error.originalError instanceof FirefliesError) return { ...error.originalError.toJSON(), ...where };
  return { message: error.message, ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/** Apollo-style request error (parse, validation, variables): HTTP 400. */
export function requestError(errors: readonly GraphQLError[], code: 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED' | 'BAD_USER_INPUT'): Record<string, unknown> {
  return { errors: errors.map((e) => ({ message: e.message, ...(e.locations ? { locations: e.locations } : {}), extensions: { code } })) };
}
