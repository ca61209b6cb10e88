/**
 * Field sets of captured (or, where no capture was found, documented) Slack payloads, which the
 * emulator's test holds its output to. Only field names and the facts that tell posters apart
 * (subtype, which of user / bot_id / bot_profile are present) are recorded here, not whole
 * payloads. `omit` lists sample fields whose presence depends on the content of that one message
 * (an unfurl, attachments, a snippet preview), which the emulator leaves out; `extra` lists fields
 * the emulator adds that the sample lacks, with the reason.
 *
 * Sources (all read with the search tools; "capture" = a payload Slack actually sent):
 * - MW = MercuryTechnologies/slack-web, tests/golden/ (captures from a test workspace, 2022–2024).
 * - JP = an anonymised set of Events API captures with Japanese comments in a public repository
 *   (found by find_string '"subtype": "tombstone"'; file id 433964406 in the search index),
 *   January 2025: a message, its edit, a reply, its edit, the parent's deletion, the reply's
 *   deletion, a file share.
 * - DOCS = docs.slack.dev/reference/events/message/<subtype> example payloads (prose examples,
 *   used where no capture was found).
 */

export interface Sample {
  readonly source: string;
  /** The sample's field set (top level). */
  readonly keys: readonly string[];
  readonly omit?: readonly string[];
  readonly extra?: readonly string[];
}

/** Envelope fields every `event_callback` delivery carries. */
export const ENVELOPE: Sample = {
  source: 'MW SlackWebhookEvent/message_subtype_bot_message.json (2024 capture, with context_* fields)',
  keys: ['token', 'team_id', 'context_team_id', 'context_enterprise_id', 'api_app_id', 'event', 'type', 'event_id', 'event_time', 'authorizations', 'is_ext_shared_channel', 'event_context'],
};

export const AUTHORIZATION: Sample = {
  source: 'MW SlackWebhookEvent/botMessage.json',
  keys: ['enterprise_id', 'team_id', 'user_id', 'is_bot', 'is_enterprise_install'],
};

/** Events API `message` events, one per kind of poster. */
export const EVENTS = {
  person: { source: 'MW SlackWebhookEvent/messageExample.json', keys: ['client_msg_id', 'type', 'text', 'user', 'ts', 'team', 'blocks', 'channel', 'event_ts', 'channel_type'] },
  personReply: { source: 'JP message_in_thread', keys: ['user', 'type', 'ts', 'client_msg_id', 'text', 'team', 'thread_ts', 'parent_user_id', 'blocks', 'channel', 'event_ts', 'channel_type'] },
  app: { source: 'MW SlackWebhookEvent/circleci.json (app post with its bot token, top level)', keys: ['bot_id', 'type', 'text', 'user', 'ts', 'app_id', 'blocks', 'team', 'bot_profile', 'channel', 'event_ts', 'channel_type'] },
  appReply: {
    source: 'MW SlackWebhookEvent/botMessage.json (app reply in a thread)',
    keys: ['bot_id', 'type', 'text', 'user', 'ts', 'app_id', 'team', 'bot_profile', 'blocks', 'thread_ts', 'parent_user_id', 'channel', 'event_ts', 'channel_type'],
  },
  legacyBot: {
    source: 'DOCS bot_message (legacy integration); slackapi/java-slack-sdk json-logs/samples/events/MessageBotPayload.json for channel/event_ts/channel_type',
    keys: ['type', 'subtype', 'ts', 'text', 'bot_id', 'username', 'icons', 'channel', 'event_ts', 'channel_type'],
  },
  webhook: {
    source: 'RTM capture of an Incoming WebHooks post (2020) kept in a public repository (find_string \'"subtype": "bot_message", "text": "\')',
    keys: ['type', 'subtype', 'text', 'suppress_notification', 'username', 'icons', 'bot_id', 'team', 'bot_profile', 'attachments', 'channel', 'event_ts', 'ts'],
    omit: ['suppress_notification', 'attachments'],
    extra: ['channel_type'],
  },
  workflow: {
    source: 'saltstack/salt tests/pytests/unit/engines/test_slack_bolt_engine.py (workflow post of issue #68105, 2025)',
    keys: ['subtype', 'text', 'username', 'type', 'ts', 'bot_id', 'app_id', 'channel', 'event_ts', 'channel_type'],
  },
  fileShare: {
    source: 'MW SlackWebhookEvent/message_file_share.json; JP file_share_message',
    keys: ['type', 'text', 'files', 'upload', 'user', 'display_as_bot', 'ts', 'blocks', 'client_msg_id', 'channel', 'subtype', 'event_ts', 'channel_type'],
  },
  channelJoin: { source: 'MW SlackWebhookEvent/joinChannel.json', keys: ['type', 'subtype', 'ts', 'user', 'text', 'inviter', 'channel', 'event_ts', 'channel_type'] },
  channelLeave: { source: 'DOCS channel_leave', keys: ['type', 'subtype', 'ts', 'user', 'text'], extra: ['channel', 'event_ts', 'channel_type'] },
  meMessage: { source: 'DOCS me_message', keys: ['type', 'subtype', 'channel', 'user', 'text', 'ts'], extra: ['event_ts', 'channel_type'] },
  channelTopic: {
    source: 'slackapi/node-slack-sdk packages/types/src/events/message.ts ChannelTopicMessageEvent',
    keys: ['type', 'subtype', 'user', 'channel', 'channel_type', 'text', 'topic', 'ts', 'event_ts'],
  },
  channelName: { source: 'DOCS channel_name', keys: ['type', 'subtype', 'ts', 'user', 'old_name', 'name', 'text'], extra: ['channel', 'event_ts', 'channel_type'] },
  threadBroadcast: {
    source: 'DOCS thread_broadcast',
    keys: ['type', 'subtype', 'text', 'user', 'ts', 'thread_ts', 'root', 'blocks', 'client_msg_id', 'channel', 'event_ts', 'channel_type'],
    extra: ['team'],
  },
  messageChanged: { source: 'MW SlackWebhookEvent/messageChange.json; JP message_changed', keys: ['type', 'subtype', 'message', 'previous_message', 'channel', 'hidden', 'ts', 'event_ts', 'channel_type'] },
  messageDeleted: { source: 'MW SlackWebhookEvent/message_deleted.json', keys: ['type', 'subtype', 'hidden', 'channel', 'previous_message', 'deleted_ts', 'ts', 'event_ts', 'channel_type'] },
} satisfies Record<string, Sample>;

