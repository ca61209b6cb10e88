import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CursorExpiredError } from '../../../shared/core/errors.ts';
import {
  assertFresh,
  changesCursor,
  changesCursorSchema,
  compareInstants,
  compareKeyset,
  CorruptCursorError,
  decodeCursor,
  encodeCursor,
  expire,
  inWatermarkRange,
  isExpired,
  pageCursor,
  pageCursorSchema,
  watermarkAfter,
  watermarkCursorSchema,
  watermarkRange,
  windowStart,
} from '../../../shared/connectors/kit/index.ts';
import type { Cursor, PullWindow } from '../../../shared/ports/index.ts';

/** What the core persists and hands back: JSON text. */
const persisted = (cursor: Cursor): Cursor => JSON.parse(JSON.stringify(cursor)) as Cursor;

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return expect.fail('expected a throw');
};

const incremental: PullWindow = { since: '2026-01-01T10:00:00.000Z', snapshotAt: '2026-01-01T11:00:00.000Z', full: false };
const full: PullWindow = { snapshotAt: '2026-01-01T11:00:00.000Z', full: true };

describe('cursor round trips', () => {
  it('watermark, page and changes cursors survive persistence as JSON', () => {
    // Prepare
    const watermark = watermarkAfter({ time: '2026-01-01T10:30:00.123456Z', id: 'PROJ-7' });
    const page = pageCursor('opaque==');
    const changes = changesCursor('tok-1', Date.parse('2026-01-01T00:00:00Z'));

    // Act
    const decoded = [
      decodeCursor('wiki', persisted(encodeCursor(watermark)), watermarkCursorSchema),
      decodeCursor('wiki', persisted(encodeCursor(page)), pageCursorSchema),
      decodeCursor('wiki', persisted(encodeCursor(changes)), changesCursorSchema),
    ];

    // Assess
    expect(decoded).toEqual([watermark, page, changes]);
    expect(decoded[0]).toEqual({ kind: 'watermark', after: '2026-01-01T10:30:00.123456Z', afterId: 'PROJ-7' });
    expect(decoded[2]).toEqual({ kind: 'changes', token: 'tok-1', issuedAt: '2026-01-01T00:00:00.000Z' });
  });

  it('decodes no cursor (a pass\'s first page) as undefined', () => {
    // Prepare, Act, Assess
    expect(decodeCursor('wiki', undefined, watermarkCursorSchema)).toBeUndefined();
  });

  it('drops unset optional fields when encoding', () => {
    // Prepare, Act
    const encoded = encodeCursor({ kind: 'watermark', after: '2026-01-01T00:00:00Z', afterId: undefined });

    // Assess
    expect(encoded).toEqual({ kind: 'watermark', after: '2026-01-01T00:00:00Z' });
  });

  it('extended schemas carry connector-specific fields', () => {
    // Prepare
    const schema = watermarkCursorSchema.extend({ channel: z.string() });
    const cursor = { kind: 'watermark', after: '2026-01-01T00:00:00Z', channel: 'C123' };

    // Act
    const decoded = decodeCursor('wiki', cursor, schema);

    // Assess
    expect(decoded).toEqual(cursor);
  });

  it.each([
    ['another kind', { kind: 'page', token: 'x' }],
    ['a bad time', { kind: 'watermark', after: 'yesterday' }],
    ['an unknown field', { kind: 'watermark', after: '2026-01-01T00:00:00Z', offset: 3 }],
    ['the filesystem shape', { after: 'docs/a.md' }],
  ])('turns a corrupt cursor (%s) into a CursorExpiredError naming the source and the problem', (_label, cursor) => {
    // Prepare, Act
    const error = thrown(() => decodeCursor('wiki', cursor as Cursor, watermarkCursorSchema));

    // Assess
    expect(error).toBeInstanceOf(CorruptCursorError);
    expect(error).toBeInstanceOf(CursorExpiredError);
    expect((error as Error).message).toMatch(/^cursor of source "wiki" is not valid \(.+\); starting a full pass/);
  });
});

