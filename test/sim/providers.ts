/**
 * The simulated providers: the OpenAI account (per-request latency, tokens- and
 * requests-per-minute limits answered with 429 and a reset time, outages) behind an embedder
 * that behaves as OpenAiEmbedder does on the client side — the real RateLimiter and
 * RetryPolicy of shared/resilience on the virtual clock, the same request limits (2,048
 * inputs, 250,000 tokens), a pause for everyone sharing the limiter after a 429 — and Pinecone
 * (latency per upsert and delete request of 1,000 vectors; ids kept, values dropped).
 */
import { EmbeddingProviderError } from '../../shared/adapters/openai/errors.ts';
import { TransientError } from '../../shared/core/errors.ts';
import type { Embedder, EmbeddingResult, Metadata, QueryMatch, RequestLimits, VectorRecord, VectorStore } from '../../shared/ports/index.ts';
import { RateLimiter, RetryPolicy } from '../../shared/resilience/index.ts';
import type { Latencies, Scheduler } from './engine.ts';
import type { SimConfig } from './config.ts';

/** The vectors the simulated embedder returns are this long: nothing compares them. */
export const SIM_DIMENSIONS = 8;

/** The provider side: one account's limits, shared by every container. */
export class OpenAiAccount {
  private readonly tpm: Budget;
  private readonly rpm: Budget;
  /** Requests refused (429), failed (outage), and served; tokens served, by minute. */
  readonly stats = { requests: 0, throttled: 0, failed: 0, tokens: 0 };
  readonly tokensByMinute = new Map<number, number>();
  /** [from, until) epoch ms during which every request fails with a 503. */
  outage: { from: number; until: number } | undefined;

  constructor(private readonly sched: Scheduler, private readonly lat: Latencies, private readonly config: SimConfig) {
    this.tpm = new Budget(config.limits.openaiTpm, sched.clock.now());
    this.rpm = new Budget(config.limits.openaiRpm, sched.clock.now());
  }

  /** One request: resolves when it is served; a 429 or 503 is an object, as the client sees a status. */
  async request(tokens: number): Promise<{ ok: true } | { ok: false; status: number; waitMs?: number }> {
    const { latency } = this.config;
    const now = this.sched.clock.now();
    this.stats.requests += 1;
    if (this.outage && now >= this.outage.from && now < this.outage.until) {
      this.stats.failed += 1;
      await this.sched.sleep(this.lat.draw(latency.openaiRequest));
      return { ok: false, status: 503 };
    }
    // A budget the request does not fit in: refused at once with the time to the reset.
    const rWait = this.rpm.waitFor(1, now);
    const tWait = this.tpm.waitFor(tokens, now);
    if (rWait > 0 || tWait > 0) {
      this.stats.throttled += 1;
      await this.sched.sleep(Math.min(50, this.lat.draw(latency.openaiRequest)));
      return { ok: false, status: 429, waitMs: Math.max(rWait, tWait) };
    }
    this.rpm.take(1);
    this.tpm.take(tokens);
    await this.sched.sleep(this.lat.draw(latency.openaiRequest) + Math.round((tokens / 1000) * latency.openaiPerKiloTokenMs * latency.scale));
    this.stats.tokens += tokens;
    const minute = Math.floor(this.sched.clock.now() / 60_000);
    this.tokensByMinute.set(minute, (this.tokensByMinute.get(minute) ?? 0) + tokens);
    return { ok: true };
  }
}

/**
 * A provider's per-minute limit: a bucket of a minute's budget refilled continuously; a
 * request that does not fit is refused (and spends nothing).
 */
export class Budget {
  private level: number;
  constructor(private readonly perMinute: number, private updatedAt: number) {
    this.level = perMinute;
  }
  /** 0 when `amount` fits now; otherwise the ms until it would. */
  waitFor(amount: number, nowMs: number): number {
    this.level = Math.min(this.perMinute, this.level + Math.max(0, nowMs - this.updatedAt) * (this.perMinute / 60_000));
    this.updatedAt = Math.max(this.updatedAt, nowMs);
    const need = Math.min(amount, this.perMinute);
    return this.level >= need ? 0 : Math.ceil((need - this.level) / (this.perMinute / 60_000));
  }
  take(amount: number): void {
    this.level -= amount;
  }
}

export interface SimEmbedderOptions {
  readonly account: OpenAiAccount;
  /** The client-side limiter: one per container as shipped, or one shared by all (the fix). */
  readonly limiter: RateLimiter;
  /** Tokens of one input as billed. */
  readonly countTokens: (text: string) => number;
  /** Vectors for the texts (the equivalence run: the hashing embedder's). */
  readonly vectors?: (texts: readonly string[]) => Promise<Float32Array[]>;
  /** Where retries and failed calls are added up (shared by every container). */
  readonly stats: { retries: number; failedCalls: number };
}

/** Embedder of one container: OpenAiEmbedder's request planning and retry loop over the simulated account. */
export class SimEmbedder implements Embedder {
  readonly model = 'text-embedding-3-small';
  readonly dimensions = SIM_DIMENSIONS;
  readonly requestLimits: RequestLimits = { maxInputs: 2048, maxTokens: 250_000 };
  private readonly policy: RetryPolicy;
  private readonly stats: { retries: number; failedCalls: number };

