/**
 * One simulated deployment: the sources, the simulated services, the functions with their
 * event source mappings and schedules, all on one virtual clock. The real handlers run in
 * it: createFetcherHandler, createEmbedderHandler and createWebhookHandler, over the real
 * core, each container with its own ports (its own embedder limiter, as a Lambda container
 * builds its runtime at cold start).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createEmbedderHandler } from '../../functions/embedder/embedder.ts';
import { createFetcherHandler } from '../../functions/fetcher/fetcher.ts';
import { createWebhookHandler } from '../../functions/webhook/webhook.ts';
import { EventBridgeEventBus } from '../../shared/adapters/aws/eventbridge-event-bus.ts';
import { parseConfig } from '../../shared/config/load.ts';
import type { TributaryConfig } from '../../shared/config/schema.ts';
import { estimateTokens } from '../../shared/core/chunker.ts';
import type { CoreDeps, SourceSettings } from '../../shared/core/deps.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { BufferedHintBus } from '../../shared/core/hints.ts';
import type { Embedder, EventBus, FetchTask } from '../../shared/ports/index.ts';
import { RateLimiter } from '../../shared/resilience/index.ts';
import { settingsOf } from '../../shared/wiring/sources.ts';
import { InMemoryDeliveryLog } from '../support/memory-delivery-log.ts';
import { InMemoryHintBuffer } from '../support/memory-hint-buffer.ts';
import type { SimConfig } from './config.ts';
import { Latencies, Scheduler } from './engine.ts';
import { SimStateStore } from './dynamodb.ts';
import { EventSourceMapping, FunctionPool, gate, LambdaAccount, type Container } from './lambda.ts';
import { OpenAiAccount, SimEmbedder, SimVectorStore } from './providers.ts';
import { SyntheticSource, type SyntheticSourceOptions } from './source.ts';
import { SimTaskQueue } from './sqs.ts';
import { countingPorts, emptyCounts, type PortCounts } from './counting.ts';

export const WEBHOOK_SECRET = 'sim-webhook-secret-0123456789';
const KINDS: ReadonlyArray<readonly [kind: string, share: number, chunkFactor: number]> = [
  ['confluence', 0.15, 1.8], ['notion', 0.15, 1.2], ['gdrive', 0.15, 1.5], ['github', 0.15, 0.8], ['jira', 0.15, 0.5], ['slack', 0.25, 0.4],
];

export interface WorldOptions {
  /** Real texts for the equivalence run (document index, version → text). */
  readonly realText?: (sourceIndex: number, docIndex: number, version: number) => string;
  /**
   * One embedder for every container instead of the simulated OpenAI (the equivalence run: the
   * hashing embedder the real run uses, so both sides count tokens alike).
   */
  readonly embedder?: Embedder;
}

/** The sources of a config: kinds in shares, sizes skewed (a few large sources hold most documents). */
export function sourceSpecs(config: SimConfig): SyntheticSourceOptions[] {
  const { corpus } = config;
  const weights = Array.from({ length: corpus.sources }, (_, i) => 1 / (1 + i) ** 0.8);
  const total = weights.reduce((a, b) => a + b, 0);
  let assigned = 0;
  return weights.map((w, i) => {
    const docs = i === corpus.sources - 1 ? corpus.documents - assigned : Math.max(1, Math.round((corpus.documents * w) / total));
    assigned += docs;
    const [kind, , factor] = KINDS[i % KINDS.length]!;
    return {
      sourceId: sourceIdOf(i), kind, documents: Math.max(1, docs), meanChunks: corpus.chunksPerDocument * factor, pageSize: corpus.pageSize,
      seed: config.seed * 7919 + i, reconcileEveryMs: corpus.reconcileHours * 3_600_000,
    };
  });
}

export const sourceIdOf = (i: number): string => `src-${String(i).padStart(4, '0')}`;

/**
 * The Tributary config the handlers run with: one source per synthetic source, with the
 * defaults of a real config (lookback, lease TTL, breaker share, chunking) and a webhook secret.
 * The kind named is `filesystem` (generic signed hints): the webhook handler resolves it from
 * the registry; the connector itself is the synthetic one.
 */
export function simTributaryConfig(config: SimConfig): TributaryConfig {
  return parseConfig({
    sources: Array.from({ length: config.corpus.sources }, (_, i) => ({
      id: sourceIdOf(i), kind: 'filesystem', root: `/sim/${sourceIdOf(i)}`, webhook: { secretEnv: 'SIM_WEBHOOK_SECRET' },
    })),
  });
}

