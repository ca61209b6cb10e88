import type { Context, SQSBatchResponse } from 'aws-lambda';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbedderHandler } from '../../../functions/embedder/embedder.ts';
import { createFetcherHandler } from '../../../functions/fetcher/fetcher.ts';
import { HashingEmbedder } from '../../../shared/adapters/local/hashing-embedder.ts';
import { LanceDbVectorStore } from '../../../shared/adapters/local/lancedb/lancedb-vector-store.ts';
import { openDatabase } from '../../../shared/adapters/local/sqlite/database.ts';
import { SqliteStateStore } from '../../../shared/adapters/local/sqlite/sqlite-state-store.ts';
import { SqliteTaskQueue } from '../../../shared/adapters/local/sqlite/sqlite-task-queue.ts';
import { auditClean, auditSource } from '../../../shared/core/audit.ts';
import { chunkDocument, embeddingText } from '../../../shared/core/chunker.ts';
import type { CoreDeps, SourceSettings } from '../../../shared/core/deps.ts';
import { silentLogger } from '../../../shared/core/deps.ts';
import { MAX_METADATA_TEXT } from '../../../shared/core/embed-task.ts';
import { isLive, runFetch, type FetchRunResult } from '../../../shared/core/fetch-run.ts';
import { docKey, vectorId } from '../../../shared/core/ids.ts';
import { unsettledDocuments } from '../../../shared/core/recovery.ts';
import type { FetchTask, QueueName, ReceivedMessage, StateStore, TaskQueue, VectorStore } from '../../../shared/ports/index.ts';
import { toRecord } from '../../support/drain.ts';
import { ManualClock, newStateStore, newTaskQueue, testSettings, type EmbeddedServers } from '../../support/embedded.ts';
import { InMemoryStateStore } from '../../support/memory-state-store.ts';
import { InMemoryTaskQueue } from '../../support/memory-task-queue.ts';
import { InMemoryVectorStore } from '../../support/memory-vector-store.ts';
import { Monitors } from './monitors.ts';
import { processEmbedder, processQueue, processSource, processState, processVectors, type SharedFaults } from './process-ports.ts';
import { Proc, type FaultSpec, type PortOp } from './processes.ts';
import { Rng } from '../../support/rng.ts';
import { describeStep, LOOKBACK_MS, type EditKind, type Scenario, type Step } from './scenario.ts';
import { makeSection, makeSections, SimulatedSource, textOf } from './sim-source.ts';

export const SOURCE_ID = 'sim';
const DIMENSIONS = 16;
const LEASE_TTL_MS = 60_000;
const DELETE_GUARD_MIN = 2;
/** Visibility timeouts: above any Lambda's time limit, as AWS recommends. */
const FETCH_VISIBILITY_S = 900;
const EMBED_VISIBILITY_S = 300;
/** Attempts before the handlers dead-letter a task. */
const EMBED_MAX_RECEIVES = 4;
const FETCH_MAX_RECEIVES = 30;
/** Time for the queue's own redrive (receives beyond the handlers' limits). */
const QUEUE_MAX_RECEIVES = 50;
/** Park points of fetch processes: presets chosen per process by the scenario. */
const PARK_PRESETS: ReadonlyArray<readonly PortOp[]> = [
  [],
  ['source.pull', 'source.list'],
  ['source.pull', 'source.list', 'queue.sendEmbed'],
  ['source.pull', 'source.list', 'state.saveProgress', 'state.finishRun'],
  ['source.pull', 'source.list', 'state.markPending', 'state.getDocuments', 'queue.sendFetch'],
];

export interface WorldOptions {
  /** `memory`: the in-memory twins (fast); `embedded`: dynalite, fauxqs and LanceDB; `sqlite`: the local stack's SQLite file and LanceDB. */
  readonly adapters: 'memory' | 'embedded' | 'sqlite';
  readonly servers?: EmbeddedServers;
  /** In-memory runs: the state store to use (a twin with a planted bug, to prove the suite finds it). */
  readonly stateStore?: () => StateStore;
}

export interface ScenarioReport {
  readonly violations: string[];
  readonly trace: string[];
  readonly stats: Record<string, number>;
}

interface Delivery {
  readonly queue: QueueName;
  readonly messages: ReadonlyArray<ReceivedMessage<unknown>>;
  readonly receivedAt: number;
  readonly visibilityMs: number;
  readonly acked: Set<string>;
  failed: Set<string> | undefined;
}

interface Shared {
  readonly state: StateStore;
  queue: TaskQueue;
  /** A new, empty queue (a local host's in-memory queue after a restart). */
  freshQueue(): Promise<TaskQueue>;
  readonly vectors: VectorStore;
  readonly embedder: HashingEmbedder;
  close(): Promise<void>;
}

