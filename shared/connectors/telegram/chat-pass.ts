/**
 * One chat's part of a pass, one step at a time (a step is one pull page's worth of work):
 *
 * 1. **Plan** (the chat's first step). A full pass walks the whole chat. An incremental pass
 *    walks from the start of the edit window's first day when the chat had messages inside the
 *    window (edits and deletions there are seen), else from just above the chat's position (only
 *    the new messages are read) — unless the chat is quiet: nothing above its position, and
 *    neither its newest message nor the one the last pass saw inside the edit window. A quiet
 *    chat costs no request at all.
 * 2. **Walk** (./walk.ts). Reads `pageSize` messages above the last read, oldest first, indexes
 *    the days it completed, and in a walk through the edit window names as deleted the
 *    chat-days (and known topic-days) it covered that no longer have a message.
 * 3. **Export** (a chat imported from the Desktop export, once, when the source has no
 *    position for it). The walk starts from the export's highest id as from a position; the
 *    export then gives the days before the first day the walk covered.
 *
 * A chat's position (the highest id indexed and its date) changes only when its walk ends, so a
 * step resumed from a saved cursor plans and reads exactly as the interrupted one did.
 */

import type { DocumentIssue, PullWindow, SourceDocument } from '../../ports/index.ts';
import { dayOfMs, dayStartMs, daysDown, nextDay } from '../kit/days.ts';
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
  /** Whether the step asked Telegram for messages (a quiet chat and an export page do not). */
  readonly read?: boolean;
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
  /** The open (newest) day of the last walk step, so the next step in this process need not read it again. */
  private carry: { readonly key: string; readonly open: readonly ChatMessage[]; readonly readAbove: number } | undefined;
  private readonly exportDays = new WeakMap<ExportedChat, { readonly days: DayGroup[]; readonly titles: Map<number, string> }>();

  constructor(private readonly history: HistoryReader, private readonly settings: PassSettings) {}

  async advance(chat: DialogChat, s: TelegramCursor, window: PullWindow, imports: ReadonlyMap<string, ExportedChat> | undefined): Promise<ChatStep> {
    const id = chat.info.id;
    if (s.phase === 'export') return this.exportStep(chat, s, imports?.get(id));
    if (s.phase === 'walk') return this.walkStep(chat, s, window);
    const prior = s.positions[id];
    const imported = prior === undefined ? imports?.get(id) : undefined;
    if (!imported && (window.full || prior === undefined)) return this.walkStep(chat, { ...s, phase: 'walk', after: 0 }, window);
    const [maxId, lastDate] = imported ? [imported.maxId, imported.lastDate] : prior!;
    const windowStart = this.windowStartS(window);
    const mark = imported ? { imported: true as const } : {};
    if (chat.topId <= maxId && chat.topDate < windowStart && lastDate < windowStart) {
      // Quiet: nothing was added, and nothing in the edit window can have changed.
      if (!imported) return { state: s, chatDone: true, documents: [], deleted: [], skipped: [] };
      const positions = { ...s.positions, [id]: [maxId, lastDate] as Position };
      return this.exportStep(chat, { ...s, positions, phase: 'export' }, imported);
    }
    if (lastDate < windowStart) {
      // Nothing it had is inside the window: only what is new needs reading.
      return this.walkStep(chat, { ...s, phase: 'walk', after: maxId, maxId, maxDate: lastDate, ...mark }, window);
    }
    const from = dayOfMs(windowStart * 1000, this.settings.timezone);
    return this.walkStep(chat, { ...s, phase: 'walk', from, floor: from, window: true, maxId, maxDate: lastDate, ...mark }, window);
  }

  private windowStartS(window: PullWindow): number {
    return Math.floor(Date.parse(window.snapshotAt) / 1000) - this.settings.editWindowHours * 3600;
  }

  private async walkStep(chat: DialogChat, s: TelegramCursor, window: PullWindow): Promise<ChatStep> {
    const id = chat.info.id;
    const tz = this.settings.timezone;
    const key = (after: number | undefined): string => `${window.snapshotAt}|${id}|${after ?? s.from}`;
    let buffer: ChatMessage[] = [];
    let start: { after: number } | { from: number } = s.after !== undefined
      ? { after: s.after } : { from: Math.floor(dayStartMs(s.from!, tz) / 1000) };
    if (this.carry?.key === key(s.after)) {
      buffer = [...this.carry.open];
      start = { after: this.carry.readAbove };
    }
    this.carry = undefined;
    let floor = s.floor;
    let step: WalkStep;
    // Read until a day is complete (a day can hold more than a page) or the newest message was read.
    for (;;) {
      const { messages, exhausted } = await this.history.pageUp(chat, start, this.settings.pageSize);
      const first = messages[0];
      if (floor === undefined && s.maxId !== undefined && !s.window && first) {
        // The walk's first day: when the position's day goes on, its older messages complete it.
        floor = dayOfMessage(first, tz);
        if (floor === dayOfMessage({ date: s.maxDate ?? 0 }, tz)) buffer.push(...await this.history.dayBefore(chat, s.maxId, floor, tz, this.settings.pageSize));
      }
      buffer.push(...messages);
      step = stepWalk(buffer, exhausted, tz);
      if (step.finished || step.days.length > 0) break;
      start = { after: messages.at(-1)!.id };
    }
    const newest = buffer.at(-1);
    const top: Position | undefined = newest && (!s.top || newest.id > s.top[0]) ? [newest.id, newest.date] : s.top;
    const topics = new Set<number>();
    for (const day of step.days) for (const m of day.messages) if (m.topic !== GENERAL_TOPIC) topics.add(m.topic);
    await this.history.learnTopics(chat, buffer, topics);
    const { documents, skipped } = documentsOfDays(chat.info, step.days, (t) => this.history.topicTitle(id, t));
    const { deleted, settled } = this.deletedDays(chat, s, step, window, [...documents.map((d) => d.id), ...skipped.map((i) => i.id)]);
    const marks = { ...(top ? { top } : {}), ...(floor ? { floor } : {}), ...(settled ? { settled } : {}) };
    if (step.finished) {
      // Never below where the walk started (the newest message may have been deleted since).
      const start: Position | undefined = s.maxId !== undefined ? [s.maxId, s.maxDate ?? 0] : undefined;
      const position = higher(higher(s.positions[id], top), start) ?? [0, 0];
      const positions = { ...s.positions, [id]: position };
      if (s.imported) {
        const state: TelegramCursor = { ...betweenChats({ ...s, positions }, id), phase: 'export', ...(floor ? { before: floor } : {}) };
        return { state, chatDone: false, documents, deleted, skipped, read: true };
      }
      return { state: { ...s, positions }, chatDone: true, documents, deleted, skipped, read: true };
    }
    const last = step.days.at(-1)!.messages.at(-1)!;
    this.carry = { key: key(last.id), open: step.open, readAbove: step.open.at(-1)?.id ?? last.id };
    const next: TelegramCursor = { ...s, after: last.id, ...marks };
    delete next.from;
    return { state: next, chatDone: false, documents, deleted, skipped, read: true };
  }

  /**
   * Walks through the edit window only: every chat-day (and topic-day of a topic the process
   * knows) from the window's first day, or the day after the last one settled, up to the newest
   * complete day of this step (up to today once the walk is over) was read whole, so those without
   * a document now are gone (a deletion leaves no trace in history). Naming one never indexed
   * costs a ledger read and nothing else.
   */
  private deletedDays(chat: DialogChat, s: TelegramCursor, step: WalkStep, window: PullWindow, present: readonly string[]): { deleted: string[]; settled?: string } {
    if (!s.window || s.floor === undefined) return { deleted: [] };
    const today = dayOfMs(Date.parse(window.snapshotAt), this.settings.timezone);
    const newest = step.days.at(-1)?.day;
    const high = step.finished ? (newest !== undefined && newest > today ? newest : today) : newest;
    const low = s.settled !== undefined ? nextDay(s.settled) : s.floor;
    if (high === undefined || high < low) return { deleted: [], ...(s.settled ? { settled: s.settled } : {}) };
    const have = new Set(present);
    const topics = [GENERAL_TOPIC, ...this.history.knownTopics(chat.info.id)];
    const deleted: string[] = [];
    for (const day of daysDown(high, low)) {
      for (const topic of topics) {
        const docId = docIdOf({ chat: chat.info.id, day, topic });
        if (!have.has(docId)) deleted.push(docId);
      }
    }
    return { deleted, settled: high };
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
