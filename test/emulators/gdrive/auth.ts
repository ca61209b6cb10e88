/**
 * Google's OAuth 2.0 token endpoint (`POST /token`, form-encoded) and access-token checks.
 *
 * Sources:
 * - https://developers.google.com/identity/protocols/oauth2/web-server#offline — refresh:
 *   `client_id`, `client_secret`, `refresh_token`, `grant_type=refresh_token` → `{access_token,
 *   expires_in, scope, token_type: "Bearer"}` (expires_in 3599/3600 s); an expired or revoked
 *   refresh token → 400 `{"error": "invalid_grant", "error_description": "Token has been expired
 *   or revoked."}`; an unknown client → 401 `invalid_client`.
 * - https://developers.google.com/identity/protocols/oauth2/service-account#httprest — JWT bearer:
 *   `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`, header
 *   `{"alg":"RS256","typ":"JWT"}`, claims iss, scope, aud "https://oauth2.googleapis.com/token",
 *   exp (≤ 1 hour after iat), iat, optional sub (domain-wide delegation). Errors: invalid_grant
 *   ("Invalid JWT Signature.", "Invalid JWT: Token must be a short-lived token (60 minutes) and in
 *   a reasonable timeframe. Check your iat and exp values in the JWT claim."), unauthorized_client
 *   when the account is not allowed to impersonate `sub`.
 * - Refresh-token rotation is not something Google does by default; `rotateRefreshTokens` makes
 *   the emulator return a new `refresh_token` and retire the old one, for connectors that must
 *   cope with providers that rotate.
 * - An expired or revoked access token on a Drive call → 401 authError (see ./errors.ts).
 */

