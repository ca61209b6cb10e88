/**
 * Access tokens for the Drive API, by the credential the source config names:
 *
 * - A service account (`serviceAccountKeyEnv`, optional `subject` for domain-wide delegation):
 *   google-auth-library's `JWT`, imported on first use (a CLI or Lambda start that configures no
 *   Drive source never loads it). gtoken always posts to Google's fixed token URL, so a request
 *   interceptor on the JWT's own transporter sends it to `tokenUrl` instead (a separately
 *   imported Gaxios would be another copy, ESM vs CJS, and not see the client's requests).
 * - OAuth (`clientIdEnv`, `clientSecretEnv`, `refreshTokenEnv`): the refresh grant through
 *   `currentAccessToken`, so the pair lives in the credential store (`gdrive:<id>`) and a
 *   rotated refresh token is never lost between runs (docs/connectors.md §3.1).
 *
 * Google's answer to a refused grant (400 `invalid_grant`, 401 `unauthorized_client`) is a
 * non-retryable error naming the fix.
 */
import type { JWT } from 'google-auth-library';
import { ConfigError, errorMessage, TransientError } from '../../core/errors.ts';
import { currentAccessToken } from '../../core/tokens.ts';
import type { Clock, CredentialStore } from '../../ports/index.ts';
import { ProviderAuthError } from '../kit/index.ts';
import { snippet } from '../kit/http-failures.ts';
import type { GDriveSourceConfig } from './config.ts';

/** Read-only is all the connector needs (changes.watch is allowed under it). */
export const DRIVE_READONLY_SCOPE = 'https://www.googleapis.com/auth/drive.readonly';
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

export interface TokenSource {
  /** A valid access token; `rejected` is one the API just refused (401): get another. */
  token(rejected?: string): Promise<string>;
}

export interface AuthOptions {
  readonly source: GDriveSourceConfig;
  readonly secret: (envName: string) => string | undefined;
  readonly credentials: CredentialStore;
  readonly clock: Clock;
  /** The credential-store key of the OAuth pair. */
  readonly tokenKey: string;
  readonly fetch?: typeof globalThis.fetch;
}

export function tokenSource(options: AuthOptions): TokenSource {
  return options.source.serviceAccountKeyEnv !== undefined ? new ServiceAccountTokens(options, options.source.serviceAccountKeyEnv) : new OAuthTokens(options);
}

function required(options: AuthOptions, env: string | undefined, what: string): string {
  const value = env === undefined ? undefined : options.secret(env);
  if (value === undefined || value.trim() === '') {
    throw new ConfigError(`source "${options.source.id}" needs ${what} in ${env ?? 'its credential variable'}: set it locally, or add it to aws.secrets when deployed`);
  }
  return value;
}

class ServiceAccountTokens implements TokenSource {
  private jwt: Promise<JWT> | undefined;

  constructor(private readonly options: AuthOptions, private readonly keyEnv: string) {}

  async token(rejected?: string): Promise<string> {
    const jwt = await (this.jwt ??= this.client());
    if (rejected !== undefined && jwt.credentials.access_token === rejected) jwt.credentials = {};
    try {
      const { token } = await jwt.getAccessToken();
      if (!token) throw new Error('the token endpoint answered no access_token');
      return token;
    } catch (error) {
      throw grantError(this.options.source, error, `check that ${this.keyEnv} holds a valid service account key${this.options.source.subject ? ` with domain-wide delegation for ${DRIVE_READONLY_SCOPE} (subject ${this.options.source.subject})` : ''}`);
    }
  }

