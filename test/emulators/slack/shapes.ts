/**
 * The message objects Slack stores and returns, one builder per kind of poster. Each builder makes
 * the object as `conversations.history` / `conversations.replies` return it; the Events API copy
 * adds `channel`, `event_ts` and `channel_type` (see events.ts). Captured samples beat prose, so
 * each shape follows the sample named beside it; `samples.ts` pins those field sets in a test.
 *
 * - person: MercuryTechnologies/slack-web tests/golden/SlackWebhookEvent/messageExample.json
 *   (client_msg_id, type, text, user, ts, team, blocks; no subtype, no bot fields).
 * - reply: same, plus `thread_ts` and `parent_user_id` (a captured thread reply in
 *   MercuryTechnologies/slack-web …/botMessage.json; a captured human reply quoted in a public
 *   test fixture, see samples.ts).
 * - app posting with its bot token (chat.postMessage with xoxb-): NO subtype; `bot_id`, `app_id`,
 *   `user` = the app's bot user, `team`, `bot_profile {id, deleted, name, updated, app_id, icons
 *   {image_36,image_48,image_72}, team_id}`, `blocks` — MercuryTechnologies/slack-web
 *   …/SlackWebhookEvent/botMessage.json, circleci.json, github_notification.json; and
 *   https://docs.slack.dev/reference/events/message/bot_message ("With current Slack apps … detect
 *   if a message was sent by a bot by the presence of the bot_id and bot_profile fields").
 *   An edit by the app stamps `edited.user` with the bot id (…/golden/UpdateRsp/actual.json).
 * - legacy integration bot: `subtype: "bot_message"`, `bot_id`, `username`, `icons`, no `user` —
 *   https://docs.slack.dev/reference/events/message/bot_message (the example payload).
 * - incoming webhook: `subtype: "bot_message"`, `bot_id`, `username`/`icons` overrides, `team`,
 *   `bot_profile` (name "incoming-webhook", app_id of the Incoming WebHooks app), no `user` — an
 *   RTM capture of an Incoming WebHooks post kept as a comment in a public repository (2020,
 *   found by `find_string` '"subtype": "bot_message", "text": "'); bot_message docs above.
 * - workflow (Workflow Builder): `subtype: "bot_message"`, `bot_id`, `app_id`, `username` = the
 *   workflow's name, no `user`, no `bot_profile` — saltstack/salt
 *   tests/pytests/unit/engines/test_slack_bolt_engine.py (regression test of issue #68105, a 2025
 *   workflow post); a Slack staff answer in slackapi/bolt-python#817 ("Messages from a workflow do
 *   contain the bot_message subtype").
 * - file share: `subtype: "file_share"`, `files[]`, `upload`, `display_as_bot`, `user`, `blocks`,
 *   `client_msg_id` — MercuryTechnologies/slack-web …/message_file_share.json (file object fields
 *   from the same capture). The docs page https://docs.slack.dev/reference/events/message/file_share
 *   shows no subtype, but both captures carry it; captures win.
 * - channel_join: `user`, `text` "<@U…> has joined the channel", `inviter` when invited —
 *   MercuryTechnologies/slack-web …/joinChannel.json; docs …/events/message/channel_join.
 * - channel_leave, channel_name (`old_name`, `name`), me_message: docs.slack.dev
 *   reference/events/message/{channel_leave,channel_name,me_message}.
 * - channel_topic (`topic`), channel_purpose (`purpose`): slackapi/node-slack-sdk
 *   packages/types/src/events/message.ts (ChannelTopicMessageEvent, ChannelPurposeMessageEvent).
 *   The exact wording of their `text` is not in a sample we found; ours is a plausible sentence.
 * - thread_broadcast: `subtype`, `thread_ts`, `root` (the parent with its thread fields) —
 *   https://docs.slack.dev/reference/events/message/thread_broadcast.
 * - parent thread fields (`thread_ts`, `reply_count`, `reply_users_count`, `latest_reply`,
 *   `reply_users`, `is_locked`, `subscribed`): the `previous_message` of a captured parent deletion
 *   (see samples.ts) and slackapi/java-slack-sdk json-logs/samples/api/conversations.replies.json.
 * - tombstone (a deleted parent that still has replies): `subtype: "tombstone"`, `text: "This
 *   message was deleted."`, `user: "USLACKBOT"`, `hidden: true`, `parent_user_id: "USLACKBOT"` plus
 *   the thread fields — hackclub/toriel#238 (object read back from the API), slack-edge/slack-edge#10.
 */

