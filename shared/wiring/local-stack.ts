import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../adapters/local/sqlite/database.ts';
import { SqliteDeliveryLog } from '../adapters/local/sqlite/sqlite-delivery-log.ts';
import { SqliteIncidentLog } from '../adapters/local/sqlite/sqlite-incident-log.ts';
import { SqliteHintBuffer } from '../adapters/local/sqlite/sqlite-hint-buffer.ts';
import { SqliteAliasStore } from '../adapters/local/sqlite/sqlite-alias-store.ts';
import { SqliteCredentialStore } from '../adapters/local/sqlite/sqlite-credential-store.ts';
import { SqliteStateStore } from '../adapters/local/sqlite/sqlite-state-store.ts';
import { SqliteTaskQueue } from '../adapters/local/sqlite/sqlite-task-queue.ts';
import { LanceDbVectorStore } from '../adapters/local/lancedb/lancedb-vector-store.ts';
import type { LoadedConfig } from '../config/load.ts';
import type { CoreDeps, Logger, SourceSettings } from '../core/deps.ts';
import { TributaryError } from '../core/errors.ts';
import { BufferedHintBus } from '../core/hints.ts';
import type { Clock, CredentialStore, EventBus, IncidentLog, Hints, SourceConnector, TaskQueue } from '../ports/index.ts';
import { embedderFromConfig, embeddingPriceFromConfig, vectorStoreFromConfig } from './adapters.ts';
import { migrateLegacyState } from './legacy-state.ts';
import { wireProfiles } from './profiles.ts';
import { acquirePidLock, pidAlive } from './pid-lock.ts';
import { closeConnectors, connectorOf, settingsOf, systemClock } from './sources.ts';

export { connectorOf, pidAlive, settingsOf, systemClock };

/** The database file of the local stack inside the state folder. */
export const DATABASE_FILE = 'tributary.db';
/** Held by the one `tributary start` of a state folder. */
const RUNTIME_LOCK = 'runtime.lock';

export interface LocalStack {
  readonly deps: CoreDeps;
  readonly queue: SqliteTaskQueue;
  readonly state: SqliteStateStore;
  /** Replay memory of the webhook and ingest routes. */
  readonly deliveries: SqliteDeliveryLog;
  /** Open alert incidents (one alert per incident among every process of the folder). */
  readonly incidents: IncidentLog;
  /** Sources' rotating tokens and the webhook secrets providers send (the webhook route stores them). */
  readonly credentials: CredentialStore;
  readonly connectors: ReadonlyMap<string, SourceConnector>;
  readonly loaded: LoadedConfig;
  /** Lease owner (and queue receiver) id of this process. */
  readonly owner: string;
  readonly eventBus: EventBus;
  /** The SQLite file every local process of this state folder shares. */
  readonly databaseFile: string;
  /** Stops everything it opened: the connectors (their pools), the vector store, the database. */
  close(): Promise<void>;
}

export class LocalStackError extends TributaryError {
  constructor(message: string) {
    super(message, { expose: true });
  }
}

/** `<hostname>:<pid>:<random>` — lets a local process tell that a lease holder died. */
export function newOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** Whether the process named in a lease owner id is alive; undefined when it is not on this machine. */
export function isLocalOwnerAlive(owner: string): boolean | undefined {
  const [host, pidText] = owner.split(':');
  if (host !== hostname()) return undefined;
  return pidAlive(Number(pidText));
}

export interface OpenLocalStackOptions {
  readonly log: Logger;
  /**
   * `tributary start`: this process runs the schedules, watchers and HTTP server of the state
   * folder, and only one process may (a second would double every scheduled sync). Other
   * commands share the folder with it and with each other.
   */
  readonly runtime?: boolean;
}

/**
 * Opens the local stack for this config: the state folder's SQLite database (state and
 * queues, shared by every local process that opens it; the source leases decide who runs what,
 * as on AWS), LanceDB, the embedder and the connectors. Nothing listens on the network.
 */
export async function openLocalStack(loaded: LoadedConfig, options: OpenLocalStackOptions): Promise<LocalStack> {
  mkdirSync(loaded.stateDir, { recursive: true });
  const closers: Array<() => Promise<void>> = [];
  const close = async (): Promise<void> => {
    for (const fn of closers.splice(0).reverse()) await fn().catch(() => undefined);
  };
  try {
    if (options.runtime === true) closers.push(await takeRuntimeLock(loaded.stateDir));
    const databaseFile = join(loaded.stateDir, DATABASE_FILE);
    const db = openDatabase({ file: databaseFile });
    closers.push(async () => {
      db.close();
    });
    await migrateLegacyState({ stateDir: loaded.stateDir, db, log: options.log });
    return await assemble(loaded, db, databaseFile, options.log, closers, close);
  } catch (error) {
    await close();
    throw error;
  }
}

