/**
 * The scenarios, run one after another on one world (the steady day starts from the
 * backfilled index, as a deployment would): what each one does to the sources and what it
 * measures.
 */
import { signWebhook, SIGNATURE_HEADER } from '../../shared/core/webhook.ts';
import { Rng } from '../support/rng.ts';
import { snapshot, usageBetween, type Usage } from './bill.ts';
import { stateWrites, type PortCounts } from './counting.ts';
import { docId } from './source.ts';
import { WEBHOOK_SECRET, type World } from './world.ts';

export interface ScenarioReport {
  readonly name: string;
  /** Virtual time from the scenario's start until the pipeline was quiet again. */
  readonly virtualMs: number;
  readonly wallMs: number;
  readonly tpm?: TpmShare;
  readonly queueAge: { fetchP50: number; fetchP99: number; embedP50: number; embedP99: number };
  readonly retries: { openAi429: number; openAiFailed: number; embedderRetries: number; dynamoThrottles: number; redeliveries: number };
  readonly deadLetters: { fetch: number; embed: number; reasons: string[] };
  readonly hottest: { partition: string; wcuPerSecond: number; item: string; itemWritesPerSecond: number; throttledKinds: Record<string, number> };
  readonly lambda: Record<string, { invocations: number; gbSeconds: number; coldStarts: number; timeouts: number; throttles: number; peak: number }>;
  readonly work: { embeddingCalls: number; tokens: number; vectorsUpserted: number; vectorsDeleted: number; stateWrites: number };
  readonly usage: Usage;
  readonly notes: string[];
}

export interface TpmShare {
  readonly configured: number;
  readonly meanShare: number;
  readonly minShare: number;
  readonly minutes: number;
  readonly minutesAtOrAbove90: number;
}

interface Marks {
  readonly t0: number;
  readonly wall: number;
  readonly usage: Usage;
  readonly counts: PortCounts;
  readonly openai: { throttled: number; failed: number };
  readonly retries: number;
  readonly throttles: number;
  readonly dead: { fetch: number; embed: number };
  readonly received: number;
  readonly sent: number;
  readonly lambda: Record<string, { invocations: number; gbSeconds: number; coldStarts: number; timeouts: number; throttles: number }>;
}

const pools = (w: World) => ({ fetcher: w.fetcher, embedder: w.embedder, webhook: w.webhook });

function mark(w: World): Marks {
  w.queue.resetAges();
  w.state.meter.resetHottest();
  const lambda: Marks['lambda'] = {};
  for (const [name, p] of Object.entries(pools(w))) {
    lambda[name] = { invocations: p.stats.invocations, gbSeconds: p.stats.gbSeconds, coldStarts: p.stats.coldStarts, timeouts: p.stats.timeouts, throttles: p.stats.throttles };
    p.stats.peak = 0;
  }
  const f = w.queue.stats('fetch');
  const e = w.queue.stats('embed');
  return {
    t0: w.sched.clock.now(), wall: performance.now(), usage: snapshot(w), counts: structuredClone(w.counts),
    openai: { throttled: w.openai.stats.throttled, failed: w.openai.stats.failed }, retries: w.embedderStats.retries,
    throttles: w.state.meter.throttles, dead: { fetch: f.dead, embed: e.dead }, received: f.received + e.received, sent: f.sent + e.sent, lambda,
  };
}

