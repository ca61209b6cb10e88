/**
 * The local stack's adapters on one SQLite database file: the same contract suites the
 * DynamoDB and SQS adapters pass (test/contract/aws-adapters.test.ts), on a real file in WAL
 * mode, each test on a fresh one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../shared/adapters/local/sqlite/database.ts';
import { SqliteCredentialStore } from '../../shared/adapters/local/sqlite/sqlite-credential-store.ts';
import { SqliteDeliveryLog } from '../../shared/adapters/local/sqlite/sqlite-delivery-log.ts';
import { SqliteHintBuffer } from '../../shared/adapters/local/sqlite/sqlite-hint-buffer.ts';
import { SqliteStateStore } from '../../shared/adapters/local/sqlite/sqlite-state-store.ts';
import { SqliteTaskQueue } from '../../shared/adapters/local/sqlite/sqlite-task-queue.ts';
import { credentialStoreContract } from './credential-store.contract.ts';
import { deliveryLogContract } from './delivery-log.contract.ts';
import { hintBufferContract } from './hint-buffer.contract.ts';
import { aliasStoreContract } from './alias-store.contract.ts';
import { SqliteAliasStore } from '../../shared/adapters/local/sqlite/sqlite-alias-store.ts';
import { stateStoreContract } from './state-store.contract.ts';
import { taskQueueContract } from './task-queue.contract.ts';

async function freshDatabase() {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-sqlite-'));
  const db = openDatabase({ file: join(dir, 'state.db') });
  return {
    db,
    async cleanup() {
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

stateStoreContract('SqliteStateStore', async () => {
  const { db, cleanup } = await freshDatabase();
  return { store: new SqliteStateStore(db), cleanup };
});

taskQueueContract('SqliteTaskQueue', async () => {
  const { db, cleanup } = await freshDatabase();
  return { queue: new SqliteTaskQueue(db, { maxReceiveCount: 10, receiver: 'test' }), cleanup };
});

deliveryLogContract('SqliteDeliveryLog', async () => {
  const { db, cleanup } = await freshDatabase();
  return { log: new SqliteDeliveryLog(db), cleanup };
});

hintBufferContract('SqliteHintBuffer', async () => {
  const { db, cleanup } = await freshDatabase();
  return { buffer: new SqliteHintBuffer(db), cleanup };
});

aliasStoreContract('SqliteAliasStore', async () => {
  const { db, cleanup } = await freshDatabase();
  return { aliases: new SqliteAliasStore(db), cleanup };
});

credentialStoreContract('SqliteCredentialStore', async () => {
  const { db, cleanup } = await freshDatabase();
  const secrets = { SLACK_BOT_TOKEN: 'xoxb-local' };
  return { store: new SqliteCredentialStore(db, secrets), secrets, cleanup };
});