async function assemble(
  loaded: LoadedConfig, db: Db, databaseFile: string, log: Logger,
  closers: Array<() => Promise<void>>, close: () => Promise<void>,
): Promise<LocalStack> {
  const owner = newOwnerId();
  const state = new SqliteStateStore(db);
  const deliveries = new SqliteDeliveryLog(db);
  const hints = new SqliteHintBuffer(db);
  const credentials = new SqliteCredentialStore(db, process.env);
  state.purgeExpired(Date.now());
  deliveries.purgeExpired(Date.now());
  const queue = new SqliteTaskQueue(db, {
    // Handlers dead-letter a task after maxReceives attempts with its reason; the redrive is the backstop.
    maxReceiveCount: loaded.config.queues.maxReceives + 2,
    receiver: owner,
    isReceiverAlive: isLocalOwnerAlive,
  });

  const { config } = loaded;
  const embedder = embedderFromConfig(config, process.env);
  const vectors = await vectorStoreFromConfig(config, loaded.stateDir, embedder.dimensions, process.env);
  closers.push(async () => {
    await vectors.close?.();
  });
  if (vectors instanceof LanceDbVectorStore) await guardAppends(vectors, state, config.sources.map((s) => s.id), log);
  const profiles = await wireProfiles({ config, stateDir: loaded.stateDir, env: process.env, embedder, vectors });
  closers.push(() => profiles.close());

  const connectors = new Map<string, SourceConnector>();
  const settings = new Map<string, SourceSettings>();
  for (const source of config.sources) {
    connectors.set(source.id, connectorOf(source, { secret: (name) => credentials.secret(name), credentials, state, clock: systemClock, log }));
    settings.set(source.id, settingsOf(source, config.chunking, config.embedder.kind === 'semantic' ? `${embedder.model}/${embedder.dimensions}` : undefined));
  }
  // Connection pools (Postgres) end before the database and vector store they may write to.
  closers.push(() => closeConnectors(connectors.values(), log));
  const deps: CoreDeps = {
    state, queue, vectors, embedder, clock: systemClock, log, hints,
    embeddingPricePerMillionTokensUsd: embeddingPriceFromConfig(config),
    connector: (id) => connectors.get(id),
    settings: (id) => settings.get(id),
    profiles: (id) => profiles.profiles(id),
    retiredTarget: (id, profile) => profiles.retiredTarget(id, profile),
    generations: profiles.generations(new SqliteAliasStore(db)),
  };
  return {
    deps, queue, state, deliveries, incidents: new SqliteIncidentLog(db), credentials, connectors, loaded, owner, databaseFile,
    // Id hints (watchers, webhooks, pushes) coalesce in the buffer: one queued run per burst.
    eventBus: new BufferedHintBus(hints, new InProcessEventBus(queue, systemClock), systemClock),
    close,
  };
}

/**
 * Appending a new document's vectors instead of merging them by id is safe only while the
 * ledger knows every vector the index holds. A source whose ledger is empty but whose vectors
 * are in the index (the database was deleted, the index kept) would get a second copy: merge
 * then, and say how to clean up.
 */
async function guardAppends(vectors: LanceDbVectorStore, state: SqliteStateStore, sourceIds: readonly string[], log: Logger): Promise<void> {
  if ((await vectors.count()) === 0) return;
  for (const sourceId of sourceIds) {
    if (!state.hasLedger(sourceId) && (await vectors.listIds(`${sourceId}#`)).length > 0) {
      log.warn('the index holds vectors of a source its ledger does not know (state lost?): writes merge by id; run `tributary audit --repair` to remove the strays', { sourceId });
      vectors.trustAppends(false);
      return;
    }
  }
}

/** EventBus for local mode: hints go straight to the fetch queue, as the EventBridge rule does on AWS. */
export class InProcessEventBus implements EventBus {
  constructor(private readonly queue: TaskQueue, private readonly clock: Clock) {}

  async publish(hints: readonly Hints[]): Promise<void> {
    const requestedAt = new Date(this.clock.now()).toISOString();
    await this.queue.sendFetch(hints.map((h) => ({
      type: 'fetch' as const, sourceId: h.sourceId, trigger: h.trigger ?? 'webhook', requestedAt,
      ...(h.ids.length > 0 ? { ids: [...h.ids] } : {}), ...(h.buffered === true ? { buffered: true } : {}),
    })));
  }
}

/** One `tributary start` per state folder (a second would double every schedule and watcher). */
async function takeRuntimeLock(stateDir: string): Promise<() => Promise<void>> {
  const release = await acquirePidLock(join(stateDir, RUNTIME_LOCK), (holder) => new LocalStackError(
    `another \`tributary start\` (pid ${holder}) is running on ${stateDir}; stop it first, or give this one another stateDir (\`tributary sync\`, \`status\` and the other commands can run beside it)`,
  ));
  return async () => release();
}
