/**
 * The API over loopback HTTP (fastify), and the emulator's handle.
 *
 * Sources:
 * - Base https://api.tempo.io (also api.eu.tempo.io / api.us.tempo.io), paths under /4 and
 *   /papertrail/1; `Authorization: Bearer <token>` ("Authentication", https://apidocs.tempo.io/).
 *   A missing or unknown token answers 401 text/html ("Errors" table).
 * - Order of checks: the token, then the gateway's rate limit (429), then the route. Fault
 *   injection (a test's 5xx) answers after the rate limit. Every authenticated request that is not
 *   refused by the limiter is counted against the token's budget.
 * - Delete requests answer 204 with no body ("API conventions > Delete requests").
 */

import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { injected, JSON_TYPE, TempoError, tooManyRequests, unauthorized, type TempoAnswer } from './errors.ts';
import type { QueryPolicy, Query } from './query.ts';
import { DOCUMENTED_RATE_LIMIT, RateLimiter, type RateLimit } from './ratelimit.ts';
import { ROUTES, type RouteContext } from './routes.ts';
import type { TimestampStyle } from './shapes.ts';
import { WebhookHub, type Delivery, type Subscription } from './webhooks.ts';
import { TempoWorld } from './world.ts';

export interface TempoEmulatorOptions {
  /** Clock for createdAt/updatedAt, deletions, audit events and the rate limiter (epoch ms). @default Date.now */
  readonly now?: () => number;
  /** Tokens accepted from the start, each seeing every project. @default ['tempo-emulator-token'] */
  readonly tokens?: readonly string[];
  /** @default the documented 5 requests/second per token; false turns limiting off */
  readonly rateLimit?: RateLimit | false;
  /** @default 'clamp' */
  readonly limitPolicy?: QueryPolicy['limitPolicy'];
  /** @default 'ignore' */
  readonly unknownParameters?: QueryPolicy['unknownParameters'];
  /** @default 'seconds' */
  readonly timestampStyle?: TimestampStyle;
  /** The Jira site `issue.self` and `author.self` point to. @default 'https://emulator.atlassian.net' */
  readonly jiraSite?: string;
  /** First tempoWorklogId handed out (jiraWorklogId = 10000 + id). @default 1 */
  readonly firstWorklogId?: number;
  /** Refuse http:// webhook URLs even on loopback. @default false */
  readonly requireHttpsWebhooks?: boolean;
}

export interface RecordedRequest {
  readonly at: number;
  readonly method: string;
  /** The route pattern, e.g. '/4/worklogs/:id' ('' when no route matched). */
  readonly route: string;
  readonly path: string;
  readonly query: Readonly<Query>;
  readonly status: number;
  readonly token: string | undefined;
}

interface Fault { status: number; remaining: number }