function report(w: World, name: string, m: Marks, notes: string[], withTpm: boolean): ScenarioReport {
  const f = w.queue.stats('fetch');
  const e = w.queue.stats('embed');
  const lambda: ScenarioReport['lambda'] = {};
  for (const [n, p] of Object.entries(pools(w))) {
    const before = m.lambda[n]!;
    lambda[n] = {
      invocations: p.stats.invocations - before.invocations, gbSeconds: p.stats.gbSeconds - before.gbSeconds, coldStarts: p.stats.coldStarts - before.coldStarts,
      timeouts: p.stats.timeouts - before.timeouts, throttles: p.stats.throttles - before.throttles, peak: p.stats.peak,
    };
  }
  const c = w.counts;
  return {
    name, virtualMs: w.sched.clock.now() - m.t0, wallMs: performance.now() - m.wall,
    ...(withTpm ? { tpm: tpmShare(w, m.t0) } : {}),
    queueAge: { fetchP50: f.ageP50, fetchP99: f.ageP99, embedP50: e.ageP50, embedP99: e.ageP99 },
    retries: {
      openAi429: w.openai.stats.throttled - m.openai.throttled, openAiFailed: w.openai.stats.failed - m.openai.failed,
      embedderRetries: w.embedderStats.retries - m.retries, dynamoThrottles: w.state.meter.throttles - m.throttles,
      // Deliveries beyond one per message sent: retries by visibility timeout.
      redeliveries: Math.max(0, (f.received + e.received - m.received) - (f.sent + e.sent - m.sent)),
    },
    deadLetters: { fetch: f.dead - m.dead.fetch, embed: e.dead - m.dead.embed, reasons: [...f.deadReasons, ...e.deadReasons] },
    hottest: {
      partition: w.state.meter.hottest.pk, wcuPerSecond: w.state.meter.hottest.wcuPerSecond,
      item: w.state.meter.hottestItem.key, itemWritesPerSecond: w.state.meter.hottestItem.writesPerSecond,
      throttledKinds: { ...w.state.meter.throttledKinds },
    },
    lambda,
    work: {
      embeddingCalls: c.embeddingCalls - m.counts.embeddingCalls, tokens: c.tokens - m.counts.tokens,
      vectorsUpserted: c.vectorsUpserted - m.counts.vectorsUpserted, vectorsDeleted: c.vectorsDeleted - m.counts.vectorsDeleted,
      stateWrites: stateWrites(c) - stateWrites(m.counts),
    },
    usage: usageBetween(m.usage, snapshot(w)),
    notes,
  };
}

/** Tokens served per minute against the configured budget, from the first to the last full minute of embedding. */
function tpmShare(w: World, t0: number): TpmShare {
  const configured = w.config.deploy.tokensPerMinute;
  const minutes = [...w.openai.tokensByMinute].filter(([minute]) => minute * 60_000 >= t0).sort((a, b) => a[0] - b[0]);
  // The first and last minutes are partial (the ramp-up, the tail of the last source).
  const full = minutes.slice(1, -1);
  if (full.length === 0) return { configured, meanShare: 0, minShare: 0, minutes: minutes.length, minutesAtOrAbove90: 0 };
  const shares = full.map(([, tokens]) => tokens / configured);
  return {
    configured, meanShare: shares.reduce((a, b) => a + b, 0) / shares.length, minShare: Math.min(...shares),
    minutes: full.length, minutesAtOrAbove90: shares.filter((s) => s >= 0.9).length,
  };
}

const DAY = 86_400_000;

/** Every source's first pass: the whole corpus chunked, embedded and written. */
export async function backfill(w: World, limitMs = 30 * DAY): Promise<ScenarioReport> {
  const m = mark(w);
  const stop = w.scheduleEvery(m.t0 + w.config.deploy.scheduleMinutes * 60_000, m.t0 + limitMs);
  void w.scheduleAll('schedule');
  await w.runUntilQuiet(limitMs);
  stop();
  return report(w, 'initial backfill', m, [], true);
}

/** A day: 1% of documents change, in bursts per source (a few sources busy, most quiet); every source runs on its schedule. */
export async function steadyDay(w: World): Promise<ScenarioReport> {
  const m = mark(w);
  const rng = new Rng(w.config.seed + 1);
  const total = w.sources.reduce((n, s) => n + s.documentCount, 0);
  let edits = Math.round(total * 0.01);
  const planned = edits;
  while (edits > 0) {
    // A burst: a source picked by size, 1–200 edits within ~10 minutes at a random time of day.
    const s = w.sources[pickBySize(w, rng)]!;
    const n = Math.min(edits, rng.int(1, 200), s.documentCount);
    const start = m.t0 + rng.float() * (DAY - 600_000);
    for (let k = 0; k < n; k++) {
      const doc = rng.int(0, s.documentCount - 1);
      const at = start + rng.float() * 600_000;
      w.sched.at(at, () => s.edit(doc, at));
    }
    edits -= n;
  }
  const stop = w.scheduleEvery(m.t0, m.t0 + DAY);
  await w.sched.run(m.t0 + DAY);
  stop();
  await w.runUntilQuiet(DAY);
  return report(w, 'steady day (1% changed)', m, [`${planned} edits in bursts; every source scheduled every ${w.config.deploy.scheduleMinutes} min`], false);
}

