import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { currentAccessToken } from '../../shared/core/tokens.ts';
import type { CredentialStore } from '../../shared/ports/index.ts';

export interface CredentialStoreHarness {
  /** A store whose static secrets are `secrets`. */
  store: CredentialStore;
  secrets: Readonly<Record<string, string>>;
  cleanup(): Promise<void>;
}

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

/**
 * An OAuth provider that rotates refresh tokens: each refresh token works once, and a refresh
 * with a used one fails (as Google, Atlassian and Microsoft do).
 */
class RotatingProvider {
  private valid = new Set(['r-0']);
  private issued = 0;
  refreshes = 0;

  async refresh(refreshToken: string): Promise<{ accessToken: string; refreshToken: string; expiresInSeconds: number }> {
    await new Promise((r) => setTimeout(r, 5));
    this.refreshes += 1;
    if (!this.valid.delete(refreshToken)) throw new Error(`invalid_grant: refresh token ${refreshToken} was already used`);
    this.issued += 1;
    this.valid.add(`r-${this.issued}`);
    return { accessToken: `a-${this.issued}`, refreshToken: `r-${this.issued}`, expiresInSeconds: 3600 };
  }

  get liveRefreshToken(): string {
    return [...this.valid][0] ?? '';
  }
}

/** Secrets and conditionally written token pairs, on every adapter. */
export function credentialStoreContract(name: string, make: () => Promise<CredentialStoreHarness>): void {
  describe(`CredentialStore contract: ${name}`, () => {
    let harness: CredentialStoreHarness;
    let store: CredentialStore;

    beforeEach(async () => {
      harness = await make();
      store = harness.store;
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    it('reads static secrets by name; an unset one is undefined', () => {
      const [name, value] = Object.entries(harness.secrets)[0]!;
      expect(store.secret(name)).toBe(value);
      expect(store.secret('TRIBUTARY_NOT_SET_ANYWHERE')).toBeUndefined();
    });

    it('stores a first pair, replaces it only at the version read, and refuses a stale writer', async () => {
      // Act
      const first = await store.putToken({ key: 'gdrive:docs', token: { accessToken: 'a1', refreshToken: 'r1', expiresAt: T0 + 1000 }, expectVersion: undefined, now: T0 });
      const duplicateFirst = await store.putToken({ key: 'gdrive:docs', token: { accessToken: 'x' }, expectVersion: undefined, now: T0 });
      const second = await store.putToken({ key: 'gdrive:docs', token: { accessToken: 'a2', refreshToken: 'r2' }, expectVersion: 1, now: T0 + 1 });
      const stale = await store.putToken({ key: 'gdrive:docs', token: { accessToken: 'a-stale' }, expectVersion: 1, now: T0 + 2 });

      // Assess
      expect(first).toEqual({ accessToken: 'a1', refreshToken: 'r1', expiresAt: T0 + 1000, version: 1, updatedAt: T0 });
      expect(duplicateFirst).toBeUndefined();
      expect(second).toMatchObject({ accessToken: 'a2', refreshToken: 'r2', version: 2 });
      expect(second?.expiresAt).toBeUndefined();
      expect(stale).toBeUndefined();
      expect(await store.getToken('gdrive:docs')).toEqual(second);
      expect(await store.getToken('jira:other')).toBeUndefined();
    });

    it('never loses a rotated refresh token when five runs refresh at once', async () => {
      // Prepare: the stored pair has expired; its refresh token works once.
      const provider = new RotatingProvider();
      await store.putToken({ key: 'jira:issues', token: { accessToken: 'a-0', refreshToken: 'r-0', expiresAt: T0 - 1 }, expectVersion: undefined, now: T0 - 10 });
      const clock = { now: () => T0 };

      // Act
      const tokens = await Promise.all(Array.from({ length: 5 }, () => currentAccessToken({
        store, key: 'jira:issues', clock, refresh: (r) => provider.refresh(r),
      })));

      // Assess: one refresh won; every run uses its access token; the stored refresh token still works.
      expect(new Set(tokens)).toEqual(new Set(['a-1']));
      const stored = await store.getToken('jira:issues');
      expect(stored?.refreshToken).toBe(provider.liveRefreshToken);
      expect(await currentAccessToken({ store, key: 'jira:issues', clock: { now: () => T0 + 7200_000 }, refresh: (r) => provider.refresh(r) })).toBe('a-2');
    });
  });
}
