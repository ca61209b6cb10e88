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
    const features = countFeatures(words);
    const sums = new Float64Array(this.dimensions);
    // In first-occurrence order, as the sums' rounding depends on the order.
    for (const { hash: fnv, weight, count } of features) {
      const hash = fmix32(fnv);
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

/** One distinct feature of a text: its FNV-1a hash, its kind's weight and how often it occurs. */
export interface Feature {
  readonly hash: number;
  readonly weight: number;
  count: number;
  /** Identity, to tell two features with one hash apart: 0 word, 1 bigram, 2 trigram. */
  readonly kind: 0 | 1 | 2;
  readonly first: string;
  readonly second: string | number;
}

/** FNV-1a's 32-bit offset basis. */
const FNV_OFFSET = 0x811c9dc5;
const UNIGRAM = 0;
const BIGRAM = 1;
const TRIGRAM = 2;
/** FNV-1a states after each kind's prefix (`w\u0001`, `b\u0001`, `c\u0001`): features hash without building strings. */
const PREFIX_STATE = [fnvUpdate(FNV_OFFSET, 'w\u0001'), fnvUpdate(FNV_OFFSET, 'b\u0001'), fnvUpdate(FNV_OFFSET, 'c\u0001')] as const;
const PAD = 3; // U+0003 pads words for trigrams.

/**
 * The distinct features of a word list with their counts, in first-occurrence order: word
 * unigrams (`w\u0001<word>`), bigrams (`b\u0001<word>\u0002<next>`) and character trigrams of
 * each padded word (`c\u0001<3 chars>`). Hashes are computed over those strings incrementally,
 * and features are counted by hash with their identity checked, so no feature string is built
 * unless two different features share a hash (then the string itself keys the count).
 * `keyMask` narrows the map keys; tests shrink it to force that path.
 */
export function countFeatures(words: readonly string[], keyMask = 0x3fffffff): Feature[] {
  const out: Feature[] = [];
  const byHash = new Map<number, Feature>();
  let collided: Map<string, Feature> | undefined;
  const add = (hash: number, weight: number, kind: 0 | 1 | 2, first: string, second: string | number): void => {
    const key = hash & keyMask; // a small integer key; the identity check below keeps counts exact
    const held = byHash.get(key);
    if (held === undefined) {
      const feature: Feature = { hash, weight, count: 1, kind, first, second };
      byHash.set(key, feature);
      out.push(feature);
      return;
    }
    if (held.hash === hash && held.kind === kind && held.first === first && held.second === second) {
      held.count += 1;
      return;
    }
    const name = `${kind}\u0001${first}\u0002${String(second)}`;
    collided ??= new Map();
    const other = collided.get(name);
    if (other) other.count += 1;
    else {
      const feature: Feature = { hash, weight, count: 1, kind, first, second };
      collided.set(name, feature);
      out.push(feature);
    }
  };
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    add(fnvUpdate(PREFIX_STATE[UNIGRAM], word) >>> 0, UNIGRAM_WEIGHT, UNIGRAM, word, '');
    const next = words[i + 1];
    if (next !== undefined) {
      const h = fnvUpdate(fnvChar(fnvUpdate(PREFIX_STATE[BIGRAM], word), 2), next) >>> 0;
      add(h, BIGRAM_WEIGHT, BIGRAM, word, next);
    }
    // Trigrams of PAD + word + PAD: at j, the characters j - 1, j and j + 1 of the word.
    for (let j = 0; j < word.length; j++) {
      const a = j === 0 ? PAD : word.charCodeAt(j - 1);
      const b = word.charCodeAt(j);
      const c = j + 1 < word.length ? word.charCodeAt(j + 1) : PAD;
      const h = fnvChar(fnvChar(fnvChar(PREFIX_STATE[TRIGRAM], a), b), c) >>> 0;
      add(h, TRIGRAM_WEIGHT, TRIGRAM, '', a * 0x100000000 + b * 0x10000 + c);
    }
  }
  return out;
}


/** FNV-1a over one UTF-16 code unit. */
function fnvChar(hash: number, code: number): number {
  return Math.imul(hash ^ code, 0x01000193);
}

/** FNV-1a continued over a string's UTF-16 code units. */
function fnvUpdate(hash: number, text: string): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

/** Lower-cased words: runs of letters and digits after NFKC normalisation. */
export function wordsOf(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
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
