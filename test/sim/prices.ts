/**
 * Every price the simulation's bills use, in one place: list prices, us-east-1, no free tier,
 * no discounts. Each entry names the page it comes from and when it was read. The values are
 * the published list prices as last read by the maintainers on the date given; this
 * environment has no network, so they were not re-read on the day the tables were made:
 * check the pages before relying on a bill, and put your own in with `--prices <file.json>`.
 */
export interface Price {
  readonly usd: number;
  readonly per: string;
  readonly source: string;
  /** When the value was read from the page. */
  readonly asOf: string;
}

const AS_OF = '2025-06 (not re-read since; verify)';

export const PRICES = {
  lambdaGbSecondArm: { usd: 0.0000133334, per: 'GB-second (arm64)', source: 'https://aws.amazon.com/lambda/pricing/', asOf: AS_OF },
  lambdaRequest: { usd: 0.20 / 1e6, per: 'request', source: 'https://aws.amazon.com/lambda/pricing/', asOf: AS_OF },
  dynamoWrite: { usd: 0.625 / 1e6, per: 'write request unit (on-demand)', source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/', asOf: AS_OF },
  dynamoRead: { usd: 0.125 / 1e6, per: 'read request unit (on-demand)', source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/', asOf: AS_OF },
  dynamoStorageGbMonth: { usd: 0.25, per: 'GB-month (standard table class)', source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/', asOf: AS_OF },
  sqsFifoRequest: { usd: 0.50 / 1e6, per: 'FIFO request (64 KB chunk)', source: 'https://aws.amazon.com/sqs/pricing/', asOf: AS_OF },
  eventBridgeEvent: { usd: 1.00 / 1e6, per: 'custom event published (64 KB chunk)', source: 'https://aws.amazon.com/eventbridge/pricing/', asOf: AS_OF },
  schedulerInvocation: { usd: 1.00 / 1e6, per: 'EventBridge Scheduler invocation', source: 'https://aws.amazon.com/eventbridge/pricing/', asOf: AS_OF },
  cloudWatchMetricMonth: { usd: 0.30, per: 'custom metric-month (first 10,000)', source: 'https://aws.amazon.com/cloudwatch/pricing/', asOf: AS_OF },
  cloudWatchAlarmMonth: { usd: 0.10, per: 'standard-resolution alarm-month', source: 'https://aws.amazon.com/cloudwatch/pricing/', asOf: AS_OF },
  cloudWatchLogsGb: { usd: 0.50, per: 'GB of logs ingested (standard)', source: 'https://aws.amazon.com/cloudwatch/pricing/', asOf: AS_OF },
  cloudWatchDashboardMonth: { usd: 3.00, per: 'dashboard-month', source: 'https://aws.amazon.com/cloudwatch/pricing/', asOf: AS_OF },
  openAiEmbeddingToken: { usd: 0.02 / 1e6, per: 'input token (text-embedding-3-small)', source: 'https://openai.com/api/pricing/', asOf: AS_OF },
  pineconeWriteUnit: { usd: 4.00 / 1e6, per: 'write unit (serverless, Standard)', source: 'https://www.pinecone.io/pricing/', asOf: AS_OF },
  pineconeReadUnit: { usd: 16.00 / 1e6, per: 'read unit (serverless, Standard)', source: 'https://www.pinecone.io/pricing/', asOf: AS_OF },
  pineconeStorageGbMonth: { usd: 0.33, per: 'GB-month (serverless)', source: 'https://www.pinecone.io/pricing/', asOf: AS_OF },
} as const satisfies Record<string, Price>;

export type PriceTable = { -readonly [K in keyof typeof PRICES]: Price };
