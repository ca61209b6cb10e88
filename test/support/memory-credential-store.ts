import type { CredentialStore, StoredToken } from '../../shared/ports/index.ts';

/** The in-memory twin of the CredentialStore adapters (same contract suite). */
export class InMemoryCredentialStore implements CredentialStore {
  private readonly tokens = new Map<string, StoredToken>();

  constructor(private readonly secrets: Readonly<Record<string, string | undefined>> = {}) {}

  secret(name: string): string | undefined {
    return this.secrets[name];
  }

  async getToken(key: string): Promise<StoredToken | undefined> {
    await Promise.resolve();
    return this.tokens.get(key);
  }

  async putToken(input: { key: string; token: Pick<StoredToken, 'accessToken' | 'refreshToken' | 'expiresAt'>; expectVersion: number | undefined; now: number }): Promise<StoredToken | undefined> {
    await Promise.resolve();
    if (this.tokens.get(input.key)?.version !== input.expectVersion) return undefined;
    const token: StoredToken = {
      accessToken: input.token.accessToken, version: (input.expectVersion ?? 0) + 1, updatedAt: input.now,
      ...(input.token.refreshToken !== undefined ? { refreshToken: input.token.refreshToken } : {}),
      ...(input.token.expiresAt !== undefined ? { expiresAt: input.token.expiresAt } : {}),
    };
    this.tokens.set(input.key, token);
    return token;
  }
}
