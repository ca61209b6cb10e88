/**
 * Key sequences of real Telegram Desktop exports found in public repositories (each written by
 * tdesktop, so the key order is the serializer's), pinned so the generator is checked against
 * captures rather than against itself. Excerpts, not whole files:
 *
 * - SUPERGROUP_REPLY: a supergroup message with a mention_name entity, 2022 (a Python
 *   chat-analysis tool quoting its own export: from "c0ldbru", from_id "user1927162607",
 *   reply_to_message_id 363176, text array with {"type": "mention_name", "user_id": 1898901504}).
 * - CHANNEL_POST_EDITED: a channel post with a skipped photo and an edit, 2023 ("TR Facts Deals",
 *   from_id "channel1487851422", author ".", photo "(File not included. …)", edited/edited_unixtime).
 *   Older tdesktop: no photo_file_size yet.
 * - PHOTO_2026: a personal-chat photo message, 2026, with photo_file_size (a chat-backup tool's
 *   test fixture, "photos/photo_127@26-03-2026_13-59-35.jpg").
 * - CREATE_GROUP: a create_group service message with members (a blog post's quoted export).
 * - STICKER_2022: a sticker ("media_type": "sticker", "sticker_emoji") from RobiMez/wttm
 *   src/routes/+page.server.ts (older tdesktop: no file_name/file_size/mime_type for stickers).
 * - ACCOUNT: a full-account export's top level ("about", "personal_information", "chats" with
 *   "about" "This page lists all chats from this export." and "list"), from the same backup
 *   tool's fixture.
 * The writer itself: tdesktop Telegram/SourceFiles/export/output/export_output_json.cpp.
 */

export const CAPTURED_EXPORT_KEYS = {
  SUPERGROUP_REPLY: ['id', 'type', 'date', 'date_unixtime', 'from', 'from_id', 'reply_to_message_id', 'text', 'text_entities'],
  CHANNEL_POST_EDITED: ['id', 'type', 'date', 'date_unixtime', 'edited', 'edited_unixtime', 'from', 'from_id', 'author', 'photo', 'width', 'height', 'text', 'text_entities'],
  PHOTO_2026: ['id', 'type', 'date', 'date_unixtime', 'from', 'from_id', 'photo', 'photo_file_size', 'width', 'height', 'text', 'text_entities'],
  CREATE_GROUP: ['id', 'type', 'date', 'date_unixtime', 'actor', 'actor_id', 'action', 'title', 'members', 'text', 'text_entities'],
  STICKER_2022: ['id', 'type', 'date', 'date_unixtime', 'from', 'from_id', 'file', 'media_type', 'sticker_emoji', 'width', 'height', 'text'],
  ACCOUNT: ['about', 'personal_information', 'chats'],
  ACCOUNT_CHATS: ['about', 'list'],
  CHAT: ['name', 'type', 'id', 'messages'],
} as const;

/** The captured mention_name part, verbatim. */
export const CAPTURED_MENTION_NAME = { type: 'mention_name', text: 'b1n/<', user_id: 1898901504 };

/** The opening of a captured single-chat export (one space per level). */
export const CAPTURED_CHAT_OPENING = '{\n "name": ';

/** Keys of Bot API objects per the docs (core.telegram.org/bots/api) and Client.cpp JsonMessage. */
export const BOT_API_KEYS = {
  WEBHOOK_INFO_WITH_ERROR: ['url', 'has_custom_certificate', 'pending_update_count', 'last_error_date', 'last_error_message', 'max_connections', 'ip_address'],
  GET_ME: ['id', 'is_bot', 'first_name', 'username', 'can_join_groups', 'can_read_all_group_messages', 'supports_inline_queries', 'can_connect_to_business', 'has_main_web_app'],
} as const;
