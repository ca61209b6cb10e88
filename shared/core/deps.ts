import type { ChunkingOptions } from './chunker.ts';
import type { GenerationPorts } from './generations.ts';
import type { IndexProfile, ProfileRecord } from './profiles.ts';
import type { Clock, Embedder, HintBuffer, SourceConnector, StateStore, TaskQueue, VectorStore } from '../ports/index.ts';

/** What the core needs to know about one configured source. */
export interface SourceSettings {
  readonly id: string;
  /** Re-read this far behind the last watermark, to absorb clock skew and late commits. */
  readonly lookbackMs: number;
  /** A lease not renewed for this long is free to take. */
  readonly leaseTtlMs: number;
  /** Reconcile refuses to delete more than this share of known documents without an override. */
  readonly maxDeleteShare: number;
  /** Deleting at most this many documents never trips the breaker. */
  readonly deleteGuardMin: number;
  readonly chunking: ChunkingOptions;
  /**
   * `<model>/<dimensions>` of an index profile whose embedder is not the top-level one: part of
   * the ledger's chunker signature, so a change of the profile's model re-indexes it.
   */
  readonly embedding?: string;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** The ports the use cases run on, handed in by the wiring layer. */
export interface CoreDeps {
  readonly state: StateStore;
  readonly queue: TaskQueue;
  readonly vectors: VectorStore;
  readonly embedder: Embedder;
  readonly clock: Clock;
  readonly connector: (sourceId: string) => SourceConnector | undefined;
  readonly settings: (sourceId: string) => SourceSettings | undefined;
  readonly log: Logger;
  /**
   * The index profiles of a source, each with its own embedder and vector store. Absent (or
   * undefined for a source): one implicit `default` profile on `embedder` and `vectors`.
   */
  readonly profiles?: (sourceId: string) => readonly IndexProfile[] | undefined;
  /** Opens the vector target of a profile no longer configured, to delete its vectors. */
  readonly retiredTarget?: (sourceId: string, profile: ProfileRecord) => Promise<VectorStore | undefined>;
  /**
   * Index generations (aliases, the adapters of a generation's target, the grace period).
   * Absent: a change of a profile's model or chunking re-indexes it in place.
   */
  readonly generations?: GenerationPorts;
  /** Ids that coalesced hints left for the next run; every run takes them (absent: hints are not buffered). */
  readonly hints?: HintBuffer;
  /** Never read or write the embedding cache. */
  readonly noEmbeddingCache?: boolean;
  /** Price of the embedding model, for cost accounting. @default 0 */
  readonly embeddingPricePerMillionTokensUsd?: number;
  /**
   * Largest embed task that carries its chunks; a larger one names the document and the
   * embedder reads it. @default 200 KiB (well under SQS's 256 KiB message limit)
   */
  readonly maxInlineTaskBytes?: number;
}

/**
 * What a use case takes: the named members of CoreDeps and, of the state, only the ports it
 * uses (`DepsOf<'vectors', DocumentLedger>`), so a caller can hand it a narrower store.
 */
export type DepsOf<K extends Exclude<keyof CoreDeps, 'state'>, S> = Pick<CoreDeps, K> & { readonly state: S };
