/**
 * Async-generator pagination for the two styles providers use:
 *
 * - {@link paginateCursor}: an opaque cursor or page token — Notion's `next_cursor`, Slack's
 *   `response_metadata.next_cursor`, Google's `nextPageToken`, GitHub's `after` cursor; an
 *   empty or absent one ends the listing;
 * - {@link paginateOffset}: offset/limit (Jira's `startAt`, Confluence's `start`), ending on a
 *   short page (or the reported total).
 *
 * Each yielded page carries `next`, the position to resume after it, so a connector's `pull`
 * can return it as `PullPage.next` (`stopAfterPages: 1` makes a generator fetch one page per
 * call), and a restarted pass resumes with `start`. Every helper refuses to loop: a cursor
 * handed out twice, an offset page identical to the previous one, or more than `maxPages`
 * pages throw {@link PaginationLoopError} rather than spinning or quietly ending early (a
 * short listing would make reconcile delete documents that still exist).
 */
import { PaginationLoopError } from './errors.ts';

/** One page as the helpers yield it. */
export interface Paged<T, P> {
  readonly items: readonly T[];
  /** Where to resume after this page; undefined once the listing is done. */
  readonly next: P | undefined;
  /** True on the listing's last page. */
  readonly done: boolean;
  /** 1-based number of the page within this call. */
  readonly page: number;
}

interface CommonOptions {
  /** Names the listing in errors, e.g. `Slack conversations.history of C123`. @default 'listing' */
  readonly what?: string;
  /** More pages than this in one call is a loop. @default 100_000 */
  readonly maxPages?: number;
  /** Stop (without error, `done: false`) after this many pages: the last page's `next` resumes. */
  readonly stopAfterPages?: number;
}

export interface CursorPage<T> {
  readonly items: readonly T[];
  /** The provider's next cursor or page token; `''`, `null` or absent means there is no next page. */
  readonly nextCursor?: string | null | undefined;
}

export interface PaginateCursorOptions<T> extends CommonOptions {
  /** Fetches the page at `cursor` (undefined: the first page). */
  readonly fetchPage: (cursor: string | undefined) => Promise<CursorPage<T>>;
  /** Resume from this cursor instead of the first page. */
  readonly start?: string;
}

/**
 * Cursor- or token-style pagination. `next` is the cursor of the following page. A Google-style
 * listing maps its names: `fetchPage: async (pageToken) => ({ items: body.files, nextCursor: body.nextPageToken })`.
 */
export async function* paginateCursor<T>(options: PaginateCursorOptions<T>): AsyncGenerator<Paged<T, string>> {
  yield* opaque(options.start, async (cursor) => {
    const page = await options.fetchPage(cursor);
    return { items: page.items, next: page.nextCursor };
  }, options);
}

async function* opaque<T>(
  start: string | undefined,
  fetchPage: (position: string | undefined) => Promise<{ items: readonly T[]; next: string | null | undefined }>,
  options: CommonOptions,
): AsyncGenerator<Paged<T, string>> {
  const what = options.what ?? 'listing';
  const maxPages = options.maxPages ?? 100_000;
  const seen = new Set<string>();
  let position = start === '' ? undefined : start;
  if (position !== undefined) seen.add(position);
  for (let page = 1; ; page++) {
    if (page > maxPages) throw new PaginationLoopError(`${what} did not end within ${maxPages} pages; stopping instead of looping (raise maxPages if it is really that long)`, { what, maxPages });
    const { items, next } = await fetchPage(position);
    const following = next === null || next === undefined || next === '' ? undefined : next;
    if (following !== undefined) {
      if (seen.has(following)) {
        throw new PaginationLoopError(`${what} handed out the cursor "${truncate(following)}" twice (page ${page}); stopping instead of looping`, { what, page });
      }
      seen.add(following);
    }
    const done = following === undefined;
    yield { items, next: following, done, page };
    if (done || page === options.stopAfterPages) return;
    position = following;
  }
}

/** What an offset page fetch returns: the items, and the total or last-page flag if the provider reports them. */
export type OffsetPage<T> = readonly T[] | { readonly items: readonly T[]; readonly total?: number; readonly isLast?: boolean };

export interface PaginateOffsetOptions<T> extends CommonOptions {
  /** Fetches up to `limit` items from `offset`. */
  readonly fetchPage: (offset: number, limit: number) => Promise<OffsetPage<T>>;
  /** Page size asked for. */
  readonly limit: number;
  /** Resume from this offset. @default 0 */
  readonly start?: number;
  /**
   * Item identity, for the loop guard: a page whose first item is the previous page's first
   * item means the provider ignored the offset.
   */
  readonly idOf?: (item: T) => string;
}

/**
 * Offset/limit pagination. The listing ends on an empty page, a page shorter than `limit`,
 * `isLast`, or once `offset` reaches `total`. A provider that caps the page size below
 * `limit` (Jira's `maxResults`) should report `total` or `isLast`, or a capped page ends the
 * listing early. `next` is the offset of the following page.
 */
export async function* paginateOffset<T>(options: PaginateOffsetOptions<T>): AsyncGenerator<Paged<T, number>> {
  const what = options.what ?? 'listing';
  const maxPages = options.maxPages ?? 100_000;
  if (!Number.isInteger(options.limit) || options.limit <= 0) throw new RangeError(`${what}: limit must be a positive integer, got ${options.limit}`);
  let offset = options.start ?? 0;
  let previousFirst: string | undefined;
  for (let page = 1; ; page++) {
    if (page > maxPages) throw new PaginationLoopError(`${what} did not end within ${maxPages} pages; stopping instead of looping (raise maxPages if it is really that long)`, { what, maxPages });
    const result = await options.fetchPage(offset, options.limit);
    const items = isItems(result) ? result : result.items;
    const total = isItems(result) ? undefined : result.total;
    const isLast = isItems(result) ? undefined : result.isLast;
    const first = items[0];
    if (options.idOf && first !== undefined) {
      const id = options.idOf(first);
      if (id === previousFirst) throw new PaginationLoopError(`${what} returned the same page at offset ${offset} as before (first item "${truncate(id)}"); the provider ignores the offset — stopping instead of looping`, { what, offset, page });
      previousFirst = id;
    }
    const nextOffset = offset + items.length;
    const done = items.length === 0 || isLast === true || (total !== undefined ? nextOffset >= total : items.length < options.limit);
    yield { items, next: done ? undefined : nextOffset, done, page };
    if (done || page === options.stopAfterPages) return;
    offset = nextOffset;
  }
}

function isItems<T>(result: OffsetPage<T>): result is readonly T[] {
  return Array.isArray(result);
}

function truncate(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
