import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { TributaryConfig } from '../../../shared/config/schema.ts';
import { summarizeDeadLetter } from '../../../shared/core/dead-letters.ts';
import type { Logger } from '../../../shared/core/deps.ts';
import { ConfigError, HttpError } from '../../../shared/core/errors.ts';
import type { SearchResult } from '../../../shared/core/search.ts';
import type { SourceReport } from '../../../shared/core/source-status.ts';
import type { RunRecord } from '../../../shared/ports/index.ts';
import { buildAwsRuntime, ENV, type AwsRuntime } from '../../../shared/wiring/aws.ts';
import { AdminClient } from './admin-client.ts';
import { consoleRun, type ConsoleAction, type ConsoleBackend, type ConsoleOverview } from './backend.ts';

/** Run records charted per source (the admin API's limit). */
const RUN_HISTORY = 50;

export interface StackResources {
  readonly table: string;
  readonly fetch: string;
  readonly fetchDlq: string;
  readonly embed: string;
  readonly embedDlq: string;
}

/**
 * The deployed stage's table and queues, found by the names CloudFormation gives them
 * (`Tributary-<stage>-State-StateTable…`, `…-FetchQueue…`, `…-FetchQueueDeadLetterQueue…`).
 * The TRIBUTARY_* variables the functions get (TRIBUTARY_TABLE, TRIBUTARY_FETCH_QUEUE_URL, …) override.
 */
export async function discoverStack(stage: string, env: Readonly<Record<string, string | undefined>>, clients: { ddb: DynamoDBClient; sqs: SQSClient }): Promise<StackResources> {
  const prefix = `Tributary-${stage}-State-`;
  let table = env[ENV.table];
  if (!table) {
    const names: string[] = [];
    let start: string | undefined;
    do {
      const page = await clients.ddb.send(new ListTablesCommand({ ...(start ? { ExclusiveStartTableName: start } : {}) }));
      names.push(...(page.TableNames ?? []));
      start = page.LastEvaluatedTableName;
    } while (start);
    const found = names.filter((n) => n.startsWith(`${prefix}StateTable`));
    if (found.length !== 1) {
      throw new ConfigError(`${found.length === 0 ? 'no' : 'more than one'} state table of stage "${stage}" (${prefix}StateTable…) in this account and region${found.length > 1 ? `: ${found.join(', ')}` : ''}: deploy it, pick the stage with --stage, the region with AWS_REGION, or name the table in ${ENV.table}`);
    }
    table = found[0]!;
  }
  const urls: string[] = [];
  let token: string | undefined;
  do {
    const page = await clients.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, ...(token ? { NextToken: token } : {}) }));
    urls.push(...(page.QueueUrls ?? []));
    token = page.NextToken;
  } while (token);
  const pick = (envName: string, test: (name: string) => boolean, what: string): string => {
    const given = env[envName];
    if (given) return given;
    const found = urls.filter((u) => test(u.slice(u.lastIndexOf('/') + 1)));
    if (found.length !== 1) throw new ConfigError(`${found.length === 0 ? 'no' : 'more than one'} ${what} of stage "${stage}" (${prefix}…): deploy it, pick the stage with --stage, or give its URL in ${envName}`);
    return found[0]!;
  };
  return {
    table,
    fetch: pick(ENV.fetchQueue, (n) => n.includes('FetchQueue') && !n.includes('DeadLetter'), 'fetch queue'),
    fetchDlq: pick(ENV.fetchDlq, (n) => n.includes('FetchQueueDeadLetterQueue'), 'fetch dead-letter queue'),
    embed: pick(ENV.embedQueue, (n) => n.includes('EmbedQueue') && !n.includes('DeadLetter'), 'embed queue'),
    embedDlq: pick(ENV.embedDlq, (n) => n.includes('EmbedQueueDeadLetterQueue'), 'embed dead-letter queue'),
  };
}

/**
 * `tributary console --aws`: the console over the deployed stage with the operator's own
 * credentials. The runtime is the one the admin function builds (buildAwsRuntime, with the
 * admin function's secrets read from Secrets Manager), and sync, resync, reset, run history
 * and search are the admin function's handler.
 */
export async function openAwsConsole(config: TributaryConfig, options: { stage?: string; env: Readonly<Record<string, string | undefined>>; log: Logger }): Promise<{ backend: ConsoleBackend; close(): Promise<void> }> {
  const { stageConfigFrom } = await import('../../../infra/stage-config.ts');
  const stage = stageConfigFrom(options.stage === undefined ? config : { ...config, aws: { ...config.aws, stage: options.stage } } as TributaryConfig);
  const ddb = new DynamoDBClient({});
  const sqs = new SQSClient({});
  let found: StackResources;
  try {
    found = await discoverStack(stage.stage, options.env, { ddb, sqs });
  } finally {
    ddb.destroy();
    sqs.destroy();
  }
  const rt = await buildAwsRuntime({
    ...options.env,
    [ENV.table]: found.table, [ENV.fetchQueue]: found.fetch, [ENV.fetchDlq]: found.fetchDlq, [ENV.embedQueue]: found.embed, [ENV.embedDlq]: found.embedDlq,
    [ENV.config]: JSON.stringify(stage.runtimeConfig), [ENV.secretIds]: JSON.stringify(stage.secretsFor('admin')),
  }, options.log, 'full');
  return { backend: new AwsConsoleBackend(rt, stage.stage, found.table), close: () => rt.close() };
}