  constructor(private readonly sched: Scheduler, private readonly lat: Latencies, private readonly options: SimEmbedderOptions) {
    // OpenAiEmbedder's defaults: 8 attempts, 500 ms doubling to 30 s, advertised waits up to 60 s.
    this.stats = options.stats;
    this.policy = new RetryPolicy({ maxAttempts: 8, baseBackoffMs: 500, maxBackoffMs: 30_000, maxRetryWaitMs: 60_000, random: () => lat.float() });
  }

  countTokens(text: string): number {
    return this.options.countTokens(text);
  }

  async embed(texts: readonly string[]): Promise<EmbeddingResult> {
    if (texts.length === 0) return { vectors: [], tokens: 0, calls: 0 };
    let calls = 0;
    let tokens = 0;
    const requests = planned(texts.map((t) => this.countTokens(t)), this.requestLimits);
    await Promise.all(requests.map(async (count) => {
      calls += 1;
      tokens += count;
      await this.send(count);
    }));
    const vectors = this.options.vectors ? await this.options.vectors(texts) : texts.map(() => new Float32Array(SIM_DIMENSIONS));
    return { vectors, tokens, calls };
  }

  private async send(tokens: number): Promise<void> {
    let delayMs = 0;
    for (let attempt = 1; ; attempt++) {
      const pause = this.options.limiter.pause();
      if (pause && this.policy.exceedsWaitCap(pause.remainingMs)) throw new TransientError(`embedding provider asked to wait ${pause.remainingMs} ms (${pause.reason})`);
      const answer = await this.options.limiter.run(() => this.options.account.request(tokens), { tokens, delayMs });
      if (answer.ok) return;
      const step = this.policy.next(attempt, { status: answer.status, advertisedMs: answer.waitMs });
      if (step.kind !== 'retry') {
        this.stats.failedCalls += 1;
        throw new TransientError(`embedding request failed with HTTP ${answer.status} after ${attempt} attempts (simulated)`);
      }
      this.stats.retries += 1;
      if (step.holdAllMs !== undefined) this.options.limiter.pauseFor(step.holdAllMs, 'rate limited (429)');
      delayMs = step.delayMs;
    }
  }
}

/** Token counts of the requests OpenAiEmbedder would send for inputs of these counts. */
function planned(counts: readonly number[], limits: RequestLimits): number[] {
  const out: number[] = [];
  let inputs = 0;
  let tokens = 0;
  for (const c of counts) {
    if (inputs > 0 && (inputs >= limits.maxInputs || tokens + c > (limits.maxTokens ?? Infinity))) {
      out.push(tokens);
      inputs = 0;
      tokens = 0;
    }
    inputs += 1;
    tokens += c;
  }
  if (inputs > 0) out.push(tokens);
  return out;
}

export { EmbeddingProviderError };

/** Pinecone serverless: ids per document prefix (no values), a latency per request, write units counted. */
export class SimVectorStore implements VectorStore {
  private readonly ids = new Map<string, Set<number>>();
  readonly stats = { upserted: 0, deleted: 0, requests: 0, stored: 0, listRequests: 0 };

  constructor(private readonly sched: Scheduler, private readonly lat: Latencies, private readonly config: SimConfig) {}

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += 1000) {
      await this.sched.sleep(this.lat.draw(this.config.latency.pineconeUpsert));
      this.stats.requests += 1;
    }
    for (const r of records) {
      const [prefix, index] = split(r.id);
      let set = this.ids.get(prefix);
      if (!set) {
        set = new Set();
        this.ids.set(prefix, set);
      }
      if (!set.has(index)) this.stats.stored += 1;
      set.add(index);
    }
    this.stats.upserted += records.length;
  }

  /** Vectors stored for a source. */
  countOf(sourceId: string): number {
    let n = 0;
    for (const [prefix, set] of this.ids) if (prefix.startsWith(`${sourceId}#`)) n += set.size;
    return n;
  }

  async delete(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 1000) {
      await this.sched.sleep(this.lat.draw(this.config.latency.pineconeDelete));
      this.stats.requests += 1;
    }
    for (const id of ids) {
      const [prefix, index] = split(id);
      const set = this.ids.get(prefix);
      if (set?.delete(index)) this.stats.stored -= 1;
      if (set && set.size === 0) this.ids.delete(prefix);
    }
    this.stats.deleted += ids.length;
  }

  async listIds(prefix: string): Promise<string[]> {
    await this.sched.sleep(this.lat.draw(this.config.latency.pineconeDelete));
    this.stats.listRequests += 1;
    // The core lists one document's vectors (`<source>#<docKey>#`).
    const key = prefix.endsWith('#') ? prefix.slice(0, -1) : prefix;
    return [...(this.ids.get(key) ?? [])].map((i) => `${key}#${i}`);
  }

  async scan(prefix: string): Promise<Array<{ id: string; metadata: Metadata }>> {
    return (await this.listIds(prefix)).map((id) => ({ id, metadata: {} }));
  }

  async query(): Promise<QueryMatch[]> {
    return [];
  }
}

function split(id: string): [string, number] {
  const hash = id.lastIndexOf('#');
  return [id.slice(0, hash), Number(id.slice(hash + 1))];
}
