/**
 * Usage → a monthly bill at list prices (prices.ts). A scenario's usage is the difference of
 * two snapshots of the simulated services' meters; a month is 30 of the measured days plus
 * what stands all month (storage, metrics, alarms, the dashboard).
 */
import type { SimConfig } from './config.ts';
import { PRICES, type PriceTable } from './prices.ts';
import type { World } from './world.ts';

export interface Usage {
  lambdaGbSeconds: number;
  lambdaInvocations: number;
  dynamoWcu: number;
  dynamoRcu: number;
  sqsRequests: number;
  eventBridgeEvents: number;
  schedulerInvocations: number;
  openAiTokens: number;
  pineconeWriteUnits: number;
  pineconeReadUnits: number;
  logGb: number;
}

/** Bytes of one Pinecone record: float32 values, the chunk text in metadata, the other fields. */
export const pineconeRecordBytes = (config: SimConfig): number => config.limits.dimensions * 4 + config.corpus.tokensPerChunk * 4 + 300;
/** Log bytes per invocation (Powertools JSON lines: start, end, report, a few info lines). */
const LOG_BYTES_PER_INVOCATION = 1_500;

export function snapshot(world: World): Usage {
  const pools = [world.fetcher, world.embedder, world.webhook];
  const invocations = pools.reduce((n, p) => n + p.stats.invocations, 0);
  const v = world.vectors.stats;
  const recordKb = pineconeRecordBytes(world.config) / 1024;
  return {
    lambdaGbSeconds: pools.reduce((n, p) => n + p.stats.gbSeconds, 0),
    lambdaInvocations: invocations,
    dynamoWcu: world.state.meter.totalWcu,
    dynamoRcu: world.state.meter.totalRcu,
    sqsRequests: world.queue.stats('fetch').requests + world.queue.stats('embed').requests,
    eventBridgeEvents: world.eventBridge.entries,
    schedulerInvocations: world.scheduled,
    openAiTokens: world.openai.stats.tokens,
    // Upserts: 1 WU per KB written (5 at least per request); deletes: 1 WU per id, 5 at least per request.
    pineconeWriteUnits: v.upserted * recordKb + v.deleted + v.requests * 5,
    pineconeReadUnits: v.listRequests * 1,
    logGb: (invocations * LOG_BYTES_PER_INVOCATION) / 1e9,
  };
}

export function usageBetween(a: Usage, b: Usage): Usage {
  const out = {} as Usage;
  for (const key of Object.keys(a) as Array<keyof Usage>) out[key] = b[key] - a[key];
  return out;
}

export interface BillLine {
  readonly item: string;
  readonly usd: number;
}

export interface Standing {
  readonly sources: number;
  readonly documents: number;
  readonly chunks: number;
}

/** A month: `days` of the measured usage plus what stands all month. */
export function monthlyBill(perDay: Usage, standing: Standing, config: SimConfig, prices: PriceTable = PRICES, days = 30): BillLine[] {
  const m = (x: number): number => x * days;
  const cacheItemBytes = config.limits.dimensions * 4 + 100;
  const ledgerBytes = 320 + 66 * (standing.chunks / Math.max(1, standing.documents));
  const dynamoGb = (standing.chunks * cacheItemBytes + standing.documents * ledgerBytes) / 1e9;
  const pineconeGb = (standing.chunks * pineconeRecordBytes(config)) / 1e9;
  // Metrics per source: 5 a fetch run publishes, 3 the watchdog; alarms: a freshness alarm per source, 16 fixed.
  const metrics = standing.sources * 8;
  const alarms = standing.sources + 16;
  return [
    { item: 'Lambda (GB-seconds + requests)', usd: m(perDay.lambdaGbSeconds) * prices.lambdaGbSecondArm.usd + m(perDay.lambdaInvocations) * prices.lambdaRequest.usd },
    { item: 'DynamoDB on-demand (writes + reads)', usd: m(perDay.dynamoWcu) * prices.dynamoWrite.usd + m(perDay.dynamoRcu) * prices.dynamoRead.usd },
    { item: `DynamoDB storage (${dynamoGb.toFixed(1)} GB)`, usd: dynamoGb * prices.dynamoStorageGbMonth.usd },
    { item: 'SQS FIFO requests', usd: m(perDay.sqsRequests) * prices.sqsFifoRequest.usd },
    { item: 'EventBridge events + Scheduler', usd: m(perDay.eventBridgeEvents) * prices.eventBridgeEvent.usd + m(perDay.schedulerInvocations) * prices.schedulerInvocation.usd },
    { item: `CloudWatch (${metrics} metrics, ${alarms} alarms, logs, dashboard)`, usd: metrics * prices.cloudWatchMetricMonth.usd + alarms * prices.cloudWatchAlarmMonth.usd + m(perDay.logGb) * prices.cloudWatchLogsGb.usd + prices.cloudWatchDashboardMonth.usd },
    { item: 'OpenAI embedding tokens', usd: m(perDay.openAiTokens) * prices.openAiEmbeddingToken.usd },
    { item: 'Pinecone writes + reads', usd: m(perDay.pineconeWriteUnits) * prices.pineconeWriteUnit.usd + m(perDay.pineconeReadUnits) * prices.pineconeReadUnit.usd },
    { item: `Pinecone storage (${pineconeGb.toFixed(1)} GB)`, usd: pineconeGb * prices.pineconeStorageGbMonth.usd },
  ];
}

/**
 * The re-embed-everything baseline: every day every chunk is embedded and written again (no
 * ledger, no cache); its compute is taken as the measured backfill's per chunk; the same
 * standing costs, without the state table.
 */
export function baselineBill(backfill: Usage, standing: Standing, config: SimConfig, prices: PriceTable = PRICES): BillLine[] {
  const perDay: Usage = {
    lambdaGbSeconds: backfill.lambdaGbSeconds, lambdaInvocations: backfill.lambdaInvocations, dynamoWcu: 0, dynamoRcu: 0,
    sqsRequests: backfill.sqsRequests, eventBridgeEvents: 0, schedulerInvocations: standing.sources,
    openAiTokens: standing.chunks * config.corpus.tokensPerChunk,
    pineconeWriteUnits: standing.chunks * (pineconeRecordBytes(config) / 1024), pineconeReadUnits: 0, logGb: backfill.logGb,
  };
  return monthlyBill(perDay, standing, config, prices).filter((line) => !line.item.startsWith('DynamoDB'));
}

export const total = (lines: readonly BillLine[]): number => lines.reduce((n, l) => n + l.usd, 0);
