import { describe, expect, it } from 'vitest';
import { PaginationLoopError, paginateCursor, paginateOffset, slimListing } from '../../../shared/connectors/kit/index.ts';
import type { CursorPage, OffsetPage, Paged } from '../../../shared/connectors/kit/index.ts';
import type { ListedDocument } from '../../../shared/ports/index.ts';
import { rejectionOf } from './loopback.ts';

async function drain<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Fake cursor-style API over `items`: cursors are `c<index>`, the last page has an empty cursor (Slack's style). */
function cursorApi(items: readonly string[], pageSize: number): { fetchPage: (cursor: string | undefined) => Promise<CursorPage<string>>; calls: Array<string | undefined> } {
  const calls: Array<string | undefined> = [];
  return {
    calls,
    fetchPage: async (cursor) => {
      calls.push(cursor);
      const start = cursor === undefined ? 0 : Number(cursor.slice(1));
      const end = start + pageSize;
      return { items: items.slice(start, end), nextCursor: end < items.length ? `c${end}` : '' };
    },
  };
}

const letters = 'abcdefg'.split('');

describe('paginateCursor', () => {
  it('yields every page in order with the position to resume after each', async () => {
    // Prepare
    const api = cursorApi(letters, 3);

    // Act
    const pages = await drain(paginateCursor({ fetchPage: api.fetchPage }));

    // Assess
    expect(pages.map((p) => [p.items.join(''), p.next, p.done, p.page])).toEqual([
      ['abc', 'c3', false, 1],
      ['def', 'c6', false, 2],
      ['g', undefined, true, 3],
    ]);
  });

  it('resumes from a saved position, and stopAfterPages hands back the position (one page per pull)', async () => {
    // Prepare
    const api = cursorApi(letters, 2);
    const seen: string[] = [];
    let position: string | undefined;
    let pulls = 0;

    // Act: what a connector's pull does: one page per call, its `next` saved as the cursor.
    for (;;) {
      pulls += 1;
      const [page] = await drain(paginateCursor({ fetchPage: api.fetchPage, ...(position === undefined ? {} : { start: position }), stopAfterPages: 1 }));
      seen.push(...page!.items);
      if (page!.done) break;
      position = page!.next;
    }

    // Assess
    expect(seen.join('')).toBe('abcdefg');
    expect(pulls).toBe(4);
    expect(api.calls).toEqual([undefined, 'c2', 'c4', 'c6']);
  });

  it('treats an empty page with a cursor as a page, not the end', async () => {
    // Prepare
    const responses: Array<CursorPage<string>> = [{ items: [], nextCursor: 'x' }, { items: ['a'], nextCursor: null }];

    // Act
    const pages = await drain(paginateCursor({ fetchPage: async () => responses.shift()! }));

    // Assess
    expect(pages.map((p) => p.items.length)).toEqual([0, 1]);
  });

  it('throws PaginationLoopError when a cursor comes back twice', async () => {
    // Prepare: the provider keeps answering with the same cursor.
    let calls = 0;
    const fetchPage = async (): Promise<CursorPage<string>> => {
      calls += 1;
      return { items: ['a'], nextCursor: 'same' };
    };

    // Act
    const error = await rejectionOf(drain(paginateCursor({ fetchPage, what: 'Wiki pages' })));

    // Assess
    expect(error).toBeInstanceOf(PaginationLoopError);
    expect(error.message).toBe('Wiki pages handed out the cursor "same" twice (page 2); stopping instead of looping');
    expect(calls).toBe(2);
  });

  it('throws when the next cursor is the one it resumed from', async () => {
    // Prepare
    const fetchPage = async (): Promise<CursorPage<string>> => ({ items: ['a'], nextCursor: 'start' });

    // Act
    const error = await rejectionOf(drain(paginateCursor({ fetchPage, start: 'start', stopAfterPages: 1 })));

    // Assess
    expect(error).toBeInstanceOf(PaginationLoopError);
  });

  it('throws past maxPages even when every cursor is new', async () => {
    // Prepare
    let n = 0;
    const fetchPage = async (): Promise<CursorPage<string>> => ({ items: [], nextCursor: `c${++n}` });

    // Act
    const error = await rejectionOf(drain(paginateCursor({ fetchPage, maxPages: 5 })));

    // Assess
    expect(error).toBeInstanceOf(PaginationLoopError);
    expect(error.message).toContain('did not end within 5 pages');
    expect(n).toBe(5);
  });
});

describe('paginateCursor over Google-style page tokens', () => {
  it('follows nextPageToken until it is absent, resumable from a token', async () => {
    // Prepare
    const tokens: Record<string, { items: string[]; nextPageToken?: string }> = {
      first: { items: ['a', 'b'], nextPageToken: 't2' },
      t2: { items: ['c'], nextPageToken: 't3' },
      t3: { items: ['d'] },
    };
    const fetchPage = async (token: string | undefined): Promise<{ items: string[]; nextCursor?: string }> => {
      const body = tokens[token ?? 'first']!;
      return { items: body.items, ...(body.nextPageToken === undefined ? {} : { nextCursor: body.nextPageToken }) };
    };

    // Act
    const all = await drain(paginateCursor({ fetchPage }));
    const resumed = await drain(paginateCursor({ fetchPage, start: 't2' }));

    // Assess
    expect(all.flatMap((p) => p.items)).toEqual(['a', 'b', 'c', 'd']);
    expect(all.map((p) => p.next)).toEqual(['t2', 't3', undefined]);
    expect(resumed.flatMap((p) => p.items)).toEqual(['c', 'd']);
  });
});

describe('paginateOffset', () => {
  const offsetApi = (items: readonly string[], cap = Infinity) => {
    const calls: Array<[number, number]> = [];
    return {
      calls,
      fetchPage: async (offset: number, limit: number): Promise<string[]> => {
        calls.push([offset, limit]);
        return items.slice(offset, offset + Math.min(limit, cap));
      },
    };
  };

  it('pages until a short page, with the next offset after each page', async () => {
    // Prepare
    const api = offsetApi(letters);

    // Act
    const pages: Array<Paged<string, number>> = await drain(paginateOffset({ fetchPage: api.fetchPage, limit: 3 }));

    // Assess
    expect(pages.map((p) => [p.items.join(''), p.next, p.done])).toEqual([['abc', 3, false], ['def', 6, false], ['g', undefined, true]]);
    expect(api.calls).toEqual([[0, 3], [3, 3], [6, 3]]);
  });

  it('ends on an empty page when the count divides evenly, and resumes from an offset', async () => {
    // Prepare
    const api = offsetApi(letters.slice(0, 6));

    // Act
    const pages = await drain(paginateOffset({ fetchPage: api.fetchPage, limit: 3 }));
    const resumed = await drain(paginateOffset({ fetchPage: api.fetchPage, limit: 3, start: 3 }));

    // Assess
    expect(pages.map((p) => p.items.length)).toEqual([3, 3, 0]);
    expect(resumed.flatMap((p) => p.items).join('')).toBe('def');
  });

  it('uses total (or isLast) when the provider caps the page size below the limit', async () => {
    // Prepare: asks for 5, gets at most 2 (like Jira's maxResults cap).
    const capped = offsetApi(letters, 2);
    const withTotal = async (offset: number, limit: number): Promise<OffsetPage<string>> => ({ items: await capped.fetchPage(offset, limit), total: letters.length });

    // Act
    const pages = await drain(paginateOffset({ fetchPage: withTotal, limit: 5 }));

    // Assess
    expect(pages.flatMap((p) => p.items).join('')).toBe('abcdefg');
    expect(pages.at(-1)?.done).toBe(true);
  });

  it('throws PaginationLoopError when the provider ignores the offset', async () => {
    // Prepare
    const fetchPage = async (): Promise<string[]> => ['a', 'b'];

    // Act
    const error = await rejectionOf(drain(paginateOffset({ fetchPage, limit: 2, idOf: (item) => item })));

    // Assess
    expect(error).toBeInstanceOf(PaginationLoopError);
    expect(error.message).toContain('returned the same page at offset 2');
  });
});

describe('slimListing', () => {
  it('flattens pages into ids and versions, dropping duplicates and unmapped items', async () => {
    // Prepare
    const pages = paginateCursor<{ id: string; rev: number; folder?: boolean }>({
      fetchPage: async (cursor) => cursor === undefined
        ? { items: [{ id: 'a', rev: 1 }, { id: 'dir', rev: 1, folder: true }, { id: 'b', rev: 2 }], nextCursor: 'p2' }
        : { items: [{ id: 'b', rev: 3 }, { id: 'c', rev: 1 }] },
    });
    const duplicates: string[] = [];

    // Act
    const listed = await drain(slimListing(pages, (item) => (item.folder ? undefined : { id: item.id, version: String(item.rev) }), {
      sourceId: 'wiki', onDuplicate: (id) => duplicates.push(id),
    }));

    // Assess
    expect(listed).toEqual<ListedDocument[]>([{ id: 'a', version: '1' }, { id: 'b', version: '2' }, { id: 'c', version: '1' }]);
    expect(duplicates).toEqual(['b']);
  });

  it('refuses an item without an id or version instead of dropping it', async () => {
    // Prepare
    async function* pages(): AsyncGenerator<Array<{ id: string; v: string }>> {
      yield [{ id: 'a', v: '1' }, { id: '', v: '2' }];
    }

    // Act
    const error = await rejectionOf(drain(slimListing(pages(), (item) => ({ id: item.id, version: item.v }), { sourceId: 'wiki' })));

    // Assess
    expect(error.message).toContain('listing of source "wiki" produced an item without an id or version');
  });

  it('stops a listing that passes maxItems', async () => {
    // Prepare
    async function* endless(): AsyncGenerator<string[]> {
      for (let i = 0; ; i++) yield [`id-${i}`];
    }

    // Act
    const error = await rejectionOf(drain(slimListing(endless(), (id) => ({ id, version: '1' }), { sourceId: 'wiki', maxItems: 10 })));

    // Assess
    expect(error).toBeInstanceOf(PaginationLoopError);
    expect(error.message).toContain('passed 10 documents');
  });
});
