/**
 * Which messages of one conversations.history page a pass reads, named by their thread root.
 * History is newest first and holds top-level messages plus the channel copies of broadcast
 * replies (`thread_broadcast`, "Also send to #channel"); other replies are only in
 * conversations.replies, so their edits are invisible here (docs/sources/slack.md, Limits).
 * Pure: the connector reads what these functions pick.
 */

import { compareTs, type SlackMessage } from './messages.ts';

/** A thread root a page names: its ts, and the root itself when history listed it. */
export interface PickedRoot {
  readonly ts: string;
  /** Absent when only a broadcast reply named the thread (its parent is not on this page). */
  readonly message?: SlackMessage;
}

/** Not a reply: replies live in their thread's document (a broadcast reply too, though history shows it). */
export function isTopLevel(message: SlackMessage): boolean {
  return message.thread_ts === undefined || message.thread_ts === message.ts;
}

/** In a full pass everything; otherwise posted, edited or replied to since `sinceTs`. */
export function isPicked(message: SlackMessage, sinceTs: string | undefined): boolean {
  if (sinceTs === undefined) return true;
  return isAfter(message.ts, sinceTs) || isAfter(message.latest_reply, sinceTs) || isAfter(message.edited?.ts, sinceTs);
}

/**
 * The roots a page names, each once, in page order: top-level messages that {@link isPicked},
 * then threads whose broadcast reply was posted or edited since `sinceTs` and whose parent this
 * walk does not pick by itself. Such a parent is older than `oldestTs`, so the walk never reaches
 * it, or its own fields do not show the broadcast's edit (a parent's `latest_reply` covers a new
 * broadcast, not an edited one). A full pass (no `sinceTs`) reaches every parent and picks it.
 */
export function pickRoots(messages: readonly SlackMessage[], sinceTs: string | undefined, oldestTs: string | undefined): PickedRoot[] {
  const picked = new Map<string, PickedRoot>();
  for (const message of messages) {
    if (isTopLevel(message) && isPicked(message, sinceTs)) picked.set(message.ts, { ts: message.ts, message });
  }
  if (sinceTs === undefined) return [...picked.values()];
  for (const message of messages) {
    const root = message.thread_ts;
    if (message.subtype !== 'thread_broadcast' || root === undefined || isTopLevel(message) || picked.has(root)) continue;
    const posted = isAfter(message.ts, sinceTs);
    if (!posted && !isAfter(message.edited?.ts, sinceTs)) continue;
    const parentInWalk = oldestTs === undefined || compareTs(root, oldestTs) > 0;
    // A broadcast posted in the window moved its parent's latest_reply into the window too; an
    // edited one shows in the parent only through `root`, when history includes it.
    const parentPicksItself = parentInWalk && (posted || (message.root !== undefined && isPicked(message.root, sinceTs)));
    if (!parentPicksItself) picked.set(root, { ts: root });
  }
  return [...picked.values()];
}

function isAfter(ts: string | undefined, sinceTs: string): boolean {
  return ts !== undefined && compareTs(ts, sinceTs) >= 0;
}
