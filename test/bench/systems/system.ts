/**
 * What the harness needs from each compared system: one sync of the corpus folder as it is
 * now, and the index's content afterwards (for the correctness check).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChunkingOptions } from '../../../shared/core/chunker.ts';
import type { CountingEmbedder } from '../counting-embedder.ts';

export interface SyncOutcome {
  /** Vectors written (inserted or overwritten). */
  readonly upserts: number;
  /** Vectors removed. */
  readonly deletes: number;
  /** The system's own counters, when it reports any. */
  readonly reported?: Readonly<Record<string, number>>;
}

/** One vector of the index: its document and its chunk text (or the text's sha256). */
export interface IndexEntry {
  readonly docId: string;
  readonly text?: string;
  readonly hash?: string;
}

export interface BenchSystem {
  /** Brings the index in step with the corpus folder. */
  sync(): Promise<SyncOutcome>;
  /** Completes the outcome with counts taken outside the timed sync (optional). */
  afterSync?(outcome: SyncOutcome): SyncOutcome;
  /** Every vector in the index now. */
  contents(): Promise<IndexEntry[]>;
  close(): Promise<void>;
}

export interface SystemContext {
  /** The corpus folder this system indexes (its own copy). */
  readonly corpusDir: string;
  /** A folder for the system's state. */
  readonly workDir: string;
  readonly embedder: CountingEmbedder;
  readonly chunking: ChunkingOptions;
}

/** Parallel file reads, as Tributary's filesystem connector does (16 at a time). */
const READ_CONCURRENCY = 16;

/**
 * The peers' loader: every Markdown file under `dir`, read in full, ids relative POSIX paths.
 * This is what a directory loader gives LangChain's `index()` or LlamaIndex's pipeline: they
 * receive the whole corpus on every sync and decide what changed by hashing it.
 */
export async function loadFolder(dir: string): Promise<Array<{ path: string; text: string }>> {
  const paths: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(join(dir, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile() && entry.name.endsWith('.md')) paths.push(child);
    }
  };
  await walk('');
  paths.sort();
  const out: Array<{ path: string; text: string }> = new Array(paths.length);
  let next = 0;
  await Promise.all(Array.from({ length: READ_CONCURRENCY }, async () => {
    while (next < paths.length) {
      const i = next++;
      const path = paths[i]!;
      out[i] = { path, text: await readFile(join(dir, ...path.split('/')), 'utf8') };
    }
  }));
  return out;
}
