/**
 * Fireflies connector: the meetings an API key can list, one `conversation` document per
 * meeting (id = the transcript id).
 *
 * - `pull`: one `transcripts` page per call, paged down by date (./listing-cursor.ts), refs with
 *   versions only (./meeting-document.ts): the core reads only what changed. A full pass lists
 *   everything; an incremental one the meetings dated from `overlapHours` before the pass window
 *   or the newest date seen, whichever is earlier (meetings appear after processing, dated by
 *   their start).
 * - `fetch`: `fetchBatchSize` transcripts per request, with their sentences; one transcript's
 *   refusal is its own (skipped with the reason), a gone one is absent.
 * - `list` (with `reconcile`): every meeting's id and version — after a full pass, the listing
 *   that pass just read, without a request. Deleted meetings leave the index through it; renamed,
 *   re-shared or re-processed older meetings are read again through it.
 */
import { DocumentError, errorMessage } from '../../core/errors.ts';
import type {
  Clock, Cursor, DocumentIssue, DocumentRef, FetchResult, ListedDocument, PullPage, PullWindow, SourceConnector, SourceDocument,
} from '../../ports/index.ts';
import { decodeCursor, encodeCursor, fetchEach, ProviderRequestError, ProviderResponseError, slimListing } from '../kit/index.ts';
import { meetingAccess, type AccessSettings } from './access.ts';
import type { FirefliesSourceConfig } from './config.ts';
import { FirefliesApi, type FirefliesApiOptions, type ReadOutcome } from './fireflies-api.ts';
import { firefliesCursor, firstPosition, nextPosition, type MeetingsCursor } from './listing-cursor.ts';
import { meetingDocument, versionOf } from './meeting-document.ts';
import type { ListedTranscript } from './queries.ts';

/** Fireflies ids are short alphanumeric strings (`ASxwZxCstx`, ULIDs); anything else names no transcript. */
const TRANSCRIPT_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** The source's config, and what the API client takes besides it (tests inject the optional ones). */
export interface FirefliesConnectorOptions
  extends Pick<FirefliesApiOptions, 'apiKey' | 'clock' | 'log' | 'fetch' | 'sleep' | 'random' | 'maxAttempts' | 'baseBackoffMs'> {
  readonly source: FirefliesSourceConfig;
}

/** The listing of a full pass this instance read from its first page to its last. */
interface PassListing {
  readonly snapshotAt: string;
  readonly items: Map<string, string>;
  complete: boolean;
}

export class FirefliesConnector implements SourceConnector {
  readonly sourceId: string;
  /** Present with `reconcile` (the default): the core reconciles, and `audit` compares, against it. */
  readonly list?: (pass?: { readonly snapshotAt: string }) => AsyncIterable<ListedDocument>;
  /** The API client; exposed for its counters. */
  readonly api: FirefliesApi;

  private readonly source: FirefliesSourceConfig;
  private readonly clock: Clock;
  private passListing: PassListing | undefined;

