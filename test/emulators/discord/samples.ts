/**
 * Field sets of payloads Discord actually sent (captures found with the search tools), which the
 * emulator's test holds its output to. Only field names are recorded. `omit`: sample fields the
 * emulator leaves out, with the reason; `extra`: fields the emulator adds, with the reason.
 *
 * Captures (search-index file ids, as read with read_file):
 * - H25 = id 13960321075: a REST channel history pasted into a Python script, January 2025 —
 *   a reply (19) with `referenced_message`, a message with a thread (flags 32, `thread`), a
 *   THREAD_CREATED (18) notice.
 * - R23 = id 43175563684: REST history of a reply (2023 message, fetched 2025), with `collectibles`.
 * - I26 = id 66433801627: an interaction payload from Discord (Zig library test "parse real
 *   component interaction payload from discord", 2026); its `message` is a type 20 response.
 * - G26 = id 62463828614: Gateway MESSAGE_CREATE frames (a person, a GitHub webhook) from an
 *   end-to-end test of a Discord bridge, 2026.
 * - G24 = id 509577993: READY and GUILD_CREATE frames in an OCaml library's expect tests, 2024.
 * - DOCS = discord/discord-api-docs (resources/message, resources/channel, events/gateway-events).
 */

export interface Sample {
  readonly source: string;
  readonly keys: readonly string[];
  readonly omit?: readonly string[];
  readonly extra?: readonly string[];
}

const REST_MESSAGE_CORE = ['type', 'content', 'mentions', 'mention_roles', 'attachments', 'embeds', 'timestamp', 'edited_timestamp', 'flags', 'components', 'id', 'channel_id', 'author', 'pinned', 'mention_everyone', 'tts'];

/**
 * H25's channel is a voice channel's text chat (its thread carries bitrate/user_limit/rtc_region,
 * copied from the parent), and its messages carry `position`; the emulator adds `position` only in
 * threads (docs: "position of the message in a thread"), hence the `omit`s below.
 */
export const REST = {
  /** A person's message in a text channel. */
  message: { source: 'H25 (first two messages)', keys: REST_MESSAGE_CORE },
  reply: {
    source: 'H25 message 1330120228889296967 (type 19)', keys: [...REST_MESSAGE_CORE, 'message_reference', 'position', 'referenced_message'],
    omit: ['position'],
  },
  /** The message a thread was started from. */
  withThread: { source: 'H25 message 1330049099361419264 (flags 32)', keys: [...REST_MESSAGE_CORE, 'thread'] },
  threadCreated: {
    source: 'H25 message 1330077891303571563 (type 18)', keys: [...REST_MESSAGE_CORE, 'message_reference', 'position'],
    omit: ['position'],
  },
  /** The referenced message nested in a reply. */
  referenced: { source: 'H25 referenced_message of 1330120228889296967', keys: REST_MESSAGE_CORE },
  appResponse: {
    source: 'I26 `message` (type 20)',
    keys: ['webhook_id', 'type', 'tts', 'timestamp', 'pinned', 'mentions', 'mention_roles', 'mention_everyone', 'interaction_metadata', 'interaction', 'id', 'flags', 'embeds', 'edited_timestamp', 'content', 'components', 'channel_id', 'author', 'attachments', 'application_id'],
  },
  interactionMetadata: { source: 'I26 message.interaction_metadata', keys: ['user', 'type', 'name', 'id', 'command_type', 'authorizing_integration_owners'] },
  interaction: { source: 'I26 message.interaction', keys: ['user', 'type', 'name', 'id'] },
  user: {
    source: 'R23 author',
    keys: ['id', 'username', 'avatar', 'discriminator', 'public_flags', 'flags', 'banner', 'accent_color', 'global_name', 'avatar_decoration_data', 'collectibles', 'banner_color', 'clan', 'primary_guild'],
  },
  thread: {
    source: 'H25 thread of 1330049099361419264',
    keys: ['id', 'type', 'last_message_id', 'flags', 'guild_id', 'name', 'parent_id', 'rate_limit_per_user', 'bitrate', 'user_limit', 'rtc_region', 'owner_id', 'thread_metadata', 'message_count', 'member_count', 'total_message_sent', 'member_ids_preview'],
    omit: ['bitrate', 'user_limit', 'rtc_region'],
  },
  threadMetadata: { source: 'H25 thread_metadata', keys: ['archived', 'archive_timestamp', 'auto_archive_duration', 'locked', 'create_timestamp'] },
  messageReference: { source: 'H25 reply message_reference', keys: ['type', 'channel_id', 'message_id', 'guild_id'] },
  threadCreatedReference: { source: 'H25 type 18 message_reference', keys: ['type', 'channel_id', 'guild_id'] },
} satisfies Record<string, Sample>;

