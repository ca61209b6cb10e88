import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DynamoDbStateStore } from '../adapters/aws/dynamodb-state-store.ts';
import { SqsTaskQueue } from '../adapters/aws/sqs-task-queue.ts';
import type { LoadedConfig } from '../config/load.ts';
import { connectorOf, settingsOf, systemClock } from './sources.ts';
import { startEmbeddedServers } from './embedded-servers.ts';
import { embedderFromConfig, embeddingPriceFromConfig, vectorStoreFromConfig } from './adapters.ts';
import type { CoreDeps, Logger, SourceSettings } from '../core/deps.ts';

export { connectorOf, settingsOf, systemClock };
import { TributaryError } from '../core/errors.ts';
import type { Clock, EventBus, Hints, SourceConnector, TaskQueue } from '../ports/index.ts';

const TABLE = 'tributary-state';
const QUEUE_PREFIX = 'tributary';
/** Fake credentials: the embedded servers accept any; no AWS account is involved. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const REGION = 'us-east-1';
/** Embedding vectors a local process keeps in memory in front of the DynamoDB embedding cache. */
const LOCAL_EMBEDDING_MEMORY_BYTES = 256 * 1024 * 1024;
/** How long a closing host keeps its servers up for clients still using them. */
const CLIENT_WAIT_MS = 15 * 60_000;


/** Where the hosting process publishes its embedded endpoints. */
interface HostRecord {
  pid: number;
  host: string;
  role: string;
  dynamodb: string;
  sqs: string;
  startedAt: string;
}

export interface LocalStack {
  readonly deps: CoreDeps;
  readonly queue: SqsTaskQueue;
  readonly state: DynamoDbStateStore;
  readonly connectors: ReadonlyMap<string, SourceConnector>;
  readonly loaded: LoadedConfig;
  /** Host: this process runs the embedded servers. Client: it uses another process's. */
  readonly role: 'host' | 'client';
  readonly hostRecord: HostRecord;
  /** Lease owner id of this process. */
  readonly owner: string;
  readonly eventBus: EventBus;
  close(): Promise<void>;
}

export class LocalStackError extends TributaryError {}

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

/** Whether a process with this pid runs on this machine. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Opens the embedded stack for this config. The first process hosts dynalite and fauxqs
 * (LevelDB admits one process) and records their addresses in the state folder; later
 * processes connect as clients, and the DynamoDB lease decides who runs what.
 */