/**
 * One scenario's world: the simulated source, the shared ports (in-memory twins or the
 * embedded servers), the processes that run the real handlers and core over them, and the
 * oracles. The scheduler runs the scenario's steps one at a time, then lets the faults stop,
 * lets the pipeline go quiet, runs one sync (with its reconcile), and checks convergence.
 */
export class World {
  readonly source: SimulatedSource;
  readonly settings: SourceSettings;
  readonly monitors: Monitors;
  readonly trace: string[] = [];
  private readonly faults: SharedFaults = { embedApi: [], vectors: new Map(), sourceOutages: 0 };
  private readonly rng: Rng;
  private pendingFaults: FaultSpec[] = [];
  private readonly procs: Proc[] = [];
  private readonly deliveries = new Map<number, Delivery>();
  private readonly holds: Array<{ queue: QueueName; receipt: string; dueAt: number }> = [];
  private readonly deadOwners = new Set<string>();
  private procSeq = 0;
  /** Local runtime: the host process's generation (a new one after each host death). */
  private hostGeneration = 1;
  private docSeq = 0;
  private readonly stats: Record<string, number> = {};
  private lastResult: FetchRunResult | undefined;

  private constructor(readonly scenario: Scenario, readonly clock: ManualClock, private readonly shared: Shared) {
    this.rng = new Rng(scenario.textSeed);
    const jitter = new Rng(scenario.textSeed ^ 0x5bd1e995);
    const lo = -(LOOKBACK_MS - 1_000);
    this.source = new SimulatedSource({
      sourceId: SOURCE_ID, mode: scenario.mode, pageSize: scenario.pageSize, clock: this.clock, inline: scenario.inline,
      skewMs: () => Math.min(LOOKBACK_MS, Math.max(lo, scenario.skewMs + jitter.int(-scenario.skewJitterMs, scenario.skewJitterMs))),
    });
    this.settings = testSettings(SOURCE_ID, {
      lookbackMs: LOOKBACK_MS, leaseTtlMs: LEASE_TTL_MS, maxDeleteShare: scenario.maxDeleteShare, deleteGuardMin: DELETE_GUARD_MIN,
      chunking: { targetTokens: 60, maxTokens: 200 },
    });
    this.monitors = new Monitors(this.clock, shared.state, this.source, this.settings);
  }

  static async create(scenario: Scenario, options: WorldOptions): Promise<World> {
    const clock = new ManualClock();
    return new World(scenario, clock, await sharedPorts(options, clock, scenario.textSeed));
  }

  async close(): Promise<void> {
    for (const p of this.procs) if (!p.finished) await p.kill('scenario over');
    await this.shared.close();
  }

  // ───────────── the scenario ─────────────

  /** Runs the scenario, the quiet period, the final sync and the checks. */
  async run(): Promise<ScenarioReport> {
    for (let i = 0; i < this.scenario.initialDocs; i++) this.create(this.rng.int(0, 2 ** 30), i % 3 === 0);
    if (this.scenario.presync) {
      // An index already in step with the source: the steps then change a live index.
      await this.shared.queue.sendFetch([this.fetchTask('schedule')]);
      await this.quiesce();
      this.clock.advance(1_000);
    }
    this.note(`initial: ${this.source.docs.size} documents${this.scenario.presync ? ', indexed' : ''}, mode ${this.scenario.mode}, runtime ${this.scenario.runtime}`);
    let index = 0;
    for (const step of this.scenario.steps) {
      index += 1;
      this.monitors.step = index;
      const outcome = await this.apply(step);
      this.note(`#${index} ${describeStep(step)}${outcome ? ` → ${outcome}` : ''}`);
      await this.monitors.observeLedger();
    }
    this.monitors.step = index + 1;
    await this.stopFaults();
    await this.quiesce();
    this.monitors.checkWakeUps();
    await this.finalSync();
    await this.monitors.observeLedger();
    const violations = [...this.monitors.violations, ...await this.check()];
    const deadLetters = this.shared.queue instanceof InMemoryTaskQueue ? this.shared.queue.deadLetters('embed').length : 0;
    return { violations, trace: this.trace, stats: { ...this.stats, ...this.monitors.stats, deadLetters } };
  }

  private note(line: string): void {
    this.trace.push(line);
  }

  private count(key: string): void {
    this.stats[key] = (this.stats[key] ?? 0) + 1;
  }

