/**
 * The local stack's embedded DynamoDB (dynalite, LevelDB on disk) and SQS (fauxqs), hosted on
 * a worker thread of the process that hosts the stack. Everything else in a local process —
 * the fetcher, the embedder, the AWS SDK clients, LanceDB's bindings — shares the main thread;
 * with the servers on their own thread, a sync uses a second core for the state and queue
 * requests it makes (about 4 DynamoDB and 2 SQS requests per changed document) instead of
 * queueing behind them. Clients reach the servers over loopback HTTP either way.
 */
import { startFauxqs } from 'fauxqs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { TributaryError } from '../core/errors.ts';
import { startEmbeddedDynamoDb } from './embedded-dynamodb.ts';

export interface EmbeddedServers {
  readonly dynamodb: string;
  readonly sqs: string;
  /** Drains and closes both servers, then ends the thread. */
  close(): Promise<void>;
}

type FromThread =
  | { type: 'ready'; dynamodb: string; sqs: string }
  | { type: 'failed'; message: string }
  | { type: 'closed' };

interface ThreadData {
  dynamodbPath: string;
}

/** Starts the servers on a new worker thread; resolves once both listen. */
export async function startEmbeddedServers(options: { dynamodbPath: string }): Promise<EmbeddedServers> {
  const worker = new Worker(new URL('./embedded-servers.worker.mjs', import.meta.url), {
    // The thread writes to the process's stdout and stderr (Node's default), so a crash inside dynalite is visible.
    workerData: { dynamodbPath: options.dynamodbPath } satisfies ThreadData,
  });
  let closing: Promise<void> | undefined;
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const ready = await new Promise<{ dynamodb: string; sqs: string }>((resolve, reject) => {
    const onMessage = (m: FromThread) => {
      if (m.type === 'ready') resolve(m);
      else if (m.type === 'failed') reject(new TributaryError(`the embedded DynamoDB/SQS servers did not start: ${m.message}`));
    };
    worker.on('message', onMessage);
    worker.once('error', (error) => reject(new TributaryError(`the embedded DynamoDB/SQS servers' thread failed: ${error.message}`)));
    void exited.then((code) => reject(new TributaryError(`the embedded DynamoDB/SQS servers' thread exited with code ${code} before it was ready`)));
  });
  return {
    ...ready,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => worker.on('message', (m: FromThread) => { if (m.type === 'closed') resolve(); }));
        worker.postMessage({ type: 'close' });
        // A thread that died already has nothing left to close.
        await Promise.race([closed, exited]);
        await worker.terminate();
      })();
      return closing;
    },
  };
}

/** Body of the worker thread: starts both servers, reports their endpoints, closes on request. */
export async function serveInThisThread(): Promise<void> {
  if (isMainThread || !parentPort) throw new Error('serveInThisThread runs on the embedded servers\' worker thread only');
  const port = parentPort;
  const { dynamodbPath } = workerData as ThreadData;
  try {
    const dynamo = await startEmbeddedDynamoDb({ path: dynamodbPath });
    const sqs = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
    port.on('message', (m: { type: string }) => {
      if (m.type !== 'close') return;
      void (async () => {
        await dynamo.close().catch(() => undefined);
        await sqs.stop().catch(() => undefined);
        port.postMessage({ type: 'closed' } satisfies FromThread);
      })();
    });
    port.postMessage({ type: 'ready', dynamodb: dynamo.endpoint, sqs: `http://127.0.0.1:${sqs.port}` } satisfies FromThread);
  } catch (error) {
    port.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies FromThread);
  }
}
