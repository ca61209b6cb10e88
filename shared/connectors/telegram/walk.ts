/**
 * One step of a chat's walk: messages read oldest first (GramJS `getMessages(chat, {reverse:
 * true, minId | offsetDate, limit})`, which asks Telegram for the messages just above an id or
 * a date, so a read returns only what lies above its start), cut into calendar days, of which only
 * complete ones become documents. A day is complete once a message of a later day was read, or
 * the chat's newest message was (a read returned fewer messages than asked): ids, and dates with
 * them, only grow within a chat. The newest, open day is carried to the next read instead of
 * being indexed half.
 *
 * Where a walk starts (./chat-pass.ts decides):
 * - a full walk: at the chat's first message;
 * - an incremental walk whose chat had messages inside the edit window: at the start of the
 *   window's first day, so every message of the window is read again (edits keep their ids:
 *   only reading them again shows an `editDate`, or that one is gone);
 * - an incremental walk whose chat had none: just above the chat's position (the highest id
 *   indexed), so it reads only the new messages — and, when the first of them falls on the
 *   position's own day, that day's older messages too, so the day is indexed whole.
 */

import type { ChatMessage, DayGroup } from './documents.ts';
import { dayOfMessage } from './documents.ts';

export interface WalkStep {
  /** Complete days, oldest first (messages oldest first). */
  readonly days: DayGroup[];
  /** Messages of the newest day read, not complete yet: the next read continues above them. */
  readonly open: ChatMessage[];
  /** The chat's newest message was read. */
  readonly finished: boolean;
}

/**
 * Cuts `buffer` (the carried open day, then what was just read; oldest first) into complete
 * days. `exhausted`: the read returned fewer messages than asked, so nothing newer exists.
 */
export function stepWalk(buffer: readonly ChatMessage[], exhausted: boolean, timezone: string): WalkStep {
  const groups: Array<{ day: string; messages: ChatMessage[] }> = [];
  for (const message of buffer) {
    const day = dayOfMessage(message, timezone);
    const last = groups.at(-1);
    if (last?.day === day) last.messages.push(message);
    else groups.push({ day, messages: [message] });
  }
  if (exhausted) return { days: groups, open: [], finished: true };
  const open = groups.pop();
  return { days: groups, open: open?.messages ?? [], finished: false };
}