  private async apply(step: Step): Promise<string | undefined> {
    switch (step.k) {
      case 'create':
        return this.create(step.salt, step.titled);
      case 'edit':
        return this.edit(step.doc, step.how, step.salt);
      case 'touch': {
        const id = this.docAt(step.doc);
        if (id) this.source.touch(id);
        return id;
      }
      case 'delete': {
        const id = this.docAt(step.doc);
        if (id) this.source.remove(id);
        return id;
      }
      case 'rename': {
        const id = this.docAt(step.doc);
        const doc = id ? this.source.docs.get(id) : undefined;
        if (!id || !doc) return undefined;
        const to = this.newId();
        this.source.remove(id);
        this.source.put(to, doc.sections, doc.title);
        return `${id} → ${to}`;
      }
      case 'restore': {
        const ids = [...this.source.graveyard.keys()].sort();
        const id = ids[step.doc % Math.max(1, ids.length)];
        if (id) this.source.restore(id);
        return id;
      }
      case 'burst': {
        const rng = new Rng(step.salt ^ this.scenario.textSeed);
        const ids = this.currentIds();
        const touched: string[] = [];
        for (let i = 0; i < step.count && ids.length > 0; i++) {
          const id = rng.pick(ids);
          const doc = this.source.docs.get(id);
          if (!doc) continue;
          const sections = [...doc.sections];
          sections[rng.int(0, sections.length - 1)] = makeSection(rng);
          this.source.put(id, sections, doc.title);
          touched.push(id);
        }
        return touched.join(',');
      }
      case 'tick':
        this.clock.advance(step.ms);
        await this.releaseDue();
        return undefined;
      case 'schedule':
        await this.shared.queue.sendFetch([this.fetchTask('schedule')]);
        return undefined;
      case 'hint': {
        const all = [...new Set([...this.source.docs.keys(), ...this.source.graveyard.keys()])].sort();
        const ids = all.length === 0 ? [] : [...new Set(step.docs.map((d) => all[d % all.length] as string))];
        await this.shared.queue.sendFetch([{ ...this.fetchTask('webhook'), ...(ids.length > 0 ? { ids } : {}) }]);
        return ids.join(',') || 'all';
      }
      case 'cli':
        return this.startCli(step.owner, { full: step.full, recover: step.recover, park: step.park });
      case 'lambda':
        return this.startLambda(step.budgetMs, step.park, true);
      case 'advance': {
        const proc = this.parkedAt(step.proc);
        if (!proc) return undefined;
        const outcome = await proc.step();
        if (outcome === 'done') await this.ended(proc);
        return `process ${proc.id} ${outcome === 'done' ? this.outcomeOf(proc) : `parked at ${proc.parkedAt ?? '?'}`}`;
      }
      case 'kill': {
        const proc = this.parkedAt(step.proc);
        if (!proc) return undefined;
        await proc.kill('killed by the scenario');
        await this.ended(proc);
        return `process ${proc.id} killed at ${proc.deathReason ?? ''}`;
      }
      case 'embed':
        return this.deliverEmbed(step.max);
      case 'replay':
        return this.replay(step.task);
      case 'fault':
        this.pendingFaults.push(step.fault);
        return undefined;
      case 'embedApi':
        this.faults.embedApi.push(...step.failures);
        return undefined;
      case 'vectorOutage':
        this.faults.vectors.set(step.op, (this.faults.vectors.get(step.op) ?? 0) + step.count);
        return undefined;
      case 'sourceOutage':
        this.faults.sourceOutages += step.count;
        return undefined;
      case 'expireToken':
        this.source.expireTokens();
        return undefined;
      case 'emptyListing':
        this.source.brokenListings += step.count;
        return undefined;
      case 'loseQueue':
        return this.loseQueue();
      case 'hostDies':
        return this.hostDies();
    }
  }

  // ───────────── the source ─────────────

  private newId(): string {
    this.docSeq += 1;
    return `doc-${String(this.docSeq).padStart(3, '0')}.md`;
  }

  private currentIds(): string[] {
    return [...this.source.docs.keys()].sort();
  }

  private docAt(index: number): string | undefined {
    const ids = this.currentIds();
    return ids.length === 0 ? undefined : ids[index % ids.length];
  }

  private create(salt: number, titled: boolean): string {
    const rng = new Rng(salt ^ this.scenario.textSeed);
    const id = this.newId();
    this.source.put(id, makeSections(rng), titled ? `Title ${rng.int(0, 9)}` : undefined);
    return id;
  }

  private edit(index: number, how: EditKind, salt: number): string | undefined {
    const id = this.docAt(index);
    const doc = id ? this.source.docs.get(id) : undefined;
    if (!id || !doc) return undefined;
    const rng = new Rng(salt ^ this.scenario.textSeed);
    const sections = [...doc.sections];
    let title = doc.title;
    const at = rng.int(0, sections.length - 1);
    switch (how) {
      case 'word': {
        const lines = (sections[at] ?? '').split('\n');
        const line = lines.length - 1;
        const words = (lines[line] ?? '').split(' ');
        words[rng.int(0, words.length - 1)] = rng.pick(['lease', 'fence', 'epoch', 'drift', 'tail']);
        lines[line] = words.join(' ');
        sections[at] = lines.join('\n');
        break;
      }
      case 'section':
        sections[at] = makeSection(rng);
        break;
      case 'rewrite':
        sections.splice(0, sections.length, ...makeSections(rng));
        break;
      case 'grow':
        sections.push(...makeSections(rng, 1, 2));
        break;
      case 'shrink':
        if (sections.length > 1) sections.splice(rng.int(1, sections.length - 1));
        else sections[0] = (sections[0] ?? '').split('\n').slice(0, 3).join('\n');
        break;
      case 'share': {
        const others = this.currentIds().filter((o) => o !== id);
        const other = others.length > 0 ? this.source.docs.get(rng.pick(others)) : undefined;
        if (other) sections[at] = rng.pick(other.sections);
        break;
      }
      case 'title':
        title = title === undefined ? `Title ${rng.int(0, 9)}` : rng.int(0, 3) === 0 ? undefined : `${title}!`;
        break;
    }
    this.source.put(id, sections, title);
    return id;
  }

