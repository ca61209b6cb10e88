/**
 * Loads the `desktopExport` file: one chat's `result.json` or a whole-account export, each
 * chat keyed by its marked id. Read once per connector and file version (path, size, mtime):
 * an import pass that resumes in a new process reads it again, one that continues in the same
 * process does not.
 */

import { readFile, stat } from 'node:fs/promises';
import { ConfigError, errorMessage } from '../../core/errors.ts';
import { exportChatSchema, exportedChat, kindOfExport, type ExportChatJson, type ExportedChat } from './export-messages.ts';

export interface LoadedExport {
  readonly chats: ReadonlyMap<string, ExportedChat>;
  /** Chats of a type a history cannot be continued from (none today; kept for the message). */
  readonly unsupported: readonly string[];
}

export class ExportFile {
  private loaded: { readonly stamp: string; readonly data: Promise<LoadedExport> } | undefined;

  constructor(private readonly sourceId: string, readonly path: string) {}

  async load(): Promise<LoadedExport> {
    let stamp: string;
    try {
      const info = await stat(this.path);
      stamp = `${info.size}:${info.mtimeMs}`;
    } catch (error) {
      throw this.problem(`cannot be read (${errorMessage(error)})`);
    }
    if (this.loaded?.stamp !== stamp) this.loaded = { stamp, data: this.read() };
    return this.loaded.data;
  }

  private async read(): Promise<LoadedExport> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(this.path, 'utf8'));
    } catch (error) {
      throw this.problem(`is not JSON (${errorMessage(error)})`);
    }
    const list = chatsOf(parsed);
    if (!list) throw this.problem('is not a Telegram Desktop JSON export: expected a chat ({"name", "type", "id", "messages"}) or an account export ({"chats": {"list": […]}})');
    const chats = new Map<string, ExportedChat>();
    const unsupported: string[] = [];
    for (const [index, raw] of list.entries()) {
      const result = exportChatSchema.safeParse(raw);
      if (!result.success) {
        const issue = result.error.issues[0];
        throw this.problem(`chat ${index + 1} does not look like tdesktop's (${issue?.path.join('.') || 'chat'}: ${issue?.message ?? 'invalid'})`);
      }
      const kind = kindOfExport(result.data.type);
      if (!kind) {
        unsupported.push(`${result.data.name ?? result.data.id} (${result.data.type})`);
        continue;
      }
      const chat = exportedChat(result.data as ExportChatJson, kind);
      chats.set(chat.id, chat);
    }
    return { chats, unsupported };
  }

  private problem(what: string): ConfigError {
    return new ConfigError(`Telegram source "${this.sourceId}": desktopExport ${this.path} ${what}; export the chat again from Telegram Desktop (Export chat history → format JSON), or remove desktopExport`);
  }
}

function chatsOf(parsed: unknown): unknown[] | undefined {
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const value = parsed as Record<string, unknown>;
  if (Array.isArray(value['messages'])) return [value];
  const chats = value['chats'] as { list?: unknown } | undefined;
  return Array.isArray(chats?.list) ? chats.list : undefined;
}
