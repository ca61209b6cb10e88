/**
 * Credentials: personal access tokens, GitHub Apps (RS256 JWTs) and installation tokens, and
 * which repositories each may see.
 *
 * Sources:
 * - https://docs.github.com/rest/authentication/authenticating-to-the-rest-api — `Authorization:
 *   Bearer <token>` or `token <token>`; a wrong token → 401 `Bad credentials`. Unauthenticated
 *   requests see public resources only (60 requests/hour).
 * - https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app
 *   — RS256; claims `iat` (recommended 60 s in the past, against clock drift), `exp` "no more
 *   than 10 minutes into the future", `iss` = client ID or app ID.
 * - https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app —
 *   `POST /app/installations/{installation_id}/access_tokens` (JWT), optional body
 *   `repositories` / `repository_ids` to narrow the token; 201 `{token, expires_at, permissions,
 *   repository_selection, repositories?}`; "Installation access tokens expire one hour from the
 *   time you create them". Token prefixes `ghp_` (PAT), `ghs_` (installation):
 *   https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/.
 * - JWT error messages (401): `'Expiration time' claim ('exp') is too far in the future`,
 *   `'Issued at' claim ('iat') must be an Integer representing the time that the assertion was
 *   issued`, `'Expiration time' claim ('exp') must be a numeric value representing the future
 *   time at which the assertion expires`, `A JSON web token could not be decoded` — the wording
 *   users report from the live API; GitHub's docs do not list them (not confirmed).
 * - Private repositories the credentials cannot see answer 404, never 403
 *   (https://docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api#404-not-found-for-an-existing-resource).
 */

