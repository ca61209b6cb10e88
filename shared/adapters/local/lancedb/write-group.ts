import { chunked } from '../../../core/concurrency.ts';
import type { VectorRecord } from '../../../ports/index.ts';
import { toArrow } from './arrow-rows.ts';
import { sqlString } from './sql.ts';
import type { TableHandle } from './table-handle.ts';

/** Rows per `mergeInsert` / `delete` commit: bounds the memory of one Arrow conversion and the SQL length. */
const WRITE_CHUNK = 1_000;
/** Rows per append commit. */
const APPEND_CHUNK = 5_000;

/** Writes merged into one queued flush: each id's last operation (a record to upsert or append, or null: delete). */
export interface WriteGroup {
  readonly ops: Map<string, { readonly kind: 'upsert' | 'insert'; readonly record: VectorRecord } | null>;
  done: Promise<void>;
}

/**
 * Commits a group: its deletes, then its upserts (merge-inserts), then its inserts (appends),
 * each in chunks that are their own commits; `onCommit` is told of every commit.
 */
export async function flushGroup(group: WriteGroup, tables: TableHandle, onCommit: () => void): Promise<void> {
  const deletes: string[] = [];
  const upserts: VectorRecord[] = [];
  const inserts: VectorRecord[] = [];
  for (const [id, op] of group.ops) {
    if (op === null) deletes.push(id);
    else if (op.kind === 'insert') inserts.push(op.record);
    else upserts.push(op.record);
  }
  if (deletes.length > 0) {
    const table = await tables.current();
    // Nothing was ever written: nothing to delete.
    if (table) {
      for (const batch of chunked(deletes, WRITE_CHUNK)) {
        await table.delete(`id IN (${batch.map(sqlString).join(', ')})`);
        onCommit();
      }
    }
  }
  if (upserts.length > 0) {
    const table = await tables.forWrite();
    for (const batch of chunked(upserts, WRITE_CHUNK)) {
      await table.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(toArrow(batch, tables.dimensions));
      onCommit();
    }
  }
  if (inserts.length > 0) {
    const table = await tables.forWrite();
    for (const batch of chunked(inserts, APPEND_CHUNK)) {
      await table.add(toArrow(batch, tables.dimensions));
      onCommit();
    }
  }
}
