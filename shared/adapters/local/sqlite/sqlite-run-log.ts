import type { DocumentIssue, RunCounters, RunRecord } from '../../../ports/index.ts';
import { immediate, sql, type Db } from './database.ts';

const DAY_MS = 86_400_000;

/**
 * Run records as JSON documents, so fields a newer core adds pass through unchanged. Updates
 * read, merge and write in one immediate transaction: counters that several embedders add at
 * once all land. Records older than the retention go when the source records a new run (the
 * DynamoDB adapter lets TTL remove them).
 */
export class SqliteRunLog {
  constructor(private readonly db: Db, private readonly retentionDays: number) {}

  put(run: RunRecord): void {
    immediate(this.db, () => {
      sql(this.db, 'INSERT OR REPLACE INTO runs (source_id, run_id, started_at, record) VALUES (?, ?, ?, ?)')
        .run(run.sourceId, run.runId, run.startedAt, JSON.stringify(run));
      const horizon = new Date(Date.parse(run.startedAt) - this.retentionDays * DAY_MS).toISOString();
      sql(this.db, 'DELETE FROM runs WHERE source_id = ? AND started_at < ?').run(run.sourceId, horizon);
    });
  }

  update(sourceId: string, runId: string, patch: Partial<Omit<RunRecord, 'sourceId' | 'runId'>>): void {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return;
    this.modify(sourceId, runId, (record) => {
      for (const [k, v] of entries) record[k] = v;
    });
  }

  addCounters(sourceId: string, runId: string, delta: Partial<RunCounters>): void {
    const entries = Object.entries(delta).filter(([, v]) => typeof v === 'number' && v !== 0) as Array<[string, number]>;
    if (entries.length === 0) return;
    this.modify(sourceId, runId, (record) => {
      for (const [k, v] of entries) record[k] = (typeof record[k] === 'number' ? record[k] : 0) + v;
    });
  }

  /** Appends to the record's failed documents while it holds fewer than `max` (a batch may go past it, as on DynamoDB). */
  addFailures(sourceId: string, runId: string, failures: readonly DocumentIssue[], max: number): void {
    if (failures.length === 0) return;
    this.modify(sourceId, runId, (record) => {
      const list = Array.isArray(record['failedDocuments']) ? (record['failedDocuments'] as DocumentIssue[]) : [];
      if (list.length >= max) return;
      record['failedDocuments'] = [...list, ...failures.map((f) => ({ ...f }))];
    });
  }

  get(sourceId: string, runId: string): RunRecord | undefined {
    const row = sql(this.db, 'SELECT record FROM runs WHERE source_id = ? AND run_id = ?').get(sourceId, runId) as { record: string } | undefined;
    return row ? (JSON.parse(row.record) as RunRecord) : undefined;
  }

  list(sourceId: string, limit: number): RunRecord[] {
    const rows = sql(this.db, 'SELECT record FROM runs WHERE source_id = ? ORDER BY run_id DESC LIMIT ?').all(sourceId, limit) as Array<{ record: string }>;
    return rows.map((r) => JSON.parse(r.record) as RunRecord);
  }

  /** Read, change and write one record atomically; a record first named here is created (as an UpdateItem would). */
  private modify(sourceId: string, runId: string, change: (record: Record<string, unknown>) => void): void {
    immediate(this.db, () => {
      const row = sql(this.db, 'SELECT record FROM runs WHERE source_id = ? AND run_id = ?').get(sourceId, runId) as { record: string } | undefined;
      const record = row ? (JSON.parse(row.record) as Record<string, unknown>) : {};
      change(record);
      sql(this.db, `INSERT INTO runs (source_id, run_id, started_at, record) VALUES (?, ?, ?, ?)
        ON CONFLICT (source_id, run_id) DO UPDATE SET record = excluded.record`)
        .run(sourceId, runId, typeof record['startedAt'] === 'string' ? record['startedAt'] : null, JSON.stringify(record));
    });
  }
}
