/**
 * GitHub App authentication: an RS256 JWT signed with the App's private key (node:crypto, no
 * SDK) buys an installation access token, valid one hour
 * (https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-an-installation-access-token-for-a-github-app).
 * The token is kept in the credential store (`CRED#github:<source>` on AWS), so every run and
 * every Lambda shares it until five minutes before it expires; `currentAccessToken` makes
 * concurrent refreshes settle on one stored token. The App's key itself stays a static secret.
 */
import { createPrivateKey, sign } from 'node:crypto';
import { ConfigError } from '../../core/errors.ts';
import { currentAccessToken } from '../../core/tokens.ts';
import type { Clock, CredentialStore } from '../../ports/index.ts';

/** Refresh this long before the installation token expires (GitHub: 1 h tokens). */
export const INSTALLATION_TOKEN_SKEW_MS = 5 * 60_000;
/** Installation tokens are minted from the App key, not a refresh token: the store keeps this marker in its place. */
const MINTED = 'github-app-jwt';

export interface AppAuthOptions {
  readonly appId: number;
  readonly installationId: number;
  readonly privateKey: () => string | undefined;
  readonly privateKeyEnv: string;
  readonly store: CredentialStore;
  readonly key: string;
  readonly clock: Clock;
  /** POSTs `/app/installations/{id}/access_tokens` with the JWT; answers `{ token, expires_at }`. */
  readonly mint: (jwt: string, installationId: number) => Promise<{ token: string; expires_at: string }>;
}

/** The App's JWT: issued 60 s in the past (clock drift, as GitHub advises), valid 9 minutes. */
export function appJwt(appId: number, privateKeyPem: string, nowMs: number): string {
  const now = Math.floor(nowMs / 1000);
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode({ iat: now - 60, exp: now + 540, iss: String(appId) })}`;
  let key;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch (error) {
    throw new ConfigError('the GitHub App private key is not a PEM private key: paste the .pem file GitHub generated (with its BEGIN/END lines)', { cause: error });
  }
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), key).toString('base64url')}`;
}

/** The installation token to use now; `rejected`: one GitHub just refused (401), so mint another. */
export function installationToken(options: AppAuthOptions, rejected?: string): Promise<string> {
  return currentAccessToken({
    store: options.store, key: options.key, clock: options.clock, skewMs: INSTALLATION_TOKEN_SKEW_MS,
    initialRefreshToken: MINTED, initialRefreshTokenEnv: options.privateKeyEnv,
    ...(rejected !== undefined ? { rejected } : {}),
    refresh: async () => {
      const pem = options.privateKey();
      if (!pem) throw new ConfigError(`${options.privateKeyEnv} is not set: set it to the GitHub App's private key (PEM) locally, or add it to aws.secrets`);
      const minted = await options.mint(appJwt(options.appId, pem, options.clock.now()), options.installationId);
      const expiresAt = Date.parse(minted.expires_at);
      return {
        accessToken: minted.token, refreshToken: MINTED,
        ...(Number.isFinite(expiresAt) ? { expiresInSeconds: Math.max(0, Math.floor((expiresAt - options.clock.now()) / 1000)) } : {}),
      };
    },
  });
}
