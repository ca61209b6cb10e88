/**
 * Telegram connector: the chats a user account sees, read through GramJS (behind the narrow
 * client of ./history-client.ts), as `conversation` documents of one chat-day or forum
 * topic-day each (./ids.ts, ./documents.ts).
 *
 * A pass walks the account's dialogs in marked-id order, one step of one chat per page
 * (./chat-pass.ts); the cursor carries every chat's position, the highest message id indexed,
 * so the next incremental pass reads only what is above it plus the edit window (`editWindowHours`,
 * where edits and deletions are seen by reading the messages again). Older edits arrive as Bot
 * API hints (./webhook.ts), with `reconcile: true` or with `sync --full`. A Telegram Desktop
 * export (`desktopExport`) is imported once per chat, continued by MTProto from its highest id.
 */

import type { Logger } from '../../core/deps.ts';
import type {
  Cursor, DocumentIssue, DocumentRef, FetchResult, ListedDocument, PullPage, PullWindow, RunStart, SourceConnector, SourceDocument, SourceStates,
} from '../../ports/index.ts';
import { betweenChats, ChatPass } from './chat-pass.ts';
import { decodeTelegramCursor, encodeTelegramCursor, positionsOf, type TelegramCursor } from './cursor.ts';
import type { DialogChat } from './dialogs.ts';
import { documentsOfDays } from './documents.ts';
import { TelegramChatError } from './errors.ts';
import { ExportFile } from './export-file.ts';
import type { ExportedChat } from './export-messages.ts';
import type { HistoryClientFactory } from './history-client.ts';
import { HistoryReader } from './history-reader.ts';
import { chatPrefix, docIdOf, parseDocId, type DocKey } from './ids.ts';

export interface TelegramConnectorOptions {
  readonly sourceId: string;
  readonly apiId: number;
  readonly apiHashEnv: string;
  readonly sessionEnv: string;
  readonly secret: (name: string) => string | undefined;
  readonly factory: HistoryClientFactory;
  /** Marked chat ids; every dialog when absent. */
  readonly chats?: readonly string[] | undefined;
  readonly timezone: string;
  readonly editWindowHours: number;
  readonly pageSize: number;
  readonly reconcile: boolean;
  /** A Telegram Desktop export to import once (resolved path). */
  readonly desktopExport?: string | undefined;
  readonly floodSleepThreshold: number;
  readonly connectionRetries: number;
  /** The source's state: a full pass reads the positions the last pass ended with, so an import stays one-time. */
  readonly state?: Pick<SourceStates, 'getSource'> | undefined;
  readonly log: Logger;
}

/** Reads without a document to show before a pull returns an empty page (its cursor saved); quiet chats cost none. */
const READS_PER_PULL = 10;

export class TelegramConnector implements SourceConnector {
  readonly sourceId: string;
  /** Present only with `reconcile: true`: a full read of every chat. */
  readonly list?: (at?: { snapshotAt?: string }) => AsyncIterable<ListedDocument>;
  private readonly history: HistoryReader;
  private readonly chats: ChatPass;
  private readonly only: ReadonlySet<string> | undefined;
  private readonly exportFile: ExportFile | undefined;

  constructor(private readonly options: TelegramConnectorOptions) {
    this.sourceId = options.sourceId;
    this.only = options.chats ? new Set(options.chats) : undefined;
    this.history = new HistoryReader({ ...options, chats: this.only });
    this.chats = new ChatPass(this.history, options);
    this.exportFile = options.desktopExport !== undefined ? new ExportFile(options.sourceId, options.desktopExport) : undefined;
    if (options.reconcile) this.list = (at?: { snapshotAt?: string }) => this.listAll(at?.snapshotAt);
  }

  beginRun(_run?: RunStart): void {
    // Titles, usernames and memberships are read again by every run.
    this.history.forgetDialogs();
  }

  pull(cursor: Cursor | undefined, window: PullWindow): Promise<PullPage> {
    return this.page(cursor, window, true);
  }

  /** Current documents by id; ids of chats the account does not see (or not configured) and days without messages are absent. */
  async fetch(ids: readonly string[]): Promise<FetchResult> {
    const documents: SourceDocument[] = [];
    const skipped: DocumentIssue[] = [];
    const byDay = new Map<string, DocKey[]>();
    for (const id of new Set(ids)) {
      const key = parseDocId(id);
      if (!key || (this.only && !this.only.has(key.chat))) continue;
      const list = byDay.get(`${key.chat}/${key.day}`) ?? [];
      list.push(key);
      byDay.set(`${key.chat}/${key.day}`, list);
    }
    for (const keys of byDay.values()) {
      const { chat: chatId, day } = keys[0]!;
      const chat = await this.history.chat(chatId);
      if (!chat) continue;
      try {
        const messages = await this.history.day(chat, day, this.options.timezone, this.options.pageSize);
        const topics = keys.map((k) => k.topic).filter((t): t is number => t !== undefined);
        await this.history.learnTopics(chat, messages, topics);
        const built = documentsOfDays(chat.info, [{ day, messages }], (t) => this.history.topicTitle(chatId, t));
        const wanted = new Set(keys.map(docIdOf));
        documents.push(...built.documents.filter((d) => wanted.has(d.id)));
        skipped.push(...built.skipped.filter((i) => wanted.has(i.id)));
      } catch (error) {
        if (!(error instanceof TelegramChatError)) throw error;
        for (const key of keys) skipped.push({ id: docIdOf(key), reason: error.problem });
      }
    }
    return { documents, skipped };
  }

