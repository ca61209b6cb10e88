import dynalite from 'dynalite';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** How long closing waits for requests already being handled before it closes the database anyway. */
const DRAIN_MS = 30_000;

export interface EmbeddedDynamoDb {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Requests dynalite is handling right now. */
  inFlight(): number;
  /**
   * Refuses new requests (503), waits for the requests already being handled to be answered,
   * then closes the server and the database. dynalite answers one request with several LevelDB operations; a
   * database closed between two of them throws "Database is closed" out of dynalite's callback and
   * takes the hosting process down — so closing must never race a request, even one whose client
   * already hung up (a process that exited right after sending its last write).
   */
  close(): Promise<void>;
}

/** dynalite on loopback (LevelDB in `path`, or in memory), with a close that drains requests first. */
export async function startEmbeddedDynamoDb(options: { path?: string; drainMs?: number } = {}): Promise<EmbeddedDynamoDb> {
  const server = dynalite({ ...(options.path ? { path: options.path } : {}), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  let active = 0;
  let closing: Promise<void> | undefined;
  /** Set while close() waits for the requests in flight to end. */
  let onIdle: (() => void) | undefined;
  // Take over dynalite's request listener so that every request is counted from its first byte
  // and requests arriving while closing are refused instead of racing the database's close.
  const handlers = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (closing) {
      res.writeHead(503, { 'content-type': 'application/x-amz-json-1.0', connection: 'close' });
      res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable', message: 'the local stack is shutting down' }));
      return;
    }
    active += 1;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      active -= 1;
      if (active === 0) onIdle?.();
    };
    // dynalite answers every request through res.end, also when the client already hung up.
    const end = res.end;
    res.end = function patchedEnd(this: ServerResponse, ...args: unknown[]) {
      finish();
      return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as typeof res.end;
    for (const handle of handlers) handle.call(server, req, res);
    // dynalite rethrows a request stream error (a client that died halfway through sending its
    // body), which would take this process down; such a request is never handled, so it is done.
    req.removeAllListeners('error');
    req.on('error', finish);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('dynalite did not report a TCP port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    inFlight: () => active,
    close() {
      closing ??= (async () => {
        if (active > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, options.drainMs ?? DRAIN_MS);
            onIdle = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections?.();
        await closed;
      })();
      return closing;
    },
  };
}