type AdminSource = SourceReport & { lastRun: RunRecord | null };

export class AwsConsoleBackend implements ConsoleBackend {
  private readonly admin: AdminClient;

  constructor(private readonly rt: AwsRuntime, private readonly stage: string, private readonly table: string) {
    const sources = rt.config.sources;
    this.admin = new AdminClient(rt.deps, {
      sourceIds: sources.map((s) => s.id),
      freshnessSloMinutes: (id) => sources.find((s) => s.id === id)?.freshnessSloMinutes,
      owner: () => `console:${process.pid}`,
    });
  }

  async overview(): Promise<ConsoleOverview> {
    const { sources } = await this.admin.call<{ sources: AdminSource[] }>('GET /admin/sources');
    const queue = this.rt.deps.queue;
    const [fetchDepth, embedDepth, fetchDead, embedDead] = await Promise.all([
      queue.depth('fetch'), queue.depth('embed'), queue.listDeadLetters('fetch', 10), queue.listDeadLetters('embed', 10),
    ]);
    const withRuns = await Promise.all(sources.map(async (s) => {
      const { runs } = await this.admin.call<{ runs: RunRecord[] }>('GET /admin/sources/{sourceId}/runs', { sourceId: s.id, query: { limit: String(RUN_HISTORY) } });
      const source = this.rt.config.sources.find((c) => c.id === s.id);
      const { lastRun: _full, ...rest } = s;
      const report: SourceReport = { ...rest, lastRun: reportedRun(s.lastRun) };
      return {
        kind: source?.kind ?? 'unknown', documents: null, report, lastSyncAt: s.lastSuccessAt,
        schedule: source?.schedule ?? '—', nextRunAt: null,
        feeds: {
          watcher: { state: 'unsupported' as const, detail: 'on AWS, changes arrive by the schedule and webhooks' },
          webhook: source?.webhook ? { path: `/webhooks/${encodeURIComponent(s.id)}` } : null,
        },
        runs: runs.map(consoleRun),
      };
    }));
    return {
      generatedAt: new Date().toISOString(), mode: 'aws', where: `stage ${this.stage} · table ${this.table}`, sources: withRuns,
      queues: { fetch: fetchDepth, embed: embedDepth },
      // A peek at the DLQs; SQS gives no stable id to act on one message, so these are read-only here.
      deadLetters: [
        ...fetchDead.map((d) => summarizeDeadLetter({ id: '', queue: 'fetch', body: d.body, ...(d.reason ? { reason: d.reason } : {}) })),
        ...embedDead.map((d) => summarizeDeadLetter({ id: '', queue: 'embed', body: d.body, ...(d.reason ? { reason: d.reason } : {}) })),
      ],
      actions: ['sync', 'resync', 'reset'],
    };
  }

  async search(query: string, options: { sourceId?: string; topK: number }): Promise<SearchResult[]> {
    const out = await this.admin.call<{ results: SearchResult[] }>('GET /admin/search', {
      query: { q: query, top: String(options.topK), ...(options.sourceId ? { source: options.sourceId } : {}) },
    });
    return out.results;
  }

  async act(action: ConsoleAction): Promise<{ message: string }> {
    switch (action.kind) {
      case 'sync':
        await this.admin.call('POST /admin/sources/{sourceId}/sync', { sourceId: action.sourceId });
        return { message: `sync of ${action.sourceId} queued on stage ${this.stage}` };
      case 'resync':
        await this.admin.call('POST /admin/sources/{sourceId}/resync', { sourceId: action.sourceId, body: { confirm: action.sourceId } });
        return { message: `full resync of ${action.sourceId} queued on stage ${this.stage}` };
      case 'reset': {
        const out = await this.admin.call<{ vectorsDeleted: number }>('POST /admin/sources/{sourceId}/reset', { sourceId: action.sourceId, body: { confirm: action.sourceId } });
        return { message: `reset ${action.sourceId} on stage ${this.stage}: removed ${out.vectorsDeleted} vectors and its cursor and ledger` };
      }
      default:
        throw new HttpError(501, `${action.kind} is not available against the deployed stack from the console: use the AWS console for the dead-letter queues, and \`tributary audit\` locally`);
    }
  }
}

/** The admin API sends the whole latest run; the report carries the summary `status` gives. */
function reportedRun(run: RunRecord | null): SourceReport['lastRun'] {
  if (!run) return null;
  return {
    trigger: run.trigger, status: run.status, startedAt: run.startedAt, finishedAt: run.finishedAt ?? null,
    docsChanged: run.docsChanged ?? 0, docsDeleted: run.docsDeleted ?? 0, chunksEmbedded: run.chunksEmbedded ?? 0, tasksFailed: run.tasksFailed ?? 0,
    docsSkipped: run.docsSkipped ?? 0, taskError: run.taskError ?? null,
  };
}
