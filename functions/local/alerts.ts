import type { Logger } from '../../shared/core/deps.ts';
import { errorMessage } from '../../shared/core/errors.ts';
import { checkSourceAlerts, type CheckOutcome, type SourceAlertInput } from '../../shared/core/alerts/check.ts';
import { deadLettersBySource } from '../../shared/core/alerts/conditions.ts';
import { reportSource } from '../../shared/core/source-status.ts';
import { alertsFromConfig, type AlertWiring } from '../../shared/wiring/alerts.ts';
import { isLocalOwnerAlive, type LocalStack } from '../../shared/wiring/local-stack.ts';

/** Dead letters read per queue and check. */
const DEAD_LETTERS_READ = 100;

export interface LocalAlerts {
  /** Checks every watched source now (checks never overlap; a poke during one runs one more after it). */
  check(): Promise<CheckOutcome[]>;
  /** Asks for a check soon (after a sync run), without waiting for it. */
  poke(): void;
  stop(): Promise<void>;
}

/**
 * The local runtime's alerts: every `alerts.checkEverySeconds`, and after each sync run,
 * the watched sources' reports are checked and what began or ended is posted. The channels
 * are built (and their secrets checked) here, before the runtime starts anything; undefined
 * when no source has anywhere to send.
 */
export function startLocalAlerts(stack: LocalStack, options: { secret: (name: string) => string | undefined; log: Logger; fetch?: typeof fetch; startedAt?: number }): LocalAlerts | undefined {
  const wiring = alertsFromConfig(stack.loaded.config, options.secret, options.fetch ? { fetch: options.fetch } : {});
  if (!wiring) return undefined;
  const startedAt = options.startedAt ?? stack.deps.clock.now();
  let running: Promise<CheckOutcome[]> | undefined;
  let again = false;
  let stopped = false;
  const run = async (): Promise<CheckOutcome[]> => {
    try {
      return await checkOnce(stack, wiring, startedAt, options.log);
    } catch (error) {
      options.log.error('alert check failed', { error: errorMessage(error) });
      return [];
    }
  };
  const check = (): Promise<CheckOutcome[]> => {
    if (running) {
      again = true;
      return running;
    }
    running = run().finally(() => {
      running = undefined;
      if (again && !stopped) {
        again = false;
        void check();
      }
    });
    return running;
  };
  const timer = setInterval(() => void check(), wiring.checkEveryMs);
  timer.unref();
  return {
    check,
    poke: () => {
      if (!stopped) void check();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
      wiring.close();
    },
  };
}

async function checkOnce(stack: LocalStack, wiring: AlertWiring, startedAt: number, log: Logger): Promise<CheckOutcome[]> {
  const { config } = stack.loaded;
  const now = stack.deps.clock.now();
  const watched = config.sources.filter((s) => wiring.channelsFor(s.id).length > 0);
  const states = await stack.state.getSources(watched.map((s) => s.id));
  const letters = deadLettersBySource([
    ...await stack.queue.listDeadLetters('fetch', DEAD_LETTERS_READ),
    ...await stack.queue.listDeadLetters('embed', DEAD_LETTERS_READ),
  ]);
  const inputs: SourceAlertInput[] = [];
  for (const source of watched) {
    const [lastRun] = await stack.state.listRuns(source.id, 1);
    const report = reportSource({
      sourceId: source.id, state: states.get(source.id), lastRun, now, freshnessSloMinutes: source.freshnessSloMinutes, isOwnerAlive: isLocalOwnerAlive,
    });
    inputs.push({
      report, deadLetters: letters.get(source.id) ?? { count: 0 }, channels: wiring.channelsFor(source.id),
      failuresBeforeAlert: wiring.failuresBeforeAlert,
      // A first sync gets the SLO to complete before silence counts as staleness.
      neverSyncedIsStale: now - startedAt > source.freshnessSloMinutes * 60_000,
    });
  }
  const outcomes = await checkSourceAlerts({ incidents: stack.incidents, clock: stack.deps.clock, log }, inputs, { watch: wiring.watch, repeatMs: wiring.repeatMs });
  for (const o of outcomes) log.info(o.firing ? 'alert' : 'alert recovered', { sourceId: o.sourceId, condition: o.condition, outcome: o.outcome });
  return outcomes;
}