export const NESTED = {
  botProfile: { source: 'MW SlackWebhookEvent/botMessage.json bot_profile', keys: ['id', 'deleted', 'name', 'updated', 'app_id', 'icons', 'team_id'] },
  botIcons: { source: 'MW SlackWebhookEvent/botMessage.json bot_profile.icons', keys: ['image_36', 'image_48', 'image_72'] },
  file: {
    source: 'MW SlackWebhookEvent/message_file_share.json files[0]',
    keys: [
      'id', 'created', 'timestamp', 'name', 'title', 'mimetype', 'filetype', 'pretty_type', 'user', 'user_team', 'editable', 'size', 'mode',
      'is_external', 'external_type', 'is_public', 'public_url_shared', 'display_as_bot', 'username', 'url_private', 'url_private_download',
      'permalink', 'permalink_public', 'edit_link', 'preview', 'preview_highlight', 'lines', 'lines_more', 'preview_is_truncated', 'has_rich_preview', 'file_access',
    ],
    omit: ['edit_link', 'preview', 'preview_highlight', 'lines', 'lines_more', 'preview_is_truncated'],
  },
  broadcastRoot: {
    source: 'DOCS thread_broadcast root',
    keys: ['client_msg_id', 'type', 'text', 'user', 'ts', 'blocks', 'team', 'thread_ts', 'reply_count', 'reply_users_count', 'latest_reply', 'reply_users', 'is_locked'],
  },
  /** `message` of a person's edit. */
  editedMessage: { source: 'JP message_changed.message', keys: ['user', 'type', 'edited', 'client_msg_id', 'text', 'team', 'blocks', 'ts', 'source_team', 'user_team'] },
  editedPrevious: { source: 'JP message_changed.previous_message', keys: ['user', 'type', 'ts', 'client_msg_id', 'text', 'team', 'blocks'] },
  editedReply: {
    source: 'JP message_in_thread_changed.message',
    keys: ['user', 'type', 'edited', 'client_msg_id', 'text', 'team', 'thread_ts', 'parent_user_id', 'blocks', 'ts', 'source_team', 'user_team'],
  },
  /** `message` of the message_changed that announces a deleted parent with replies. */
  tombstoneEvent: {
    source: 'JP thread_root_message_deleted.message',
    keys: ['subtype', 'text', 'user', 'hidden', 'type', 'thread_ts', 'reply_count', 'reply_users_count', 'latest_reply', 'reply_users', 'is_locked', 'ts'],
  },
  /** `previous_message` of that event: the parent as it was, with its thread fields. */
  tombstonePrevious: {
    source: 'JP thread_root_message_deleted.previous_message',
    keys: ['user', 'type', 'ts', 'edited', 'client_msg_id', 'text', 'team', 'thread_ts', 'reply_count', 'reply_users_count', 'latest_reply', 'reply_users', 'is_locked', 'subscribed', 'last_read', 'blocks'],
    // `subscribed`/`last_read` describe the reading user (the capture came with a user token).
    omit: ['subscribed', 'last_read'],
  },
  /** A tombstone as conversations.history / conversations.replies return it. */
  tombstoneRead: {
    source: 'hackclub/toriel#238 (object read back from the API); slack-edge/slack-edge#10',
    keys: ['subtype', 'text', 'user', 'hidden', 'type', 'ts', 'thread_ts', 'parent_user_id', 'reply_count', 'reply_users_count', 'latest_reply', 'reply_users', 'is_locked', 'subscribed'],
  },
  /** The reply's deletion (a reply has no thread fields of its own). */
  deletedReplyPrevious: {
    source: 'JP message_in_thread_deleted.previous_message',
    keys: ['user', 'type', 'ts', 'edited', 'client_msg_id', 'text', 'team', 'thread_ts', 'parent_user_id', 'blocks'],
  },
} satisfies Record<string, Sample>;

