/**
 * The SourceConnector port: what the core asks of a source (pull a page of changes, fetch by
 * id, list for reconcile, watch, the run lifecycle) and the webhook types a connector's static
 * decoder speaks. Guide: docs/connectors.md.
 */

import type { Json, Metadata } from './index.ts';

/** A connector's position in a source: opaque to the core, persisted as JSON. */
export type Cursor = { readonly [key: string]: Json };

/** The time window of one pass: `[since, snapshotAt)`. `since` is absent on a full pass. */
export interface PullWindow {
  /** ISO-8601; the previous pass's snapshot minus the source's lookback. */
  readonly since?: string;
  /** ISO-8601; taken once when the pass starts. */
  readonly snapshotAt: string;
  /** True when the pass must list everything (first sync, `--full`, expired change token). */
  readonly full: boolean;
  /**
   * Incremental passes only: the cursor the last completed pass ended with. A change-feed
   * connector continues from it (a change token) instead of from `since`; when the token has
   * expired it throws CursorExpiredError and the core runs a full pass. Others ignore it.
   */
  readonly resume?: Cursor;
}

/** A document as the source has it now. */
export interface SourceDocument {
  /** Stable id within the source (a relative path, a row id, a message ts). */
  readonly id: string;
  /** Source-side version: changes whenever the document may have changed (mtime+size, updated_at, etag). */
  readonly version: string;
  readonly text: string;
  readonly title?: string;
  readonly url?: string;
  /** ISO-8601 time the source says the document last changed. */
  readonly updatedAt?: string;
  /** Markdown is chunked by headings; text by paragraphs; a conversation by whole turns (separated by TURN_SEPARATOR, see shared/core/chunker.ts). */
  readonly format?: 'markdown' | 'text' | 'conversation';
  readonly metadata?: Metadata;
  /**
   * Who may see the document: principals (`user:<id>`, `group:<id>`, or `public`; see
   * docs/connectors.md "Access"). Absent: everyone. Copied onto every vector as the `access`
   * metadata list, which searches `--as` a principal filter on. Part of the content: a change
   * of access must change the version, and rewrites the document's vectors.
   */
  readonly access?: readonly Principal[];
  /**
   * Indexed, but with a caveat the run reports next to the document's id (e.g. invalid UTF-8
   * replaced by U+FFFD).
   */
  readonly warning?: string;
}

/**
 * A document the connector (or the core) could not index this time, and why: unreadable,
 * not text, refused as input. It is skipped for this pass and retried on the next; it is
 * never taken for a deletion (its vectors stay until it is readable again or really gone).
 */
export interface DocumentIssue {
  /** The document's id; with `prefix`, the start of every id it covers. */
  readonly id: string;
  /** What went wrong, for people: `file is not valid UTF-8 text (binary)`, `permission denied (EACCES)`. */
  readonly reason: string;
  /**
   * Covers every document whose id starts with `id`: a folder or channel that could not be
   * read at all. Reconcile deletes none of them this pass.
   */
  readonly prefix?: boolean;
}

/** What `fetch` found: the documents that exist and could be read, and those that exist but could not. */
export interface FetchResult {
  readonly documents: readonly SourceDocument[];
  /** Ids that exist but could not be read now. An id in neither list no longer exists. */
  readonly skipped?: readonly DocumentIssue[];
}

/** What a page of changes names: a whole document, or only its id and version (content fetched on demand). */
export interface DocumentRef {
  readonly id: string;
  readonly version: string;
  /** Present when the connector already has the content at hand. */
  readonly document?: SourceDocument;
}

export interface PullPage {
  readonly changed: readonly DocumentRef[];
  /** Ids the source reports as deleted (change feeds). */
  readonly deleted: readonly string[];
  /** Cursor to pass to the next `pull` of this pass. */
  readonly next: Cursor;
  /** True when this was the pass's last page. */
  readonly done: boolean;
  /**
   * Documents of this page that exist but could not be read (or, with `prefix`, a part of the
   * source that could not be listed). Skipped this pass, retried on the next, never deleted.
   */
  readonly skipped?: readonly DocumentIssue[];
}

/** Ids and versions only: the slim listing reconcile diffs against the ledger. */
export interface ListedDocument {
  readonly id: string;
  readonly version: string;
}

export interface RawRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

/**
 * A principal that may see a document: `user:<id>` or `group:<id>` (the source's own ids,
 * e.g. `user:U024BE7LH` for a Slack user), or `public` (everyone who may search at all).
 */
export type Principal = string;

