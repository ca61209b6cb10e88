import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../adapters/local/sqlite/database.ts';
import { emptyCounts, importDynamoDbItems, type ImportCounts } from '../adapters/local/sqlite/legacy-import.ts';
import type { Logger } from '../core/deps.ts';
import { TributaryError, errorMessage } from '../core/errors.ts';
import { acquirePidLock } from './pid-lock.ts';

/** The previous local layout: dynalite's LevelDB folder, its table, and the host machinery's files. */
const LEGACY_FOLDER = 'dynamodb';
const LEGACY_TABLE = 'tributary-state';
const LEGACY_FILES = ['host.json', 'host.lock'];
const LEGACY_CLIENTS = 'clients';
const MIGRATE_LOCK = 'migrate.lock';

export class LegacyStateError extends TributaryError {
  constructor(message: string, cause?: unknown) {
    super(message, { expose: true, cause });
  }
}

/**
 * Moves a state folder of the previous layout (state in a DynamoDB emulator's LevelDB folder)
 * into the SQLite database, once, on the first open: source states and cursors, the ledger,
 * run records, the embedding cache (a user of OpenAI does not pay to re-embed), the push
 * stash and idempotency records. The old folder is kept as `dynamodb.migrated` until the
 * user deletes it. Its queues lived in memory, so there are none to move; documents whose
 * tasks were lost with them are re-fetched by the recovery at the next sync or start.
 */
export async function migrateLegacyState(input: { stateDir: string; db: Db; log: Logger }): Promise<ImportCounts | undefined> {
  const legacy = join(input.stateDir, LEGACY_FOLDER);
  if (!existsSync(legacy)) return undefined;
  // Another process opening the folder at the same time waits for this one's migration.
  const release = await acquirePidLock(join(input.stateDir, MIGRATE_LOCK), () => undefined);
  try {
    // Another process may have migrated while this one waited for the lock.
    if (!existsSync(legacy)) return undefined;
    input.log.warn('moving the state folder to the SQLite layout (one time)', { from: legacy });
    const counts = await importLegacyTable(legacy, input.db);
    renameSync(legacy, `${legacy}.migrated`);
    for (const name of LEGACY_FILES) rmSync(join(input.stateDir, name), { force: true });
    rmSync(join(input.stateDir, LEGACY_CLIENTS), { recursive: true, force: true });
    input.log.warn('state folder moved to SQLite; the old copy can be deleted', { kept: `${legacy}.migrated`, ...counts });
    return counts;
  } finally {
    release();
  }
}

async function importLegacyTable(folder: string, db: Db): Promise<ImportCounts> {
  // Loaded only here: a state folder of the current layout never pays for dynalite and the AWS SDK.
  const [{ startEmbeddedDynamoDb }, { DynamoDBClient, ResourceNotFoundException }, { DynamoDBDocumentClient, ScanCommand }] = await Promise.all([
    import('./embedded-dynamodb.ts'), import('@aws-sdk/client-dynamodb'), import('@aws-sdk/lib-dynamodb'),
  ]);
  let server;
  try {
    server = await startEmbeddedDynamoDb({ path: folder });
  } catch (error) {
    throw new LegacyStateError(`could not open the previous state layout in ${folder} (${errorMessage(error)}); if an older Tributary still runs on this folder, stop it and try again`, error);
  }
  const client = new DynamoDBClient({
    endpoint: server.endpoint, region: 'us-east-1', maxAttempts: 3,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const doc = DynamoDBDocumentClient.from(client);
  const counts = emptyCounts();
  try {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new ScanCommand({ TableName: LEGACY_TABLE, ...(start ? { ExclusiveStartKey: start } : {}) }));
      importDynamoDbItems(db, page.Items ?? [], counts);
      start = page.LastEvaluatedKey;
    } while (start);
  } catch (error) {
    // A folder whose table was never created holds nothing to move.
    if (!(error instanceof ResourceNotFoundException)) throw error;
  } finally {
    client.destroy();
    await server.close();
  }
  return counts;
}
