import type { IndexAliases, Json, StoredAlias } from '../../../ports/index.ts';
import { immediate, sql, type Db } from './database.ts';

/** Key of an alias in the `meta` table (NUL cannot occur in a source id or a profile name). */
const keyOf = (sourceId: string, profile: string): string => `alias\u0000${sourceId}\u0000${profile}`;

/** IndexAliases in the local database's `meta` table: a JSON record per profile, each write conditional on its version. */
export class SqliteAliasStore implements IndexAliases {
  constructor(private readonly db: Db) {}

  async getAlias(sourceId: string, profile: string): Promise<StoredAlias | undefined> {
    const row = sql(this.db, 'SELECT value FROM meta WHERE key = ?').get(keyOf(sourceId, profile)) as { value: string } | undefined;
    if (!row) return undefined;
    const { version, value } = JSON.parse(row.value) as { version: number; value: Json };
    return { sourceId, profile, version, value };
  }

  async putAlias(input: { sourceId: string; profile: string; value: Json; expectVersion: number | undefined }): Promise<StoredAlias | undefined> {
    const key = keyOf(input.sourceId, input.profile);
    return immediate(this.db, () => {
      const row = sql(this.db, 'SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
      const stored = row ? (JSON.parse(row.value) as { version: number }).version : undefined;
      if (stored !== input.expectVersion) return undefined;
      const version = (stored ?? 0) + 1;
      sql(this.db, 'INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, JSON.stringify({ version, value: input.value }));
      return { sourceId: input.sourceId, profile: input.profile, version, value: input.value };
    });
  }
}