import { shortId, uuidFrom } from './util.ts';

/** A message object as Slack stores it (history/replies shape). */
export type Wire = Record<string, unknown>;

export interface EmulatedApp {
  /** `A…` */
  readonly appId: string;
  /** `B…`: the bot id of the app's bot user. */
  readonly botId: string;
  /** `U…`: the bot user the app posts as (`user` of its posts, `users.info` answers it). */
  readonly botUserId: string;
  readonly name: string;
  /** Epoch seconds of the bot profile's last change. @default 1663960005 */
  readonly updated?: number;
}

/** A legacy integration, incoming webhook or workflow: a bot without a bot user. */
export interface EmulatedIntegration {
  readonly botId: string;
  /** Incoming webhooks installed by an app, and workflows, name an app. */
  readonly appId?: string;
  readonly name: string;
}

export const SLACKBOT = 'USLACKBOT';
export const TOMBSTONE_TEXT = 'This message was deleted.';

const DEFAULT_ICONS = {
  image_36: 'https://a.slack-edge.com/80588/img/plugins/app/bot_36.png',
  image_48: 'https://a.slack-edge.com/80588/img/plugins/app/bot_48.png',
  image_72: 'https://a.slack-edge.com/80588/img/plugins/app/service_72.png',
};

/** The `rich_text` block Slack's clients (and chat.postMessage with only `text`) attach. */
export function richText(text: string, seed: string): Wire[] {
  return [{
    type: 'rich_text', block_id: shortId(`${seed}:${text}`, 4),
    elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text }] }],
  }];
}

/** Thread membership of a reply (the parent's author goes in `parent_user_id`). */
export interface ReplyOf {
  readonly threadTs: string;
  readonly parentUserId: string;
}

const replyFields = (reply: ReplyOf | undefined): Wire =>
  reply ? { thread_ts: reply.threadTs, parent_user_id: reply.parentUserId } : {};

export function personMessage(m: { user: string; text: string; ts: string; team: string; reply?: ReplyOf }): Wire {
  return {
    client_msg_id: uuidFrom(`${m.user}:${m.ts}`), type: 'message', text: m.text, user: m.user, ts: m.ts, team: m.team,
    ...replyFields(m.reply), blocks: richText(m.text, m.ts),
  };
}

export function botProfile(app: EmulatedApp, team: string): Wire {
  return { id: app.botId, deleted: false, name: app.name, updated: app.updated ?? 1663960005, app_id: app.appId, icons: { ...DEFAULT_ICONS }, team_id: team };
}

export function appMessage(m: { app: EmulatedApp; text: string; ts: string; team: string; reply?: ReplyOf }): Wire {
  return {
    bot_id: m.app.botId, type: 'message', text: m.text, user: m.app.botUserId, ts: m.ts, app_id: m.app.appId,
    blocks: richText(m.text, m.ts), team: m.team, bot_profile: botProfile(m.app, m.team), ...replyFields(m.reply),
  };
}

export function legacyBotMessage(m: { botId: string; username: string; text: string; ts: string; icons?: Record<string, string>; reply?: ReplyOf }): Wire {
  return { type: 'message', subtype: 'bot_message', ts: m.ts, text: m.text, bot_id: m.botId, username: m.username, icons: { ...m.icons }, ...replyFields(m.reply) };
}

export function webhookMessage(m: {
  hook: EmulatedIntegration; text: string; ts: string; team: string; username?: string; icons?: Record<string, string>; attachments?: Wire[];
}): Wire {
  return {
    type: 'message', subtype: 'bot_message', text: m.text,
    ...(m.username !== undefined ? { username: m.username } : {}), ...(m.icons !== undefined ? { icons: { ...m.icons } } : {}),
    bot_id: m.hook.botId, team: m.team,
    bot_profile: {
      id: m.hook.botId, deleted: false, name: m.hook.name, updated: 1446819626, app_id: m.hook.appId ?? 'A0F7XDUAZ',
      icons: { ...DEFAULT_ICONS }, team_id: m.team,
    },
    ...(m.attachments !== undefined ? { attachments: m.attachments } : {}), ts: m.ts,
  };
}

export function workflowMessage(m: { workflow: EmulatedIntegration; text: string; ts: string }): Wire {
  return {
    subtype: 'bot_message', text: m.text, username: m.workflow.name, type: 'message', ts: m.ts, bot_id: m.workflow.botId,
    ...(m.workflow.appId !== undefined ? { app_id: m.workflow.appId } : {}),
  };
}

