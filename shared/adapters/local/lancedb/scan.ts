import type { Table } from '@lancedb/lancedb';
import { sqlString } from './sql.ts';

/** Every row whose id starts with `prefix`, reading only `columns`, in id order. */
export async function scanColumns(table: Table, prefix: string, columns: Array<'id' | 'metadata_json'>): Promise<Array<{ id: string; metadataJson: string }>> {
  // A plain (non-vector) query has no row limit unless one is set: this returns every match.
  let scan = table.query().select(columns);
  if (prefix !== '') scan = scan.where(`starts_with(id, ${sqlString(prefix)})`);
  const out: Array<{ id: string; metadataJson: string }> = [];
  for await (const batch of scan) {
    const ids = batch.getChild('id');
    const metadata = columns.includes('metadata_json') ? batch.getChild('metadata_json') : null;
    for (let i = 0; i < batch.numRows; i++) {
      const id: unknown = ids?.get(i);
      const json: unknown = metadata?.get(i);
      if (typeof id !== 'string') throw new Error('LanceDbVectorStore: row without a string id');
      out.push({ id, metadataJson: typeof json === 'string' ? json : '{}' });
    }
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