export async function openLocalStack(loaded: LoadedConfig, options: { log: Logger; role: string; requireHost?: boolean }): Promise<LocalStack> {
  mkdirSync(loaded.stateDir, { recursive: true });
  const hostFile = join(loaded.stateDir, 'host.json');
  const lockFile = join(loaded.stateDir, 'host.lock');
  const clientsDir = join(loaded.stateDir, 'clients');
  const clientFile = join(clientsDir, String(process.pid));
  const closers: Array<() => Promise<void>> = [];

  let record: HostRecord | undefined;
  let role: 'host' | 'client' = 'client';
  for (let attempt = 0; attempt < 200 && !record; attempt++) {
    const existing = readHostRecord(hostFile);
    if (existing && existing.pid !== process.pid && pidAlive(existing.pid) && await reachable(existing)) {
      if (options.requireHost) {
        throw new LocalStackError(`another Tributary process (pid ${existing.pid}, "${existing.role}") is using ${loaded.stateDir}; stop it first or use another stateDir`);
      }
      // Register, then check the host still publishes itself: a closing host waits for registered
      // clients, unpublishes, then waits again, so either it sees us or we see it gone.
      mkdirSync(clientsDir, { recursive: true });
      writeFileSync(clientFile, existing.startedAt);
      const still = readHostRecord(hostFile);
      if (still?.pid !== existing.pid || still.startedAt !== existing.startedAt) {
        rmSync(clientFile, { force: true });
        await sleep(50);
        continue;
      }
      closers.push(async () => rmSync(clientFile, { force: true }));
      record = existing;
      break;
    }
    let fd: number | undefined;
    try {
      fd = openSync(lockFile, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (fd === undefined) {
      const holder = Number(readFileSafe(lockFile));
      // A holder that died (SIGKILL) leaves its lock behind: replace it.
      if (!pidAlive(holder) && holder !== process.pid) rmSync(lockFile, { force: true });
      else await sleep(50);
      continue;
    }
    writeFileSync(fd, String(process.pid));
    closeSync(fd);
    role = 'host';
    try {
      record = await startServers(loaded.stateDir, options.role, closers);
    } catch (error) {
      rmSync(lockFile, { force: true });
      throw error;
    }
    const tmp = `${hostFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(record, null, 2));
    renameSync(tmp, hostFile);
    // Runs first on close: clients that still use the embedded servers (a `sync` whose run holds
    // the lease while this process deferred, say) must finish before the servers go away.
    closers.unshift(async () => {
      await waitForClients(clientsDir, options.log);
      if (readHostRecord(hostFile)?.pid === process.pid) rmSync(hostFile, { force: true });
      // A client may have registered just before the record went away.
      await waitForClients(clientsDir, options.log);
    });
    closers.push(async () => {
      if (readFileSafe(lockFile) === String(process.pid)) rmSync(lockFile, { force: true });
    });
  }
  if (!record) throw new LocalStackError(`could not host or reach the local stack in ${loaded.stateDir}`);

  const requestHandler = new NodeHttpHandler({ connectionTimeout: 2_000, requestTimeout: 30_000 });
  const ddb = new DynamoDBClient({ endpoint: record.dynamodb, region: REGION, credentials: LOCAL_CREDENTIALS, requestHandler, maxAttempts: 5 });
  const sqs = new SQSClient({ endpoint: record.sqs, region: REGION, credentials: LOCAL_CREDENTIALS, requestHandler, maxAttempts: 5 });
  closers.unshift(async () => {
    ddb.destroy();
    sqs.destroy();
  });
  const state = new DynamoDbStateStore({ client: ddb, tableName: TABLE, embeddingMemoryBytes: LOCAL_EMBEDDING_MEMORY_BYTES });
  await state.ensureTable();
  const urls = await SqsTaskQueue.ensureQueues(sqs, QUEUE_PREFIX, loaded.config.queues.maxReceives + 2);
  const queue = new SqsTaskQueue({ client: sqs, urls });

  const { config } = loaded;
  const embedder = embedderFromConfig(config, process.env);
  const vectors = await vectorStoreFromConfig(config, loaded.stateDir, embedder.dimensions, process.env);
  closers.unshift(async () => {
    await vectors.close?.();
  });

  const connectors = new Map<string, SourceConnector>();
  const settings = new Map<string, SourceSettings>();
  for (const source of config.sources) {
    connectors.set(source.id, connectorOf(source, { secret: (name) => process.env[name], state, clock: systemClock, log: options.log }));
    settings.set(source.id, settingsOf(source, config.chunking));
  }
  const deps: CoreDeps = {
    state, queue, vectors, embedder, clock: systemClock, log: options.log,
    embeddingPricePerMillionTokensUsd: embeddingPriceFromConfig(config),
    connector: (id) => connectors.get(id),
    settings: (id) => settings.get(id),
  };
  return {
    deps, queue, state, connectors, loaded, role, hostRecord: record, owner: newOwnerId(),
    eventBus: new InProcessEventBus(queue, systemClock),
    async close() {
      for (const close of closers) await close().catch(() => undefined);
    },
  };
}

/** EventBus for local mode: hints go straight to the fetch queue, as the EventBridge rule does on AWS. */
export class InProcessEventBus implements EventBus {
  constructor(private readonly queue: TaskQueue, private readonly clock: Clock) {}

  async publish(hints: readonly Hints[]): Promise<void> {
    const requestedAt = new Date(this.clock.now()).toISOString();
    await this.queue.sendFetch(hints.map((h) => ({
      type: 'fetch' as const, sourceId: h.sourceId, trigger: 'webhook' as const, requestedAt,
      ...(h.ids.length > 0 ? { ids: [...h.ids] } : {}),
    })));
  }
}

async function startServers(stateDir: string, role: string, closers: Array<() => Promise<void>>): Promise<HostRecord> {
  const servers = await startEmbeddedServers({ dynamodbPath: join(stateDir, 'dynamodb') });
  closers.push(() => servers.close());
  return {
    pid: process.pid, host: hostname(), role,
    dynamodb: servers.dynamodb,
    sqs: servers.sqs,
    startedAt: new Date().toISOString(),
  };
}

/** Waits until no live process is registered as a client in `dir` (dead ones are unregistered). */
async function waitForClients(dir: string, log: Logger): Promise<void> {
  const deadline = Date.now() + CLIENT_WAIT_MS;
  let logged = false;
  for (;;) {
    let live = 0;
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      // No client ever registered.
    }
    for (const name of names) {
      const pid = Number(name);
      if (pid !== process.pid && pidAlive(pid)) live += 1;
      else rmSync(join(dir, name), { force: true });
    }
    if (live === 0) return;
    if (Date.now() > deadline) {
      log.warn('stopping the local stack although client processes still use it', { clients: live });
      return;
    }
    if (!logged) {
      log.info('waiting for client processes that use this process\'s local stack', { clients: live });
      logged = true;
    }
    await sleep(100);
  }
}

function readHostRecord(file: string): HostRecord | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as HostRecord;
  } catch {
    return undefined;
  }
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

async function reachable(record: HostRecord): Promise<boolean> {
  const sqs = new SQSClient({
    endpoint: record.sqs, region: REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 1_000, requestTimeout: 2_000 }),
  });
  try {
    await sqs.send(new ListQueuesCommand({}));
    return true;
  } catch {
    return false;
  } finally {
    sqs.destroy();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
