/**
 * Bot API object types, written from https://core.telegram.org/bots/api (Bot API 9.x) because
 * `@grammyjs/types` is not installed (node_modules/@grammyjs is absent). Only the objects the
 * emulator returns are typed; field comments quote the docs where the wording matters.
 */

export interface BotUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  /** getMe only. */
  can_join_groups?: boolean;
  /** getMe only: false while privacy mode is on (the BotFather default). */
  can_read_all_group_messages?: boolean;
  supports_inline_queries?: boolean;
  can_connect_to_business?: boolean;
  has_main_web_app?: boolean;
}

export interface BotChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
  is_forum?: true;
}

/** getChat's answer since Bot API 7.3 ("ChatFullInfo"). */
export interface BotChatFullInfo extends BotChat {
  /** "Identifier of the accent color for the chat name and backgrounds…" — always present. */
  accent_color_id: number;
  /** "The maximum number of reactions that can be set on a message in the chat" — always present. */
  max_reaction_count: number;
  accepted_gift_types: { unlimited_gifts: boolean; limited_gifts: boolean; unique_gifts: boolean; premium_subscription: boolean };
  description?: string;
  invite_link?: string;
  pinned_message?: BotMessage;
  linked_chat_id?: number;
}

export interface BotMessageEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  user?: BotUser;
  language?: string;
  custom_emoji_id?: string;
}

export interface PhotoSize {
  file_id: string;
  file_unique_id: string;
  width: number;
  height: number;
  file_size?: number;
}

export interface BotDocument {
  file_id: string;
  file_unique_id: string;
  thumbnail?: PhotoSize;
  file_name?: string;
  mime_type?: string;
  file_size?: number;
}

export interface BotVoice {
  file_id: string;
  file_unique_id: string;
  duration: number;
  mime_type?: string;
  file_size?: number;
}

export interface BotSticker {
  file_id: string;
  file_unique_id: string;
  type: 'regular' | 'mask' | 'custom_emoji';
  width: number;
  height: number;
  is_animated: boolean;
  is_video: boolean;
  thumbnail?: PhotoSize;
  emoji?: string;
  set_name?: string;
  file_size?: number;
}

export type MessageOrigin =
  | { type: 'user'; date: number; sender_user: BotUser }
  | { type: 'hidden_user'; date: number; sender_user_name: string }
  | { type: 'chat'; date: number; sender_chat: BotChat; author_signature?: string }
  | { type: 'channel'; date: number; chat: BotChat; message_id: number; author_signature?: string };

export interface TextQuote {
  text: string;
  entities?: BotMessageEntity[];
  position: number;
  is_manual?: true;
}

export interface ForumTopicCreated {
  name: string;
  icon_color: number;
  icon_custom_emoji_id?: string;
}

export interface BotMessage {
  message_id: number;
  message_thread_id?: number;
  from?: BotUser;
  sender_chat?: BotChat;
  date: number;
  chat: BotChat;
  is_topic_message?: true;
  forward_origin?: MessageOrigin;
  /** Pre-7.0 forward fields: no longer documented, still sent by the server (see bot-shapes.ts). */
  forward_from?: BotUser;
  forward_from_chat?: BotChat;
  forward_from_message_id?: number;
  forward_signature?: string;
  forward_sender_name?: string;
  forward_date?: number;
  reply_to_message?: BotMessage;
  quote?: TextQuote;
  via_bot?: BotUser;
  edit_date?: number;
  media_group_id?: string;
  author_signature?: string;
  text?: string;
  entities?: BotMessageEntity[];
  photo?: PhotoSize[];
  document?: BotDocument;
  voice?: BotVoice;
  sticker?: BotSticker;
  caption?: string;
  caption_entities?: BotMessageEntity[];
  new_chat_members?: BotUser[];
  /** Sent alongside new_chat_members for backward compatibility (first member only). */
  new_chat_member?: BotUser;
  new_chat_participant?: BotUser;
  left_chat_member?: BotUser;
  left_chat_participant?: BotUser;
  new_chat_title?: string;
  pinned_message?: BotMessage | { chat: BotChat; message_id: number; date: 0 };
  forum_topic_created?: ForumTopicCreated;
}

export type UpdateKind = 'message' | 'edited_message' | 'channel_post' | 'edited_channel_post';

export interface BotUpdate {
  update_id: number;
  message?: BotMessage;
  edited_message?: BotMessage;
  channel_post?: BotMessage;
  edited_channel_post?: BotMessage;
}

export interface WebhookInfo {
  url: string;
  has_custom_certificate: boolean;
  pending_update_count: number;
  ip_address?: string;
  last_error_date?: number;
  last_error_message?: string;
  last_synchronization_error_date?: number;
  max_connections?: number;
  allowed_updates?: string[];
}

export type BotResponse<T> =
  | { ok: true; result: T; description?: string }
  | { ok: false; error_code: number; description: string; parameters?: { retry_after?: number; migrate_to_chat_id?: number } };
