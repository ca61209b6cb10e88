/**
 * `tributary console --aws`: the console over a deployed stage, here dynalite and fauxqs with
 * the names CloudFormation gives the stacks' table and queues, the Secrets Manager, OpenAI and
 * Pinecone fakes. The stage is found by name; sync, reset, run history and search are the
 * admin function's handler.
 */
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoDbStateStore } from '../../shared/adapters/aws/dynamodb-state-store.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { ConfigError, HttpError } from '../../shared/core/errors.ts';
import { ENV } from '../../shared/wiring/aws.ts';
import { openAwsConsole } from '../../functions/local/console/aws-backend.ts';
import type { ConsoleBackend } from '../../functions/local/console/backend.ts';
import { startFakeSecretsManager, type FakeSecretsManager } from '../support/aws-fakes.ts';
import { startServers, type EmbeddedServers } from '../support/embedded.ts';
import { startOpenAiEmulator, type OpenAiEmulator } from '../emulators/openai-embeddings.ts';
import { startPineconeEmulator, type PineconeEmulator } from '../emulators/pinecone.ts';

const REGION = 'us-east-1';
const SECRETS = { 'tributary/openai': 'sk-console-test', 'tributary/pinecone': 'pc-console-test' };

let servers: EmbeddedServers;
let secrets: FakeSecretsManager;
let openai: OpenAiEmulator;
let pinecone: PineconeEmulator;
let state: DynamoDbStateStore;
let fetchQueueUrl: string;
let backend: ConsoleBackend;
let close: () => Promise<void>;

const config = () => parseConfig({
  embedder: { kind: 'openai', model: 'text-embedding-3-small', dimensions: 256, baseUrl: openai.url, apiKeyEnv: 'OPENAI_API_KEY' },
  vectorStore: { kind: 'pinecone', indexHost: pinecone.host, apiKeyEnv: 'PINECONE_API_KEY', upsertLingerMs: 0 },
  aws: { stage: 'ops', region: REGION, secrets: { OPENAI_API_KEY: 'tributary/openai', PINECONE_API_KEY: 'tributary/pinecone' } },
  sources: [{ id: 'handbook', kind: 'filesystem', root: '/nonexistent', watch: false, schedule: 'rate(1 hour)', freshnessSloMinutes: 90 }],
}, 'test');

beforeAll(async () => {
  servers = await startServers();
  secrets = await startFakeSecretsManager({ region: REGION, account: '123456789012', secrets: SECRETS });
  openai = await startOpenAiEmulator({ apiKey: SECRETS['tributary/openai'] });
  pinecone = await startPineconeEmulator({ apiKey: SECRETS['tributary/pinecone'], dimension: 256 });
  // As CloudFormation names what the stacks create (stack name, logical id, random suffix).
  state = new DynamoDbStateStore({ client: servers.ddb, tableName: 'Tributary-ops-State-StateTable9728C7E5-1A2B3C4D5E6F' });
  await state.ensureTable();
  const queue = async (logicalId: string) => (await servers.sqs.send(new CreateQueueCommand({
    QueueName: `Tributary-ops-State-${logicalId}-AbCdEf123456.fifo`, Attributes: { FifoQueue: 'true' },
  }))).QueueUrl!;
  fetchQueueUrl = await queue('FetchQueue2756B8DA');
  await queue('FetchQueueDeadLetterQueueCE75F0F2');
  await queue('EmbedQueue473B1EBE');
  await queue('EmbedQueueDeadLetterQueue95AE42FD');
  const ddb = await servers.ddb.config.endpoint!();
  const sqs = await servers.sqs.config.endpoint!();
  const env: Record<string, string> = {
    AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: `${ddb.protocol}//${ddb.hostname}:${ddb.port}`, AWS_ENDPOINT_URL_SQS: `${sqs.protocol}//${sqs.hostname}:${sqs.port}`,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
  };
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  // Expected: the SQS client cannot parse fauxqs's queue URLs (an invalid IPv4 host) as its
  // endpoint, says so, and uses AWS_ENDPOINT_URL_SQS — the same server.
  const warn = console.warn.bind(console);
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    const [first] = args;
    if (first instanceof TypeError && (first as TypeError & { input?: unknown }).input?.toString().startsWith('http://sqs.')) return;
    warn(...args);
  });
  // A run the fetcher recorded on AWS.
  await state.putRun({
    sourceId: 'handbook', runId: '2026-01-01T00:00:00.000Z#1', trigger: 'schedule', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:04.000Z',
    pages: 1, status: 'succeeded', docsSeen: 5, docsChanged: 2, docsDeleted: 1, docsUnchanged: 3, tasksEnqueued: 3, tasksDone: 3, tasksFailed: 0,
    chunksEmbedded: 4, embeddingCalls: 1, tokensEmbedded: 900, estimatedCostUsd: 0.000018, vectorsUpserted: 4, vectorsDeleted: 1,
  });
  ({ backend, close } = await openAwsConsole(config(), { env: process.env, log: silentLogger }));
});

afterAll(async () => {
  await close?.();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await pinecone?.close();
  await openai?.close();
  await secrets?.close();
  await servers?.close();
});

describe('console --aws', () => {
  it('finds the stage by name and shows its sources and runs from the state table', async () => {
    // Act
    const overview = await backend.overview();

    // Assess
    expect(overview.mode).toBe('aws');
    expect(overview.where).toBe('stage ops · table Tributary-ops-State-StateTable9728C7E5-1A2B3C4D5E6F');
    const [source] = overview.sources;
    expect(source!.report.id).toBe('handbook');
    expect(source!.report.freshnessSloMinutes).toBe(90);
    expect(source!.schedule).toBe('rate(1 hour)');
    expect(source!.runs).toEqual([expect.objectContaining({ trigger: 'schedule', durationMs: 4000, docsChanged: 2, docsDeleted: 1, tokensEmbedded: 900 })]);
    expect(overview.actions).toEqual(['sync', 'resync', 'reset']);
    // The admin function's secrets came from Secrets Manager, as on Lambda.
    expect(secrets.reads.map((r) => r.secretId).sort()).toEqual(['tributary/openai', 'tributary/pinecone']);
  });

  it('queues a sync through the admin handler, searches the index, and refuses what AWS has no operation for', async () => {
    // Act
    const queued = await backend.act({ kind: 'sync', sourceId: 'handbook' });
    const { Messages } = await servers.sqs.send(new ReceiveMessageCommand({ QueueUrl: fetchQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    const results = await backend.search('rotate credentials', { topK: 3 });
    const audit = backend.act({ kind: 'audit', sourceId: 'handbook' });
    const unknown = backend.act({ kind: 'sync', sourceId: 'nope' });

    // Assess
    expect(queued.message).toBe('sync of handbook queued on stage ops');
    expect((Messages ?? []).map((m) => JSON.parse(m.Body!) as { sourceId: string; trigger: string })).toEqual([expect.objectContaining({ sourceId: 'handbook', trigger: 'admin' })]);
    expect(results).toEqual([]);
    await expect(audit).rejects.toThrow(HttpError);
    await expect(unknown).rejects.toThrow(/unknown source "nope"/);
  });

  it('names what is missing for a stage that is not deployed', async () => {
    // Act
    const missing = openAwsConsole(config(), { stage: 'prod', env: process.env, log: silentLogger });

    // Assess
    await expect(missing).rejects.toThrow(ConfigError);
    await expect(missing).rejects.toThrow(new RegExp(`no state table of stage "prod".*${ENV.table}`));
  });
});