/** Web API answers: the emulator's fields must be a subset of these (java-slack-sdk samples are unions of everything seen). */
export const API = {
  authTest: { source: 'slackapi/java-slack-sdk json-logs/samples/api/auth.test.json', keys: ['ok', 'url', 'team', 'user', 'team_id', 'user_id', 'bot_id', 'is_enterprise_install', 'error', 'warning', 'needed', 'provided', 'enterprise_id', 'app_name', 'app_id', 'expires_in'] },
  botsInfo: { source: 'slackapi/java-slack-sdk json-logs/samples/api/bots.info.json bot', keys: ['id', 'deleted', 'name', 'updated', 'app_id', 'user_id', 'icons'] },
  history: { source: 'slackapi/java-slack-sdk json-logs/samples/api/conversations.history.json', keys: ['ok', 'messages', 'has_more', 'pin_count', 'channel_actions_ts', 'channel_actions_count', 'response_metadata', 'error', 'needed', 'provided', 'oldest', 'latest'] },
  replies: { source: 'slackapi/java-slack-sdk json-logs/samples/api/conversations.replies.json', keys: ['messages', 'has_more', 'ok', 'response_metadata', 'error', 'needed', 'provided'] },
  members: { source: 'MW MembersRsp/test.json', keys: ['ok', 'members', 'response_metadata'] },
  userProfile: {
    source: 'slackapi/java-slack-sdk json-logs/samples/api/users.info.json user.profile',
    keys: ['title', 'phone', 'skype', 'real_name', 'real_name_normalized', 'display_name', 'display_name_normalized', 'status_text', 'status_emoji', 'status_expiration', 'avatar_hash', 'api_app_id', 'always_active', 'bot_id', 'image_24', 'image_32', 'image_48', 'image_72', 'image_192', 'image_512', 'status_text_canonical', 'team', 'image_original', 'is_custom_image', 'email', 'first_name', 'last_name', 'image_1024'],
  },
  user: {
    source: 'slackapi/java-slack-sdk json-logs/samples/api/users.info.json user',
    keys: ['id', 'team_id', 'name', 'deleted', 'color', 'real_name', 'tz', 'tz_label', 'tz_offset', 'profile', 'is_admin', 'is_owner', 'is_primary_owner', 'is_restricted', 'is_ultra_restricted', 'is_bot', 'is_app_user', 'updated', 'locale', 'has_2fa', 'is_email_confirmed', 'enterprise_user', 'is_stranger', 'who_can_share_contact_card', 'is_workflow_bot', 'is_invited_user', 'is_connector_bot', 'teams', 'enterprise_id', 'enterprise_name'],
  },
} satisfies Record<string, Sample>;