import { createSign, generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import { ApiError, badCredentials } from './errors.ts';
import type { Account, Repo } from './world.ts';

export interface Credential {
  readonly token: string;
  readonly kind: 'pat' | 'installation';
  /** The user a PAT acts as; installations act as `<app>[bot]`. */
  readonly account?: Account;
  /** Repository ids this credential may read privately; 'all' = every repository of its owner/grants. */
  readonly repos: ReadonlySet<number> | 'all';
  readonly installationId?: number;
  /** Epoch ms; installation tokens only. */
  readonly expiresAt?: number;
  /** Primary limit per hour. */
  readonly limit: number;
}

export interface GitHubApp {
  readonly id: number;
  readonly clientId: string;
  readonly slug: string;
  /** PEM, PKCS#1 — what GitHub hands out when you generate an app private key. */
  readonly privateKey: string;
  readonly publicKey: KeyObject;
}

export interface Installation {
  readonly id: number;
  readonly appId: number;
  readonly account: Account;
  /** 'all' or the repository ids selected for the installation. */
  readonly repos: ReadonlySet<number> | 'all';
}

export const INSTALLATION_TOKEN_TTL_MS = 3_600_000;
const MAX_JWT_LIFETIME_S = 600;

export class Credentials {
  readonly tokens = new Map<string, Credential>();
  readonly apps = new Map<number, GitHubApp>();
  readonly installations = new Map<number, Installation>();

  constructor(private readonly now: () => number) {}

  addToken(account: Account, repos: readonly number[] | 'all' = 'all', options: { token?: string; limit?: number } = {}): Credential {
    const credential: Credential = {
      token: options.token ?? `ghp_${this.random(36)}`, kind: 'pat', account, repos: repos === 'all' ? 'all' : new Set(repos), limit: options.limit ?? 5000,
    };
    this.tokens.set(credential.token, credential);
    return credential;
  }

  revoke(token: string): void {
    this.tokens.delete(token);
  }

  addApp(id: number, slug: string): GitHubApp {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const app: GitHubApp = {
      id, slug, clientId: `Iv23li${this.random(14)}`, privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), publicKey,
    };
    this.apps.set(id, app);
    return app;
  }

  addInstallation(id: number, appId: number, account: Account, repos: readonly number[] | 'all'): Installation {
    const installation: Installation = { id, appId, account, repos: repos === 'all' ? 'all' : new Set(repos) };
    this.installations.set(id, installation);
    return installation;
  }

  /** The credential of an `Authorization` header; undefined for none; throws 401 for a bad one. */
  resolve(header: string | undefined): Credential | undefined {
    if (header === undefined || header === '') return undefined;
    const token = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header)?.[1];
    const credential = token ? this.tokens.get(token) : undefined;
    if (!credential) throw badCredentials();
    if (credential.expiresAt !== undefined && credential.expiresAt <= this.now()) throw badCredentials();
    return credential;
  }

  /** Verifies an app JWT; returns the app. */
  verifyJwt(header: string | undefined): GitHubApp {
    const jwt = /^bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    const parts = jwt?.split('.');
    if (!parts || parts.length !== 3) throw new ApiError(401, 'A JSON web token could not be decoded');
    let headerJson: { alg?: string };
    let claims: { iat?: unknown; exp?: unknown; iss?: unknown };
    try {
      headerJson = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as { alg?: string };
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      throw new ApiError(401, 'A JSON web token could not be decoded');
    }
    const app = [...this.apps.values()].find((a) => String(a.id) === String(claims.iss) || a.clientId === claims.iss);
    if (headerJson.alg !== 'RS256' || !app) throw new ApiError(401, 'A JSON web token could not be decoded');
    const signed = verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), app.publicKey, Buffer.from(parts[2]!, 'base64url'));
    if (!signed) throw new ApiError(401, 'A JSON web token could not be decoded');
    const nowS = Math.floor(this.now() / 1000);
    if (typeof claims.iat !== 'number' || !Number.isInteger(claims.iat) || claims.iat > nowS) {
      throw new ApiError(401, "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued");
    }
    if (typeof claims.exp !== 'number' || claims.exp <= nowS) {
      throw new ApiError(401, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires");
    }
    if (claims.exp - claims.iat > MAX_JWT_LIFETIME_S || claims.exp > nowS + MAX_JWT_LIFETIME_S) {
      throw new ApiError(401, "'Expiration time' claim ('exp') is too far in the future");
    }
    return app;
  }

  /** Mints an installation token (1 h), optionally narrowed to some of the installation's repositories. */
  mintInstallationToken(installation: Installation, narrowTo?: readonly Repo[]): Credential {
    const repos = narrowTo ? new Set(narrowTo.map((r) => r.id)) : installation.repos;
    const credential: Credential = {
      token: `ghs_${this.random(36)}`, kind: 'installation', repos, installationId: installation.id, expiresAt: this.now() + INSTALLATION_TOKEN_TTL_MS, limit: 5000,
    };
    this.tokens.set(credential.token, credential);
    return credential;
  }

  /** Whether `credential` may read `repo` (public repositories are readable by everyone). */
  canSee(credential: Credential | undefined, repo: Repo): boolean {
    if (!repo.private) return true;
    if (!credential) return false;
    if (credential.kind === 'installation') {
      const installation = this.installations.get(credential.installationId!)!;
      if (installation.account.id !== repo.owner.id) return false;
      return credential.repos === 'all' || credential.repos.has(repo.id);
    }
    if (credential.repos === 'all') return credential.account?.id === repo.owner.id;
    return credential.repos.has(repo.id);
  }

  private random(length: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    return [...randomBytes(length)].map((b) => alphabet[b % alphabet.length]).join('');
  }
}

/** Signs an app JWT the way octokit/auth-app does (iat 30 s back; exp +10 min) — for tests. */
export function signAppJwt(app: Pick<GitHubApp, 'id' | 'privateKey'>, nowMs: number, claims: { iat?: number; exp?: number } = {}): string {
  const iat = claims.iat ?? Math.floor(nowMs / 1000) - 30;
  const exp = claims.exp ?? iat + 600;
  const head = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(JSON.stringify({ iat, exp, iss: app.id })).toString('base64url');
  const signature = createSign('RSA-SHA256').update(`${head}.${body}`).sign(app.privateKey).toString('base64url');
  return `${head}.${body}.${signature}`;
}
