/**
 * The HTTP pipeline every route goes through, in GitHub's order: credentials (401 first), injected
 * faults, secondary then primary rate limits, repository visibility (404 for what the
 * credentials cannot see, 301 for a renamed repository), the route, conditional requests.
 *
 * Sources:
 * - https://docs.github.com/rest/using-the-rest-api/getting-started-with-the-rest-api — headers
 *   `x-github-request-id`, `x-github-media-type: github.v3; format=json`,
 *   `x-github-api-version-selected`, JSON as `application/json; charset=utf-8`.
 * - https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api —
 *   conditional requests: `etag` on responses, `If-None-Match` → 304 with no body (not counted
 *   against the primary limit when authorised); follow 301 redirects (renamed repositories
 *   and transferred issues are served under `/repositories/{id}/…`).
 * - https://docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api — malformed
 *   JSON bodies → 400 `Problems parsing JSON`; unknown routes → 404 `Not Found`.
 * - Raw media type responses: the bytes, as `text/plain; charset=utf-8` (the type
 *   raw.githubusercontent.com uses; the API's exact content type for raw is not documented).
 */

import { createHash, randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Credential, Credentials, GitHubApp } from './auth.ts';
import { ApiError, badCredentials, DOCS, linkHeader, notFound, pageParams, Redirect } from './errors.ts';
import type { RateLimits } from './ratelimit.ts';
import type { Shapes } from './shapes.ts';
import type { Repo, World } from './world.ts';

export interface TreeLimits { maxTreeEntries: number; maxTreeBytes: number }

export interface RouteContext {
  readonly world: World;
  readonly shapes: Shapes;
  readonly creds: Credentials;
  readonly credential: Credential | undefined;
  readonly app: GitHubApp | undefined;
  readonly repo: Repo | undefined;
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly body: unknown;
  readonly accept: string;
  /** The public URL of this request (on `/repositories/{id}` for repository routes), for `Link`. */
  readonly url: URL;
  readonly path: string;
  readonly api: string;
  readonly limits: TreeLimits;
  canSee(repo: Repo): boolean;
  paginate(items: readonly unknown[]): RouteResult;
}

export interface RouteResult { status?: number; body?: unknown; raw?: Buffer; headers?: Record<string, string> }

export interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly docs: string;
  /** 'jwt': the app JWT is the credential. @default 'token' */
  readonly auth?: 'jwt' | 'token';
  readonly handler: (ctx: RouteContext) => RouteResult;
}

export interface RecordedRequest {
  readonly at: number;
  readonly method: string;
  /** The path as requested (before `/repositories/{id}` rewriting). */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** `GET /repos/{owner}/{repo}/issues` — the documented route template. */
  readonly route: string;
  readonly status: number;
  readonly token: string | undefined;
}

export interface ServerDeps {
  readonly world: World;
  readonly creds: Credentials;
  readonly limits: RateLimits;
  readonly shapes: () => Shapes;
  readonly api: () => string;
  readonly log: RecordedRequest[];
  readonly tree: TreeLimits;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const template = (path: string): string => path.replace(/:(\w+)/g, '{$1}').replace(/\*$/, '{path}');

export function buildServer(routes: readonly Route[], deps: ServerDeps): FastifyInstance {
  const { world, creds, limits } = deps;
  const app = Fastify({
    logger: false, forceCloseConnections: true, bodyLimit: 110 * 1024 * 1024,
    rewriteUrl: (req) => {
      const url = req.url ?? '/';
      const m = /^\/repositories\/(\d+)(\/[^?]*)?(\?.*)?$/.exec(url);
      const repo = m ? world.repos.get(Number(m[1])) : undefined;
      if (!m || !repo) return url;
      return `/repos/${repo.owner.login}/${repo.name}${m[2] ?? ''}${m[3] ?? ''}`;
    },
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    if (body === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new ApiError(400, 'Problems parsing JSON', DOCS), undefined);
    }
  });

  for (const route of routes) {
    app.route({ method: route.method, url: route.path, handler: (request, reply) => handle(route, request, reply) });
  }
  app.setNotFoundHandler((request, reply) => {
    record(request, 'UNKNOWN', 404);
    return send(reply, notFound().body(), 404, { 'content-type': JSON_TYPE });
  });
  app.setErrorHandler((error: unknown, request, reply) => {
    const apiError = error instanceof ApiError ? error : new ApiError(400, 'Problems parsing JSON');
    record(request, 'UNKNOWN', apiError.status);
    return send(reply, apiError.body(), apiError.status, { 'content-type': JSON_TYPE });
  });

  function record(request: FastifyRequest, route: string, status: number, token?: string): void {
    const raw = request.originalUrl;
    const url = new URL(raw, 'http://127.0.0.1');
    deps.log.push({ at: world.now(), method: request.method, path: url.pathname, query: Object.fromEntries(url.searchParams), route, status, token });
  }

