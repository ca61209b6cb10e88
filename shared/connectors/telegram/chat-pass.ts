/**
 * One chat's part of a pass, one step at a time (a step is one pull page's worth of work):
 *
 * 1. **Plan** (the chat's first step). A full pass walks the whole chat. An incremental pass
 *    walks down from the top to the chat's position and then through the edit window
 *    (./walk.ts) — unless the chat is quiet: its newest message is not above the position, and
 *    neither it nor the newest message the last pass saw is inside the edit window, so nothing
 *    there can have been added, edited or deleted; a quiet chat costs no call at all.
 * 2. **Walk.** Reads `pageSize` messages below the last read, indexes the days it completed,
 *    and in incremental walks names as deleted the chat-days (and known topic-days) of the
 *    walked range that no longer have a message.
 * 3. **Export** (a chat imported from the Desktop export, once, when the source has no
 *    position for it). The walk continues from the export's highest id as from a position;
 *    the export then gives the days older than those the walk rebuilt.
 *
 * A chat's position (the highest id indexed and its date) changes only when its walk ends, so a
 * step resumed from a saved cursor plans and reads exactly as the interrupted one did.
 */

import type { DocumentIssue, PullWindow, SourceDocument } from '../../ports/index.ts';
import { dayOfMs, daysDown, previousDay } from '../kit/days.ts';
import type { Position, TelegramCursor } from './cursor.ts';
import type { DialogChat } from './dialogs.ts';
import { dayOfMessage, documentsOfDays, type ChatMessage, type DayGroup } from './documents.ts';
import type { ExportedChat } from './export-messages.ts';
import type { HistoryReader } from './history-reader.ts';
import { docIdOf, GENERAL_TOPIC } from './ids.ts';
import { stepWalk, type WalkStep } from './walk.ts';

export interface PassSettings {
  readonly timezone: string;
  readonly editWindowHours: number;
  readonly pageSize: number;
}

export interface ChatStep {
  /** The cursor after the step (still naming this chat; the caller moves on when `chatDone`). */
  readonly state: TelegramCursor;
  readonly chatDone: boolean;
  readonly documents: readonly SourceDocument[];
  readonly deleted: readonly string[];
  readonly skipped: readonly DocumentIssue[];
}

/** Only the pass fields every chat shares: what a chat's steps start from. */
export function betweenChats(s: TelegramCursor, chat: string | undefined): TelegramCursor {
  return { v: 1, positions: s.positions, ...(s.failed ? { failed: s.failed } : {}), ...(chat !== undefined ? { chat } : {}) };
}

function higher(a: Position | undefined, b: Position | undefined): Position | undefined {
  if (!a) return b;
  if (!b) return a;
  return b[0] > a[0] ? b : a;
}

export class ChatPass {
  /** The open day of the last walk step, so the next step in this process need not read it again. */
  private carry: { readonly key: string; readonly open: readonly ChatMessage[]; readonly readBelow: number } | undefined;
  private readonly exportDays = new WeakMap<ExportedChat, { readonly days: DayGroup[]; readonly titles: Map<number, string> }>();

  constructor(private readonly history: HistoryReader, private readonly settings: PassSettings) {}

  async advance(chat: DialogChat, s: TelegramCursor, window: PullWindow, imports: ReadonlyMap<string, ExportedChat> | undefined): Promise<ChatStep> {
    const id = chat.info.id;
    if (s.phase === 'export') return this.exportStep(chat, s, imports?.get(id));
    if (s.phase === 'walk') return this.walkStep(chat, s, window);
    const prior = s.positions[id];
    const imported = prior === undefined ? imports?.get(id) : undefined;
    if (!imported && (window.full || prior === undefined)) return this.walkStep(chat, { ...s, phase: 'walk' }, window);
    const [maxId, lastDate] = imported ? [imported.maxId, imported.lastDate] : prior!;
    const windowStart = this.windowStartS(window);
    if (chat.topId <= maxId && chat.topDate < windowStart && lastDate < windowStart) {
      // Quiet: nothing was added, and nothing in the edit window can have changed.
      if (!imported) return { state: s, chatDone: true, documents: [], deleted: [], skipped: [] };
      const positions = { ...s.positions, [id]: [maxId, lastDate] as Position };
      return this.exportStep(chat, { ...s, positions, phase: 'export' }, imported);
    }
    const floor = this.settings.editWindowHours > 0 ? dayOfMs(windowStart * 1000, this.settings.timezone) : undefined;
    return this.walkStep(chat, { ...s, phase: 'walk', maxId, ...(floor ? { floor } : {}), ...(imported ? { imported: true as const } : {}) }, window);
  }

  private windowStartS(window: PullWindow): number {
    return Math.floor(Date.parse(window.snapshotAt) / 1000) - this.settings.editWindowHours * 3600;
  }