export class TempoEmulator extends TempoWorld {
  /** The API base, `http://127.0.0.1:<port>` — paths start with /4 (or /papertrail/1). */
  url = '';
  private readonly log: RecordedRequest[] = [];
  private readonly faults = new Map<string, Fault>();
  private readonly limiter: RateLimiter;
  private readonly hub: WebhookHub;
  private readonly app: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true });

  private constructor(private readonly options: TempoEmulatorOptions) {
    const now = options.now ?? (() => Date.now());
    super(now, options.firstWorklogId ?? 1);
    for (const token of options.tokens ?? ['tempo-emulator-token']) this.addToken(token);
    this.limiter = new RateLimiter(now, options.rateLimit ?? DOCUMENTED_RATE_LIMIT);
    this.hub = new WebhookHub(now, { requireHttps: options.requireHttpsWebhooks ?? false });
    this.onWorklog((event, worklog) => this.hub.worklog(event, worklog));
    this.app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body: string, done) => {
      try {
        done(null, body === '' ? undefined : JSON.parse(body));
      } catch {
        done(new TempoError(400, 'Malformed JSON request body'), undefined);
      }
    });
    for (const [method, url, handler] of ROUTES) {
      this.app.route({ method, url, handler: async (request, reply) => this.serve(request, reply, url, handler) });
    }
    this.app.setNotFoundHandler(async (request, reply) => this.serve(request, reply, '', () => {
      throw new TempoError(404, `No endpoint ${request.method} ${request.url.split('?')[0]}`);
    }));
    this.app.setErrorHandler(async (error, request, reply) => {
      const answer = error instanceof TempoError ? error.answer() : new TempoError(400, (error as Error).message).answer();
      return this.send(request, reply, '', undefined, answer);
    });
  }

  static async start(options: TempoEmulatorOptions = {}): Promise<TempoEmulator> {
    const emulator = new TempoEmulator(options);
    emulator.url = await emulator.app.listen({ port: 0, host: '127.0.0.1' });
    return emulator;
  }

  async close(): Promise<void> {
    await this.hub.flush();
    await this.app.close();
  }

  // ───────────────────────────── control ─────────────────────────────

  setRateLimit(limit: RateLimit | false): void {
    this.limiter.set(limit);
  }

  resetRateLimit(): void {
    this.limiter.reset();
  }

  /** The next `count` requests to `route` (method + pattern, e.g. 'GET /4/worklogs') answer `status`. */
  failNext(route: string, count: number, status = 503): void {
    this.faults.set(route, { status, remaining: count });
  }

  requests(): readonly RecordedRequest[] {
    return this.log;
  }

  /** Requests to `route` ('GET /4/worklogs', 'GET /4/worklogs/:id', …), of one status or all. */
  count(route: string, status?: number): number {
    return this.log.filter((r) => `${r.method} ${r.route}` === route && (status === undefined || r.status === status)).length;
  }

  clearRequests(): void {
    this.log.length = 0;
  }

  get subscriptions(): readonly Subscription[] {
    return [...this.hub.subscriptions.values()];
  }

  get deliveries(): readonly Delivery[] {
    return this.hub.deliveries;
  }

  /** Waits for webhook deliveries in flight. */
  flushWebhooks(): Promise<void> {
    return this.hub.flush();
  }

  /** One round of Tempo's retries for failed deliveries (up to ten, then the subscription goes inactive). */
  runWebhookRetries(): Promise<void> {
    return this.hub.runRetries();
  }

  // ───────────────────────────── HTTP ─────────────────────────────

  private async serve(request: FastifyRequest, reply: FastifyReply, route: string, handler: (typeof ROUTES)[number][2]): Promise<FastifyReply> {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!token || !this.tokens.has(token)) return this.send(request, reply, route, token, unauthorized());
    const limit = this.limiter.current;
    if (!this.limiter.take(token)) return this.send(request, reply, route, token, tooManyRequests(limit ? limit.retryAfterSeconds : undefined));
    const fault = this.faults.get(`${request.method} ${route}`);
    if (fault && fault.remaining > 0) {
      fault.remaining -= 1;
      return this.send(request, reply, route, token, injected(fault.status));
    }
    const ctx: RouteContext = {
      world: this, hub: this.hub,
      shape: { base: this.url, jiraSite: this.options.jiraSite ?? 'https://emulator.atlassian.net', timestampStyle: this.options.timestampStyle ?? 'seconds' },
      policy: { limitPolicy: this.options.limitPolicy ?? 'clamp', unknownParameters: this.options.unknownParameters ?? 'ignore' },
    };
    try {
      const result = await handler(ctx, {
        token, params: request.params as Record<string, string>, query: request.query as Query, body: request.body,
        url: new URL(request.url, this.url),
      });
      const answer: TempoAnswer = { status: result.status, contentType: JSON_TYPE, body: result.json === undefined ? '' : JSON.stringify(result.json) };
      return this.send(request, reply, route, token, answer);
    } catch (error) {
      if (error instanceof TempoError) return this.send(request, reply, route, token, error.answer());
      throw error;
    }
  }

  private send(request: FastifyRequest, reply: FastifyReply, route: string, token: string | undefined, answer: TempoAnswer): FastifyReply {
    this.log.push({
      at: this.now(), method: request.method, route, path: request.url.split('?')[0] ?? '', query: (request.query ?? {}) as Query,
      status: answer.status, token,
    });
    void reply.code(answer.status).headers(answer.headers ?? {});
    if (answer.body === '') return reply.send();
    return reply.type(answer.contentType).send(answer.body);
  }
}

export const startTempo = (options?: TempoEmulatorOptions): Promise<TempoEmulator> => TempoEmulator.start(options);
