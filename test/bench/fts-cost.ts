/**
 * What the full-text index costs on a 5,000-document corpus (generated, seed 42), measured
 * against the same table without it, in one run:
 *
 *   npx tsx test/bench/fts-cost.ts [--count 5000]
 *
 * Rows are written as the pipeline writes them (chunked with title and heading path, hashing
 * embedder), then: building the index over every row; a compaction after 50 edited documents
 * (LanceDB's `optimize()`: with the index it also adds the new rows to it), with and without
 * the index; and search latency per mode.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateCorpus } from '../../examples/generate-corpus.ts';
import { HashingEmbedder } from '../../shared/adapters/local/hashing-embedder.ts';
import { rebuildFullText } from '../../shared/adapters/local/lancedb/full-text.ts';
import { LanceDbVectorStore } from '../../shared/adapters/local/lancedb/lancedb-vector-store.ts';
import { chunkDocument, embeddingText } from '../../shared/core/chunker.ts';
import { search, type SearchMode } from '../../shared/core/search.ts';
import type { VectorRecord } from '../../shared/ports/index.ts';

const { values } = parseArgs({ options: { count: { type: 'string' } } });
const count = Number(values.count ?? 5000);
const embedder = new HashingEmbedder();

async function recordsOf(docs: ReturnType<typeof generateCorpus>, tag: string): Promise<VectorRecord[]> {
  const out: VectorRecord[] = [];
  for (const doc of docs) {
    const title = /^# (.+)$/m.exec(doc.text)?.[1] ?? doc.path;
    const chunks = chunkDocument(`${doc.text}${tag}`, 'markdown', {}, { title });
    const { vectors } = await embedder.embed(chunks.map(embeddingText));
    chunks.forEach((c, i) => out.push({
      id: `bench#${doc.path}#${c.index}`, values: vectors[i]!,
      metadata: { sourceId: 'bench', docId: doc.path, chunkIndex: c.index, text: c.text, title, ...(c.context ? { context: c.context } : {}) },
    }));
  }
  return out;
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await f();
  return [value, performance.now() - t0];
}

const docs = generateCorpus({ count, seed: 42 });
const rows = await recordsOf(docs, '');
const edited = await recordsOf(docs.slice(0, 50), '\n\nEdited once more.');
console.log(`${count} documents, ${rows.length} rows; an edit of 50 documents rewrites ${edited.length} rows`);

const results: Record<string, number> = {};
for (const withIndex of [false, true]) {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-fts-bench-'));
  // compactEveryCommits 0: only the compactions measured here run.
  const store = await LanceDbVectorStore.open({ dir, dimensions: embedder.dimensions, compactEveryCommits: 0 });
  await store.insert(rows);
  // The store builds the index with the table; the baseline drops it.
  const lancedb = await import('@lancedb/lancedb');
  const db = await lancedb.connect(dir);
  const table = await db.openTable('chunks');
  if (!withIndex) await table.dropIndex('search_text_idx');
  else results['rebuild index over every row (ms)'] = (await timed(() => rebuildFullText(table)))[1];
  await store.compact();
  // Two edits, each followed by a compaction; the second is reported (the first settles the table).
  for (const tag of ['first', 'second']) {
    await store.upsert(edited.map((r) => ({ ...r, metadata: { ...r.metadata, text: `${String(r.metadata['text'])} ${tag}` } })));
    const [, compactMs] = await timed(() => store.compact());
    results[`compaction after the edit, ${withIndex ? 'with' : 'without'} the text index (ms)`] = compactMs;
  }
  if (withIndex) {
    const queries = ['rotate database credentials', 'expense report receipts', 'kubernetes node drain', 'parental leave policy', 'rebuild the vector index'];
    // Three rounds over the modes, interleaved; the last round is reported (the first warms caches).
    for (let round = 0; round < 3; round++) {
      for (const mode of ['vector', 'fts', 'hybrid'] as SearchMode[]) {
        const [, ms] = await timed(async () => {
          for (const q of queries) await search({ embedder, vectors: store }, q, { topK: 5, mode });
        });
        results[`search ${mode}, mean of ${queries.length} (ms)`] = ms / queries.length;
      }
    }
  }
  table.close();
  db.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
}
for (const [k, v] of Object.entries(results)) console.log(`${k}: ${v.toFixed(0)}`);
const withIdx = results['compaction after the edit, with the text index (ms)']!;
const without = results['compaction after the edit, without the text index (ms)']!;
console.log(`compaction with / without the text index: ${(withIdx / without).toFixed(2)}×`);