  // ───────────── processes ─────────────

  private newProc(kind: Proc['kind'], owner: string, park: number | undefined, deadline?: number): { proc: Proc; deps: CoreDeps } {
    this.procSeq += 1;
    const parkOn = new Set<PortOp>(park === undefined ? [] : PARK_PRESETS[park % PARK_PRESETS.length]);
    // A fault waits for the next process that makes that call: fetch runs and embedders call different ports.
    const role = kind === 'embedder' ? 'embed' : 'fetch';
    const mine = this.pendingFaults.filter((f) => faultRole(f.op) === role || faultRole(f.op) === 'any');
    this.pendingFaults = this.pendingFaults.filter((f) => !mine.includes(f));
    const proc = new Proc(this.procSeq, owner, kind, this.clock, mine, parkOn, deadline);
    this.deadOwners.delete(owner);
    this.procs.push(proc);
    const source = processSource(proc, this.source, this.faults, this.monitors);
    const deps: CoreDeps = {
      state: processState(proc, this.shared.state, this.monitors),
      queue: processQueue(proc, this.shared.queue, this.monitors),
      vectors: processVectors(proc, this.shared.vectors, this.faults),
      embedder: processEmbedder(proc, this.shared.embedder, this.faults, this.monitors),
      clock: this.clock,
      connector: (id) => (id === SOURCE_ID ? source : undefined),
      settings: (id) => (id === SOURCE_ID ? this.settings : undefined),
      log: silentLogger,
      // About half the documents then travel by reference.
      ...(this.scenario.byReference ? { maxInlineTaskBytes: 2_000 } : {}),
    };
    return { proc, deps };
  }

  private fetchTask(trigger: FetchTask['trigger']): FetchTask {
    return { type: 'fetch', sourceId: SOURCE_ID, trigger, requestedAt: new Date(this.clock.now()).toISOString() };
  }

  private parked(): Proc[] {
    return this.procs.filter((p) => !p.finished);
  }

  private parkedAt(index: number): Proc | undefined {
    const parked = this.parked();
    return parked.length === 0 ? undefined : parked[index % parked.length];
  }

  private outcomeOf(proc: Proc): string {
    if (proc.dead) return `died (${proc.deathReason ?? ''})`;
    if (proc.error !== undefined) return `failed: ${proc.error instanceof Error ? proc.error.message : String(proc.error)}`;
    return 'finished';
  }

  /** A local `tributary sync`: recovery of unsettled documents (as a host does), then one run, and its reruns. */
  private async startCli(ownerIndex: number, options: { full: boolean; recover: boolean; park?: number; allowMassDelete?: boolean }): Promise<string> {
    const owner = ownerIndex === 0 ? `cli:${this.procSeq + 1}` : `host:${ownerIndex}`;
    const { proc, deps } = this.newProc('cli', owner, options.park);
    const outcome = await proc.launch(async () => {
      const tasks: FetchTask[] = [];
      if (options.recover) {
        const ids = await unsettledDocuments(deps, SOURCE_ID);
        if (ids.length > 0) tasks.push({ ...this.fetchTask('recovery'), ids, recover: true });
      }
      tasks.push({ ...this.fetchTask('cli'), ...(options.full ? { full: true } : {}) });
      for (const task of tasks) {
        let result: FetchRunResult | undefined;
        try {
          result = await runFetch(deps, task, {
            owner, allowMassDelete: options.allowMassDelete === true,
            isOwnerAlive: (o) => (this.deadOwners.has(o) ? false : undefined),
          });
        } finally {
          await this.monitors.fetchRunEnded(proc, result);
        }
        this.lastResult = result;
        this.count(`run:${result.status}`);
        // The CLI runs a rerun itself; here it goes through the queue like any other trigger.
        if (result.rerun) await deps.queue.sendFetch([this.fetchTask('rerun')]);
      }
    });
    if (outcome === 'done') await this.ended(proc);
    return `process ${proc.id} (${owner}) ${outcome === 'done' ? this.outcomeOf(proc) : `parked at ${proc.parkedAt ?? '?'}`}`;
  }