  async close(): Promise<void> {
    await this.history.close();
  }

  // ───────────────────────────── pass ─────────────────────────────

  private async page(cursor: Cursor | undefined, window: PullWindow, useExport: boolean): Promise<PullPage> {
    let s = decodeTelegramCursor(this.sourceId, cursor) ?? { v: 1, positions: await this.startPositions(window, useExport) };
    if (s.done) return { changed: [], deleted: [], next: encodeTelegramCursor(s), done: true };
    const chats = await this.history.chats(window.snapshotAt);
    const imports = useExport && this.exportFile ? (await this.exportFile.load()).chats : undefined;
    const changed: DocumentRef[] = [];
    const deleted: string[] = [];
    const skipped: DocumentIssue[] = [];
    for (let reads = 0; ;) {
      // The saved chat may have left the dialogs since: continue with the next id after it.
      const at = s.chat === undefined ? 0 : chats.findIndex((c) => c.info.id >= s.chat!);
      const chat = at === -1 ? undefined : chats[at];
      if (!chat) {
        skipped.push(...this.passIssues(chats, s, imports));
        return { changed, deleted, next: encodeTelegramCursor({ v: 1, positions: s.positions, done: true }), done: true, ...(skipped.length ? { skipped } : {}) };
      }
      if (s.chat !== chat.info.id) s = betweenChats(s, chat.info.id);
      const next = chats[at + 1]?.info.id ?? '~';
      try {
        const step = await this.chats.advance(chat, s, window, imports);
        if (step.read) reads += 1;
        for (const doc of step.documents) changed.push({ id: doc.id, version: doc.version, document: doc });
        deleted.push(...step.deleted);
        skipped.push(...step.skipped);
        s = step.chatDone ? betweenChats(step.state, next) : step.state;
      } catch (error) {
        if (!(error instanceof TelegramChatError)) throw error;
        // This chat cannot be read: its documents are kept, the pass goes on (reported on the last page).
        s = betweenChats({ ...s, failed: { ...s.failed, [chat.info.id]: error.problem } }, next);
        reads += 1;
      }
      if (changed.length > 0 || deleted.length > 0 || skipped.length > 0 || reads >= READS_PER_PULL) {
        return { changed, deleted, next: encodeTelegramCursor(s), done: false, ...(skipped.length ? { skipped } : {}) };
      }
    }
  }

  /**
   * Where each chat stood when the last pass ended: the feed an incremental pass resumes from.
   * A full pass has none, but with an export configured it still must not import a chat again
   * (that would bring back what was deleted or edited since): it reads the stored feed.
   */
  private async startPositions(window: PullWindow, useExport: boolean): Promise<TelegramCursor['positions']> {
    const resumed = positionsOf(window.resume);
    if (resumed) return resumed;
    if (!useExport || !this.exportFile || !this.options.state) return {};
    return positionsOf((await this.options.state.getSource(this.sourceId))?.feed) ?? {};
  }

  /** Prefix issues a pass reports on its last page: chats it could not read, configured or exported chats the account does not see. */
  private passIssues(chats: readonly DialogChat[], s: TelegramCursor, imports: ReadonlyMap<string, ExportedChat> | undefined): DocumentIssue[] {
    const seen = new Set(chats.map((c) => c.info.id));
    const issues: DocumentIssue[] = Object.entries(s.failed ?? {}).map(([id, reason]) => ({ id: chatPrefix(id), prefix: true, reason }));
    for (const id of this.only ?? []) {
      if (!seen.has(id)) {
        issues.push({ id: chatPrefix(id), prefix: true, reason: `chat ${id} is not among the account's dialogs: check the id in "chats" (a marked id such as -1001234567890), or join the chat with the account` });
      }
    }
    for (const [id, exported] of imports ?? []) {
      if (!seen.has(id) && s.positions[id] === undefined && (!this.only || this.only.has(id))) {
        issues.push({
          id: chatPrefix(id), prefix: true,
          reason: `the export holds chat ${id} (${exported.count} messages), which is not among the account's dialogs: it is not imported, since no later pass could keep it in step; rejoin it or leave it out of the export`,
        });
      }
    }
    return issues;
  }

  /** Every document id and version: a full read of every chat, the export left out. */
  private async *listAll(snapshotAt = new Date().toISOString()): AsyncIterable<ListedDocument> {
    // Its own snapshot key: the dialogs and the carried day of the pass are not shared with it.
    const window: PullWindow = { snapshotAt: `${snapshotAt}`, full: true };
    let cursor: Cursor | undefined;
    for (;;) {
      const page = await this.page(cursor, window, false);
      for (const ref of page.changed) yield { id: ref.id, version: ref.version };
      if (page.done) return;
      cursor = page.next;
    }
  }
}
