/**
 * One step of a chat's walk: messages read newest first (GramJS `getMessages(chat, {limit,
 * offsetId})`), cut into calendar days, of which only complete ones become documents — a day
 * is complete once a message of an earlier day (or the chat's first message) was read, since
 * ids, and dates with them, only grow within a chat. The open (oldest) day is carried to the
 * next read instead of being indexed half.
 *
 * Where a walk ends:
 * - a full walk reads to the chat's first message;
 * - an incremental walk reads the messages above the chat's position (the highest id it had
 *   indexed: new messages), then on down to the start of `floor` — the first day of the edit
 *   window, or of the oldest new message's day if that is earlier — so every day it indexes is
 *   whole, and every message of the edit window is compared again (edits keep their ids, so
 *   only reading them again shows an `editDate`, or that one is gone).
 */

import type { ChatMessage, DayGroup } from './documents.ts';
import { dayOfMessage } from './documents.ts';

export interface WalkLimits {
  /** Incremental walks: the chat's position. Absent: a full walk. */
  readonly maxId?: number | undefined;
  /** Incremental walks: the earliest day to rebuild so far (lowered by new messages). Absent: none yet. */
  readonly floor?: string | undefined;
  readonly timezone: string;
}

export interface WalkStep {
  /** Complete days, newest first. */
  readonly days: DayGroup[];
  /** Messages of the oldest day read, not complete yet (newest first): the next read continues below them. */
  readonly open: ChatMessage[];
  readonly finished: boolean;
  /** Finished at the chat's first message (everything was read), not at the floor. */
  readonly reachedStart: boolean;
  readonly floor: string | undefined;
}

/**
 * Cuts `buffer` (the carried open day, then what was just read; newest first) into complete
 * days. `exhausted`: the read returned fewer messages than asked, so the chat's first message
 * was reached.
 */
export function stepWalk(buffer: readonly ChatMessage[], exhausted: boolean, limits: WalkLimits): WalkStep {
  const incremental = limits.maxId !== undefined;
  let floor = limits.floor;
  const groups: Array<{ day: string; messages: ChatMessage[] }> = [];
  let finished = false;
  for (const message of buffer) {
    const day = dayOfMessage(message, limits.timezone);
    if (incremental) {
      if (message.id > limits.maxId!) {
        if (floor === undefined || day < floor) floor = day;
      } else if (floor === undefined || day < floor) {
        // Below the position and before the first day to rebuild: nothing further is needed.
        finished = true;
        break;
      }
    }
    const last = groups.at(-1);
    if (last?.day === day) last.messages.push(message);
    else groups.push({ day, messages: [message] });
  }
  if (finished || exhausted) return { days: groups, open: [], finished: true, reachedStart: !finished, floor };
  const open = groups.pop();
  return { days: groups, open: open?.messages ?? [], finished: false, reachedStart: false, floor };
}
