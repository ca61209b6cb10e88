import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryLog } from '../../shared/ports/index.ts';

export interface DeliveryLogHarness {
  log: DeliveryLog;
  cleanup(): Promise<void>;
}

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const WINDOW = 600_000;

/** The replay memory every adapter must be: once per window, per scope, concurrent-safe. */
export function deliveryLogContract(name: string, make: () => Promise<DeliveryLogHarness>): void {
  describe(`DeliveryLog contract: ${name}`, () => {
    let harness: DeliveryLogHarness;
    let log: DeliveryLog;

    beforeEach(async () => {
      harness = await make();
      log = harness.log;
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    it('accepts a delivery once within its window, and again after it', async () => {
      // Act
      const first = await log.rememberDelivery({ scope: 'hooks', id: 'sig-1', now: T0, ttlMs: WINDOW });
      const replay = await log.rememberDelivery({ scope: 'hooks', id: 'sig-1', now: T0 + WINDOW - 1, ttlMs: WINDOW });
      const later = await log.rememberDelivery({ scope: 'hooks', id: 'sig-1', now: T0 + WINDOW + 1, ttlMs: WINDOW });

      // Assess
      expect([first, replay, later]).toEqual([true, false, true]);
    });

    it('keeps scopes and ids apart, long and non-ASCII ids included', async () => {
      // Prepare
      const long = `${'x'.repeat(2000)}🎉`;

      // Act
      const results = [
        await log.rememberDelivery({ scope: 'a', id: long, now: T0, ttlMs: WINDOW }),
        await log.rememberDelivery({ scope: 'b', id: long, now: T0, ttlMs: WINDOW }),
        await log.rememberDelivery({ scope: 'a', id: `${long}!`, now: T0, ttlMs: WINDOW }),
        await log.rememberDelivery({ scope: 'a', id: long, now: T0, ttlMs: WINDOW }),
      ];

      // Assess
      expect(results).toEqual([true, true, true, false]);
    });

    it('lets exactly one of concurrent identical deliveries through', async () => {
      // Act
      const results = await Promise.all(Array.from({ length: 8 }, () => log.rememberDelivery({ scope: 'hooks', id: 'same', now: T0, ttlMs: WINDOW })));

      // Assess
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('accepts a forgotten delivery again (its processing failed)', async () => {
      // Prepare
      await log.rememberDelivery({ scope: 'hooks', id: 'retry', now: T0, ttlMs: WINDOW });

      // Act
      await log.forgetDelivery({ scope: 'hooks', id: 'retry' });
      const retried = await log.rememberDelivery({ scope: 'hooks', id: 'retry', now: T0 + 1, ttlMs: WINDOW });

      // Assess
      expect(retried).toBe(true);
    });
  });
}