function pickBySize(w: World, rng: Rng): number {
  const total = w.sources.reduce((n, s) => n + s.documentCount, 0);
  let r = rng.float() * total;
  for (let i = 0; i < w.sources.length; i++) {
    r -= w.sources[i]!.documentCount;
    if (r < 0) return i;
  }
  return w.sources.length - 1;
}

/** 10,000 webhook events in one minute on one source, each naming a document it edited; senders retry a 429 up to 5 times. */
export async function webhookStorm(w: World, events = 10_000): Promise<ScenarioReport> {
  const m = mark(w);
  const s = w.source(0);
  const rng = new Rng(w.config.seed + 2);
  const answers = new Map<number, number>();
  let retried = 0;
  for (let k = 0; k < events; k++) {
    const at = m.t0 + (k / events) * 60_000;
    const doc = rng.int(0, s.documentCount - 1);
    const send = async (attempt: number): Promise<void> => {
      const body = JSON.stringify({ changed: [docId(doc)] });
      const header = signWebhook(WEBHOOK_SECRET, `${body}`, Math.floor(w.sched.clock.now() / 1000));
      const status = await w.postWebhook(s.sourceId, body, { [SIGNATURE_HEADER]: header, 'content-type': 'application/json' });
      if (status === 429 && attempt < 5) {
        retried += 1;
        w.sched.at(w.sched.clock.now() + 1_000 * 2 ** attempt * (0.5 + rng.float()), () => void send(attempt + 1));
        return;
      }
      answers.set(status, (answers.get(status) ?? 0) + 1);
    };
    w.sched.at(at, () => {
      s.edit(doc, at);
      void send(1);
    });
  }
  await w.sched.run(m.t0 + 60_000);
  await w.runUntilQuiet(DAY);
  const statuses = [...answers].sort().map(([code, n]) => `${n}× ${code}`).join(', ');
  return report(w, 'webhook storm (10,000 events / min, one source)', m, [
    `webhook answers: ${statuses}; ${retried} retries of a 429 by the senders`,
    `fetch runs for the source: ${w.fetcher.stats.invocations - m.lambda['fetcher']!.invocations}`,
  ], false);
}

/** A burst of edits (5% of the 20 largest sources), then a 10-minute OpenAI outage one minute in. */
export async function providerOutage(w: World): Promise<ScenarioReport> {
  const m = mark(w);
  const rng = new Rng(w.config.seed + 3);
  const touched = w.sources.slice(0, 20);
  let edits = 0;
  for (const s of touched) {
    for (let k = 0; k < Math.ceil(s.documentCount * 0.05); k++) {
      s.edit(rng.int(0, s.documentCount - 1), m.t0 - 1);
      edits += 1;
    }
  }
  w.openai.outage = { from: m.t0 + 60_000, until: m.t0 + 660_000 };
  const stop = w.scheduleEvery(m.t0 + w.config.deploy.scheduleMinutes * 60_000, m.t0 + DAY);
  void w.scheduleAll('schedule', touched);
  await w.runUntilQuiet(DAY);
  stop();
  w.openai.outage = undefined;
  return report(w, 'provider outage (10 min)', m, [`${edits} edits across 20 sources; OpenAI answers 503 from +1 min to +11 min`], false);
}

/** A source's slim listing comes back empty: reconcile must refuse to delete (the mass-delete breaker). */
export async function emptyListing(w: World): Promise<ScenarioReport> {
  const m = mark(w);
  const s = w.source(1);
  const before = w.vectors.countOf(s.sourceId);
  s.emptyListing = true;
  s.forceReconcile();
  void w.scheduleAll('schedule', [s]);
  await w.runUntilQuiet(DAY);
  s.emptyListing = false;
  const after = w.vectors.countOf(s.sourceId);
  const state = await w.state.twinOf(s.sourceId).getSource(s.sourceId);
  const breaker = state?.breaker;
  return report(w, 'empty listing on one source', m, [
    `vectors of ${s.sourceId}: ${before} before, ${after} after`,
    breaker ? `breaker tripped: would delete ${breaker.wouldDelete} of ${breaker.known} (max share ${breaker.maxShare}); nothing deleted` : 'breaker did NOT trip',
  ], false);
}