  /** A fetcher Lambda invocation on the next fetch task, with `budgetMs` before its time limit. */
  private async startLambda(budgetMs: number, park: number | undefined, scheduleWhenIdle = false): Promise<string | undefined> {
    let messages = await this.shared.queue.receive('fetch', { max: 1, waitSeconds: 0, visibilitySeconds: FETCH_VISIBILITY_S });
    if (messages.length === 0 && scheduleWhenIdle) {
      // Nothing queued: the scheduler's next tick is what wakes the fetcher.
      await this.shared.queue.sendFetch([this.fetchTask('schedule')]);
      messages = await this.shared.queue.receive('fetch', { max: 1, waitSeconds: 0, visibilitySeconds: FETCH_VISIBILITY_S });
    }
    if (messages.length === 0) return undefined;
    // Locally the host's fetch poller runs the handler, with the host's owner id (a restarted host gets a new one).
    const local = this.scenario.runtime === 'local';
    const owner = local ? `host-${this.hostGeneration}` : `lambda:${this.procSeq + 1}`;
    const { proc, deps } = this.newProc('lambda-fetch', owner, park, this.clock.now() + budgetMs);
    const delivery = this.track(proc, 'fetch', messages, FETCH_VISIBILITY_S);
    let result: FetchRunResult | undefined;
    const handler = createFetcherHandler(deps, {
      maxReceives: FETCH_MAX_RECEIVES, owner: () => proc.owner,
      ...(local ? { isOwnerAlive: (o: string) => (this.deadOwners.has(o) ? false : undefined) } : {}),
      onResult: (r) => {
        result = r;
        this.lastResult = r;
        this.count(`run:${r.status}`);
      },
    });
    const context = { getRemainingTimeInMillis: () => Math.max(0, (proc.deadline ?? 0) - this.clock.now()) } as Context;
    const outcome = await proc.launch(async () => {
      let response: SQSBatchResponse;
      try {
        response = await handler({ Records: messages.map(toRecord) }, context);
      } finally {
        await this.monitors.fetchRunEnded(proc, result);
      }
      await this.settle(deps.queue, delivery, response);
    });
    if (outcome === 'done') await this.ended(proc);
    const task = messages[0]?.body as FetchTask | undefined;
    return `process ${proc.id} (${task?.trigger ?? '?'}${task?.ids ? ` ids=${task.ids.join(',')}` : ''}) ${outcome === 'done' ? this.outcomeOf(proc) : `parked at ${proc.parkedAt ?? '?'}`}`;
  }

  /** An embedder Lambda invocation on a batch of up to `max` embed tasks. */
  private async deliverEmbed(max: number): Promise<string | undefined> {
    const messages = await this.shared.queue.receive('embed', { max, waitSeconds: 0, visibilitySeconds: EMBED_VISIBILITY_S });
    if (messages.length === 0) return undefined;
    const { proc, deps } = this.newProc('embedder', `embedder:${this.procSeq + 1}`, undefined);
    this.count(proc.faults.length > 0 ? 'embed:faulted' : 'embed:delivered');
    const delivery = this.track(proc, 'embed', messages, EMBED_VISIBILITY_S);
    const handler = createEmbedderHandler(deps, { maxReceives: EMBED_MAX_RECEIVES });
    await proc.launch(async () => {
      const response = await handler({ Records: messages.map(toRecord) }, {} as Context);
      await this.settle(deps.queue, delivery, response);
    });
    await this.ended(proc);
    return `${messages.length} tasks, process ${proc.id} ${this.outcomeOf(proc)}${delivery.failed?.size ? `, ${delivery.failed.size} failed` : ''}`;
  }

  /** An old embed task delivered again: a duplicate, or one delayed past newer versions. */
  private async replay(index: number): Promise<string | undefined> {
    const history = this.monitors.history;
    const task = history.length === 0 ? undefined : history[index % history.length];
    if (!task) return undefined;
    const { proc, deps } = this.newProc('embedder', `embedder:${this.procSeq + 1}`, undefined);
    const handler = createEmbedderHandler(deps, { maxReceives: EMBED_MAX_RECEIVES });
    const message: ReceivedMessage<unknown> = {
      body: task, raw: JSON.stringify(task), messageId: `replay-${proc.id}`, receipt: `replay-${proc.id}`, receiveCount: 1,
      group: `${task.sourceId}#${docKey(task.docId)}`,
    };
    await proc.launch(async () => {
      await handler({ Records: [toRecord(message)] }, {} as Context);
    });
    await this.ended(proc);
    return `${task.type} ${task.docId} ${task.rev}, process ${proc.id} ${this.outcomeOf(proc)}`;
  }

  private track(proc: Proc, queue: QueueName, messages: ReadonlyArray<ReceivedMessage<unknown>>, visibilitySeconds: number): Delivery {
    const delivery: Delivery = { queue, messages, receivedAt: this.clock.now(), visibilityMs: visibilitySeconds * 1000, acked: new Set(), failed: undefined };
    this.deliveries.set(proc.id, delivery);
    return delivery;
  }

