/**
 * The fields of Discord's REST objects this connector reads, validated with zod (loose objects:
 * Discord adds fields all the time). Shapes from discord-api-types/v10 and the API reference
 * (resources/message, resources/channel, resources/guild, resources/application); a body that
 * does not match fails the request with the first bad field named, instead of indexing garbage.
 */
import { z } from 'zod';

const id = z.string().regex(/^\d{1,20}$/);
/** Permission bit sets travel as decimal strings. */
const bits = z.string().regex(/^\d+$/);

export const userSchema = z.looseObject({
  id,
  username: z.string(),
  global_name: z.string().nullish(),
  bot: z.boolean().optional(),
  system: z.boolean().optional(),
});

export const attachmentSchema = z.looseObject({ id, filename: z.string(), title: z.string().optional() });
export const embedSchema = z.looseObject({ title: z.string().optional(), description: z.string().optional() });

const baseMessage = {
  id,
  channel_id: id,
  type: z.number().int(),
  author: userSchema,
  content: z.string(),
  timestamp: z.string(),
  edited_timestamp: z.string().nullable(),
  flags: z.number().int().optional(),
  mentions: z.array(userSchema).default([]),
  attachments: z.array(attachmentSchema).default([]),
  embeds: z.array(embedSchema).default([]),
  sticker_items: z.array(z.looseObject({ name: z.string() })).optional(),
  webhook_id: id.optional(),
  application_id: id.optional(),
  message_reference: z.looseObject({ message_id: id.optional(), channel_id: id.optional() }).optional(),
};

/** A message one level deep (the `referenced_message` of a reply or a thread's starter). */
export const referencedMessageSchema = z.looseObject(baseMessage);
export type DiscordBaseMessage = z.output<typeof referencedMessageSchema>;

export const messageSchema = z.looseObject({
  ...baseMessage,
  referenced_message: referencedMessageSchema.nullish(),
});
export type DiscordMessage = z.output<typeof messageSchema>;

export const overwriteSchema = z.looseObject({
  id,
  type: z.union([z.literal(0), z.literal(1)]),
  allow: bits,
  deny: bits,
});
export type DiscordOverwrite = z.output<typeof overwriteSchema>;

export const threadMetadataSchema = z.looseObject({
  archived: z.boolean(),
  archive_timestamp: z.string(),
  locked: z.boolean().optional(),
});

export const channelSchema = z.looseObject({
  id,
  type: z.number().int(),
  guild_id: id.optional(),
  name: z.string().nullish(),
  parent_id: id.nullish(),
  last_message_id: id.nullish(),
  permission_overwrites: z.array(overwriteSchema).optional(),
  owner_id: id.optional(),
  thread_metadata: threadMetadataSchema.optional(),
  /** A thread's member object for the bot, when the bot has joined it. */
  member: z.looseObject({ user_id: id.optional() }).optional(),
});
export type DiscordChannel = z.output<typeof channelSchema>;

export const roleSchema = z.looseObject({ id, name: z.string(), permissions: bits, managed: z.boolean().optional() });
export type DiscordRole = z.output<typeof roleSchema>;

export const guildSchema = z.looseObject({ id, name: z.string(), owner_id: id, roles: z.array(roleSchema) });
export type DiscordGuild = z.output<typeof guildSchema>;

export const partialGuildSchema = z.looseObject({ id, name: z.string() });

export const memberSchema = z.looseObject({ user: z.looseObject({ id }).optional(), roles: z.array(id) });
export type DiscordMember = z.output<typeof memberSchema>;

/** Thread listings: the threads, the bot's thread member for each it joined, and (archived) whether more follow. */
export const threadListSchema = z.looseObject({
  threads: z.array(channelSchema),
  members: z.array(z.looseObject({ id: id.optional(), user_id: id.optional() })).default([]),
  has_more: z.boolean().optional(),
});

export const threadMemberSchema = z.looseObject({ user_id: id.optional(), id: id.optional() });

export const applicationSchema = z.looseObject({
  id,
  flags: z.number().int().default(0),
  bot: z.looseObject({ id }).optional(),
});

export const currentUserSchema = z.looseObject({ id });
