import { ConfigError } from './errors.ts';
import type { Clock, CredentialStore, StoredToken } from '../ports/index.ts';

/** What a provider's token endpoint answers to a refresh. */
export interface TokenGrant {
  readonly accessToken: string;
  /** A rotated refresh token; absent when the provider keeps the old one valid. */
  readonly refreshToken?: string;
  readonly expiresInSeconds?: number;
}

export interface AccessTokenRequest {
  readonly store: CredentialStore;
  /** Where the pair is stored, e.g. `gdrive:<sourceId>`. */
  readonly key: string;
  readonly clock: Clock;
  /** The refresh token to start from while none is stored (from the config's secret). */
  readonly initialRefreshToken?: string | undefined;
  /** Names the secret that holds the initial refresh token, for the error when it is missing. */
  readonly initialRefreshTokenEnv?: string;
  /** Calls the provider's token endpoint. */
  readonly refresh: (refreshToken: string) => Promise<TokenGrant>;
  /** An access token the provider just refused (401): refresh even if it has not expired. */
  readonly rejected?: string;
  /** Refresh this long before the stored token expires. @default 60 s */
  readonly skewMs?: number;
}

/** Refresh attempts before giving up: each lost race re-reads the winner's pair. */
const ATTEMPTS = 3;

/**
 * The access token to use now. The stored one while it is valid; otherwise a refresh with the
 * stored refresh token, stored only if nobody stored another meanwhile. Providers that rotate
 * refresh tokens invalidate the old one on use, so two runs refreshing at once cannot both
 * win: the loser (its write refused, or its refresh refused because the winner used the token
 * first) takes the winner's pair instead of retrying with a dead token. No rotated refresh
 * token is ever lost.
 */
export async function currentAccessToken(request: AccessTokenRequest): Promise<string> {
  const skew = request.skewMs ?? 60_000;
  let rejected = request.rejected;
  for (let attempt = 1; ; attempt++) {
    const stored = await request.store.getToken(request.key);
    if (stored && stored.accessToken !== rejected && (stored.expiresAt === undefined || stored.expiresAt - skew > request.clock.now())) {
      return stored.accessToken;
    }
    const refreshToken = stored?.refreshToken ?? request.initialRefreshToken;
    if (refreshToken === undefined || refreshToken === '') {
      throw new ConfigError(`no refresh token for ${request.key}: set ${request.initialRefreshTokenEnv ?? 'the source\'s refresh token secret'} to the token the provider issued`);
    }
    let grant: TokenGrant;
    try {
      grant = await request.refresh(refreshToken);
    } catch (error) {
      // Refused because another run rotated it first? Then its pair is stored: use that.
      if (attempt < ATTEMPTS && (await moved(request, stored))) {
        rejected = undefined;
        continue;
      }
      throw error;
    }
    const now = request.clock.now();
    const written = await request.store.putToken({
      key: request.key, expectVersion: stored?.version, now,
      token: {
        accessToken: grant.accessToken, refreshToken: grant.refreshToken ?? refreshToken,
        ...(grant.expiresInSeconds !== undefined ? { expiresAt: now + grant.expiresInSeconds * 1000 } : {}),
      },
    });
    if (written) return written.accessToken;
    // Another run stored its pair first: ours may already be invalid at the provider; take theirs.
    if (attempt >= ATTEMPTS) throw new Error(`the token of ${request.key} keeps changing under this run; try again`);
    rejected = undefined;
  }
}

/** How long a run whose refresh was refused waits for the winner's pair to be stored. */
const WINNER_WAIT_MS = 2_000;

/**
 * Whether another run stored a new pair since `before`. The winner's refresh can land at the
 * provider before its write lands here, so a loser watches for a while before it concludes
 * the refresh token is simply invalid.
 */
async function moved(request: AccessTokenRequest, before: StoredToken | undefined): Promise<boolean> {
  for (let waited = 0; ; waited += 100) {
    const now = await request.store.getToken(request.key);
    if (now !== undefined && now.version !== before?.version) return true;
    if (waited >= WINNER_WAIT_MS) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