  /** As Lambda's event source mapping: delete what succeeded; the reported failures come back later. */
  private async settle(queue: TaskQueue, delivery: Delivery, response: SQSBatchResponse): Promise<void> {
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    delivery.failed = failed;
    const done = delivery.messages.filter((m) => !failed.has(m.messageId));
    if (done.length > 0) await queue.ack(delivery.queue, done.map((m) => m.receipt));
    for (const m of done) delivery.acked.add(m.messageId);
  }

  /** A process ended: what it did not ack comes back once its visibility timeout (or retry backoff) passes. */
  private async ended(proc: Proc): Promise<void> {
    if (proc.dead) {
      this.count(`died:${proc.kind}`);
    }
    // A CLI process exits when its run ends: its owner id is dead from then on.
    if (proc.kind === 'cli' && !this.procs.some((p) => p !== proc && p.owner === proc.owner && !p.finished)) this.deadOwners.add(proc.owner);
    if (proc.kind === 'cli') this.monitors.cliEnded(proc);
    const delivery = this.deliveries.get(proc.id);
    if (!delivery) return;
    this.deliveries.delete(proc.id);
    for (const m of delivery.messages) {
      if (delivery.acked.has(m.messageId)) continue;
      const retry = !proc.dead && delivery.failed?.has(m.messageId) === true;
      const dueAt = retry ? this.clock.now() + Math.min(30, 2 ** (m.receiveCount - 1)) * 1000 : delivery.receivedAt + delivery.visibilityMs;
      this.holds.push({ queue: delivery.queue, receipt: m.receipt, dueAt });
    }
    await this.releaseDue();
  }

  /** Messages whose visibility timeout passed become visible again. */
  private async releaseDue(): Promise<void> {
    const now = this.clock.now();
    for (let i = this.holds.length - 1; i >= 0; i--) {
      const hold = this.holds[i];
      if (!hold || hold.dueAt > now) continue;
      this.holds.splice(i, 1);
      await this.shared.queue.release(hold.queue, hold.receipt, 0);
    }
  }

  /** Local runtime: every process of the host dies, and the queue's contents are lost with it. */
  private async loseQueue(): Promise<string> {
    if (this.scenario.runtime !== 'local') return 'ignored (durable queues)';
    await this.killHost();
    this.holds.length = 0;
    let lost = 0;
    for (const queue of ['fetch', 'embed'] as const) {
      const depth = await this.shared.queue.depth(queue);
      lost += depth.visible + depth.inFlight;
    }
    this.shared.queue = await this.shared.freshQueue();
    const recovered = await this.restartHost();
    return `${lost} queued tasks lost; the new host recovers ${recovered} documents`;
  }

  /**
   * Local runtime: every process of the host dies; the queue lives in the database file, and
   * what the dead host held in flight is visible again at once (its receiver is known dead).
   */
  private async hostDies(): Promise<string> {
    if (this.scenario.runtime !== 'local') return 'ignored (no local host)';
    await this.killHost();
    const returned = this.holds.length;
    for (const hold of this.holds.splice(0)) await this.shared.queue.release(hold.queue, hold.receipt, 0);
    const recovered = await this.restartHost();
    return `${returned} tasks in flight returned to the queue; the new host re-fetches ${recovered} unsettled documents`;
  }

  private async killHost(): Promise<void> {
    // Every process of the host dies; a `sync` sharing its state folder is killed with it.
    for (const proc of this.parked()) {
      await proc.kill('host died');
      await this.ended(proc);
    }
    this.deadOwners.add(`host-${this.hostGeneration}`);
    this.monitors.hostDeaths.push(this.monitors.step);
    this.hostGeneration += 1;
  }

  /** The next host re-fetches unsettled documents (from the pending markers and claims) and syncs at start. */
  private async restartHost(): Promise<number> {
    const unsettled = await unsettledDocuments({ state: this.shared.state }, SOURCE_ID);
    await this.shared.queue.sendFetch([
      ...(unsettled.length > 0 ? [{ ...this.fetchTask('recovery'), ids: unsettled, recover: true }] : []),
      this.fetchTask('schedule'),
    ]);
    return unsettled.length;
  }

  // ───────────── after the faults ─────────────

  private async stopFaults(): Promise<void> {
    this.pendingFaults = [];
    this.faults.embedApi.length = 0;
    this.faults.vectors.clear();
    this.faults.sourceOutages = 0;
    this.source.brokenListings = 0;
    for (const proc of this.parked()) {
      await proc.finish();
      await this.ended(proc);
      this.note(`resumed process ${proc.id} → ${this.outcomeOf(proc)}`);
    }
  }

