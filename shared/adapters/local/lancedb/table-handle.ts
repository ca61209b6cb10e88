import type { Connection, Table } from '@lancedb/lancedb';
import { ensureFullText } from './full-text.ts';
import { checkSchema, tableSchema } from './schema.ts';

/**
 * The store's one table on its connection: opened when it exists on disk (maybe created by
 * another process), created by the first write, and checked against the vector length.
 */
export class TableHandle {
  private table: Table | undefined;
  /** Pending open of a table another process may have created since we looked. */
  private opening: Promise<Table | undefined> | undefined;
  /** This process's creation of the table, in flight (a reader waits for it). */
  private creating: Promise<Table> | undefined;
  /** Whether this handle saw the table's full-text column and index in place. */
  private fullTextReady = false;

  constructor(
    private readonly db: Connection,
    private readonly tableName: string,
    /** Vector length of the table's `vector` column. */
    readonly dimensions: number,
  ) {}

  /** The table, opened if it exists on disk (maybe created by another process); undefined if not. */
  async current(): Promise<Table | undefined> {
    if (this.table) return this.table;
    if (this.creating) return this.creating;
    this.opening ??= (async () => {
      try {
        const names = await this.db.tableNames();
        if (!names.includes(this.tableName)) return undefined;
        let table: Table;
        try {
          table = await this.db.openTable(this.tableName);
        } catch (error) {
          // Listed while this process was still creating it (its first version not written
          // yet): the creation's table, once it is there. A search during the first sync
          // answered 500 here.
          if (this.creating) return await this.creating;
          throw error;
        }
        await checkSchema(table, this.tableName, this.dimensions);
        return this.adopt(table);
      } finally {
        this.opening = undefined;
      }
    })();
    return this.opening;
  }

  /**
   * Only called inside the write queue, so two creations cannot race within this process. The
   * table it returns has its full-text column and index (added once to a table from before them).
   */
  async forWrite(): Promise<Table> {
    const table = await this.openForWrite();
    if (!this.fullTextReady) {
      await ensureFullText(table, this.dimensions);
      this.fullTextReady = true;
    }
    return table;
  }

  private async openForWrite(): Promise<Table> {
    const existing = await this.current();
    if (existing) return existing;
    this.creating ??= (async () => {
      try {
        // existOk: another process may create the table between our listing and this call.
        const table = await this.db.createEmptyTable(this.tableName, tableSchema(this.dimensions), { mode: 'create', existOk: true });
        await checkSchema(table, this.tableName, this.dimensions);
        return this.adopt(table);
      } finally {
        this.creating = undefined;
      }
    })();
    return this.creating;
  }

  /** Waits for a pending open, then releases the table and the connection. */
  async close(): Promise<void> {
    await this.opening;
    await this.creating?.catch(() => undefined);
    this.table?.close();
    this.table = undefined;
    this.db.close();
  }

  /**
   * Keeps one table handle: without a read-consistency interval a second handle would not
   * see this one's writes, so a handle opened concurrently is closed in favour of the first.
   */
  private adopt(table: Table): Table {
    if (this.table) {
      table.close();
      return this.table;
    }
    this.table = table;
    return table;
  }
}