export class World {
  readonly sched = new Scheduler();
  readonly lat: Latencies;
  readonly sources: SyntheticSource[] = [];
  readonly state: SimStateStore;
  readonly queue: SimTaskQueue;
  readonly vectors: SimVectorStore;
  readonly openai: OpenAiAccount;
  readonly account: LambdaAccount;
  readonly fetcher: FunctionPool<SQSEvent, SQSBatchResponse>;
  readonly embedder: FunctionPool<SQSEvent, SQSBatchResponse>;
  readonly webhook: FunctionPool<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;
  readonly eventBridge = { requests: 0, entries: 0 };
  readonly counts: PortCounts;
  readonly tributary: TributaryConfig;
  readonly embedderStats = { retries: 0, failedCalls: 0 };
  private readonly settings = new Map<string, SourceSettings>();
  private readonly byId = new Map<string, SyntheticSource>();
  private readonly sharedLimiter: RateLimiter;
  private readonly mappings: EventSourceMapping[] = [];
  private readonly hints = new InMemoryHintBuffer();
  private readonly deliveries = new InMemoryDeliveryLog();
  private ownerSeq = 0;
  /** Scheduled triggers sent (EventBridge Scheduler invocations). */
  scheduled = 0;

  constructor(readonly config: SimConfig, private readonly options: WorldOptions = {}) {
    this.lat = new Latencies(config.seed, config.latency.scale);
    const { deploy } = config;
    this.state = new SimStateStore(this.sched, this.lat, config, 8);
    this.queue = new SimTaskQueue(this.sched, this.lat, config, { fetch: deploy.fetcherTimeoutSeconds * 6_000, embed: deploy.embedderTimeoutSeconds * 6_000 });
    this.vectors = new SimVectorStore(this.sched, this.lat, config);
    this.openai = new OpenAiAccount(this.sched, this.lat, config);
    this.account = new LambdaAccount(deploy.accountConcurrency);
    this.counts = emptyCounts();
    this.sharedLimiter = this.limiter();

    const realText = options.realText;
    for (const [i, spec] of sourceSpecs(config).entries()) {
      const source = new SyntheticSource({ ...spec, ...(realText ? { realText: (n: number, v: number) => realText(i, n, v) } : {}) }, this.sched, this.lat, config.latency.sourcePage);
      this.sources.push(source);
      this.byId.set(spec.sourceId, source);
    }
    this.tributary = simTributaryConfig(config);
    for (const s of this.tributary.sources) this.settings.set(s.id, settingsOf(s, this.tributary.chunking));

    const coldStart = config.latency.coldStart;
    this.fetcher = new FunctionPool(this.sched, this.lat, coldStart, this.account,
      { name: 'fetcher', memoryMb: deploy.fetcherMemoryMb, timeoutMs: deploy.fetcherTimeoutSeconds * 1000 },
      (c) => createFetcherHandler(this.deps(c), { maxReceives: deploy.maxReceives, owner: () => `lambda:sim:${++this.ownerSeq}` }));
    this.embedder = new FunctionPool(this.sched, this.lat, coldStart, this.account,
      { name: 'embedder', memoryMb: deploy.embedderMemoryMb, timeoutMs: deploy.embedderTimeoutSeconds * 1000 },
      (c) => {
        const deps = this.deps(c);
        return createEmbedderHandler({ ...deps, state: deps.state }, { maxReceives: deploy.maxReceives });
      });
    this.webhook = new FunctionPool(this.sched, this.lat, coldStart, this.account,
      { name: 'webhook', memoryMb: deploy.webhookMemoryMb, timeoutMs: 10_000, reserved: this.tributary.aws?.reservedConcurrency?.webhook ?? 50 },
      (c) => createWebhookHandler({
        config: this.tributary, secret: (name) => (name === 'SIM_WEBHOOK_SECRET' ? WEBHOOK_SECRET : undefined),
        eventBus: gate(this.eventBus(), c), deliveries: gate(this.deliveries, c), clock: this.sched.clock, log: silentLogger,
      }));
    const receive = config.latency.sqsReceive;
    this.mappings.push(
      new EventSourceMapping(this.sched, this.lat, receive, this.queue, 'fetch', this.fetcher, { batchSize: 1 }, this.account),
      new EventSourceMapping(this.sched, this.lat, receive, this.queue, 'embed', this.embedder, { batchSize: deploy.embedderBatchSize, maxConcurrency: deploy.embedderMaxConcurrency }, this.account),
    );
    this.queue.onAvailable = (q) => this.mappings[q === 'fetch' ? 0 : 1]!.poke();
  }

