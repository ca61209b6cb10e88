import type { IncidentLog } from '../../../ports/index.ts';
import { sql, type Db } from './database.ts';

/**
 * IncidentLog in the local database, in the replay memory's table: an open incident is a row
 * remembered until it is due again (`until` = announced + repeat), so opening is the same
 * conditional upsert as remembering a delivery, and closing one conditional delete.
 */
export class SqliteIncidentLog implements IncidentLog {
  constructor(private readonly db: Db) {}

  async openIncident(input: { scope: string; key: string; now: number; repeatMs: number }): Promise<boolean> {
    const { changes } = sql(this.db, `INSERT INTO deliveries (scope, id, until) VALUES (?, ?, ?)
      ON CONFLICT (scope, id) DO UPDATE SET until = excluded.until WHERE until < ?`)
      .run(input.scope, input.key, input.now + input.repeatMs, input.now);
    return changes > 0;
  }

  async closeIncident(input: { scope: string; key: string; repeatMs: number }): Promise<{ openedAt: number } | undefined> {
    const row = sql(this.db, 'DELETE FROM deliveries WHERE scope = ? AND id = ? RETURNING until')
      .get(input.scope, input.key) as { until: number } | undefined;
    return row ? { openedAt: row.until - input.repeatMs } : undefined;
  }
}
