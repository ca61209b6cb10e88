/** The index aliases: which generation of an index profile searches answer from. */

import type { Json } from './index.ts';

/** An alias record as stored: its value is the core's (opaque here), its version guards every write. */
export interface StoredAlias {
  readonly sourceId: string;
  readonly profile: string;
  /** Incremented by every write; a write names the version it replaces. */
  readonly version: number;
  readonly value: Json;
}

/**
 * One record per index profile naming its current generation (and the one being built, and
 * those kept for a grace period). Every write is conditional on the version read, so a flip
 * is atomic: a searcher reads one generation or the other, and two writers (a sync flipping,
 * an operator aborting) cannot both win. DynamoDB and the local database implement it.
 */
export interface IndexAliases {
  getAlias(sourceId: string, profile: string): Promise<StoredAlias | undefined>;
  /**
   * Stores `value` if the stored record is still at `expectVersion` (undefined: none stored
   * yet). Returns the stored record, or undefined when another writer came first.
   */
  putAlias(input: { sourceId: string; profile: string; value: Json; expectVersion: number | undefined }): Promise<StoredAlias | undefined>;
}
