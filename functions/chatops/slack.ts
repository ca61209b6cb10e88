import { headerOf } from '../../shared/connectors/kit/webhook-verify.ts';
import { parseChatCommand, runChatCommand, type ChatReply } from '../../shared/core/chatops.ts';
import { HttpError, errorMessage } from '../../shared/core/errors.ts';
import { isHttpsOrLoopback } from '../../shared/core/loopback.ts';
import { concatBytes, verifyTimestampedHmac, type Verified } from '../../shared/core/signatures.ts';
import type { ChatopsDeps, ChatAnswer } from './chatops.ts';

/** The button of a resync confirmation (its `value` is the source id). */
export const RESYNC_ACTION = 'tributary_resync';

/**
 * Slack's request signature (https://api.slack.com/authentication/verifying-requests-from-slack):
 * `v0=` + HMAC-SHA256(signing secret, `v0:<X-Slack-Request-Timestamp>:<raw body>`), the
 * timestamp within 5 minutes.
 */
export function verifySlack(secret: string, headers: Readonly<Record<string, string | undefined>>, body: Buffer, nowMs: number): Verified {
  const timestamp = headerOf(headers, 'x-slack-request-timestamp');
  const signature = headerOf(headers, 'x-slack-signature');
  return verifyTimestampedHmac({
    secret, timestamp, signatures: signature ? [signature] : [], payload: concatBytes(`v0:${timestamp ?? ''}:`, body),
    prefix: 'v0=', nowMs, header: 'x-slack-signature',
  });
}

/** What a Slack user sent: a slash command, or a click on a confirmation button (block_actions). */
type SlackRequest =
  | { kind: 'command'; userId: string; text: string }
  | { kind: 'action'; userId: string; sourceId: string; responseUrl: string | undefined };

/** Decodes the form body Slack posts (slash commands as fields; interactions as a `payload` field of JSON). */
export function decodeSlack(body: string): SlackRequest {
  const form = new URLSearchParams(body);
  const payload = form.get('payload');
  if (payload === null) {
    const userId = form.get('user_id');
    if (!userId) throw new HttpError(400, 'not a Slack slash command: no user_id');
    return { kind: 'command', userId, text: form.get('text') ?? '' };
  }
  let parsed: { type?: unknown; user?: { id?: unknown }; actions?: Array<{ action_id?: unknown; value?: unknown }>; response_url?: unknown };
  try {
    parsed = JSON.parse(payload) as typeof parsed;
  } catch {
    throw new HttpError(400, 'payload is not valid JSON');
  }
  const action = parsed.actions?.[0];
  if (parsed.type !== 'block_actions' || typeof parsed.user?.id !== 'string' || action?.action_id !== RESYNC_ACTION || typeof action.value !== 'string') {
    throw new HttpError(400, 'not a Tributary confirmation: expected a block_actions payload from its resync button');
  }
  return { kind: 'action', userId: parsed.user.id, sourceId: action.value, responseUrl: typeof parsed.response_url === 'string' ? parsed.response_url : undefined };
}

/** A slash command's answer: shown to the user who typed it only (ephemeral). */
function ephemeral(reply: ChatReply): Record<string, unknown> {
  if (!reply.confirm) return { response_type: 'ephemeral', text: reply.text };
  const { sourceId } = reply.confirm;
  return {
    response_type: 'ephemeral', text: reply.text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: reply.text } },
      {
        type: 'actions', elements: [{
          type: 'button', action_id: RESYNC_ACTION, value: sourceId, style: 'danger', text: { type: 'plain_text', text: `Resync ${sourceId}` },
          confirm: {
            title: { type: 'plain_text', text: 'Full resync?' }, text: { type: 'mrkdwn', text: `Read every document of \`${sourceId}\` again?` },
            confirm: { type: 'plain_text', text: 'Resync' }, deny: { type: 'plain_text', text: 'Cancel' }, style: 'danger',
          },
        }],
      },
    ],
  };
}

/**
 * Answers a verified Slack request within its 3 seconds: the command's reply in the response
 * (the work itself is a queued task), or for a button click an empty 200 and the outcome
 * posted to the interaction's `response_url`, replacing the confirmation.
 */
export async function answerSlack(deps: ChatopsDeps, request: SlackRequest, allowed: readonly string[]): Promise<ChatAnswer> {
  if (!allowed.includes(request.userId)) {
    const refusal = { response_type: 'ephemeral', text: `Sorry <@${request.userId}>, you are not on the list of people who may run Tributary commands. An operator can add your member id (${request.userId}) to chatops.slack.allowedUsers.` };
    if (request.kind === 'command') return { statusCode: 200, body: refusal };
    await respond(deps, request.responseUrl, { ...refusal, replace_original: false });
    return { statusCode: 200, body: '' };
  }
  if (request.kind === 'command') return { statusCode: 200, body: ephemeral(await runChatCommand(deps.chat, deps.sources, parseChatCommand(request.text))) };
  const reply = await runChatCommand(deps.chat, deps.sources, { kind: 'resync', sourceId: request.sourceId, confirmed: true });
  await respond(deps, request.responseUrl, { replace_original: true, text: `${reply.text} (confirmed by <@${request.userId}>)` });
  return { statusCode: 200, body: '' };
}

/** Posts to an interaction's response_url (Slack's, https; a loopback one in tests). A failure is logged: the task is queued either way. */
async function respond(deps: ChatopsDeps, url: string | undefined, body: unknown): Promise<void> {
  if (url === undefined || !isHttpsOrLoopback(url)) return;
  try {
    const response = await (deps.fetch ?? fetch)(url, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(2000),
    });
    if (!response.ok) deps.log.warn('Slack response_url refused the reply', { status: response.status });
  } catch (error) {
    deps.log.warn('could not post to the Slack response_url', { error: errorMessage(error) });
  }
}
