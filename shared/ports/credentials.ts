/** Where sources' secrets and rotating OAuth tokens come from. */

/** A source's OAuth token pair as stored, with the version that guards its rotation. */
export interface StoredToken {
  readonly accessToken: string;
  /** Absent for providers that issue no refresh token. */
  readonly refreshToken?: string;
  /** Epoch ms the access token stops working; absent when the provider does not say. */
  readonly expiresAt?: number;
  /** Incremented by every write; a write names the version it replaces. */
  readonly version: number;
  /** Epoch ms of the write. */
  readonly updatedAt: number;
}

/**
 * Secrets and rotating tokens of the sources. Static secrets (an API token, a database URL)
 * come from the environment locally and from Secrets Manager on AWS. OAuth providers rotate
 * refresh tokens: each refresh invalidates the previous one, so two runs refreshing at once
 * must not both store theirs; the write is conditional on the version read.
 */
export interface CredentialStore {
  /** A static secret by the environment-variable name the config gives; undefined when unset. */
  secret(name: string): string | undefined;
  /** The stored token pair under `key` (e.g. `gdrive:<sourceId>`); undefined before the first. */
  getToken(key: string): Promise<StoredToken | undefined>;
  /**
   * Stores a pair if the stored one is still at `expectVersion` (undefined: none stored yet).
   * Returns the stored record, or undefined when another writer came first.
   */
  putToken(input: { key: string; token: Pick<StoredToken, 'accessToken' | 'refreshToken' | 'expiresAt'>; expectVersion: number | undefined; now: number }): Promise<StoredToken | undefined>;
}
