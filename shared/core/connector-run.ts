import type { Logger } from './deps.ts';
import { errorMessage } from './errors.ts';
import type { RunEnd, SourceConnector } from '../ports/index.ts';

/**
 * Runs a fetch run (which calls the connector's `beginRun` first) and then tells the connector
 * how it ended, also when it failed. The connector's `endRun` cannot change the run's result:
 * an error it throws is logged.
 */
export async function reportingRunEnd<R extends { readonly status: string }>(
  connector: SourceConnector, log: Logger, sourceId: string, run: () => Promise<R>,
): Promise<R> {
  let end: RunEnd;
  let result: R;
  try {
    result = await run();
    end = { status: result.status === 'continued' ? 'continued' : result.status === 'failed' ? 'failed' : 'completed' };
  } catch (error) {
    await endRun(connector, log, sourceId, { status: 'failed', error: errorMessage(error) });
    throw error;
  }
  await endRun(connector, log, sourceId, end);
  return result;
}

async function endRun(connector: SourceConnector, log: Logger, sourceId: string, end: RunEnd): Promise<void> {
  try {
    await connector.endRun?.(end);
  } catch (error) {
    log.warn('the connector failed at the end of a run; the run stands', { sourceId, error: errorMessage(error) });
  }
}