describe('watermark windows', () => {
  it('starts an incremental pass at window.since (the core already subtracted lookbackSeconds)', () => {
    // Prepare, Act
    const range = watermarkRange(undefined, incremental);

    // Assess
    expect(range).toEqual({ from: '2026-01-01T10:00:00.000Z', before: '2026-01-01T11:00:00.000Z' });
  });

  it('subtracts an extra connector lookback from since', () => {
    // Prepare, Act
    const start = windowStart(incremental, 5 * 60_000);
    const range = watermarkRange(undefined, incremental, { extraLookbackMs: 90_000 });

    // Assess
    expect(start).toBe('2026-01-01T09:55:00.000Z');
    expect(range.from).toBe('2026-01-01T09:58:30.000Z');
  });

  it('reads a full pass from the beginning up to the snapshot', () => {
    // Prepare, Act
    const range = watermarkRange(undefined, full, { extraLookbackMs: 60_000 });

    // Assess
    expect(range).toEqual({ before: '2026-01-01T11:00:00.000Z' });
    expect(windowStart(full)).toBeUndefined();
  });

  it('continues a pass from the cursor\'s keyset, breaking timestamp ties by id', () => {
    // Prepare: three items share one timestamp; the previous page ended at B.
    const t = '2026-01-01T10:15:00Z';
    const items = [
      { time: '2026-01-01T10:14:59.999Z', id: 'Z' },
      { time: t, id: 'A' }, { time: t, id: 'B' }, { time: t, id: 'C' },
      { time: '2026-01-01T10:15:00.001Z', id: 'A' },
      { time: '2026-01-01T11:00:00.000Z', id: 'late' },
    ];
    const cursor = decodeCursor('wiki', persisted(encodeCursor(watermarkAfter({ time: t, id: 'B' }))), watermarkCursorSchema);

    // Act
    const range = watermarkRange(cursor, incremental);
    const next = items.filter((item) => inWatermarkRange(item, range)).map((item) => `${item.time}/${item.id}`);

    // Assess: C at the same instant, A just after; nothing at or past the snapshot.
    expect(range).toEqual({ from: t, afterId: 'B', before: incremental.snapshotAt });
    expect(next).toEqual([`${t}/C`, '2026-01-01T10:15:00.001Z/A']);
  });

  it('takes every item at the lower bound when there is no id to break the tie', () => {
    // Prepare, Act
    const range = watermarkRange(undefined, incremental);

    // Assess
    expect(inWatermarkRange({ time: '2026-01-01T10:00:00Z', id: 'a' }, range)).toBe(true);
    expect(inWatermarkRange({ time: '2026-01-01T09:59:59.999Z', id: 'a' }, range)).toBe(false);
  });

  it('compares sub-millisecond times and offsets exactly, where Date.parse would round', () => {
    // Prepare, Act, Assess
    expect(compareInstants('2026-01-01T00:00:05.1234561Z', '2026-01-01T00:00:05.1234569Z')).toBe(-1);
    expect(compareInstants('2026-01-01T00:00:05.5Z', '2026-01-01T00:00:05.500000Z')).toBe(0);
    expect(compareInstants('2026-01-01T01:00:00+01:00', '2026-01-01T00:00:00Z')).toBe(0);
    expect(compareInstants('2026-01-01T00:00:01Z', '2026-01-01T00:00:00.999999Z')).toBe(1);
    const sorted = [
      { time: '2026-01-01T00:00:05.1234569Z', id: 'a' },
      { time: '2026-01-01T00:00:05.1234561Z', id: 'z' },
    ].sort(compareKeyset);
    expect(sorted.map((item) => item.id)).toEqual(['z', 'a']);
  });
});

describe('change tokens', () => {
  const week = 7 * 86_400_000;
  const issued = Date.parse('2026-01-01T00:00:00Z');

  it('is expired once older than its lifetime', () => {
    // Prepare
    const cursor = changesCursor('tok', issued);

    // Act, Assess
    expect(isExpired(cursor, issued + week - 1, week)).toBe(false);
    expect(isExpired(cursor, issued + week, week)).toBe(true);
  });

  it('assertFresh throws CursorExpiredError for an old token, so the core runs a full pass', () => {
    // Prepare
    const cursor = changesCursor('tok', issued);

    // Act
    const error = thrown(() => assertFresh('drive', cursor, issued + week + 1, week));

    // Assess
    expect(error).toBeInstanceOf(CursorExpiredError);
    expect((error as CursorExpiredError).message).toBe('change token of source "drive" expired; falling back to a full pass');
    expect(() => assertFresh('drive', cursor, issued + 1, week)).not.toThrow();
  });

  it('expire throws CursorExpiredError with the cause', () => {
    // Prepare
    const cause = new Error('410 Gone');

    // Act
    const error = thrown(() => expire('drive', cause));

    // Assess
    expect(error).toBeInstanceOf(CursorExpiredError);
    expect((error as Error).cause).toBe(cause);
  });
});