export interface EmulatedFile {
  readonly id: string;
  readonly name: string;
  readonly title?: string;
  readonly mimetype?: string;
  readonly filetype?: string;
  readonly prettyType?: string;
  readonly size?: number;
}

export function fileObject(f: EmulatedFile, owner: string, team: string, createdSeconds: number): Wire {
  const base = `https://files.slack.com/files-pri/${team}-${f.id}`;
  return {
    id: f.id, created: createdSeconds, timestamp: createdSeconds, name: f.name, title: f.title ?? f.name,
    mimetype: f.mimetype ?? 'text/plain', filetype: f.filetype ?? 'text', pretty_type: f.prettyType ?? 'Plain Text',
    user: owner, user_team: team, editable: false, size: f.size ?? 12, mode: 'hosted', is_external: false, external_type: '',
    is_public: false, public_url_shared: false, display_as_bot: false, username: '',
    url_private: `${base}/${f.name}`, url_private_download: `${base}/download/${f.name}`,
    permalink: `https://emulated.slack.com/files/${owner}/${f.id}/${f.name}`,
    permalink_public: `https://slack-files.com/${team}-${f.id}-${shortId(f.id, 10).toLowerCase()}`,
    has_rich_preview: false, file_access: 'visible',
  };
}

export function fileShareMessage(m: { user: string; text: string; ts: string; team: string; files: Wire[]; reply?: ReplyOf }): Wire {
  return {
    type: 'message', text: m.text, files: m.files, upload: true, user: m.user, display_as_bot: false, ...replyFields(m.reply),
    ts: m.ts, blocks: richText(m.text, m.ts), client_msg_id: uuidFrom(`${m.user}:${m.ts}`), subtype: 'file_share',
  };
}

export function channelJoin(m: { user: string; ts: string; inviter?: string }): Wire {
  return {
    type: 'message', subtype: 'channel_join', ts: m.ts, user: m.user, text: `<@${m.user}> has joined the channel`,
    ...(m.inviter !== undefined ? { inviter: m.inviter } : {}),
  };
}

export function channelLeave(m: { user: string; ts: string }): Wire {
  return { type: 'message', subtype: 'channel_leave', ts: m.ts, user: m.user, text: `<@${m.user}> has left the channel` };
}

export function meMessage(m: { user: string; text: string; ts: string }): Wire {
  return { type: 'message', subtype: 'me_message', user: m.user, text: m.text, ts: m.ts };
}

export function channelTopic(m: { user: string; topic: string; ts: string }): Wire {
  return { type: 'message', subtype: 'channel_topic', user: m.user, text: `<@${m.user}> set the channel topic: ${m.topic}`, topic: m.topic, ts: m.ts };
}

export function channelPurpose(m: { user: string; purpose: string; ts: string }): Wire {
  return { type: 'message', subtype: 'channel_purpose', user: m.user, text: `<@${m.user}> set the channel purpose: ${m.purpose}`, purpose: m.purpose, ts: m.ts };
}

export function channelName(m: { user: string; oldName: string; name: string; ts: string }): Wire {
  return {
    type: 'message', subtype: 'channel_name', ts: m.ts, user: m.user, old_name: m.oldName, name: m.name,
    text: `<@${m.user}> has renamed the channel from "${m.oldName}" to "${m.name}"`,
  };
}

/** A thread broadcast: the reply as it also shows in the channel (`root` is added when read). */
export function asBroadcast(reply: Wire): Wire {
  const { parent_user_id: _parent, ...rest } = reply;
  return { ...rest, subtype: 'thread_broadcast' };
}

export function tombstone(ts: string): Wire {
  return { subtype: 'tombstone', text: TOMBSTONE_TEXT, user: SLACKBOT, hidden: true, type: 'message', ts, thread_ts: ts, parent_user_id: SLACKBOT };
}

/** Who stamps `edited.user`, and who `reply_users` / `parent_user_id` name. */
export function authorOf(m: Wire): string {
  return (m['user'] as string | undefined) ?? (m['bot_id'] as string | undefined) ?? SLACKBOT;
}

/** `edited.user` of an edit: a person's user id; a bot's bot id (…/golden/UpdateRsp/actual.json). */
export function editorOf(m: Wire): string {
  return (m['bot_id'] as string | undefined) ?? (m['user'] as string | undefined) ?? SLACKBOT;
}