  /** Delivers every task (waiting out visibility timeouts) until the queues are empty. */
  private async quiesce(): Promise<void> {
    for (let round = 0; round < 500; round++) {
      const fetched = await this.startLambda(FETCH_VISIBILITY_S * 1000 - 1, undefined);
      if (fetched !== undefined) {
        this.note(`quiet: fetch ${fetched}`);
        continue;
      }
      const embedded = await this.deliverEmbed(10);
      if (embedded !== undefined) continue;
      if (this.holds.length > 0) {
        this.clock.set(Math.max(this.clock.now(), Math.min(...this.holds.map((h) => h.dueAt))));
        await this.releaseDue();
        continue;
      }
      return;
    }
    this.monitors.violations.push('the pipeline did not go quiet within 500 deliveries');
  }

  /** Once the sources are quiet (longer than any clock skew): one sync, with its reconcile. */
  private async finalSync(): Promise<void> {
    this.clock.advance(2 * LOOKBACK_MS);
    this.lastResult = undefined;
    if (this.scenario.runtime === 'local') {
      this.note(`final: ${await this.startCli(0, { full: false, recover: true })}`);
    } else {
      await this.shared.queue.sendFetch([this.fetchTask('schedule')]);
    }
    await this.quiesce();
    const result = this.lastResult as FetchRunResult | undefined;
    this.note(`final sync: ${result ? `${result.status}, ${JSON.stringify(result.counters)}` : 'no result'}`);
    if (result?.breaker) {
      // Real deletions beyond the breaker's share: the operator confirms them.
      const state = await this.shared.state.getSource(SOURCE_ID);
      if (!state?.breaker) this.monitors.violations.push('final sync: the breaker tripped but the source state does not say so');
      this.note(`final: breaker (${result.breaker.wouldDelete} of ${result.breaker.known}); ${await this.startCli(0, { full: false, recover: false, allowMassDelete: true })}`);
      await this.quiesce();
    }
  }

  /** The index equals the model exactly; the ledger agrees; the audit is clean. */
  private async check(): Promise<string[]> {
    const problems: string[] = [];
    const expected = new Map<string, { docId: string; index: number; hash: string; text: string; context?: string; title?: string }>();
    for (const doc of this.source.docs.values()) {
      for (const c of chunkDocument(textOf(doc), 'markdown', this.settings.chunking, doc)) {
        expected.set(vectorId(SOURCE_ID, doc.id, c.index), {
          docId: doc.id, index: c.index, hash: c.hash, text: c.text, ...(c.context !== undefined ? { context: c.context } : {}), ...(doc.title !== undefined ? { title: doc.title } : {}),
        });
      }
    }
    const rows = await this.shared.vectors.scan(`${SOURCE_ID}#`);
    const extra: string[] = [];
    const stale: string[] = [];
    for (const row of rows) {
      const want = expected.get(row.id);
      const label = `${String(row.metadata['docId'])}#${String(row.metadata['chunkIndex'])}`;
      if (!want) {
        extra.push(label);
        continue;
      }
      expected.delete(row.id);
      const md = row.metadata;
      if (md['hash'] !== want.hash || md['text'] !== want.text.slice(0, MAX_METADATA_TEXT) || md['context'] !== want.context || md['docId'] !== want.docId || md['chunkIndex'] !== want.index) {
        stale.push(`${label} (holds ${JSON.stringify(String(md['text']).slice(0, 40))})`);
      } else if (md['title'] !== want.title) {
        stale.push(`${label} (title ${JSON.stringify(md['title'])}, the source has ${JSON.stringify(want.title)})`);
      }
    }
    const missing = [...expected.values()].map((e) => `${e.docId}#${e.index}`);
    if (missing.length > 0) problems.push(`index: ${missing.length} current chunks missing: ${missing.slice(0, 6).join(', ')}`);
    if (stale.length > 0) problems.push(`index: ${stale.length} stale chunks: ${stale.slice(0, 4).join(', ')}`);
    if (extra.length > 0) problems.push(`index: ${extra.length} chunks of deleted documents or past a document's end: ${extra.slice(0, 6).join(', ')}`);
    if (this.shared.vectors instanceof InMemoryVectorStore) {
      const store = this.shared.vectors;
      const reference = new HashingEmbedder({ dimensions: DIMENSIONS });
      // What the pipeline embeds: the chunk's context, then its text.
      const { vectors } = await reference.embed(rows.map((r) => embeddingText({
        text: String(r.metadata['text']), ...(typeof r.metadata['context'] === 'string' ? { context: r.metadata['context'] } : {}),
      })));
      const wrong = rows.filter((r, i) => {
        const values = store.valuesOf(r.id);
        const want = vectors[i];
        return values === undefined || want === undefined || !sameVector(values, want);
      });
      if (wrong.length > 0) problems.push(`index: ${wrong.length} vectors are not the embedding of their chunk: ${wrong.slice(0, 3).map((r) => r.id).join(', ')}`);
    }

    const ledgerProblems: string[] = [];
    const seen = new Set<string>();
    for await (const entry of this.shared.state.listDocuments(SOURCE_ID)) {
      seen.add(entry.docId);
      const doc = this.source.docs.get(entry.docId);
      if (doc) {
        if (entry.deleted || entry.version !== doc.version || entry.pending || entry.claim) {
          ledgerProblems.push(`${entry.docId} (ledger ${JSON.stringify({ version: entry.version, deleted: entry.deleted, pending: entry.pending, claim: entry.claim })}, source ${doc.version})`);
        }
      } else if (isLive(entry) || entry.pending || entry.claim) {
        ledgerProblems.push(`${entry.docId} deleted in the source, live in the ledger`);
      }
    }
    for (const id of this.source.docs.keys()) if (!seen.has(id)) ledgerProblems.push(`${id} missing from the ledger`);
    if (ledgerProblems.length > 0) problems.push(`ledger: ${ledgerProblems.slice(0, 5).join('; ')}`);

    const checker: CoreDeps = {
      state: this.shared.state, queue: this.shared.queue, vectors: this.shared.vectors, embedder: this.shared.embedder, clock: this.clock,
      connector: (id) => (id === SOURCE_ID ? this.source : undefined), settings: (id) => (id === SOURCE_ID ? this.settings : undefined), log: silentLogger,
    };
    const audit = await auditSource(checker, SOURCE_ID);
    if (!auditClean(audit)) {
      const { sourceId: _s, sourceDocuments: _d, ledgerDocuments: _l, vectors: _v, damagedDocuments: _x, ...lists } = audit;
      problems.push(`audit: ${JSON.stringify(Object.fromEntries(Object.entries(lists).filter(([, v]) => v.length > 0)))}`);
    }
    return problems.map((p) => `after the final sync: ${p}`);
  }
}

