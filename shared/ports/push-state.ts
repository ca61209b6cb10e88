/** The push API's state: the stash of pushed documents and its idempotency records. */

import type { Metadata } from './index.ts';

/** A document as the push API stored it ("stashed"), or its tombstone. Push sources read these. */
export interface StashedDocument {
  readonly sourceId: string;
  readonly docId: string;
  /** The pushed version; on a tombstone, the deletion's version (or the last live one), absent when neither was given. */
  readonly version?: string;
  /** A tombstone: the document was deleted; it keeps the version so an older upsert stays refused. */
  readonly deleted: boolean;
  readonly text?: string;
  readonly title?: string;
  readonly url?: string;
  readonly format?: 'markdown' | 'text';
  readonly metadata?: Metadata;
  /** Hash of text, title, url, format and metadata: equal means nothing to apply. */
  readonly contentHash?: string;
  /** ISO-8601 time of the write; incremental passes select on it. */
  readonly updatedAt: string;
  /** Opaque token of the write that produced this item; a conditional write names it. */
  readonly stamp: string;
}

/** A page of stashed documents in document-id order. */
export interface StashPage {
  readonly items: readonly StashedDocument[];
  /** Continue after this id; absent when the listing reached the end. */
  readonly next?: string;
}

/** A response the push API stored under an idempotency key. */
export interface StoredResponse {
  readonly statusCode: number;
  readonly body: string;
}

/** What an `Idempotency-Key` names: the request (by body hash) and, once complete, its response. */
export interface IdempotencyRecord {
  readonly key: string;
  readonly requestHash: string;
  readonly status: 'in_progress' | 'complete';
  /** Epoch ms until which an in-progress record holds off duplicates; afterwards a retry may take it over. */
  readonly lockedUntil?: number;
  readonly response?: StoredResponse;
  /** Epoch seconds (DynamoDB TTL) after which the key is forgotten. */
  readonly expiresAt: number;
}

/**
 * The state a push source needs besides the StateStore: the stash of pushed documents and the
 * push API's idempotency records, in the same table. Both state store adapters implement it;
 * a separate port so that wrappers of StateStore need not forward it.
 */
export interface PushStateStore {
  /** Batch read of stashed documents (tombstones included); missing ids are absent from the map. */
  getStashed(sourceId: string, docIds: readonly string[]): Promise<Map<string, StashedDocument>>;
  /**
   * Writes one stashed document (or tombstone) with a new stamp, only if the stored item is
   * still the one read (`expectStamp`; undefined: no item may exist). One conditional write.
   * `expiresAt` (epoch seconds) lets DynamoDB TTL remove a tombstone. Returns the new stamp,
   * or undefined when another write came first.
   */
  putStashed(input: { document: Omit<StashedDocument, 'stamp'>; expectStamp: string | undefined; expiresAt?: number }): Promise<string | undefined>;
  /**
   * Up to `limit` stashed documents after `after` in id (UTF-8 byte) order. `changedSince`
   * keeps only items written at or after that ISO time; tombstones only with `includeDeleted`;
   * `slim` leaves out text and metadata.
   */
  listStashed(sourceId: string, options: {
    after?: string; limit: number; changedSince?: string; includeDeleted?: boolean; slim?: boolean;
  }): Promise<StashPage>;
  /**
   * Starts the request `key` names (one conditional write): free, expired, or an in-progress
   * record whose lock lapsed → `started`. Otherwise returns the record as stored.
   */
  beginIdempotent(input: {
    scope: string; key: string; requestHash: string; now: number; lockMs: number; retainMs: number;
  }): Promise<{ started: true } | { started: false; record: IdempotencyRecord }>;
  /** Stores the response of a started request (kept `retainMs` from `now`). */
  completeIdempotent(input: { scope: string; key: string; requestHash: string; response: StoredResponse; now: number; retainMs: number }): Promise<void>;
  /** Forgets an in-progress record of `requestHash` (the request failed), so a retry runs at once. */
  releaseIdempotent(input: { scope: string; key: string; requestHash: string }): Promise<void>;
}
