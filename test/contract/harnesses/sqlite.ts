import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { SourceConnector } from '../../../shared/ports/index.ts';
import { settle, testFolder, type TestFolder } from '../../support/sqlite.ts';
import type { SourceConnectorFixture } from '../source-connector.contract.ts';
import { connectorFromConfig, type ContractHarness } from './harness.ts';

let folder: TestFolder | undefined;
let files = 0;

/** A source over a fresh file, as a user configures it. */
function connector(path: string, overrides: Record<string, unknown>): SourceConnector {
  return connectorFromConfig({
    id: 'bot', kind: 'sqlite', path, idColumn: 'id', updatedAtColumn: 'updated_at', textTemplate: '{{author}}: {{body}}', pageSize: 3, ...overrides,
  });
}

function fixture(db: Database.Database, source: SourceConnector, edits: Pick<SourceConnectorFixture, 'put' | 'remove'>): SourceConnectorFixture {
  return {
    connector: source, ...edits,
    async cleanup() {
      await source.close?.();
      db.close();
    },
  };
}

function fresh(schema: string): { db: Database.Database; path: string } {
  const name = `db-${++files}.sqlite`;
  return { db: folder!.open(name, schema), path: join(folder!.dir, name) };
}

/** Real SQLite files in WAL mode, written by the test while the connector reads them read-only. */
export const sqliteHarness: ContractHarness = {
  setup: async () => {
    folder = await testFolder();
    return async () => {
      await folder?.remove();
      folder = undefined;
    };
  },
  variants: [
    {
      // Text ids, ISO-8601 text set by a trigger, read with `auto`.
      name: 'row per document, text timestamps',
      make: async () => {
        const { db, path } = fresh(`
          CREATE TABLE notes (id TEXT PRIMARY KEY, author TEXT NOT NULL DEFAULT 'ann', body TEXT NOT NULL,
            updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
          CREATE TRIGGER touch AFTER UPDATE ON notes FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
          BEGIN UPDATE notes SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id; END;`);
        return {
          ...fixture(db, connector(path, { table: 'notes' }), {
            async put(id, text) {
              db.prepare('INSERT INTO notes (id, body) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body').run(id, text);
              await settle();
            },
            async remove(id) {
              db.prepare('DELETE FROM notes WHERE id = ?').run(id);
            },
          }),
          renderedText: (_, text) => `ann: ${text}`,
        };
      },
    },
    {
      // A conversation per document; the bot itself writes unix milliseconds.
      name: 'conversation per document, unix milliseconds',
      make: async () => {
        const { db, path } = fresh(`
          CREATE TABLE messages (id INTEGER PRIMARY KEY, chat_id TEXT NOT NULL, author TEXT NOT NULL, body TEXT NOT NULL,
            sent_at INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, updated_at INTEGER NOT NULL);
          CREATE INDEX messages_changes ON messages (updated_at, id);`);
        const source = connector(path, {
          table: 'messages', deletedColumn: 'deleted', updatedAtFormat: 'unixMillis', mode: 'conversation',
          conversation: { groupColumn: 'chat_id', orderColumn: 'sent_at', orderFormat: 'unixMillis' },
        });
        return {
          ...fixture(db, source, {
            async put(id, text) {
              db.prepare('DELETE FROM messages WHERE chat_id = ?').run(id);
              db.prepare(`INSERT INTO messages (chat_id, author, body, sent_at, updated_at) VALUES (?, 'bob', ?, ?, ?)`).run(id, text, Date.now(), Date.now());
              await settle();
            },
            async remove(id) {
              db.prepare('DELETE FROM messages WHERE chat_id = ?').run(id);
            },
          }),
          renderedText: (_, text) => `bob: ${text}`,
        };
      },
    },
    {
      // A `query` (an expression id, of no declared type) over a table stamped with julian days by a trigger.
      name: 'row per document from a query, julian days',
      make: async () => {
        const { db, path } = fresh(`
          CREATE TABLE pages (slug TEXT PRIMARY KEY, body TEXT NOT NULL, changed REAL NOT NULL DEFAULT (julianday('now')));
          CREATE TRIGGER touch AFTER UPDATE ON pages FOR EACH ROW WHEN NEW.changed IS OLD.changed
          BEGIN UPDATE pages SET changed = julianday('now') WHERE slug = NEW.slug; END;`);
        const source = connector(path, {
          query: `SELECT 'page:' || slug AS id, 'wiki' AS author, body, changed AS updated_at FROM pages`, updatedAtFormat: 'julianDay',
        });
        return {
          ...fixture(db, source, {
            async put(id, text) {
              db.prepare('INSERT INTO pages (slug, body) VALUES (?, ?) ON CONFLICT (slug) DO UPDATE SET body = excluded.body').run(id, text);
              await settle();
            },
            async remove(id) {
              db.prepare('DELETE FROM pages WHERE slug = ?').run(id);
            },
          }),
          docId: (id) => `page:${id}`,
          renderedText: (_, text) => `wiki: ${text}`,
        };
      },
    },
  ],
};