/** Which processes make a call: fetch runs, embedders, or both. */
function faultRole(op: PortOp): 'fetch' | 'embed' | 'any' {
  if (['state.claimDocument', 'state.commitDocument', 'state.commitDeletion', 'state.releasePending', 'state.addRunCounters', 'queue.ack', 'queue.deadLetter',
    'vectors.upsert', 'vectors.delete', 'vectors.listIds'].includes(op)) return 'embed';
  if (['state.getEmbeddings', 'state.putEmbeddings', 'embedder.embed', 'state.getDocuments'].includes(op)) return 'any';
  return 'fetch';
}

function sameVector(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => Math.abs(v - (b[i] ?? NaN)) < 1e-6);
}

async function sharedPorts(options: WorldOptions, clock: ManualClock, seed: number): Promise<Shared> {
  const embedder = new HashingEmbedder({ dimensions: DIMENSIONS });
  if (options.adapters === 'memory') {
    const rng = new Rng(seed ^ 0x2545f491);
    const freshQueue = async (): Promise<TaskQueue> => new InMemoryTaskQueue({ clock, maxReceiveCount: QUEUE_MAX_RECEIVES, orderGroups: (groups) => rng.shuffle(groups) });
    return {
      state: options.stateStore?.() ?? new InMemoryStateStore(),
      queue: await freshQueue(),
      freshQueue,
      vectors: new InMemoryVectorStore(),
      embedder,
      close: async () => undefined,
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'tributary-chaos-'));
  const vectors = await LanceDbVectorStore.open({ dir, dimensions: DIMENSIONS });
  if (options.adapters === 'sqlite') {
    const db = openDatabase({ file: join(dir, 'state.db') });
    let queues = 0;
    // A fresh queue is the same file with its queue tables emptied (what a lost queue leaves).
    const freshQueue = async (): Promise<TaskQueue> => {
      if (queues++ > 0) db.exec('DELETE FROM queue_messages; DELETE FROM queue_dedup;');
      return new SqliteTaskQueue(db, { maxReceiveCount: QUEUE_MAX_RECEIVES, receiver: 'chaos', clock });
    };
    return {
      state: new SqliteStateStore(db),
      queue: await freshQueue(),
      freshQueue,
      vectors,
      embedder,
      close: async () => {
        await vectors.close();
        db.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const servers = options.servers;
  if (!servers) throw new Error('the embedded adapters need servers');
  return {
    state: await newStateStore(servers),
    queue: await newTaskQueue(servers, QUEUE_MAX_RECEIVES),
    freshQueue: () => newTaskQueue(servers, QUEUE_MAX_RECEIVES),
    vectors,
    embedder,
    close: async () => {
      await vectors.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs one scenario in a fresh world and reports what broke. */
export async function runScenario(scenario: Scenario, options: WorldOptions): Promise<ScenarioReport> {
  const world = await World.create(scenario, options);
  try {
    return await world.run();
  } finally {
    await world.close();
  }
}