  /** The client-side limiter of one container (as shipped), or the account's one (`budget: shared`). */
  private limiter(): RateLimiter {
    const { deploy } = this.config;
    return new RateLimiter({
      concurrency: deploy.budget === 'shared' ? deploy.embedderClientConcurrency * 64 : deploy.embedderClientConcurrency,
      tokensPerMinute: deploy.tokensPerMinute, requestsPerMinute: deploy.requestsPerMinute,
      clock: this.sched.clock, sleep: this.sched.sleep, owner: 'sim embedder',
    });
  }

  /** The ports of one container. */
  private deps(c: Container): CoreDeps {
    const tokensPerChunk = this.config.corpus.tokensPerChunk;
    const embedder = this.options.embedder ?? new SimEmbedder(this.sched, this.lat, {
      account: this.openai,
      limiter: this.config.deploy.budget === 'shared' ? this.sharedLimiter : this.limiter(),
      countTokens: this.options.realText ? estimateTokens : () => tokensPerChunk,
      stats: this.embedderStats,
    });
    const ports = countingPorts({ state: this.state, vectors: this.vectors, embedder }, this.counts);
    return {
      state: gate(ports.state, c), queue: gate(this.queue, c), vectors: gate(ports.vectors, c), embedder: gate(ports.embedder, c),
      clock: this.sched.clock, log: silentLogger, hints: gate(this.hints, c),
      connector: (id) => {
        const s = this.byId.get(id);
        return s ? gate(s, c) : undefined;
      },
      settings: (id) => this.settings.get(id),
      embeddingPricePerMillionTokensUsd: 0.02,
    };
  }

  /** The webhook function's bus: hints coalesced in the hint buffer, then EventBridge (the real adapter on a simulated client). */
  private eventBus(): EventBus {
    const client = {
      send: async (command: { input: { Entries?: Array<{ Detail?: string }> } }) => {
        await this.sched.sleep(this.lat.draw(this.config.latency.eventBridgePut));
        const entries = command.input.Entries ?? [];
        this.eventBridge.requests += 1;
        this.eventBridge.entries += entries.length;
        // The rule forwards each detail (a fetch task) to the fetch queue, group = source.
        await this.queue.sendFetch(entries.map((e) => JSON.parse(e.Detail ?? '{}') as FetchTask));
        return { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: 'sim' })) };
      },
    };
    const bridge = new EventBridgeEventBus({ client: client as never, busName: 'sim-bus', clock: this.sched.clock });
    return new BufferedHintBus(this.hints, bridge, this.sched.clock);
  }

  /** Sends a fetch task for every source now (EventBridge Scheduler's targets). */
  async scheduleAll(trigger: FetchTask['trigger'] = 'schedule', sources: readonly SyntheticSource[] = this.sources): Promise<void> {
    const requestedAt = new Date(this.sched.clock.now()).toISOString();
    if (trigger === 'schedule') this.scheduled += sources.length;
    await this.queue.sendFetch(sources.map((s) => ({ type: 'fetch', sourceId: s.sourceId, trigger, requestedAt })));
  }

  /** Schedules every source every `scheduleMinutes` from `fromMs` until `untilMs` or the returned stop, staggered. */
  scheduleEvery(fromMs: number, untilMs: number): () => void {
    const period = this.config.deploy.scheduleMinutes * 60_000;
    let stopped = false;
    this.sources.forEach((s, i) => {
      this.sched.every(fromMs + Math.floor((i / this.sources.length) * period), period, untilMs, () => {
        void this.scheduleAll('schedule', [s]);
      }, () => stopped);
    });
    return () => {
      stopped = true;
    };
  }

  /** Whether nothing waits or runs. */
  get quiet(): boolean {
    return this.queue.empty && this.fetcher.active === 0 && this.embedder.active === 0 && this.webhook.active === 0;
  }

  async runUntilQuiet(limitMs: number): Promise<number> {
    return this.sched.run(this.sched.clock.now() + limitMs, () => this.quiet);
  }

  source(index: number): SyntheticSource {
    return this.sources[index]!;
  }

  /** The webhook invoked by API Gateway (a throttled invocation is API Gateway's 429 to the sender). */
  async postWebhook(sourceId: string, body: string, headers: Record<string, string>): Promise<number> {
    const event = {
      rawPath: `/webhooks/${sourceId}`, requestContext: { http: { method: 'POST' } }, pathParameters: { sourceId },
      headers, body, isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
    const result = await this.webhook.invoke(event);
    return typeof result === 'object' ? result.statusCode ?? 200 : result === 'throttled' ? 429 : 500;
  }

  /** Context for direct handler calls. */
  static context(): Context {
    return {} as Context;
  }
}
