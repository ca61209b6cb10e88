import type { DeliveryLog } from '../../../ports/index.ts';
import { sql, type Db } from './database.ts';

/** DeliveryLog in the local database: one row per delivery, one conditional upsert each. */
export class SqliteDeliveryLog implements DeliveryLog {
  constructor(private readonly db: Db) {}

  async rememberDelivery(input: { scope: string; id: string; now: number; ttlMs: number }): Promise<boolean> {
    const { changes } = sql(this.db, `INSERT INTO deliveries (scope, id, until) VALUES (?, ?, ?)
      ON CONFLICT (scope, id) DO UPDATE SET until = excluded.until WHERE until < ?`)
      .run(input.scope, input.id, input.now + input.ttlMs, input.now);
    return changes > 0;
  }

  async forgetDelivery(input: { scope: string; id: string }): Promise<void> {
    sql(this.db, 'DELETE FROM deliveries WHERE scope = ? AND id = ?').run(input.scope, input.id);
  }

  /** Forgets what expired (the table would otherwise grow with every accepted request). */
  purgeExpired(now: number): void {
    sql(this.db, 'DELETE FROM deliveries WHERE until < ?').run(now);
  }
}
