/**
 * The site over loopback HTTP (fastify) and the emulator's handle.
 *
 * Sources:
 * - Base URL `https://<site>.atlassian.net/wiki`; v2 under `/wiki/api/v2`, v1 under
 *   `/wiki/rest/api` (confluence.js 2.1.0 BaseClient: default apiPrefix `/wiki/rest/`).
 * - Auth: Basic `email:api_token` or `Authorization: Bearer <OAuth 2.0 token>`
 *   (https://developer.atlassian.com/cloud/confluence/basic-auth-for-rest-apis/). Checked before
 *   anything else; the 401 bodies are described in ./errors.ts.
 * - Order: auth (401) → injected fault → rate limit (429, ./ratelimit.ts) → route validation
 *   (400) → visibility (404).
 * - Unknown routes answer 404 in the API's error format.
 */

import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { BASIC_AUTH_FAILURE, ConfluenceError, errorReply, type Api } from './errors.ts';
import { normalizeQuery, type Ctx, type Query, type Reply } from './http.ts';
import { RateLimiter, type RateLimits } from './ratelimit.ts';
import { v1Routes } from './routes-v1.ts';
import { v2Routes, type Handler } from './routes-v2.ts';
import { WebhookHub, type FiredDelivery, type WebhookRegistration } from './webhooks.ts';
import { ConfluenceWorld, type StoredUser } from './world.ts';

export interface ConfluenceEmulatorOptions {
  /** Clock for versions, CQL dates and rate-limit windows (epoch ms). @default Date.now */
  readonly now?: () => number;
  /** @default 100 requests per 10 s per account (Atlassian publishes no number) */
  readonly rateLimits?: RateLimits;
  /** Cap on v1 search `limit` (Atlassian: "may be restricted by fixed system limits"). @default 100 */
  readonly searchMaxLimit?: number;
}

export interface RecordedRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  /** Route pattern, e.g. `GET /wiki/api/v2/pages/:id`. */
  readonly route: string;
  readonly query: Query;
  readonly status: number;
  readonly accountId: string | undefined;
}

interface Fault { remaining: number; readonly status: number; readonly headers: Record<string, string> }

export class ConfluenceEmulator extends ConfluenceWorld {
  /** `http://127.0.0.1:<port>` — give this to clients as the host; the site is under `/wiki`. */
  url = '';
  readonly log: RecordedRequest[] = [];
  readonly webhooks: WebhookHub;
  private readonly limiter: RateLimiter;
  private readonly faults = new Map<string, Fault[]>();
  private readonly app: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true });

  private constructor(options: ConfluenceEmulatorOptions) {
    super(options.now ?? (() => Date.now()));
    this.limiter = new RateLimiter(this.now, options.rateLimits ?? {});
    this.webhooks = new WebhookHub(this);
    const routes: Record<string, Handler> = { ...v2Routes(this), ...v1Routes(this, { searchMaxLimit: options.searchMaxLimit ?? 100 }) };
    for (const [key, handler] of Object.entries(routes)) {
      const [method, url] = key.split(' ') as ['GET', string];
      this.app.route({ method, url, handler: (req, reply) => this.dispatch(key, handler, req, reply) });
    }
    this.app.setNotFoundHandler((req, reply) => this.dispatch(`${req.method} (unknown)`, () => { throw new ConfluenceError(404); }, req, reply));
  }

  static async start(options: ConfluenceEmulatorOptions = {}): Promise<ConfluenceEmulator> {
    const emulator = new ConfluenceEmulator(options);
    emulator.url = await emulator.app.listen({ port: 0, host: '127.0.0.1' });
    return emulator;
  }

  async close(): Promise<void> {
    await this.webhooks.settle();
    await this.app.close();
  }

  // ───────────────────────────── control ─────────────────────────────

  /** The recorded requests (optionally only those of one route pattern, e.g. `GET /wiki/api/v2/pages`). */
  requests(route?: string): readonly RecordedRequest[] {
    return route ? this.log.filter((r) => r.route === route) : this.log;
  }

  /** Calls of a route pattern (any status, or only `status`). */
  count(route: string, status?: number): number {
    return this.log.filter((r) => r.route === route && (status === undefined || r.status === status)).length;
  }

  /** Calls per route pattern. */
  countsByRoute(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.log) out[r.route] = (out[r.route] ?? 0) + 1;
    return out;
  }

  resetLog(): void {
    this.log.length = 0;
  }

  /** The next `times` authenticated calls of `route` answer `status` (with the API's error body). */
  failNext(route: string, times: number, status: number, headers: Record<string, string> = {}): void {
    const list = this.faults.get(route) ?? [];
    list.push({ remaining: times, status, headers });
    this.faults.set(route, list);
  }

  setRateLimits(limits: RateLimits): void {
    this.limiter.set(limits);
  }

  resetRateLimits(): void {
    this.limiter.reset();
  }

  registerWebhook(registration: WebhookRegistration): void {
    this.webhooks.register(registration);
  }

  get deliveries(): readonly FiredDelivery[] {
    return this.webhooks.deliveries;
  }

  // ───────────────────────────── HTTP ─────────────────────────────

  private authenticate(header: string | undefined): StoredUser | 'bad-basic' | 'bad-bearer' | undefined {
    if (!header) return undefined;
    const basic = /^Basic\s+(\S+)$/i.exec(header);
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      const [email, token] = [decoded.slice(0, i), decoded.slice(i + 1)];
      for (const u of this.users.values()) if (u.email === email && u.apiToken === token) return u;
      return 'bad-basic';
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(header);
    if (bearer) {
      for (const u of this.users.values()) if (u.accessToken === bearer[1]) return u;
      return 'bad-bearer';
    }
    return 'bad-basic';
  }

  private dispatch(route: string, handler: Handler, req: FastifyRequest, reply: FastifyReply): FastifyReply {
    const path = req.url.split('?')[0]!;
    const api: Api = path.startsWith('/wiki/api/v2') ? 'v2' : 'v1';
    const query = normalizeQuery(req.query);
    const auth = this.authenticate(req.headers.authorization);
    const user = typeof auth === 'object' ? auth : undefined;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}, type = 'application/json;charset=UTF-8'): FastifyReply => {
      this.log.push({ at: this.now(), method: req.method, path, route, query, status, accountId: user?.accountId });
      return reply.code(status).headers(headers).type(type).send(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (auth === 'bad-basic') return send(401, BASIC_AUTH_FAILURE, {}, 'text/plain;charset=UTF-8');
    if (auth === 'bad-bearer') return send(401, { code: 401, message: 'Unauthorized' });
    if (!user) return send(401, errorReply(api, 401).body);

    const fault = this.faults.get(route)?.find((f) => f.remaining > 0);
    if (fault) {
      fault.remaining -= 1;
      return send(fault.status, errorReply(api, fault.status).body, fault.headers);
    }
    const rate = this.limiter.take(user.accountId);
    if (rate.limited) return send(429, errorReply(api, 429, 'Rate limit exceeded.').body, rate.headers);

    const ctx: Ctx = { user, query, params: (req.params ?? {}) as Record<string, string>, base: `${this.url}/wiki`, path };
    let result: Reply;
    try {
      result = handler(ctx);
    } catch (error) {
      if (!(error instanceof ConfluenceError)) throw error;
      const e = errorReply(api, error.status, error.message);
      return send(e.status, e.body, rate.headers);
    }
    return send(result.status ?? 200, result.body, { ...rate.headers, ...result.headers });
  }
}

export const startConfluence = (options?: ConfluenceEmulatorOptions): Promise<ConfluenceEmulator> => ConfluenceEmulator.start(options);
