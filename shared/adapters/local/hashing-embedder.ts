import type { Embedder, EmbeddingResult } from '../../ports/index.ts';

export interface HashingEmbedderOptions {
  /**
   * Length of every vector (the number of hash buckets).
   * @default 384
   */
  dimensions?: number;
  /**
   * Model name reported to the embedding cache; change it whenever the features change.
   * @default 'tributary-hashing-v1'
   */
  model?: string;
}

/** Counters over the embedder's lifetime; tests read them to see what was (not) embedded. */
export interface HashingEmbedderStats {
  /** `embed()` calls that had at least one text (the equivalent of provider requests). */
  calls: number;
  texts: number;
  /** Words embedded (see {@link HashingEmbedder}: words, not BPE tokens). */
  tokens: number;
}

/** Feature weights: words carry the meaning; bigrams add order; trigrams only bridge inflections and typos. */
const UNIGRAM_WEIGHT = 1;
const BIGRAM_WEIGHT = 0.7;
const TRIGRAM_WEIGHT = 0.25;

/**
 * Lexical embedder for local use and tests: NOT semantic. "car" and "automobile" share
 * nothing here; texts are close only when they share words.
 *
 * Deterministic feature hashing, no network and no weights: lower-cased (NFKC) word
 * unigrams, word bigrams, and character trigrams of each word (padded, so `rotate` and
 * `rotating` overlap) are hashed with FNV-1a 32-bit (over UTF-16 code units, then a murmur3
 * finaliser to spread the bits) into `dimensions` buckets, with the sign taken from a hash bit
 * the bucket does not use, so collisions cancel out on average instead of piling up. Each
 * feature weighs `1 + ln(count)` (sublinear tf) times its kind's weight; vectors are L2-normalised.
 *
 * A text without words (empty, or only punctuation) would give a zero vector, which has no
 * cosine; it gets the unit vector `e0` (1 at index 0) instead: such texts are identical to each
 * other and near no real text (their cosine with one is that text's first component, ~0).
 *
 * `tokens` counts words (`[\p{L}\p{N}]+` runs), not BPE tokens.
 */
export class HashingEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  readonly stats: HashingEmbedderStats = { calls: 0, texts: 0, tokens: 0 };

  constructor(options: HashingEmbedderOptions = {}) {
    const dimensions = options.dimensions ?? 384;
    if (!Number.isInteger(dimensions) || dimensions <= 0) {
      throw new Error(`HashingEmbedder: dimensions must be a positive integer, got ${dimensions}`);
    }
    this.dimensions = dimensions;
    this.model = options.model ?? 'tributary-hashing-v1';
  }

  /** One "call" per non-empty batch; an empty batch costs nothing and reports `calls: 0`. */
  async embed(texts: readonly string[]): Promise<EmbeddingResult> {
    if (texts.length === 0) return { vectors: [], tokens: 0, calls: 0 };
    let tokens = 0;
    const vectors = texts.map((text) => {
      const words = wordsOf(text);
      tokens += words.length;
      return this.vectorOf(words);
    });
    this.stats.calls += 1;
    this.stats.texts += texts.length;
    this.stats.tokens += tokens;
    return { vectors, tokens, calls: 1 };
  }

  private vectorOf(words: readonly string[]): Float32Array {
    const counts = new Map<string, { weight: number; count: number }>();
    const add = (feature: string, weight: number): void => {
      const entry = counts.get(feature);
      if (entry) entry.count += 1;
      else counts.set(feature, { weight, count: 1 });
    };
    for (let i = 0; i < words.length; i++) {
      const word = words[i] as string;
      // Prefixes keep the feature kinds apart: the word "ab" and the trigram "ab" differ.
      add(`w\u0001${word}`, UNIGRAM_WEIGHT);
      const next = words[i + 1];
      if (next !== undefined) add(`b\u0001${word}\u0002${next}`, BIGRAM_WEIGHT);
      const padded = `\u0003${word}\u0003`;
      for (let j = 0; j + 3 <= padded.length; j++) add(`c\u0001${padded.slice(j, j + 3)}`, TRIGRAM_WEIGHT);
    }

    const sums = new Float64Array(this.dimensions);
    for (const [feature, { weight, count }] of counts) {
      const hash = fmix32(fnv1a32(feature));
      // Bit 0 gives the sign; the bucket comes from the other 31 bits, so the two are independent.
      const bucket = (hash >>> 1) % this.dimensions;
      const sign = (hash & 1) === 0 ? 1 : -1;
      sums[bucket] = (sums[bucket] ?? 0) + sign * weight * (1 + Math.log(count));
    }

    let norm = 0;
    for (const value of sums) norm += value * value;
    norm = Math.sqrt(norm);
    const vector = new Float32Array(this.dimensions);
    // No words, or (very rarely) features that cancelled out exactly: see the class comment.
    if (norm < 1e-12) {
      vector[0] = 1;
      return vector;
    }
    for (let i = 0; i < sums.length; i++) vector[i] = (sums[i] ?? 0) / norm;
    return vector;
  }
}

/** Lower-cased words: runs of letters and digits after NFKC normalisation. */
function wordsOf(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** FNV-1a, 32-bit, over UTF-16 code units. */
function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** murmur3's 32-bit finaliser: FNV-1a's low bits are weak for short keys; this mixes all bits. */
function fmix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
