/**
 * Loopback emulator of Discord's API — REST v10 and the Gateway WebSocket — built from Discord's
 * developer docs (discord/discord-api-docs), the discord-api-types schema and captured payloads,
 * not from our connector. Each file under ./discord/ names, at its top, the source of every shape
 * and behaviour it produces; ./discord/samples.ts pins captured field sets and ./discord.test.ts
 * holds the emulator to them, and proves @discordjs/rest and @discordjs/ws work against it.
 *
 * - ./discord/snowflake.ts        snowflakes (Discord epoch << 22) and ISO timestamps
 * - ./discord/model.ts            stored records; ./discord/state.ts lookups, clock, change stream
 * - ./discord/permissions.ts      role + overwrite permission computation, thread inheritance
 * - ./discord/world.ts            seeding: users, guilds, roles, members, channels, DMs, app flags
 * - ./discord/messages.ts         posting each message kind, pins, joins, edits, deletes
 * - ./discord/threads.ts          threads from messages or not, forum posts, archive/lock/delete
 * - ./discord/shapes.ts           users, members, roles, guilds, channels, threads on the wire
 * - ./discord/message-shape.ts    message objects (REST and Gateway), the MESSAGE_CONTENT rule
 * - ./discord/errors.ts           JSON error bodies and query validation
 * - ./discord/ratelimit.ts        per-route buckets, global limit, 429s
 * - ./discord/rest.ts             HTTP routing, auth, request log; routes*.ts the endpoints
 * - ./discord/gateway*.ts         Hello/Heartbeat/Identify/Resume, sessions, dispatch, compression
 * - ./discord/server.ts           `DiscordEmulator.start()`: the handle tests hold
 *
 * Seeding and mutation: `addUser`, `addGuild`, `addRole`, `addMember`, `setBotRoles`, `addChannel`,
 * `addDm`, `updateChannel`, `post`, `postAsWebhook`, `postAppResponse`, `postSystem`, `pin`,
 * `memberJoin`, `edit`, `remove`, `bulkDelete`, `startThread`, `forumPost`, `updateThread`,
 * `deleteThread`, `addThreadMember`, `setApplicationFlags`, `setMessageContentIntent`,
 * `setRateLimits`, `injectRateLimit`; each mutation emits the Gateway events Discord would.
 */

export { DiscordEmulator, type DiscordEmulatorOptions } from './discord/server.ts';
export type { AppResponseInput, AttachmentInput, PostInput, WebhookPostInput } from './discord/messages.ts';
export { SYSTEM_USER_ID } from './discord/messages.ts';
export type { ArchiveDuration, ForumPostInput, ThreadInput } from './discord/threads.ts';
export { DEFAULT_EVERYONE_PERMISSIONS, type ChannelInput, type GuildInput, type OverwriteInput, type Permissions, type UserInput } from './discord/world.ts';
export type { BucketLimit, InjectedLimit, RateLimitConfig } from './discord/ratelimit.ts';
export type { RequestLogEntry } from './discord/rest.ts';
export type { ConnectionInfo } from './discord/gateway-session.ts';
export type { ChannelRecord, GuildRecord, MessageRecord, UserRecord } from './discord/model.ts';
export { snowflakeAt, snowflakeTime, isoTimestamp, DISCORD_EPOCH } from './discord/snowflake.ts';
