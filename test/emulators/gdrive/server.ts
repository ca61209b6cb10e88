/**
 * The fastify endpoint (`/token`, `/drive/v3/...`), the request log, and the emulator handle.
 *
 * Sources:
 * - Hosts: the SDK builds `${rootUrl}drive/v3/...` from the discovery document (rootUrl
 *   "https://www.googleapis.com/", servicePath ""), so the emulator serves `/drive/v3/*` at its
 *   root and clients pass `rootUrl: <url>/`. The token endpoint is https://oauth2.googleapis.com/token.
 * - Order of checks: authentication (401) first, then the per-user quota (403/429), then injected
 *   faults, then parameter validation (400) and the method (404/403) — Google's front end checks
 *   credentials and quota before the backend sees the request.
 * - Error bodies: ./errors.ts. Route names in the log are the discovery document's method ids
 *   (`drive.files.list` → "files.list").
 */

import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { OAuthServer, type AccessToken } from './auth.ts';
import { DriveError } from './errors.ts';
import type { ChangeEntry } from './model.ts';
import type { Query } from './params.ts';
import { PushHub, type Channel } from './push.ts';
import { Faults, RateLimiter, type RateLimitOptions } from './ratelimit.ts';
import { changesList, changesWatch, channelsStop, inScope, startPageToken, type ChangeScope } from './routes-changes.ts';
import { drivesList, filesExport, filesGet, filesList, permissionsList, type Ctx } from './routes-files.ts';
import { World } from './world.ts';

export interface GDriveEmulatorOptions {
  /** Clock (epoch ms) for modifiedTime, token expiry, quotas and channel expiry. @default Date.now */
  readonly now?: () => number;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** Per-user quota; `false` turns it off. @default {perUser: 12_000, windowMs: 60_000, status: 403} */
  readonly rateLimit?: RateLimitOptions | false;
  /** Lifetime of access tokens the token endpoint issues. @default 3599 */
  readonly accessTokenTtlSec?: number;
  /** Return a new refresh_token on every refresh and retire the old one. @default false */
  readonly rotateRefreshTokens?: boolean;
  /** Batching window for `change` notifications. @default 50 */
  readonly notificationDelayMs?: number;
}

export interface RecordedRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Discovery method id without the `drive.` prefix, e.g. "files.list"; "token" for /token. */
  readonly route: string;
  readonly userId: string | undefined;
  readonly status: number;
  readonly reason: string | undefined;
}

type Handler = (ctx: Ctx, params: Record<string, string>, body: unknown) => unknown;

export class GDriveServer {
  url = '';
  readonly world: World;
  readonly oauth: OAuthServer;
  readonly push: PushHub;
  readonly limiter: RateLimiter;
  readonly faults = new Faults();
  readonly log: RecordedRequest[] = [];
  readonly now: () => number;
  private readonly app: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 64 * 1024 * 1024 });

  protected constructor(private readonly options: GDriveEmulatorOptions) {
    this.now = options.now ?? (() => Date.now());
    this.push = new PushHub(this.now, options.notificationDelayMs ?? 50);
    this.world = new World(this.now, (e) => this.onChange(e));
    this.oauth = new OAuthServer(this.now, options.accessTokenTtlSec ?? 3599, (email) => this.world.principals.has(email.toLowerCase()));
    this.oauth.rotateRefreshTokens = options.rotateRefreshTokens ?? false;
    this.limiter = new RateLimiter(this.now, options.rateLimit ?? { perUser: 12_000, windowMs: 60_000, status: 403 });
    this.app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    this.app.post('/token', (req, reply) => {
      const answer = this.oauth.token((req.body ?? {}) as Record<string, string>);
      this.record(req, 'token', undefined, answer.status, typeof answer.body['error'] === 'string' ? answer.body['error'] : undefined);
      return reply.code(answer.status).header('content-type', 'application/json; charset=utf-8').send(answer.body);
    });
    const get = (path: string, route: string, h: Handler): void => { this.app.get(path, (req, reply) => this.run(req, reply, route, h)); };
    get('/drive/v3/files', 'files.list', (ctx) => filesList(ctx));
    get('/drive/v3/files/:fileId', 'files.get', (ctx, p) => filesGet(ctx, p['fileId']!));
    get('/drive/v3/files/:fileId/export', 'files.export', (ctx, p) => filesExport(ctx, p['fileId']!));
    get('/drive/v3/files/:fileId/permissions', 'permissions.list', (ctx, p) => permissionsList(ctx, p['fileId']!));
    get('/drive/v3/drives', 'drives.list', (ctx) => drivesList(ctx));
    get('/drive/v3/changes/startPageToken', 'changes.getStartPageToken', (ctx) => startPageToken(ctx));
    get('/drive/v3/changes', 'changes.list', (ctx) => changesList(ctx));
    this.app.post('/drive/v3/changes/watch', (req, reply) => this.run(req, reply, 'changes.watch', (ctx, _p, body) => changesWatch(ctx, this.push, this.url, body)));
    this.app.post('/drive/v3/channels/stop', (req, reply) => this.run(req, reply, 'channels.stop', (_ctx, _p, body) => {
      channelsStop(this.push, body);
      void reply.code(204);
      return '';
    }));
    this.app.setNotFoundHandler((req, reply) => {
      const err = new DriveError(404, 'notFound', 'Not Found');
      this.record(req, 'unknown', undefined, 404, 'notFound');
      return reply.code(404).send(err.body());
    });
  }

  protected async listen(): Promise<void> {
    await this.app.listen({ host: '127.0.0.1', port: this.options.port ?? 0 });
    const address = this.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('gdrive emulator: no TCP address');
    this.url = `http://127.0.0.1:${address.port}`;
  }

  async close(): Promise<void> {
    this.push.close();
    await this.app.close();
  }

  private run(req: FastifyRequest, reply: FastifyReply, route: string, h: Handler): unknown {
    let token: AccessToken | undefined;
    try {
      token = this.oauth.authenticate(req.headers.authorization);
      this.limiter.take(token.userId);
      this.faults.check(route);
      const ctx: Ctx = { world: this.world, userId: token.userId, query: req.query as Query, reply };
      const out = h(ctx, req.params as Record<string, string>, req.body);
      const status = reply.statusCode;
      this.record(req, route, token.userId, status, undefined);
      if (Buffer.isBuffer(out)) return reply.send(out);
      if (status === 204) return reply.send();
      return reply.header('content-type', 'application/json; charset=UTF-8').send(JSON.stringify(out));
    } catch (e) {
      if (!(e instanceof DriveError)) throw e;
      this.record(req, route, token?.userId, e.code, e.reason);
      if (e.code === 401) void reply.header('www-authenticate', 'Bearer realm="https://accounts.google.com/", error="invalid_token"');
      return reply.code(e.code).header('content-type', 'application/json; charset=UTF-8').send(JSON.stringify(e.body()));
    }
  }

  private record(req: FastifyRequest, route: string, userId: string | undefined, status: number, reason: string | undefined): void {
    const u = new URL(req.url, 'http://x');
    this.log.push({ at: this.now(), method: req.method, path: u.pathname, query: Object.fromEntries(u.searchParams), route, userId, status, reason });
  }

  private onChange(e: ChangeEntry): void {
    this.push.changed((c: Channel) => inScope(this.world, c.userId, e, c.meta as ChangeScope));
  }
}
