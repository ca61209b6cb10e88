/**
 * The emulator's stored records (what Discord would keep), separate from their wire shapes
 * (shapes.ts). Everything a test seeds or mutates lives here; REST views and Gateway dispatches
 * are rendered from these records on demand.
 */

import type { APIAttachment, APIEmbed, APIMessageTopLevelComponent, APIStickerItem, ChannelType, MessageType } from 'discord-api-types/v10';

export interface UserRecord {
  id: string;
  username: string;
  globalName: string | null;
  discriminator: string;
  avatar: string | null;
  bot: boolean;
  /** Discord's own system user (`system: true`). */
  system: boolean;
  publicFlags: number;
}

/** The author of a webhook message: the webhook's id, name and avatar (docs: message author [1]). */
export interface WebhookAuthor {
  id: string;
  username: string;
  avatar: string | null;
  /** Set for application-owned webhooks. */
  applicationId?: string;
}

export interface RoleRecord {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
  color: number;
  hoist: boolean;
  managed: boolean;
  mentionable: boolean;
  /** For a bot's managed role. */
  botId?: string;
}

export interface MemberRecord {
  userId: string;
  roles: string[];
  nick: string | null;
  joinedAt: number;
}

export interface OverwriteRecord {
  id: string;
  /** 0 role, 1 member */
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

export interface ThreadState {
  archived: boolean;
  autoArchiveDuration: 60 | 1440 | 4320 | 10080;
  archiveTimestamp: number;
  locked: boolean;
  invitable?: boolean;
  createTimestamp: number;
  /** user id → join time */
  members: Map<string, number>;
  messageCount: number;
  totalMessageSent: number;
  appliedTags: string[];
}

export interface ForumTagRecord {
  id: string;
  name: string;
  moderated: boolean;
  emojiName: string | null;
}

export interface ChannelRecord {
  id: string;
  type: ChannelType;
  guildId?: string;
  name: string;
  position: number;
  parentId: string | null;
  topic: string | null;
  nsfw: boolean;
  overwrites: OverwriteRecord[];
  rateLimitPerUser: number;
  lastPinTimestamp: number | null;
  flags: number;
  /** Threads: the creator. */
  ownerId?: string;
  thread?: ThreadState;
  /** DMs: the other party. */
  recipientId?: string;
  /** Forum/media channels. */
  availableTags?: ForumTagRecord[];
  createdAt: number;
}

export interface MessageReferenceRecord {
  type?: 0 | 1;
  messageId?: string;
  channelId: string;
  guildId?: string;
}

export interface InteractionRecord {
  id: string;
  /** 2 application command, 3 message component (modal submits are not emulated) */
  type: 2 | 3;
  name: string;
  userId: string;
  /** 1 chat input, 2 user, 3 message (application commands only) */
  commandType?: 1 | 2 | 3;
  /** message components: the message the component was on */
  interactedMessageId?: string;
}

export interface MessageRecord {
  id: string;
  channelId: string;
  type: MessageType;
  /** A user id; unused when `webhook` is set. */
  authorId: string;
  /** The author shown for webhook messages. */
  webhook?: WebhookAuthor;
  /** `webhook_id`: the webhook, or the application for interaction responses. */
  webhookId?: string;
  applicationId?: string;
  content: string;
  embeds: APIEmbed[];
  attachments: APIAttachment[];
  components: APIMessageTopLevelComponent[];
  stickerItems: APIStickerItem[];
  mentionIds: string[];
  mentionRoleIds: string[];
  mentionEveryone: boolean;
  tts: boolean;
  pinned: boolean;
  flags: number;
  createdAt: number;
  editedAt: number | null;
  reference?: MessageReferenceRecord;
  interaction?: InteractionRecord;
  /** Messages in threads: approximate position (docs: Message `position`). */
  position?: number;
  nonce?: string;
  deleted: boolean;
}

export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  icon: string | null;
  description: string | null;
  features: string[];
  systemChannelId: string | null;
  roles: Map<string, RoleRecord>;
  members: Map<string, MemberRecord>;
  createdAt: number;
}

export interface ApplicationRecord {
  id: string;
  name: string;
  description: string;
  flags: number;
  ownerId: string;
}
