/**
 * Freshness of the long-running local runtime (`tributary start`): the time from a change
 * being announced, by a signed webhook hint or by the file watcher seeing the write, to the
 * changed text being returned by `GET /search`. Each edit appends a short section with a
 * unique phrase to one document; the phrase is then searched every few milliseconds until a
 * result contains it.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng } from '../support/rng.ts';
import { startRuntime } from '../../functions/local/runtime.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { docVectorPrefix } from '../../shared/core/ids.ts';
import { signWebhook } from '../../shared/core/webhook.ts';
import { SOURCE_ID, WEBHOOK_SECRET_ENV, type TributarySystem } from './systems/tributary.ts';
import type { LatencySeries } from './types.ts';

const SECRET = 'bench-webhook-secret';
const POLL_MS = 10;

export interface LatencyOptions {
  readonly trigger: 'webhook' | 'watcher';
  readonly edits: number;
  readonly timeoutMs: number;
  readonly seed: number;
  readonly corpusDir: string;
  /** The corpus as it is on disk (path → text); edits are applied to it too. */
  readonly corpus: Map<string, string>;
  readonly onProgress?: (message: string) => void;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export async function measureLatency(system: TributarySystem, options: LatencyOptions): Promise<LatencySeries> {
  const { stack } = system;
  const source = stack.loaded.config.sources.find((s) => s.id === SOURCE_ID);
  if (source?.kind !== 'filesystem') throw new Error('the bench source (a folder) is missing from the config');
  // The runtime starts a watcher for sources with `watch` set: on for the watcher series only,
  // so webhook edits are not also hinted by the watcher.
  source.watch = options.trigger === 'watcher';
  const runtime = await startRuntime(stack, {
    port: 0, host: '127.0.0.1', log: silentLogger,
    secret: (name) => (name === WEBHOOK_SECRET_ENV ? SECRET : undefined),
  });
  const rng = new Rng((options.seed ^ (options.trigger === 'webhook' ? 0x1a7e : 0x2a7e)) >>> 0);
  const samples: number[] = [];
  let timeouts = 0;
  let indexedButNotFound = 0;
  try {
    // The runtime syncs every source at start: let that settle first.
    await waitIdle(system);
    const paths = [...options.corpus.keys()].sort();
    for (let i = 0; i < options.edits; i++) {
      const path = rng.pick(paths);
      // Four random words: unrelated to each other and to earlier probes, so only this edit's chunk matches them all.
      const phrase = [token(rng), token(rng), token(rng), token(rng)].join(' ');
      // A short section of its own: its chunk holds little but the phrase, so search ranks it
      // first. (Inside a long chunk, the local hashing embedder can rank it below the top 10.)
      const text = `${options.corpus.get(path)!.trimEnd()}\n\n## Freshness check ${i + 1}\n\n${phrase}.\n`;
      options.corpus.set(path, text);
      let started: number;
      if (options.trigger === 'webhook') {
        await writeFile(join(options.corpusDir, ...path.split('/')), text, 'utf8');
        const body = JSON.stringify({ changed: [path] });
        started = performance.now();
        const response = await fetch(`${runtime.url}/webhooks/${SOURCE_ID}`, {
          method: 'POST', body,
          headers: { 'content-type': 'application/json', 'x-tributary-signature': signWebhook(SECRET, body, Math.floor(Date.now() / 1000)) },
        });
        if (response.status !== 202) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
      } else {
        started = performance.now();
        await writeFile(join(options.corpusDir, ...path.split('/')), text, 'utf8');
      }
      const found = await pollSearch(runtime.url, phrase, started + options.timeoutMs);
      if (found !== undefined) samples.push(found - started);
      else {
        timeouts += 1;
        // Tell a stale index from a ranking miss: is the phrase in the document's vectors?
        const rows = await stack.deps.vectors.scan(docVectorPrefix(SOURCE_ID, path));
        if (rows.some((r) => String(r.metadata['text'] ?? '').includes(phrase))) indexedButNotFound += 1;
      }
      if ((i + 1) % 25 === 0) options.onProgress?.(`${options.trigger} latency: ${i + 1}/${options.edits} edits`);
    }
    await waitIdle(system);
  } finally {
    await runtime.stop();
    source.watch = false;
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    trigger: options.trigger, edits: options.edits, timeouts, indexedButNotFound,
    p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95), maxMs: sorted[sorted.length - 1] ?? Number.NaN,
    samplesMs: samples.map((s) => Math.round(s * 10) / 10),
  };
}

/** The time the phrase first came back from search, or undefined at the deadline. */
async function pollSearch(url: string, phrase: string, deadline: number): Promise<number | undefined> {
  const query = `${url}/search?q=${encodeURIComponent(phrase)}&top=10&source=${SOURCE_ID}`;
  while (performance.now() < deadline) {
    const response = await fetch(query);
    const body = await response.json() as { results?: Array<{ text?: string }> };
    if (body.results?.some((r) => r.text?.includes(phrase))) return performance.now();
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return undefined;
}

/** Waits until both queues have been empty for a few polls in a row. */
async function waitIdle(system: TributarySystem): Promise<void> {
  let quiet = 0;
  for (let i = 0; i < 6000 && quiet < 5; i++) {
    const [fetch, embed] = await Promise.all([system.stack.queue.depth('fetch'), system.stack.queue.depth('embed')]);
    quiet = fetch.visible + fetch.inFlight + embed.visible + embed.inFlight === 0 ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function token(rng: Rng): string {
  const letters = 'bcdfghjklmnpqrstvwxz';
  let out = '';
  for (let i = 0; i < 7; i++) out += letters[rng.int(0, letters.length - 1)];
  return out;
}