  private async walkStep(chat: DialogChat, s: TelegramCursor, window: PullWindow): Promise<ChatStep> {
    const id = chat.info.id;
    const key = (below: number | undefined): string => `${window.snapshotAt}|${id}|${below ?? 'top'}`;
    let buffer: ChatMessage[] = [];
    let readBelow = s.below;
    if (this.carry?.key === key(s.below)) {
      buffer = [...this.carry.open];
      readBelow = this.carry.readBelow;
    }
    this.carry = undefined;
    let top = s.top;
    let step: WalkStep;
    // Read until a day is complete (a day can hold more than a page) or the walk ends.
    for (;;) {
      const { messages, exhausted } = await this.history.page(chat, readBelow, this.settings.pageSize);
      const newest = messages[0];
      if (top === undefined && newest) top = [newest.id, newest.date];
      buffer.push(...messages);
      step = stepWalk(buffer, exhausted, { maxId: s.maxId, floor: s.floor, timezone: this.settings.timezone });
      if (step.finished || step.days.length > 0) break;
      readBelow = messages.at(-1)!.id;
    }
    const topics = new Set<number>();
    for (const day of step.days) for (const m of day.messages) if (m.topic !== GENERAL_TOPIC) topics.add(m.topic);
    await this.history.learnTopics(chat, buffer, topics);
    const { documents, skipped } = documentsOfDays(chat.info, step.days, (t) => this.history.topicTitle(id, t));
    const { deleted, settled } = this.deletedDays(chat, s, step, window, [...documents.map((d) => d.id), ...skipped.map((i) => i.id)]);
    if (step.finished) {
      const position = higher(s.positions[id], top) ?? [s.maxId ?? 0, 0];
      const positions = { ...s.positions, [id]: position };
      if (s.imported && !step.reachedStart) {
        const state: TelegramCursor = { ...betweenChats({ ...s, positions }, id), phase: 'export', ...(step.floor ? { before: step.floor } : {}) };
        return { state, chatDone: false, documents, deleted, skipped };
      }
      return { state: { ...s, positions }, chatDone: true, documents, deleted, skipped };
    }
    const oldest = step.days.at(-1)!.messages.at(-1)!;
    this.carry = { key: key(oldest.id), open: step.open, readBelow: step.open.at(-1)?.id ?? oldest.id };
    const state: TelegramCursor = {
      ...s, below: oldest.id, ...(top ? { top } : {}), ...(step.floor ? { floor: step.floor } : {}), ...(settled ? { settled } : {}),
    };
    return { state, chatDone: false, documents, deleted, skipped };
  }

  /**
   * Incremental walks only: every chat-day (and topic-day of a topic seen) from the newest day
   * not yet settled down to the oldest complete day of this step has been read whole, so those
   * without a document now are gone (a deletion leaves no tombstone in history). Naming one that
   * was never indexed costs a ledger read and nothing else.
   */
  private deletedDays(chat: DialogChat, s: TelegramCursor, step: WalkStep, window: PullWindow, present: readonly string[]): { deleted: string[]; settled?: string } {
    if (s.maxId === undefined) return { deleted: [] };
    const low = step.finished ? step.floor : step.days.at(-1)?.day;
    if (low === undefined) return { deleted: [] };
    const today = dayOfMs(Date.parse(window.snapshotAt), this.settings.timezone);
    const newest = step.days[0]?.day;
    const high = s.settled !== undefined ? previousDay(s.settled) : newest !== undefined && newest > today ? newest : today;
    const have = new Set(present);
    const topics = [GENERAL_TOPIC, ...this.history.knownTopics(chat.info.id)];
    const deleted: string[] = [];
    for (const day of daysDown(high, low)) {
      for (const topic of topics) {
        const docId = docIdOf({ chat: chat.info.id, day, topic });
        if (!have.has(docId)) deleted.push(docId);
      }
    }
    return { deleted, settled: low };
  }

  /** The next export days older than `s.before`, about a page of messages. */
  private exportStep(chat: DialogChat, s: TelegramCursor, exported: ExportedChat | undefined): ChatStep {
    const done: ChatStep = { state: s, chatDone: true, documents: [], deleted: [], skipped: [] };
    if (!exported) return done;
    const { days, titles } = this.daysOfExport(chat, exported);
    const start = s.before === undefined ? 0 : days.findIndex((d) => d.day < s.before!);
    if (start === -1 || start >= days.length) return done;
    const taken: DayGroup[] = [];
    let count = 0;
    for (let i = start; i < days.length && (taken.length === 0 || count < this.settings.pageSize); i++) {
      taken.push(days[i]!);
      count += days[i]!.messages.length;
    }
    const { documents, skipped } = documentsOfDays(chat.info, taken, (t) => titles.get(t) ?? this.history.topicTitle(chat.info.id, t));
    const last = taken.at(-1)!;
    const more = days.indexOf(last) < days.length - 1;
    return { state: { ...s, phase: 'export', before: last.day }, chatDone: !more, documents, deleted: [], skipped };
  }

  private daysOfExport(chat: DialogChat, exported: ExportedChat): { days: DayGroup[]; titles: Map<number, string> } {
    const cached = this.exportDays.get(exported);
    if (cached) return cached;
    const messages = exported.render(chat.info);
    const titles = new Map<number, string>();
    const byDay = new Map<string, ChatMessage[]>();
    for (const m of messages) {
      if (m.topicTitle !== undefined) titles.set(m.id, m.topicTitle);
      const day = dayOfMessage(m, this.settings.timezone);
      const list = byDay.get(day) ?? [];
      list.push(m);
      byDay.set(day, list);
    }
    const days = [...byDay.entries()].sort((a, b) => (a[0] < b[0] ? 1 : -1)).map(([day, list]) => ({ day, messages: list.reverse() }));
    const value = { days, titles };
    this.exportDays.set(exported, value);
    return value;
  }
}
