import { describe, expect, it } from 'vitest';
import type { Clock } from '../../shared/ports/index.ts';

/** A Clock gives epoch milliseconds that never run backwards between two reads. */
export function clockContract(name: string, make: () => Clock): void {
  describe(`Clock contract: ${name}`, () => {
    it('returns integral epoch milliseconds in a plausible range', () => {
      // Act
      const now = make().now();

      // Assess
      expect(Number.isInteger(now)).toBe(true);
      expect(now).toBeGreaterThan(Date.parse('2020-01-01T00:00:00Z'));
      expect(now).toBeLessThan(Date.parse('2200-01-01T00:00:00Z'));
    });

    it('never goes backwards between consecutive reads', () => {
      // Prepare
      const clock = make();

      // Act
      const reads = Array.from({ length: 1000 }, () => clock.now());

      // Assess
      for (let i = 1; i < reads.length; i++) expect(reads[i]!).toBeGreaterThanOrEqual(reads[i - 1]!);
    });
  });
}
