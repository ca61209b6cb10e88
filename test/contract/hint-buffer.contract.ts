import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HintBuffer } from '../../shared/ports/index.ts';

export interface HintBufferHarness {
  buffer: HintBuffer;
  cleanup(): Promise<void>;
}

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const STALE = 900_000;

/** What every HintBuffer adapter must do: merge ids, queue one run per burst, keep what a dead run took. */
export function hintBufferContract(name: string, make: () => Promise<HintBufferHarness>): void {
  describe(`HintBuffer contract: ${name}`, () => {
    let harness: HintBufferHarness;
    let buffer: HintBuffer;

    beforeEach(async () => {
      harness = await make();
      buffer = harness.buffer;
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    const add = (ids: string[], now = T0, sourceId = 'docs') => buffer.addHints({ sourceId, ids, now, staleAfterMs: STALE });
    const ids = async (sourceId = 'docs', limit = 10_000) => (await buffer.takeHints({ sourceId, limit })).map((h) => h.id).sort();

    it('asks for one run per burst, and merges every id of the burst', async () => {
      // Act: 60 hints (some naming the same id).
      const first = await add(['a.md']);
      const rest = await Promise.all(Array.from({ length: 59 }, (_, i) => add([`d-${i % 40}.md`, 'a.md'], T0 + i + 1)));

      // Assess
      expect(first).toBe(true);
      expect(rest.filter(Boolean)).toEqual([]);
      const taken = await ids();
      expect(taken).toHaveLength(41);
      expect(taken).toContain('a.md');
    });

    it('asks for a new run for hints after a take, and keeps taken ids until they are settled', async () => {
      // Prepare
      await add(['a.md', 'b.md']);
      const taken = await buffer.takeHints({ sourceId: 'docs', limit: 10 });

      // Act: a hint during the run names b again and c.
      const queued = await add(['b.md', 'c.md'], T0 + 10);
      await buffer.settleHints({ sourceId: 'docs', taken });

      // Assess: a (settled) is gone; b (named again) and c wait for the next run.
      expect(queued).toBe(true);
      expect(await ids()).toEqual(['b.md', 'c.md']);
    });

    it('gives what a run took and never settled to the next take (the run died)', async () => {
      // Prepare
      await add(['a.md']);
      await buffer.takeHints({ sourceId: 'docs', limit: 10 });

      // Act
      const again = await ids();

      // Assess
      expect(again).toEqual(['a.md']);
    });

    it('replaces a marker older than staleAfterMs (its run was lost), and keeps sources apart', async () => {
      // Prepare
      await add(['a.md']);

      // Act
      const fresh = await add(['b.md'], T0 + STALE - 1);
      const stale = await add(['c.md'], T0 + STALE + 2);
      const other = await add(['x.md'], T0 + 5, 'notes');

      // Assess
      expect([fresh, stale, other]).toEqual([false, true, true]);
      expect(await ids('notes')).toEqual(['x.md']);
      expect(await ids()).toEqual(['a.md', 'b.md', 'c.md']);
    });

    it('takes at most `limit` ids, oldest first, long and non-ASCII ids included', async () => {
      // Prepare
      const long = `${'deep/'.repeat(300)}🎉.md`;
      await add(['old.md'], T0);
      await add([long, 'new.md'], T0 + 1);

      // Act
      const two = await buffer.takeHints({ sourceId: 'docs', limit: 2 });

      // Assess
      expect(two[0]!.id).toBe('old.md');
      expect(two).toHaveLength(2);
      expect((await ids()).sort()).toEqual([long, 'new.md', 'old.md'].sort());
    });
  });
}
