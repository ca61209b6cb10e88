/**
 * The IncidentLog contract (one announcement per incident, one recovery per incident, among
 * concurrent callers) on every adapter: in memory, SQLite, DynamoDB on dynalite.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbIncidentLog } from '../../shared/adapters/aws/dynamodb-incident-log.ts';
import { openDatabase } from '../../shared/adapters/local/sqlite/database.ts';
import { SqliteIncidentLog } from '../../shared/adapters/local/sqlite/sqlite-incident-log.ts';
import type { IncidentLog } from '../../shared/ports/index.ts';
import { newStateStore, startServers, type EmbeddedServers } from '../support/embedded.ts';
import { InMemoryIncidentLog } from '../support/memory-incident-log.ts';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const REPEAT = 3_600_000;

function incidentLogContract(name: string, make: () => Promise<{ log: IncidentLog; cleanup(): Promise<void> }>): void {
  describe(`IncidentLog contract: ${name}`, () => {
    let harness: { log: IncidentLog; cleanup(): Promise<void> };
    let log: IncidentLog;
    beforeEach(async () => {
      harness = await make();
      log = harness.log;
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    it('opens an incident once until it is due again, and keeps scopes and keys apart', async () => {
      // Act
      const first = await log.openIncident({ scope: 'alert:a', key: 'failure', now: T0, repeatMs: REPEAT });
      const again = await log.openIncident({ scope: 'alert:a', key: 'failure', now: T0 + REPEAT - 1, repeatMs: REPEAT });
      const otherKey = await log.openIncident({ scope: 'alert:a', key: 'stale', now: T0, repeatMs: REPEAT });
      const otherScope = await log.openIncident({ scope: 'alert:b', key: 'failure', now: T0, repeatMs: REPEAT });
      const reminder = await log.openIncident({ scope: 'alert:a', key: 'failure', now: T0 + REPEAT + 1, repeatMs: REPEAT });

      // Assess
      expect([first, again, otherKey, otherScope, reminder]).toEqual([true, false, true, true, true]);
    });

    it('closes an open incident once, telling when it was announced', async () => {
      // Prepare
      await log.openIncident({ scope: 'alert:a', key: 'failure', now: T0, repeatMs: REPEAT });

      // Act
      const closed = await log.closeIncident({ scope: 'alert:a', key: 'failure', repeatMs: REPEAT });
      const twice = await log.closeIncident({ scope: 'alert:a', key: 'failure', repeatMs: REPEAT });
      const never = await log.closeIncident({ scope: 'alert:a', key: 'breaker', repeatMs: REPEAT });
      const reopened = await log.openIncident({ scope: 'alert:a', key: 'failure', now: T0 + 5, repeatMs: REPEAT });

      // Assess
      expect(closed).toEqual({ openedAt: T0 });
      expect([twice, never, reopened]).toEqual([undefined, undefined, true]);
    });

    it('lets exactly one of concurrent openers and one of concurrent closers through', async () => {
      // Act
      const opened = await Promise.all(Array.from({ length: 6 }, () => log.openIncident({ scope: 'alert:a', key: 'stale', now: T0, repeatMs: REPEAT })));
      const closed = await Promise.all(Array.from({ length: 6 }, () => log.closeIncident({ scope: 'alert:a', key: 'stale', repeatMs: REPEAT })));

      // Assess
      expect(opened.filter(Boolean)).toHaveLength(1);
      expect(closed.filter((c) => c !== undefined)).toHaveLength(1);
    });
  });
}

incidentLogContract('InMemoryIncidentLog', async () => ({ log: new InMemoryIncidentLog(), cleanup: async () => undefined }));

incidentLogContract('SqliteIncidentLog', async () => {
  const db = openDatabase({ file: ':memory:' });
  return { log: new SqliteIncidentLog(db), cleanup: async () => { db.close(); } };
});

let servers: EmbeddedServers;
beforeAll(async () => {
  servers = await startServers();
});
afterAll(async () => {
  await servers.close();
});

incidentLogContract('DynamoDbIncidentLog on dynalite', async () => {
  const store = await newStateStore(servers);
  return { log: new DynamoDbIncidentLog(servers.ddb, store.tableName), cleanup: async () => undefined };
});
