/**
 * A tiny seeded Markdown corpus for the end-to-end tests: every document has an H1, an intro
 * paragraph and several `##` sections of paragraphs of varied length. Pure: the same seed always
 * yields byte-identical files (no Math.random), so two folders generated alike are identical.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { mulberry32 } from '../../../examples/generate-corpus.ts';

export interface CorpusDoc {
  /** Relative POSIX path, e.g. `topic-03/doc-0042.md`; also the document id in the index. */
  path: string;
  text: string;
}


const WORDS = [
  'ledger', 'queue', 'index', 'vector', 'shard', 'replica', 'lease', 'cursor', 'batch', 'token', 'schema', 'policy',
  'budget', 'latency', 'throughput', 'deploy', 'rollback', 'canary', 'alert', 'runbook', 'incident', 'owner', 'review',
  'archive', 'mirror', 'bucket', 'stream', 'partition', 'checkpoint', 'snapshot', 'backup', 'restore', 'quota', 'region',
  'cluster', 'node', 'worker', 'handler', 'retry', 'timeout', 'signal', 'metric', 'trace', 'span', 'session', 'tenant',
  'invoice', 'payment', 'refund', 'customer', 'account', 'profile', 'report', 'export', 'import', 'search', 'ranking',
  'feature', 'release', 'branch', 'commit', 'merge', 'pipeline', 'artifact', 'container', 'volume', 'secret', 'certificate',
  'gateway', 'proxy', 'router', 'balancer', 'cache', 'eviction', 'compaction', 'migration', 'window', 'cadence', 'handover',
  'quietly', 'rapidly', 'safely', 'eventually', 'always', 'rarely', 'carefully', 'manually', 'automatically', 'weekly',
  'validates', 'rotates', 'drains', 'replays', 'compacts', 'rebuilds', 'throttles', 'pages', 'escalates', 'records',
];

const TOPICS = ['operations', 'payments', 'identity', 'search', 'platform', 'security', 'people', 'finance'];

function pick<T>(rng: () => number, items: readonly T[]): T {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new RangeError('empty list');
  return item;
}

function int(rng: () => number, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function sentence(rng: () => number): string {
  const n = int(rng, 6, 16);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(pick(rng, WORDS));
  return `${capitalize(words.join(' '))}.`;
}

/** A paragraph of `min`..`max` sentences, all on one line. */
export function paragraph(rng: () => number, min = 2, max = 7): string {
  const n = int(rng, min, max);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(sentence(rng));
  return out.join(' ');
}

/** A document with a unique tag in its title, `sections` `##` sections of 1–4 paragraphs each. */
export function makeDocument(rng: () => number, tag: string, sections: number): string {
  const lines = [`# ${capitalize(pick(rng, WORDS))} ${pick(rng, WORDS)} ${tag}`, '', paragraph(rng, 1, 3)];
  for (let s = 1; s <= sections; s++) {
    lines.push('', `## Section ${s}: ${pick(rng, WORDS)} ${pick(rng, WORDS)}`);
    const paragraphs = int(rng, 1, 4);
    for (let p = 0; p < paragraphs; p++) lines.push('', paragraph(rng));
  }
  return `${lines.join('\n')}\n`;
}

/** `count` documents spread over topic folders; sizes vary from a few hundred bytes to several KB. */
export function generateCorpus(options: { count: number; seed: number }): CorpusDoc[] {
  const rng = mulberry32(options.seed);
  const docs: CorpusDoc[] = [];
  for (let i = 0; i < options.count; i++) {
    const topic = TOPICS[i % TOPICS.length]!;
    const id = String(i).padStart(4, '0');
    docs.push({ path: `${topic}/doc-${id}.md`, text: makeDocument(rng, `d${id}s${options.seed}`, int(rng, 2, 7)) });
  }
  return docs;
}

/** A long document: `sections` sections (≥ 10 for the locality checks). */
export function longDocument(seed: number, sections: number): string {
  return makeDocument(mulberry32(seed), `long${seed}`, sections);
}

export { mulberry32 };

export async function writeCorpus(dir: string, docs: readonly CorpusDoc[]): Promise<void> {
  for (const doc of docs) {
    const file = join(dir, ...doc.path.split('/'));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, doc.text);
  }
}
