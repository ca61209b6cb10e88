/**
 * What a GramJS failure means for a sync, decided once: the whole source (the session is
 * refused; Telegram asks to wait longer than we sleep; the network), or one chat (a channel the
 * account was banned from, a peer Telegram no longer resolves), which the pass skips with the
 * reason while the other chats go on. GramJS errors are recognised by their fields (`code`,
 * `errorMessage`, `seconds`, as telegram/errors/RPCBaseErrors.js sets them), so this file loads
 * no GramJS code.
 */

import { TransientError, TributaryError, errorMessage } from '../../core/errors.ts';

/** An RPC error as GramJS raises it: `RPCError` and its subclasses. */
interface RpcLike {
  readonly code?: number | undefined;
  readonly errorMessage?: string;
  readonly seconds?: number;
}

function rpcOf(error: unknown): RpcLike | undefined {
  if (!(error instanceof Error)) return undefined;
  const e = error as Error & RpcLike;
  return typeof e.errorMessage === 'string' || typeof e.seconds === 'number' ? e : undefined;
}

/**
 * Refusals of the session itself (core.telegram.org/api/errors, 401 and the 406 auth-key
 * errors): no retry fixes them, a new login does.
 */
const AUTH = /^(AUTH_KEY_UNREGISTERED|AUTH_KEY_INVALID|AUTH_KEY_PERM_EMPTY|AUTH_KEY_DUPLICATED|SESSION_REVOKED|SESSION_EXPIRED|SESSION_PASSWORD_NEEDED|USER_DEACTIVATED|USER_DEACTIVATED_BAN|API_ID_INVALID|API_ID_PUBLISHED_FLOOD)$/;

/** Refusals about one chat: the account cannot read that peer (left, banned, private, gone). */
const CHAT = /^(CHANNEL_PRIVATE|CHANNEL_INVALID|CHANNEL_PUBLIC_GROUP_NA|CHAT_ID_INVALID|CHAT_FORBIDDEN|CHAT_ADMIN_REQUIRED|PEER_ID_INVALID|USER_BANNED_IN_CHANNEL|MSG_ID_INVALID|TOPIC_ID_INVALID)$/;

/** Telegram asked to wait longer than GramJS sleeps (`floodSleepThresholdSeconds`). */
export class TelegramFloodWaitError extends TransientError {
  constructor(sourceId: string, readonly seconds: number, what: string, cause: unknown) {
    super(
      `Telegram source "${sourceId}": Telegram asked to wait ${seconds} s (FLOOD_WAIT) before ${what}, longer than floodSleepThresholdSeconds: the run stops after its last saved page and a later run resumes from there`,
      { cause, context: { sourceId, seconds } },
    );
  }
}

/** The session (or the app's api_id/api_hash) is refused: nothing can be read until someone logs in again. */
export class TelegramAuthError extends TributaryError {
  constructor(sourceId: string, sessionEnv: string, code: string, cause: unknown) {
    super(
      `Telegram source "${sourceId}": Telegram refused the login (${code}): the session in ${sessionEnv} was logged out or revoked, or apiId/apiHashEnv are wrong; log in again as shown in docs/sources/telegram.md ("The session") and store the new string in ${sessionEnv}`,
      { retryable: false, cause, context: { sourceId, code } },
    );
  }
}

/** Why one chat cannot be read, or undefined when the failure is the source's (see {@link telegramFailure}). */
export function chatProblem(error: unknown): string | undefined {
  const rpc = rpcOf(error);
  if (!rpc || rpc.errorMessage === undefined || !CHAT.test(rpc.errorMessage)) return undefined;
  return `Telegram refused to read this chat (${rpc.errorMessage}): the account left it, was removed or banned, or it no longer exists; its documents are kept until a reconcile (or \`reset\`) removes them`;
}

/**
 * The error a failed GramJS call fails the run with: a typed auth error, a retryable FLOOD_WAIT
 * or network failure, or the RPC error's own words. `what` names the call (never its arguments).
 */
export function telegramFailure(sourceId: string, sessionEnv: string, error: unknown, what: string): TributaryError {
  if (error instanceof TributaryError) return error;
  const rpc = rpcOf(error);
  if (rpc && typeof rpc.seconds === 'number' && (rpc.code === 420 || /FLOOD/.test(rpc.errorMessage ?? ''))) {
    return new TelegramFloodWaitError(sourceId, rpc.seconds, what, error);
  }
  if (rpc?.errorMessage !== undefined && (AUTH.test(rpc.errorMessage) || rpc.code === 401)) {
    return new TelegramAuthError(sourceId, sessionEnv, rpc.errorMessage, error);
  }
  if (rpc && rpc.code !== undefined && rpc.code >= 400 && rpc.code < 500) {
    return new TributaryError(`Telegram source "${sourceId}": ${what} was refused (${rpc.code} ${rpc.errorMessage ?? ''})`, {
      retryable: false, cause: error, context: { sourceId },
    });
  }
  // 5xx, timeouts, "Request was unsuccessful N time(s)", a dropped connection: worth a later run.
  return new TransientError(`Telegram source "${sourceId}": ${what} failed: ${errorMessage(error)}`, { cause: error, context: { sourceId } });
}

/** One chat cannot be read: the pass skips it (all its documents) with `problem` and goes on. */
export class TelegramChatError extends TributaryError {
  constructor(readonly chat: string, readonly problem: string, cause: unknown) {
    super(problem, { retryable: false, cause, context: { chat } });
  }
}
