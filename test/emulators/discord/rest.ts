/**
 * REST v10 over loopback HTTP: routing, `Authorization: Bot <token>`, rate limits, the request log.
 *
 * - Base `/api/v10`; a missing or wrong token answers 401 `{"message": "401: Unauthorized",
 *   "code": 0}`; `GET /gateway` needs no token (docs: events/gateway#get-gateway).
 * - Unknown routes 404 `{"message": "404: Not Found", "code": 0}`, a known route with another
 *   method 405 `{"message": "405: Method Not Allowed", "code": 0}` (Discord's generic bodies).
 * - Route names in the log and in rate-limit configuration are written as in the docs:
 *   "GET /channels/{channel.id}/messages".
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { DiscordHttpError, methodNotAllowed, notFound, unauthorized } from './errors.ts';
import { RateLimiter } from './ratelimit.ts';

export interface RouteContext {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Docs-style path, e.g. "/channels/{channel.id}/messages/{message.id}". */
  readonly path: string;
  readonly auth?: boolean;
  readonly handle: (ctx: RouteContext) => unknown;
}

/** One request as the emulator saw it. */
export interface RequestLogEntry {
  readonly method: string;
  /** "GET /channels/{channel.id}/messages", or the raw path when no route matched. */
  readonly route: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly status: number;
  readonly at: number;
  readonly bucket?: string;
}

interface CompiledRoute extends Route {
  readonly name: string;
  readonly pattern: RegExp;
  readonly keys: readonly string[];
}

const MAJOR = ['channel.id', 'guild.id', 'webhook.id'];

function compile(route: Route): CompiledRoute {
  const keys: string[] = [];
  const source = route.path.split('/').map((segment) => {
    const key = /^\{(.+)\}$/.exec(segment)?.[1];
    if (key === undefined) return segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    keys.push(key);
    return '([^/]+)';
  }).join('/');
  return { ...route, name: `${route.method} ${route.path}`, pattern: new RegExp(`^${source}$`), keys };
}

export class RestServer {
  readonly log: RequestLogEntry[] = [];
  private readonly routes: CompiledRoute[];

  constructor(routes: readonly Route[], private readonly token: () => string, readonly limiter: RateLimiter, private readonly clock: () => number = () => Date.now()) {
    // Literal segments ("@me") before parameters, so /users/@me is not read as /users/{user.id}.
    this.routes = routes.map(compile).sort((a, b) => a.keys.length - b.keys.length);
  }

  handles(url: string): boolean {
    return url.startsWith('/api/');
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for await (const _chunk of req) { /* bodies are not read by the emulated routes */ }
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/^\/api\/v10(?=\/)/, '');
    const query = Object.fromEntries(url.searchParams);
    let routeName = `${method} ${url.pathname}`;
    let bucket: string | undefined;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      this.log.push({ method, route: routeName, path: url.pathname, query, status, at: this.clock(), ...(bucket !== undefined ? { bucket } : {}) });
      const text = body === undefined ? '' : JSON.stringify(body);
      res.writeHead(status, { ...(text ? { 'content-type': 'application/json' } : {}), ...headers });
      res.end(text);
    };
    try {
      if (!url.pathname.startsWith('/api/v10/')) throw notFound();
      const candidates = this.routes.map((r) => ({ r, m: r.pattern.exec(path) })).filter((c) => c.m !== null);
      const match = candidates.find((c) => c.r.method === method);
      if (!match) throw candidates.length > 0 ? methodNotAllowed() : notFound();
      const route = match.r;
      routeName = route.name;
      const params = Object.fromEntries(route.keys.map((k, i) => [k, decodeURIComponent(match.m![i + 1]!)]));
      if (route.auth !== false) {
        const header = req.headers.authorization ?? '';
        if (header !== `Bot ${this.token()}`) throw unauthorized();
      }
      const major = MAJOR.map((k) => params[k]).find((v) => v !== undefined) ?? '';
      const decision = this.limiter.check(route.name, major);
      bucket = decision.bucket;
      if (decision.refused) return send(429, decision.refused.body, decision.refused.headers);
      try {
        const body = route.handle({ params, query: url.searchParams });
        send(body === undefined ? 204 : 200, body, decision.headers);
      } catch (error) {
        if (error instanceof DiscordHttpError) send(error.status, error.body, decision.headers);
        else throw error;
      }
    } catch (error) {
      if (error instanceof DiscordHttpError) send(error.status, error.body);
      else send(500, { message: '500: Internal Server Error', code: 0, emulator: String(error) });
    }
  }
}
