import type { BufferedHint, HintBuffer } from '../../../ports/index.ts';
import { immediate, sql, type Db } from './database.ts';

/** HintBuffer in the local database: the ids and the marker written in one transaction. */
export class SqliteHintBuffer implements HintBuffer {
  constructor(private readonly db: Db) {}

  async addHints(input: { sourceId: string; ids: readonly string[]; now: number; staleAfterMs: number }): Promise<boolean> {
    const add = sql(this.db, 'INSERT INTO hint_ids (source_id, doc_id, at) VALUES (?, ?, ?) ON CONFLICT (source_id, doc_id) DO UPDATE SET at = excluded.at');
    return immediate(this.db, () => {
      for (const id of new Set(input.ids)) add.run(input.sourceId, id, input.now);
      const { changes } = sql(this.db, `INSERT INTO hint_marks (source_id, at) VALUES (?, ?)
        ON CONFLICT (source_id) DO UPDATE SET at = excluded.at WHERE at < ?`).run(input.sourceId, input.now, input.now - input.staleAfterMs);
      return changes > 0;
    });
  }

  async takeHints(input: { sourceId: string; limit: number }): Promise<BufferedHint[]> {
    return immediate(this.db, () => {
      sql(this.db, 'DELETE FROM hint_marks WHERE source_id = ?').run(input.sourceId);
      return (sql(this.db, 'SELECT doc_id, at FROM hint_ids WHERE source_id = ? ORDER BY at, doc_id LIMIT ?')
        .all(input.sourceId, input.limit) as Array<{ doc_id: string; at: number }>).map((r) => ({ id: r.doc_id, at: r.at }));
    });
  }

  async settleHints(input: { sourceId: string; taken: readonly BufferedHint[] }): Promise<void> {
    if (input.taken.length === 0) return;
    const settle = sql(this.db, 'DELETE FROM hint_ids WHERE source_id = ? AND doc_id = ? AND at = ?');
    immediate(this.db, () => {
      for (const hint of input.taken) settle.run(input.sourceId, hint.id, hint.at);
    });
  }

  async releaseMark(input: { sourceId: string }): Promise<void> {
    sql(this.db, 'DELETE FROM hint_marks WHERE source_id = ?').run(input.sourceId);
  }
}
