import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IndexAliases } from '../../shared/ports/index.ts';

export interface AliasStoreHarness {
  aliases: IndexAliases;
  cleanup(): Promise<void>;
}

/** What every IndexAliases adapter must do: keep one record per profile, and let only one of two writers of a version win. */
export function aliasStoreContract(name: string, make: () => Promise<AliasStoreHarness>): void {
  describe(`IndexAliases contract: ${name}`, () => {
    let harness: AliasStoreHarness;

    beforeEach(async () => {
      harness = await make();
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    it('stores a record per profile and returns it as written', async () => {
      // Act
      const first = await harness.aliases.putAlias({ sourceId: 'docs', profile: 'main', value: { current: { number: 0, chunking: {} } }, expectVersion: undefined });
      const other = await harness.aliases.putAlias({ sourceId: 'docs', profile: 'large', value: { current: { number: 3 } }, expectVersion: undefined });

      // Assess
      expect(first?.version).toBe(1);
      expect(other?.version).toBe(1);
      expect(await harness.aliases.getAlias('docs', 'main')).toEqual({ sourceId: 'docs', profile: 'main', version: 1, value: { current: { number: 0, chunking: {} } } });
      expect((await harness.aliases.getAlias('docs', 'large'))?.value).toEqual({ current: { number: 3 } });
      expect(await harness.aliases.getAlias('docs', 'none')).toBeUndefined();
      expect(await harness.aliases.getAlias('other', 'main')).toBeUndefined();
    });

    it('refuses a write naming a version that is no longer stored: of two flips, one wins', async () => {
      // Prepare
      await harness.aliases.putAlias({ sourceId: 'docs', profile: 'main', value: { n: 1 }, expectVersion: undefined });

      // Act
      const [a, b] = await Promise.all([
        harness.aliases.putAlias({ sourceId: 'docs', profile: 'main', value: { n: 'a' }, expectVersion: 1 }),
        harness.aliases.putAlias({ sourceId: 'docs', profile: 'main', value: { n: 'b' }, expectVersion: 1 }),
      ]);
      const again = await harness.aliases.putAlias({ sourceId: 'docs', profile: 'main', value: { n: 'c' }, expectVersion: undefined });

      // Assess
      expect([a, b].filter((r) => r !== undefined)).toHaveLength(1);
      expect(again).toBeUndefined();
      const stored = await harness.aliases.getAlias('docs', 'main');
      expect(stored?.version).toBe(2);
      expect(stored?.value).toEqual((a ?? b)!.value);
    });
  });
}
