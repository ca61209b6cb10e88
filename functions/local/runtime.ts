import type { FastifyInstance } from 'fastify';
import { rateMs } from '../../shared/config/load.ts';
import type { Logger } from '../../shared/core/deps.ts';
import { errorMessage, TributaryError } from '../../shared/core/errors.ts';
import { type LocalStack } from '../../shared/wiring/local-stack.ts';
import { accessPolicy, isLoopback } from './access.ts';
import { startLocalAlerts } from './alerts.ts';
import { queueWorkers } from './workers.ts';
import { documentsWithoutTask } from './recovery.ts';
import { buildServer } from './server.ts';
import { newRuntimeInfo } from './console/local-backend.ts';

export interface RuntimeOptions {
  readonly port: number;
  readonly host: string;
  readonly log: Logger;
  readonly secret: (envName: string) => string | undefined;
}

/** The HTTP server could not start; nothing else was started. */
export class HttpServerError extends TributaryError {
  constructor(message: string) {
    super(message, { expose: true });
  }
}

/** Listens, or closes the server and says why not (`busy`: what to tell of a port in use). */
export async function listenOrExplain(server: FastifyInstance, port: number, host: string, busy: string): Promise<string> {
  try {
    return await server.listen({ port, host });
  } catch (error) {
    await server.close().catch(() => undefined);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new HttpServerError(`port ${port} on ${host} is in use ${busy}`);
    throw new HttpServerError(`could not serve on ${host}:${port}: ${errorMessage(error)}`);
  }
}

export interface Runtime {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * The long-running local runtime: queue pollers driving the Lambda handlers, a scheduler
 * per source, file watchers, and the HTTP server. The stack must hold the runtime lock.
 */
export async function startRuntime(stack: LocalStack, options: RuntimeOptions): Promise<Runtime> {
  const { deps, loaded } = stack;
  const { log } = options;
  // The port first: a busy port ends the start before any poller, schedule or watcher runs.
  const access = accessPolicy(loaded.config.server, { [loaded.config.server.accessTokenEnv]: options.secret(loaded.config.server.accessTokenEnv) });
  // Alert channels check their secrets now: a missing one ends the start before anything runs.
  const alerts = startLocalAlerts(stack, { secret: options.secret, log });
  const info = newRuntimeInfo();
  const server = buildServer(stack, { secret: options.secret, access, runtime: info });
  let address: string;
  try {
    address = await listenOrExplain(server, options.port, options.host, 'by another program: stop it, or choose another with --port or server.port');
  } catch (error) {
    await alerts?.stop();
    throw error;
  }
  if (!isLoopback(options.host)) {
    log.warn('serving to the network: every request but signed webhooks and pushes needs the access token', {
      host: options.host, tokenEnv: loaded.config.server.accessTokenEnv,
    });
  }
  const workers = queueWorkers(stack, log, { afterFetch: () => alerts?.poke() });

  const now = () => new Date(deps.clock.now()).toISOString();
  // Tasks a crashed process left in the queue are picked up by the pollers; documents whose task is gone are re-fetched.
  for (const source of loaded.config.sources) {
    const ids = await documentsWithoutTask(stack, source.id);
    if (ids.length > 0) {
      log.warn('recovering unsettled documents from an earlier crash', { sourceId: source.id, documents: ids.length });
      await stack.queue.sendFetch([{ type: 'fetch', sourceId: source.id, trigger: 'recovery', ids, recover: true, requestedAt: now() }]);
    }
  }
  workers.start();

  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  /** Like setInterval, but for periods beyond Node's 24.8-day timer limit too. */
  const every = (periodMs: number, fn: () => void, onArm: (due: number) => void): void => {
    let due = Date.now() + periodMs;
    const arm = (): void => {
      onArm(due);
      if (stopped) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (Date.now() >= due) {
          due += periodMs;
          fn();
        }
        arm();
      }, Math.min(due - Date.now(), 2 ** 31 - 1));
      timers.add(timer);
    };
    arm();
  };
  const stops: Array<() => Promise<void>> = [];
  for (const source of loaded.config.sources) {
    const schedule = async (): Promise<void> => {
      await stack.queue.sendFetch([{ type: 'fetch', sourceId: source.id, trigger: 'schedule', requestedAt: now() }])
        .catch((error: unknown) => log.error('could not schedule a sync', { sourceId: source.id, error: errorMessage(error) }));
    };
    await schedule(); // sync at start, then on the schedule
    every(rateMs(source.schedule), () => void schedule(), (due) => info.nextRunAt.set(source.id, due));
    const connector = stack.connectors.get(source.id);
    // Sources with a `watch` switch (folders, Postgres LISTEN) honour it; others watch when their connector can.
    const watches = 'watch' in source ? source.watch : true;
    info.watchers.set(source.id, !connector?.watch ? { state: 'unsupported' } : !watches ? { state: 'off', detail: 'watch: false in the config' } : { state: 'not running' });
    if (watches && connector?.watch) {
      try {
        stops.push(await connector.watch((hints) => {
          stack.eventBus.publish([{ ...hints, sourceId: source.id, trigger: 'watch' }])
            .catch((error: unknown) => log.error('could not publish a watcher hint', { sourceId: source.id, error: errorMessage(error) }));
        }));
        info.watchers.set(source.id, { state: 'watching' });
      } catch (error) {
        info.watchers.set(source.id, { state: 'failed', detail: `${errorMessage(error)}; scheduled syncs still run` });
        log.error('watcher did not start; scheduled syncs still run', { sourceId: source.id, error: errorMessage(error) });
      }
    }
  }

  const url = address.replace('://127.0.0.1', '://localhost');

  return {
    url,
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      for (const stop of stops) await stop().catch(() => undefined);
      await server.close();
      await workers.stop();
      await alerts?.stop();
    },
  };
}
