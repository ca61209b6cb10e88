import { headerOf } from '../../shared/connectors/kit/webhook-verify.ts';
import { parseChatCommand, runChatCommand, type ChatReply } from '../../shared/core/chatops.ts';
import { HttpError } from '../../shared/core/errors.ts';
import { concatBytes, verifyEd25519, WEBHOOK_TOLERANCE_SECONDS, type Verified } from '../../shared/core/signatures.ts';
import type { ChatopsDeps, ChatAnswer } from './chatops.ts';

/** Interaction and response types (https://discord.com/developers/docs/interactions/receiving-and-responding). */
const PING = 1;
const APPLICATION_COMMAND = 2;
const MESSAGE_COMPONENT = 3;
const PONG = 1;
const CHANNEL_MESSAGE = 4;
const UPDATE_MESSAGE = 7;
/** Only the user who ran the command sees the answer. */
const EPHEMERAL = 64;
/** custom_id prefix of the resync confirmation button. */
const RESYNC_PREFIX = 'resync:';
const CANCEL = 'cancel';

/**
 * Discord's signature: Ed25519 over `X-Signature-Timestamp` + raw body under the application's
 * public key, hex in `X-Signature-Ed25519`. Discord probes with bad signatures and expects 401.
 * The timestamp must be within 5 minutes, so a captured request cannot be replayed later.
 */
export function verifyDiscord(publicKeyHex: string, headers: Readonly<Record<string, string | undefined>>, body: Buffer, nowMs: number): Verified {
  const timestamp = headerOf(headers, 'x-signature-timestamp') ?? '';
  const verified = verifyEd25519({ publicKeyHex, signatureHex: headerOf(headers, 'x-signature-ed25519'), message: concatBytes(timestamp, body), header: 'x-signature-ed25519' });
  const t = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || Math.abs(nowMs / 1000 - t) > WEBHOOK_TOLERANCE_SECONDS) {
    throw new HttpError(401, `x-signature-timestamp outside the ${WEBHOOK_TOLERANCE_SECONDS / 60}-minute window`);
  }
  return verified;
}

interface Interaction {
  type?: unknown;
  member?: { user?: { id?: unknown } };
  user?: { id?: unknown };
  data?: { name?: unknown; custom_id?: unknown; options?: Array<{ name?: unknown; value?: unknown; options?: Array<{ name?: unknown; value?: unknown }> }> };
}

const message = (reply: ChatReply, type = CHANNEL_MESSAGE): ChatAnswer => ({
  statusCode: 200,
  body: {
    type,
    data: {
      content: reply.text, flags: EPHEMERAL,
      // A resync asks first: a danger button to go ahead, one to cancel; an update clears them.
      components: reply.confirm ? [{
        type: 1, components: [
          { type: 2, style: 4, label: `Resync ${reply.confirm.sourceId}`, custom_id: `${RESYNC_PREFIX}${reply.confirm.sourceId}` },
          { type: 2, style: 2, label: 'Cancel', custom_id: CANCEL },
        ],
      }] : [],
    },
  },
});

/** The words of a `/tributary <subcommand> [source]` command, as Slack's text would have them. */
function commandText(data: Interaction['data']): string {
  const sub = data?.options?.[0];
  const source = sub?.options?.find((o) => o.name === 'source')?.value;
  return [sub?.name, source].filter((w): w is string => typeof w === 'string').join(' ');
}

/** Answers a verified interaction within Discord's 3 seconds (the work itself is a queued task). */
export async function answerDiscord(deps: ChatopsDeps, body: string, allowed: readonly string[]): Promise<ChatAnswer> {
  let interaction: Interaction;
  try {
    interaction = JSON.parse(body) as Interaction;
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
  if (interaction.type === PING) return { statusCode: 200, body: { type: PONG } };
  const userId = interaction.member?.user?.id ?? interaction.user?.id;
  if (typeof userId !== 'string') throw new HttpError(400, 'interaction names no user');
  if (interaction.type !== APPLICATION_COMMAND && interaction.type !== MESSAGE_COMPONENT) throw new HttpError(400, 'unsupported interaction type');
  const type = interaction.type === MESSAGE_COMPONENT ? UPDATE_MESSAGE : CHANNEL_MESSAGE;
  if (!allowed.includes(userId)) {
    return message({ text: `Sorry <@${userId}>, you are not on the list of people who may run Tributary commands. An operator can add your user id (${userId}) to chatops.discord.allowedUsers.` }, type);
  }
  if (interaction.type === APPLICATION_COMMAND) return message(await runChatCommand(deps.chat, deps.sources, parseChatCommand(commandText(interaction.data))));
  const id = interaction.data?.custom_id;
  if (id === CANCEL) return message({ text: 'Resync cancelled.' }, UPDATE_MESSAGE);
  if (typeof id !== 'string' || !id.startsWith(RESYNC_PREFIX)) throw new HttpError(400, 'unknown component');
  const reply = await runChatCommand(deps.chat, deps.sources, { kind: 'resync', sourceId: id.slice(RESYNC_PREFIX.length), confirmed: true });
  return message({ text: `${reply.text} (confirmed by <@${userId}>)` }, UPDATE_MESSAGE);
}