/** What a webhook decoder gets: the raw request, the source's signing secret and the time. */
export interface WebhookRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body's exact bytes: the signature covers these. */
  readonly rawBody: Uint8Array;
  /** The body as text (UTF-8), for decoding. */
  readonly body: string;
  readonly secret: string;
  readonly nowMs: number;
}

/**
 * A GET on a source's webhook route: a provider's subscription check (Tempo's
 * `?randomString=`), answered by the kind's definition without any secret or API call.
 */
export interface WebhookGetRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The query string's parameters (the last value of a repeated one). */
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly nowMs: number;
}

/** What to answer a GET on a webhook route: a plain body of the given type. */
export interface WebhookGetAnswer {
  readonly statusCode: number;
  readonly contentType: string;
  readonly body: string;
}

/** The answer to send, and the hints to publish (none for a challenge or an ignored event). */
export interface WebhookAnswer {
  readonly statusCode: number;
  readonly body: unknown;
  readonly hints?: Hints;
  /**
   * Who this delivery is, for the replay memory: a second request with `id` within `ttlMs`
   * publishes nothing and gets `replay` (a provider that retries until it gets a 2xx must get a
   * 2xx for a delivery it already made).
   */
  readonly delivery?: { readonly id: string; readonly ttlMs: number; readonly replay: { readonly statusCode: number; readonly body: unknown } };
  /**
   * A signing secret the provider handed over in this request (Notion's `verification_token`):
   * the route keeps it in the credential store under the key the definition's
   * `storedWebhookSecret` names, and verifies later requests with it (docs/connectors.md §2.6).
   */
  readonly storeSecret?: { readonly value: string };
}

/** A fetch run that took the source's lease, as `beginRun` hears of it. */
export interface RunStart {
  /** Sort key of the run record. */
  readonly runId: string;
  readonly trigger: 'schedule' | 'webhook' | 'watch' | 'cli' | 'continuation' | 'rerun' | 'recovery' | 'admin';
  /** Reads only named ids (hints), no pass. */
  readonly targeted: boolean;
}

/** How a fetch run ended, as `endRun` hears of it. */
export interface RunEnd {
  /** `continued`: a deadline cut the pass; a continuation run picks it up. */
  readonly status: 'completed' | 'continued' | 'failed';
  readonly error?: string;
}

/** Hints decoded from a webhook: which documents changed, or "something changed". */
export interface Hints {
  readonly sourceId: string;
  /** Ids known to have changed or been deleted; empty means "run an incremental sync". */
  readonly ids: readonly string[];
  /** The ids wait in the source's HintBuffer: the run takes them from there (`ids` is empty). */
  readonly buffered?: boolean;
  /** What noticed the change, for the run record: a local watcher says `watch`. @default 'webhook' */
  readonly trigger?: 'webhook' | 'watch';
}

/** One connector instance per configured source. */
export interface SourceConnector {
  readonly sourceId: string;
  /** One page of changes after `cursor`, within the pass window. */
  pull(cursor: Cursor | undefined, window: PullWindow): Promise<PullPage>;
  /**
   * Current documents by id. One that exists but cannot be read goes into `skipped` with the
   * reason (never throw for one document); ids in neither list no longer exist. Throw only for
   * what fails every document (auth, the source unreachable).
   */
  fetch(ids: readonly string[]): Promise<FetchResult>;
  /**
   * Every current id and version; present on sources without a delete feed. `pass` names the
   * pass that just completed (the core's reconcile): a connector that listed everything in that
   * pass may answer from what it read then instead of listing again. Without it (audit), list afresh.
   */
  list?(pass?: { readonly snapshotAt: string }): AsyncIterable<ListedDocument>;
  /**
   * Whether the reconcile after the pass that just completed should run (a source whose
   * listing reads everything may reconcile only after some passes, e.g. on an interval).
   * Absent: the core reconciles after every completed pass of a source with `list`.
   */
  reconcileAfterPass?(pass: { readonly snapshotAt: string }): boolean;
  /** Starts pushing change hints (e.g. a file watcher); returns a stop function. */
  watch?(onHints: (hints: Hints) => void): Promise<() => Promise<void>>;
  /**
   * A fetch run holding the source's lease starts: per-run state starts over here. Called by
   * the core before the run's first `pull` or `fetch`; throwing fails the run.
   */
  beginRun?(run: RunStart): void | Promise<void>;
  /** The run ended (also when it failed); always follows `beginRun`. Errors are logged, not raised. */
  endRun?(outcome: RunEnd): void | Promise<void>;
  /** Releases what the connector holds (a connection pool). Called once, when the process shuts down. */
  close?(): Promise<void>;
}