export const GATEWAY = {
  messageCreate: {
    source: 'G26 MESSAGE_CREATE by a person',
    keys: ['type', 'tts', 'timestamp', 'pinned', 'nonce', 'mentions', 'mention_roles', 'mention_everyone', 'member', 'id', 'flags', 'embeds', 'edited_timestamp', 'content', 'components', 'channel_type', 'channel_id', 'author', 'attachments', 'guild_id'],
    omit: ['nonce'],
  },
  webhookMessageCreate: {
    source: 'G26 MESSAGE_CREATE by the GitHub webhook (no member)',
    keys: ['webhook_id', 'type', 'tts', 'timestamp', 'pinned', 'mentions', 'mention_roles', 'mention_everyone', 'id', 'flags', 'embeds', 'edited_timestamp', 'content', 'components', 'channel_type', 'channel_id', 'author', 'attachments', 'guild_id'],
  },
  author: {
    source: 'G26 author of the person\'s message',
    keys: ['username', 'public_flags', 'primary_guild', 'id', 'global_name', 'display_name_styles', 'discriminator', 'collectibles', 'clan', 'avatar_decoration_data', 'avatar'],
  },
  webhookAuthor: { source: 'G26 author of the webhook message', keys: ['username', 'id', 'global_name', 'discriminator', 'bot', 'avatar'] },
  member: {
    source: 'G26 member of the person\'s message',
    keys: ['roles', 'premium_since', 'pending', 'nick', 'mute', 'joined_at', 'flags', 'deaf', 'communication_disabled_until', 'banner', 'avatar'],
  },
  hello: { source: 'G24 Hello', keys: ['heartbeat_interval', '_trace'] },
  ready: {
    source: 'G24 READY',
    keys: ['v', 'user_settings', 'user', 'session_type', 'session_id', 'resume_gateway_url', 'relationships', 'private_channels', 'presences', 'guilds', 'guild_join_requests', 'geo_ordered_rtc_regions', 'game_relationships', 'auth', 'application', '_trace'],
  },
  readyUser: { source: 'G24 READY user', keys: ['verified', 'username', 'primary_guild', 'mfa_enabled', 'id', 'global_name', 'flags', 'email', 'discriminator', 'clan', 'bot', 'avatar'] },
  readyApplication: { source: 'G24 READY application', keys: ['id', 'flags'], extra: ['flags_new'] },
  guildCreateExtra: {
    source: 'DOCS gateway-events#guild-create "Guild Create Extra Fields" (all present in G24)',
    keys: ['joined_at', 'large', 'unavailable', 'member_count', 'voice_states', 'members', 'channels', 'threads', 'presences', 'stage_instances', 'guild_scheduled_events', 'soundboard_sounds'],
  },
  guildCreateTextChannel: {
    source: 'G24 GUILD_CREATE channel "general" (no guild_id)',
    keys: ['version', 'type', 'topic', 'rate_limit_per_user', 'position', 'permission_overwrites', 'parent_id', 'name', 'last_pin_timestamp', 'last_message_id', 'id', 'icon_emoji', 'flags'],
    omit: ['version', 'icon_emoji', 'last_pin_timestamp'],
    extra: ['nsfw'],
  },
  role: {
    source: 'G24 GUILD_CREATE roles[1] (the bot\'s managed role)',
    keys: ['version', 'unicode_emoji', 'tags', 'position', 'permissions', 'name', 'mentionable', 'managed', 'id', 'icon', 'hoist', 'flags', 'colors', 'color'],
    omit: ['version'],
  },
  guildMember: {
    source: 'G24 GUILD_CREATE members[0]',
    keys: ['user', 'roles', 'premium_since', 'pending', 'nick', 'mute', 'joined_at', 'flags', 'deaf', 'communication_disabled_until', 'banner', 'avatar'],
  },
} satisfies Record<string, Sample>;

export const expectedKeys = (s: Sample): string[] => [...s.keys.filter((k) => !s.omit?.includes(k)), ...(s.extra ?? [])].sort();