  function send(reply: FastifyReply, body: unknown, status: number, headers: Record<string, string>): FastifyReply {
    return reply.code(status).headers(headers).send(body === undefined ? '' : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
  }

  function handle(route: Route, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const key = `${route.method} ${template(route.path)}`;
    const requestId = `${randomBytes(2).toString('hex').toUpperCase()}:${randomBytes(3).toString('hex').toUpperCase()}:${randomBytes(4).toString('hex').toUpperCase()}`;
    const headers: Record<string, string> = {
      'content-type': JSON_TYPE, 'x-github-media-type': 'github.v3; format=json', 'x-github-api-version-selected': '2022-11-28', 'x-github-request-id': requestId,
    };
    const authorization = request.headers.authorization;
    let credential: Credential | undefined;
    let githubApp: GitHubApp | undefined;
    let limitKey: string | undefined;
    let limit = 60;
    const fail = (error: ApiError | Redirect): FastifyReply => {
      if (error instanceof Redirect) {
        record(request, key, 301, credential?.token);
        return send(reply, { message: 'Moved Permanently', url: error.location, documentation_url: 'https://docs.github.com/v3/#http-redirects' }, 301, { ...headers, location: error.location });
      }
      record(request, key, error.status, credential?.token);
      const rate = limitKey ? limits.headers(limitKey, limit) : {};
      return send(reply, error.body(), error.status, { ...headers, ...rate, ...error.headers });
    };
    try {
      if (route.auth === 'jwt') {
        githubApp = creds.verifyJwt(authorization);
      } else {
        credential = creds.resolve(authorization);
        limitKey = credential ? `${credential.kind}:${credential.installationId ?? credential.account?.id}` : 'ip:127.0.0.1';
        limit = credential?.limit ?? 60;
      }
      const injected = limits.faultFor(key) ?? limits.secondaryFor(key, requestId);
      if (injected) throw injected;
      if (limitKey) {
        const who = !credential ? 'ip 127.0.0.1' : credential.kind === 'installation' ? `installation ID ${credential.installationId}` : `user ID ${credential.account?.id}`;
        limits.take(limitKey, limit, who);
      }
      const params = request.params as Record<string, string | undefined>;
      let repo: Repo | undefined;
      const rawPath = new URL(request.url, 'http://127.0.0.1').pathname;
      let publicPath = rawPath;
      if (params['owner'] !== undefined && params['repo'] !== undefined) {
        const requested = `${params['owner']}/${params['repo']}`;
        const id = world.names.get(requested.toLowerCase());
        repo = id === undefined ? undefined : world.repos.get(id);
        if (!repo || repo.deleted || !creds.canSee(credential, repo)) throw notFound(route.docs);
        const rest = rawPath.slice(`/repos/${params['owner']}/${params['repo']}`.length);
        publicPath = `/repositories/${repo.id}${rest}`;
        if (world.fullName(repo).toLowerCase() !== requested.toLowerCase()) {
          const search = new URL(request.url, 'http://127.0.0.1').search;
          throw new Redirect(`${deps.api()}${publicPath}${search}`);
        }
      }
      const query = Object.fromEntries(new URL(request.url, 'http://127.0.0.1').searchParams) as Record<string, string | undefined>;
      const publicUrl = new URL(`${deps.api()}${publicPath}${new URL(request.url, 'http://127.0.0.1').search}`);
      const ctx: RouteContext = {
        world, shapes: deps.shapes(), creds, credential, app: githubApp, repo, params, query, body: request.body,
        accept: String(request.headers.accept ?? ''), url: publicUrl, path: rawPath, api: deps.api(), limits: deps.tree,
        canSee: (r) => creds.canSee(credential, r),
        paginate: (items) => {
          const { page, perPage } = pageParams(query);
          const lastPage = Math.max(1, Math.ceil(items.length / perPage));
          const link = linkHeader(publicUrl, page, lastPage);
          return { body: items.slice((page - 1) * perPage, page * perPage), headers: link ? { link } : {} };
        },
      };
      const result = route.handler(ctx);
      const status = result.status ?? 200;
      const rate = limitKey ? limits.headers(limitKey, limit) : {};
      const payload = result.raw ?? JSON.stringify(result.body);
      const etag = `W/"${createHash('sha256').update(payload).digest('hex')}"`;
      const out: Record<string, string> = { ...headers, ...rate, ...result.headers, etag, 'cache-control': 'private, max-age=60, s-maxage=60', vary: 'Accept, Authorization, Cookie, X-GitHub-OTP' };
      if (result.raw) out['content-type'] = 'text/plain; charset=utf-8';
      const ifNoneMatch = request.headers['if-none-match'];
      if (route.method === 'GET' && ifNoneMatch !== undefined && ifNoneMatch.split(',').map((s) => s.trim().replace(/^W\//, '')).includes(etag.replace(/^W\//, ''))) {
        if (limitKey && credential) limits.refund(limitKey);
        record(request, key, 304, credential?.token);
        const fresh = limitKey ? limits.headers(limitKey, limit) : {};
        delete out['content-type'];
        return send(reply, undefined, 304, { ...out, ...fresh });
      }
      record(request, key, status, credential?.token);
      return send(reply, payload, status, out);
    } catch (error) {
      if (error instanceof ApiError || error instanceof Redirect) return fail(error);
      if (error instanceof Error && /Bad credentials/.test(error.message)) return fail(badCredentials());
      throw error;
    }
  }

  return app;
}