import { createPublicKey, generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import { invalidCredentials, loginRequired } from './errors.ts';

export const GOOGLE_TOKEN_AUD = 'https://oauth2.googleapis.com/token';
export const DRIVE_SCOPE = 'https://www.googleapis.com/auth/drive';

export interface AccessToken {
  readonly token: string;
  readonly userId: string;
  readonly expiresAt: number;
  readonly scopes: readonly string[];
  revoked: boolean;
}

interface RefreshToken {
  readonly token: string;
  readonly clientId: string;
  readonly userId: string;
  readonly scopes: readonly string[];
  revoked: boolean;
}

export interface ServiceAccount {
  readonly email: string;
  readonly clientId: string;
  readonly privateKeyPem: string;
  readonly publicKey: KeyObject;
  /** May impersonate users with `sub` (domain-wide delegation). */
  readonly delegation: boolean;
}

export interface TokenAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const tokenError = (status: number, error: string, description: string): TokenAnswer => ({ status, body: { error, error_description: description } });

export class OAuthServer {
  readonly clients = new Map<string, string>();
  readonly accounts = new Map<string, ServiceAccount>();
  private readonly access = new Map<string, AccessToken>();
  private readonly refresh = new Map<string, RefreshToken>();
  rotateRefreshTokens = false;

  constructor(private readonly now: () => number, public accessTokenTtlSec = 3599, private readonly hasUser: (email: string) => boolean) {}

  addClient(clientId: string, clientSecret: string): void {
    this.clients.set(clientId, clientSecret);
  }

  addServiceAccount(email: string, delegation: boolean): ServiceAccount {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const account: ServiceAccount = {
      email: email.toLowerCase(), clientId: Array.from(randomBytes(21), (b) => String(b % 10)).join('').replace(/^0/, '1'),
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey, delegation,
    };
    this.accounts.set(account.email, account);
    return account;
  }

  issueRefreshToken(clientId: string, userEmail: string, scopes: readonly string[] = [DRIVE_SCOPE]): string {
    const token = `1//0${randomBytes(36).toString('base64url')}`;
    this.refresh.set(token, { token, clientId, userId: userEmail.toLowerCase(), scopes, revoked: false });
    return token;
  }

  issueAccessToken(userEmail: string, opts: { ttlSec?: number; scopes?: readonly string[] } = {}): AccessToken {
    const token: AccessToken = {
      token: `ya29.${randomBytes(48).toString('base64url')}`, userId: userEmail.toLowerCase(),
      expiresAt: this.now() + (opts.ttlSec ?? this.accessTokenTtlSec) * 1000, scopes: opts.scopes ?? [DRIVE_SCOPE], revoked: false,
    };
    this.access.set(token.token, token);
    return token;
  }

  /** Revokes an access or refresh token (a revoked refresh token also kills its access tokens' renewals). */
  revoke(token: string): void {
    const a = this.access.get(token);
    if (a) a.revoked = true;
    const r = this.refresh.get(token);
    if (r) r.revoked = true;
  }

  /** Checks a Drive request's Authorization header; returns the token or throws Google's 401. */
  authenticate(header: string | undefined): AccessToken {
    if (header === undefined || header === '') throw loginRequired();
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const t = m ? this.access.get(m[1]!) : undefined;
    if (!t || t.revoked || t.expiresAt <= this.now() || !this.hasUser(t.userId)) throw invalidCredentials();
    return t;
  }

  /** POST /token. */
  token(form: Readonly<Record<string, string>>): TokenAnswer {
    const grant = form['grant_type'];
    if (grant === 'refresh_token') return this.refreshGrant(form);
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') return this.jwtGrant(form['assertion'] ?? '');
    if (grant === undefined) return tokenError(400, 'invalid_request', 'Required parameter is missing: grant_type');
    return tokenError(400, 'unsupported_grant_type', `Invalid grant_type: ${grant}`);
  }

  private answer(userId: string, scopes: readonly string[], extra: Record<string, unknown> = {}): TokenAnswer {
    const t = this.issueAccessToken(userId, { scopes });
    return { status: 200, body: { access_token: t.token, expires_in: this.accessTokenTtlSec, scope: scopes.join(' '), token_type: 'Bearer', ...extra } };
  }

  private refreshGrant(form: Readonly<Record<string, string>>): TokenAnswer {
    const clientId = form['client_id'] ?? '';
    const secret = this.clients.get(clientId);
    if (secret === undefined) return tokenError(401, 'invalid_client', 'The OAuth client was not found.');
    if (secret !== form['client_secret']) return tokenError(401, 'invalid_client', 'Unauthorized');
    const r = this.refresh.get(form['refresh_token'] ?? '');
    if (!r || r.revoked || r.clientId !== clientId) return tokenError(400, 'invalid_grant', 'Token has been expired or revoked.');
    if (!this.rotateRefreshTokens) return this.answer(r.userId, r.scopes);
    r.revoked = true;
    const next = this.issueRefreshToken(clientId, r.userId, r.scopes);
    return this.answer(r.userId, r.scopes, { refresh_token: next });
  }

  private jwtGrant(assertion: string): TokenAnswer {
    const parts = assertion.split('.');
    if (parts.length !== 3) return tokenError(400, 'invalid_grant', 'Invalid JWT Signature.');
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return tokenError(400, 'invalid_grant', 'Invalid JWT Signature.');
    }
    const account = this.accounts.get(String(claims['iss'] ?? '').toLowerCase());
    if (!account) return tokenError(400, 'invalid_grant', 'Invalid grant: account not found');
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
    const ok = header['alg'] === 'RS256' && verify('RSA-SHA256', signed, account.publicKey, Buffer.from(parts[2]!, 'base64url'));
    if (!ok) return tokenError(400, 'invalid_grant', 'Invalid JWT Signature.');
    const nowSec = this.now() / 1000;
    const iat = Number(claims['iat']);
    const exp = Number(claims['exp']);
    if (!(exp > nowSec - 300) || !(iat <= nowSec + 300) || exp - iat > 3600) {
      return tokenError(400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.');
    }
    if (claims['aud'] !== GOOGLE_TOKEN_AUD) return tokenError(400, 'invalid_grant', 'Invalid JWT: Failed audience check.');
    const scopes = String(claims['scope'] ?? '').split(' ').filter((s) => s !== '');
    if (scopes.length === 0) return tokenError(400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    const sub = typeof claims['sub'] === 'string' && claims['sub'] !== '' ? claims['sub'].toLowerCase() : undefined;
    if (sub !== undefined && sub !== account.email) {
      if (!account.delegation || !this.hasUser(sub)) {
        return tokenError(401, 'unauthorized_client', 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.');
      }
      return this.answer(sub, scopes);
    }
    return this.answer(account.email, scopes);
  }
}

export const publicKeyOf = (pem: string): KeyObject => createPublicKey(pem);