  private async client(): Promise<JWT> {
    const raw = required(this.options, this.keyEnv, 'a service account JSON key');
    let key: { client_email?: unknown; private_key?: unknown };
    try {
      key = JSON.parse(raw) as typeof key;
    } catch {
      throw new ConfigError(`${this.keyEnv} of source "${this.options.source.id}" is not JSON: it must hold the whole service account key file (IAM → Service accounts → Keys → JSON)`);
    }
    if (typeof key.client_email !== 'string' || typeof key.private_key !== 'string') {
      throw new ConfigError(`${this.keyEnv} of source "${this.options.source.id}" has no client_email/private_key: it must hold a service account key file of type JSON`);
    }
    const { JWT: Jwt } = await import('google-auth-library');
    const jwt = new Jwt({
      email: key.client_email, key: key.private_key, scopes: [DRIVE_READONLY_SCOPE],
      ...(this.options.source.subject ? { subject: this.options.source.subject } : {}),
    });
    const tokenUrl = this.options.source.tokenUrl;
    if (tokenUrl !== GOOGLE_TOKEN_URL) {
      jwt.transporter.interceptors.request.add({
        resolved: async (o) => (String(o.url).startsWith(GOOGLE_TOKEN_URL) ? { ...o, url: new URL(tokenUrl) } : o),
      });
    }
    return jwt;
  }
}

class OAuthTokens implements TokenSource {
  constructor(private readonly options: AuthOptions) {}

  async token(rejected?: string): Promise<string> {
    const { source } = this.options;
    return currentAccessToken({
      store: this.options.credentials, key: this.options.tokenKey, clock: this.options.clock,
      initialRefreshToken: this.options.secret(source.refreshTokenEnv!), initialRefreshTokenEnv: source.refreshTokenEnv!,
      ...(rejected === undefined ? {} : { rejected }),
      refresh: (refreshToken) => this.refresh(refreshToken),
    });
  }

  private async refresh(refreshToken: string): Promise<{ accessToken: string; refreshToken?: string; expiresInSeconds?: number }> {
    const { source } = this.options;
    const body = new URLSearchParams({
      grant_type: 'refresh_token', refresh_token: refreshToken,
      client_id: required(this.options, source.clientIdEnv, 'the OAuth client id'),
      client_secret: required(this.options, source.clientSecretEnv, 'the OAuth client secret'),
    });
    const fix = `check ${source.clientIdEnv}/${source.clientSecretEnv}, and that the refresh token in ${source.refreshTokenEnv} (or the rotated one stored for the source) was issued to that client and not revoked; \`tributary reset\` is not needed`;
    let response: Response;
    try {
      response = await (this.options.fetch ?? globalThis.fetch)(source.tokenUrl, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    } catch (error) {
      throw new TransientError(`Google's token endpoint is unreachable for source "${source.id}": ${errorMessage(error)}`, { cause: error });
    }
    const text = await response.text();
    if (response.status >= 500 || response.status === 429) throw new TransientError(`Google's token endpoint answered ${response.status} for source "${source.id}"`);
    if (!response.ok) throw grantError(source, new Error(`${response.status} ${snippet(text)}`), fix);
    const grant = JSON.parse(text) as { access_token?: unknown; refresh_token?: unknown; expires_in?: unknown };
    if (typeof grant.access_token !== 'string') throw grantError(source, new Error('no access_token in the answer'), fix);
    return {
      accessToken: grant.access_token,
      ...(typeof grant.refresh_token === 'string' ? { refreshToken: grant.refresh_token } : {}),
      ...(typeof grant.expires_in === 'number' ? { expiresInSeconds: grant.expires_in } : {}),
    };
  }
}

function grantError(source: GDriveSourceConfig, error: unknown, fix: string): Error {
  if (error instanceof ConfigError || error instanceof TransientError) return error;
  const message = errorMessage(error);
  if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|socket|fetch failed|5\d\d/.test(message) && !/invalid_grant|unauthorized_client|40\d/.test(message)) {
    return new TransientError(`Google's token endpoint failed for source "${source.id}": ${snippet(message)}`, { cause: error });
  }
  return new ProviderAuthError(`Google refused the credentials of source "${source.id}": ${snippet(message)}; ${fix}`, {
    sourceId: source.id, provider: 'Google OAuth', method: 'POST', path: new URL(source.tokenUrl).pathname, cause: error,
  });
}