  constructor(options: FirefliesConnectorOptions) {
    const { source } = options;
    this.source = source;
    this.sourceId = source.id;
    this.clock = options.clock;
    this.api = new FirefliesApi({
      sourceId: source.id, apiUrl: source.apiUrl, apiKey: options.apiKey, apiKeyEnv: source.apiKeyEnv,
      requestsPerMinute: source.requestsPerMinute, timeoutMs: source.requestTimeoutMs, maxRetryWaitMs: source.maxRetryWaitSeconds * 1000,
      clock: options.clock, log: options.log,
      ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.random ? { random: options.random } : {}), ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.baseBackoffMs !== undefined ? { baseBackoffMs: options.baseBackoffMs } : {}),
    });
    if (source.reconcile) this.list = (pass) => this.listAll(pass);
  }

  async pull(cursor: Cursor | undefined, window: PullWindow): Promise<PullPage> {
    const decoded = decodeCursor(this.sourceId, cursor, firefliesCursor);
    if (decoded?.kind === 'done') return { changed: [], deleted: [], next: encodeCursor(decoded), done: true };
    const position = decoded ?? firstPosition(window, this.source.overlapHours * 3_600_000);
    if (cursor === undefined) this.passListing = position.from === undefined ? { snapshotAt: window.snapshotAt, items: new Map(), complete: false } : undefined;
    const { refs, next } = await this.page(position);
    const listing = this.passListing;
    if (listing?.snapshotAt === window.snapshotAt && !listing.complete) {
      for (const ref of refs) listing.items.set(ref.id, ref.version);
      if (next.kind === 'done') listing.complete = true;
    }
    return { changed: refs, deleted: [], next: encodeCursor(next), done: next.kind === 'done' };
  }

  async fetch(ids: readonly string[]): Promise<FetchResult> {
    const wanted = [...new Set(ids)].filter((id) => TRANSCRIPT_ID.test(id));
    const documents: SourceDocument[] = [];
    const skipped: DocumentIssue[] = [];
    for (let i = 0; i < wanted.length; i += this.source.fetchBatchSize) {
      const batch = wanted.slice(i, i + this.source.fetchBatchSize);
      const result = await this.readBatch(batch);
      documents.push(...result.documents);
      skipped.push(...(result.skipped ?? []));
    }
    return { documents, skipped };
  }

  // ───────────────────────────── internals ─────────────────────────────

  /** One listing page: refs of the meetings not handed out yet (live ones wait until processed). */
  private async page(position: MeetingsCursor): Promise<{ refs: DocumentRef[]; next: ReturnType<typeof nextPosition>['next'] }> {
    const page = await this.api.listPage({ from: position.from, to: position.to, limit: this.source.pageSize, skip: position.skip });
    // Entries without an id still count towards the page's length: a short page ends the listing.
    const listed = page.meetings.map((m) => ({ id: m.id, date: m.date }));
    const padded = [...listed, ...Array.from({ length: page.count - listed.length }, (_, i) => ({ id: `\u0000unusable${i}`, date: null }))];
    const { fresh, next } = nextPosition(position, padded, this.source.pageSize);
    const byId = new Map(page.meetings.map((m) => [m.id, m]));
    const refs: DocumentRef[] = [];
    for (const id of fresh) {
      const meeting = byId.get(id);
      if (!meeting || meeting.is_live === true) continue;
      refs.push({ id, version: versionOf(meeting, this.accessOf(meeting)) });
    }
    return { refs, next };
  }

  /** Every meeting's id and version: the full pass just read, or a fresh full listing. */
  private async *listAll(pass?: { readonly snapshotAt: string }): AsyncIterable<ListedDocument> {
    const listing = this.passListing;
    if (pass && listing?.complete && listing.snapshotAt === pass.snapshotAt) {
      for (const [id, version] of listing.items) yield { id, version };
      return;
    }
    yield* slimListing(this.listingPages(), (ref) => ({ id: ref.id, version: ref.version }), { sourceId: this.sourceId });
  }

  private async *listingPages(): AsyncGenerator<DocumentRef[]> {
    const window: PullWindow = { snapshotAt: new Date(this.clock.now()).toISOString(), full: true };
    let position: MeetingsCursor = firstPosition(window, 0);
    for (;;) {
      const { refs, next } = await this.page(position);
      yield refs;
      if (next.kind === 'done') return;
      position = next;
    }
  }

  /** One batch read; a request one of its transcripts makes fail is retried transcript by transcript. */
  private async readBatch(batch: readonly string[]): Promise<FetchResult> {
    let outcomes: Map<string, ReadOutcome>;
    try {
      outcomes = await this.api.readBatch(batch);
    } catch (error) {
      if (batch.length === 1 || !(error instanceof ProviderRequestError || error instanceof ProviderResponseError)) throw error;
      // fetchEach: a refusal of every one of them is the source's, and thrown.
      return fetchEach(batch, async (id) => {
        const outcome = (await this.api.readBatch([id])).get(id)!;
        return this.documentOf(id, outcome);
      }, { concurrency: 1 });
    }
    const documents: SourceDocument[] = [];
    const skipped: DocumentIssue[] = [];
    for (const id of batch) {
      try {
        const doc = this.documentOf(id, outcomes.get(id)!);
        if (doc) documents.push(doc);
      } catch (error) {
        if (!(error instanceof DocumentError)) throw error;
        skipped.push({ id, reason: error.message });
      }
    }
    return { documents, skipped };
  }

  /** The document of one read; undefined when gone; a DocumentError when it cannot be indexed now. */
  private documentOf(id: string, outcome: ReadOutcome): SourceDocument | undefined {
    if (outcome.kind === 'gone') return undefined;
    if (outcome.kind === 'refused') throw new DocumentError(id, outcome.reason);
    const meeting = outcome.transcript;
    if (meeting.is_live === true) throw new DocumentError(id, 'the meeting is live; it is indexed once Fireflies has processed it');
    try {
      return meetingDocument(meeting, { access: this.accessOf(meeting) });
    } catch (error) {
      if (error instanceof DocumentError) throw error;
      throw new DocumentError(id, `could not be rendered: ${errorMessage(error)}`, { cause: error });
    }
  }

  private accessOf(meeting: ListedTranscript): string[] {
    const settings: AccessSettings = { team: this.source.team ?? this.sourceId, linkAccess: this.source.linkAccess, nowMs: this.clock.now() };
    return meetingAccess(meeting, settings);
  }
}
