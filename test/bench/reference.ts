/**
 * The reference every system is judged against: the chunks the current corpus should have
 * in the index, and the fewest tokens any system could have embedded to get there.
 */
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import type { GeneratedDoc } from '../../examples/generate-corpus.ts';
import { chunkDocument, chunkHash, type Chunk, type ChunkingOptions } from '../../shared/core/chunker.ts';
import { embeddingText } from '../../shared/core/chunking/chunk.ts';
import { firstHeading } from '../../shared/connectors/kit/text.ts';
import { applyToMap, touchedPaths, type ChangeOp } from './change-stream.ts';
import type { Correctness } from './types.ts';

/** cl100k tokens: what OpenAI's embedding models bill. Every system is counted the same way. */
export function tokensOf(text: string): number {
  return countTokens(text);
}

/** Key of one expected vector: the document and the text of the chunk. */
export function pairKey(docId: string, hash: string): string {
  return `${docId}\u0000${hash}`;
}

/**
 * The corpus as it should be after each step, chunked with Tributary's chunker (which every
 * system in this benchmark uses: see the README of test/bench and docs/benchmarks.md).
 */
export class ReferenceCorpus {
  private readonly texts = new Map<string, string>();
  private readonly chunks = new Map<string, Chunk[]>();
  /** Hashes of every chunk text any earlier state of the corpus had, with their tokens (when counted). */
  private readonly seen = new Map<string, number>();

  /** Distinct chunk texts the last `load` or `apply` added that no earlier state had. */
  lastFreshTexts = 0;
  /**
   * cl100k tokens of the new texts as Tributary embeds them (each chunk's title and heading path
   * before its text): its own floor, above the plain-text one by the context it adds.
   */
  lastEmbeddedTokens = 0;
  private readonly seenEmbedded = new Set<string>();

  constructor(private readonly chunking: ChunkingOptions) {}

  /** Loads the initial corpus; returns the minimum tokens of indexing it from nothing. */
  load(docs: readonly GeneratedDoc[], countMinimum: boolean): number {
    for (const doc of docs) this.texts.set(doc.path, doc.text);
    return this.rechunk(docs.map((d) => d.path), countMinimum);
  }

  /** Applies a step; returns the minimum tokens of bringing an index up to date with it. */
  apply(ops: readonly ChangeOp[], countMinimum: boolean): number {
    applyToMap(this.texts, ops);
    return this.rechunk(touchedPaths(ops), countMinimum);
  }

  get documents(): number {
    return this.texts.size;
  }

  paths(): string[] {
    return [...this.texts.keys()];
  }

  textOf(path: string): string | undefined {
    return this.texts.get(path);
  }

  /** Expected (document, chunk hash) pairs with their multiplicity. */
  expected(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [docId, chunks] of this.chunks) {
      for (const c of chunks) {
        const key = pairKey(docId, chunkHash(c.text));
        out.set(key, (out.get(key) ?? 0) + 1);
      }
    }
    return out;
  }

  chunksOf(docId: string): readonly Chunk[] {
    return this.chunks.get(docId) ?? [];
  }

  /** Sizes of the current corpus. */
  stats(): { chunks: number; distinct: number; tokens: number; bytes: number } {
    let chunks = 0;
    let bytes = 0;
    const distinct = new Map<string, string>();
    for (const list of this.chunks.values()) {
      chunks += list.length;
      for (const c of list) distinct.set(c.hash, c.text);
    }
    for (const text of this.texts.values()) bytes += Buffer.byteLength(text, 'utf8');
    let tokens = 0;
    for (const list of this.chunks.values()) for (const c of list) tokens += this.seen.get(c.hash) || tokensOf(c.text);
    return { chunks, distinct: distinct.size, tokens, bytes };
  }

  /**
   * Re-chunks the touched documents. Only their chunks can be new: every other document is
   * as the previous state had it. The minimum is the tokens of the distinct chunk texts that
   * no earlier state contained: a system that embeds each new text once, and nothing else.
   */
  private rechunk(paths: readonly string[], countMinimum: boolean): number {
    const fresh = new Map<string, string>();
    const freshEmbedded = new Map<string, string>();
    for (const path of new Set(paths)) {
      const text = this.texts.get(path);
      if (text === undefined) {
        this.chunks.delete(path);
        continue;
      }
      // Titled as the filesystem connector titles a Markdown file: its first heading, else its name.
      const chunks = chunkDocument(text, 'markdown', this.chunking, { title: firstHeading(text) ?? path.slice(path.lastIndexOf('/') + 1) });
      this.chunks.set(path, chunks);
      for (const c of chunks) {
        const plain = chunkHash(c.text);
        if (!this.seen.has(plain)) fresh.set(plain, c.text);
        if (!this.seenEmbedded.has(c.hash)) freshEmbedded.set(c.hash, embeddingText(c));
      }
    }
    this.lastFreshTexts = fresh.size;
    let minimum = 0;
    for (const [hash, text] of fresh) {
      const tokens = countMinimum ? tokensOf(text) : 0;
      this.seen.set(hash, tokens);
      minimum += tokens;
    }
    this.lastEmbeddedTokens = 0;
    for (const [hash, text] of freshEmbedded) {
      this.seenEmbedded.add(hash);
      if (countMinimum) this.lastEmbeddedTokens += tokensOf(text);
    }
    return minimum;
  }
}

/**
 * Compares an index's content with the expected pairs. A pair's vectors beyond its expected
 * count are duplicates; vectors of pairs the corpus no longer has are stale.
 */
export function compareIndex(expected: ReadonlyMap<string, number>, actual: Iterable<{ docId: string; text?: string; hash?: string }>): Correctness {
  const counts = new Map<string, number>();
  let total = 0;
  for (const entry of actual) {
    // By the chunk's text: every system stores it, whatever else its hash covers.
    const hash = entry.text !== undefined ? chunkHash(entry.text) : entry.hash ?? '';
    const key = pairKey(entry.docId, hash);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    total += 1;
  }
  let missing = 0;
  let stale = 0;
  let duplicates = 0;
  let expectedTotal = 0;
  for (const [key, want] of expected) {
    expectedTotal += want;
    const have = counts.get(key) ?? 0;
    if (have < want) missing += want - have;
    else duplicates += have - want;
  }
  for (const [key, have] of counts) if (!expected.has(key)) stale += have;
  return { expected: expectedTotal, actual: total, missing, stale, duplicates };
}
