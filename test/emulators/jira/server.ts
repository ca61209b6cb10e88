/**
 * The Jira Cloud REST v3 endpoint over loopback HTTP (fastify), and the emulator's handle.
 *
 * Sources:
 * - Auth: https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/ —
 *   `Authorization: Basic base64(email:api_token)`; OAuth 2.0 access tokens as `Bearer`
 *   (https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/). Credentials are
 *   checked first; missing or wrong → 401 ErrorCollection (./errors.ts).
 * - Then the rate limit (./ratelimit.ts), then injected faults, then the route.
 * - GET /rest/api/3/myself → User (accountId, emailAddress, displayName, timeZone, …);
 *   GET /rest/api/3/serverInfo → ServerInformation (baseUrl, version, versionNumbers,
 *   deploymentType "Cloud", buildNumber, buildDate, serverTime, scmInfo, serverTitle,
 *   defaultLocale) — swagger-v3.v3.json examples.
 * - Unknown routes: 404 ErrorCollection. Unknown query parameters are ignored, as Jira does.
 */

import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { errorBody, fail, JiraHttpError, MESSAGES } from './errors.ts';
import { DEFAULT_LIMITS, RateLimiter, type RateLimits } from './ratelimit.ts';
import * as routes from './routes.ts';
import { myself, type Json } from './shapes.ts';
import { JiraSite, type JiraUser, type SiteEvent } from './site.ts';
import { jiraTimestamp } from './time.ts';
import { WebhookHub, webhookPayload, type FiredDelivery, type WebhookRegistration } from './webhooks.ts';

export interface JiraEmulatorOptions {
  /** Epoch-ms clock for timestamps, JQL relative dates, token expiry, rate windows. @default Date.now */
  readonly now?: () => number;
  readonly rateLimits?: RateLimits;
  /** Timestamps in the caller's zone (Jira Cloud) or always +0000. @default 'user' */
  readonly timestampZone?: 'user' | 'utc';
  /** /worklog/updated|deleted page size. @default 1000 */
  readonly worklogPageSize?: number;
  /** nextPageToken lifetime. @default 7 days */
  readonly tokenTtlMs?: number;
  /** Webhook tries per delivery (first + retries). @default 6 (1 + 5 retries) */
  readonly webhookAttempts?: number;
  /** Delay between webhook tries. @default 10 */
  readonly webhookRetryDelayMs?: number;
  readonly webhookTimeoutMs?: number;
}

export interface RecordedRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  /** Route pattern, e.g. 'GET /rest/api/3/issue/:idOrKey'. */
  readonly route: string;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
  readonly status: number;
  readonly accountId: string | undefined;
}

interface Fault { remaining: number; readonly status: number; readonly retryAfter?: number }

const API = '/rest/api/3';

export class JiraEmulator extends JiraSite {
  /** Site base URL (give it to jira.js as `host`). */
  url = '';
  private readonly log: RecordedRequest[] = [];
  private readonly limiter: RateLimiter;
  private readonly faults = new Map<string, Fault>();
  private readonly hub: WebhookHub;
  private readonly app: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 10 * 1024 * 1024 });

  private constructor(private readonly options: JiraEmulatorOptions) {
    const now = options.now ?? (() => Date.now());
    let onEvent: (e: SiteEvent) => void = () => undefined;
    super(now, (e) => onEvent(e));
    onEvent = (e) => this.fire(e);
    this.limiter = new RateLimiter(now, options.rateLimits ?? DEFAULT_LIMITS);
    this.hub = new WebhookHub({ maxAttempts: options.webhookAttempts ?? 6, retryDelayMs: options.webhookRetryDelayMs ?? 10, timeoutMs: options.webhookTimeoutMs ?? 20_000 });
    this.routes();
  }

  static async start(options: JiraEmulatorOptions = {}): Promise<JiraEmulator> {
    const emulator = new JiraEmulator(options);
    emulator.url = await emulator.app.listen({ port: 0, host: '127.0.0.1' });
    return emulator;
  }

  async close(): Promise<void> {
    await this.hub.settled();
    await this.app.close();
  }

  // ───────────── control API ─────────────

  setRateLimits(limits: RateLimits): void { this.limiter.set(limits); }
  resetRateLimits(): void { this.limiter.reset(); }

  /** The next `count` requests of `route` ('GET /rest/api/3/search/jql', or '*') fail with `status`. */
  failNext(route: string, count: number, status: number, retryAfter?: number): void {
    this.faults.set(route, { remaining: count, status, ...(retryAfter !== undefined ? { retryAfter } : {}) });
  }

  registerWebhook(registration: WebhookRegistration): number { return this.hub.register(registration); }
  clearWebhooks(): void { this.hub.clear(); }
  /** Completed deliveries (all tries done). */
  get deliveries(): readonly FiredDelivery[] { return this.hub.deliveries; }
  /** Waits until every queued delivery (with its retries) has finished. */
  webhooksSettled(): Promise<void> { return this.hub.settled(); }

  requests(): readonly RecordedRequest[] { return this.log; }
  clearRequests(): void { this.log.length = 0; }

  /** Requests whose route is `route` ('GET /rest/api/3/search/jql'), optionally with `status`. */
  count(route: string, status?: number): number {
    return this.log.filter((r) => r.route === route && (status === undefined || r.status === status)).length;
  }

  /** Calls per route, e.g. `{'POST /rest/api/3/search/jql': 3}`. */
  countsByRoute(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.log) out[r.route] = (out[r.route] ?? 0) + 1;
    return out;
  }

  // ───────────── HTTP ─────────────

  private fire(event: SiteEvent): void {
    const actor = this.users.get(event.actor);
    const { webhookEvent, payload } = webhookPayload({ base: this.url, site: this, zone: 'UTC' }, event, actor, this.now());
    this.hub.dispatch(webhookEvent, payload);
    if (event.kind === 'issue_deleted') {
      for (const c of event.issue.comments) {
        const cascade = webhookPayload({ base: this.url, site: this, zone: 'UTC' }, { kind: 'comment_deleted', issue: event.issue, comment: c, actor: event.actor }, actor, this.now());
        this.hub.dispatch(cascade.webhookEvent, cascade.payload, 'Secondary');
      }
    }
  }

  private authenticate(header: string | undefined): JiraUser | undefined {
    if (!header) return undefined;
    const basic = /^Basic\s+(\S+)$/i.exec(header);
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return undefined;
      const [email, token] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
      return [...this.users.values()].find((u) => u.active && u.email.toLowerCase() === email.toLowerCase() && u.apiToken === token);
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(header);
    return bearer ? [...this.users.values()].find((u) => u.active && u.bearerToken !== undefined && u.bearerToken === bearer[1]) : undefined;
  }

  private routes(): void {
    const on = (method: 'GET' | 'POST', url: string, handler: (ctx: routes.Ctx, request: FastifyRequest) => unknown): void => {
      this.app.route({ method, url, handler: (request, reply) => this.serve(`${method} ${url}`, request, reply, handler) });
    };
    on('GET', `${API}/myself`, (ctx) => myself(ctx, ctx.user));
    on('GET', `${API}/serverInfo`, (ctx) => ({
      baseUrl: ctx.base, displayUrl: ctx.base, version: '1001.0.0-SNAPSHOT', versionNumbers: [1001, 0, 0], deploymentType: 'Cloud', buildNumber: 100280,
      buildDate: '2026-11-30T00:00:00.000+0000', serverTime: jiraTimestamp(ctx.now, ctx.zone), scmInfo: '5330f7d9b6410d68235d4366868d44403ee65a1a', serverTitle: 'Jira', defaultLocale: { locale: 'en_US' }, serverTimeZone: 'Etc/UTC',
    }));
    for (const method of ['GET', 'POST'] as const) on(method, `${API}/search`, () => { throw fail(410, MESSAGES.searchRemoved); });
    on('GET', `${API}/search/jql`, (ctx, r) => routes.searchJql(ctx, r.query as Record<string, unknown>, false));
    on('POST', `${API}/search/jql`, (ctx, r) => routes.searchJql(ctx, body(r), true));
    on('POST', `${API}/issue/bulkfetch`, (ctx, r) => routes.bulkFetch(ctx, body(r)));
    on('GET', `${API}/issue/:idOrKey`, (ctx, r) => routes.getIssue(ctx, param(r), r.query as Record<string, unknown>));
    on('GET', `${API}/issue/:idOrKey/comment`, (ctx, r) => routes.getComments(ctx, param(r), r.query as Record<string, unknown>));
    on('GET', `${API}/issue/:idOrKey/worklog`, (ctx, r) => routes.getWorklogs(ctx, param(r), r.query as Record<string, unknown>));
    on('GET', `${API}/project/search`, (ctx, r) => routes.searchProjects(ctx, r.query as Record<string, unknown>));
    on('GET', `${API}/project/:idOrKey`, (ctx, r) => routes.getProject(ctx, param(r)));
    on('GET', `${API}/worklog/updated`, (ctx, r) => routes.changedWorklogs(ctx, 'updated', r.query as Record<string, unknown>));
    on('GET', `${API}/worklog/deleted`, (ctx, r) => routes.changedWorklogs(ctx, 'deleted', r.query as Record<string, unknown>));
    on('POST', `${API}/worklog/list`, (ctx, r) => routes.listWorklogs(ctx, body(r)));
    this.app.setNotFoundHandler((request, reply) => {
      this.record(request, `${request.method} (unknown)`, 404, undefined);
      void reply.code(404).send(errorBody(`${MESSAGES.notFound}${this.url}${request.url}`));
    });
    this.app.setErrorHandler((error: { statusCode?: number }, request, reply) => {
      this.record(request, `${request.method} ${request.routeOptions.url ?? '(unknown)'}`, error.statusCode ?? 400, undefined);
      void reply.code(error.statusCode ?? 400).send(errorBody(MESSAGES.invalidPayload));
    });
  }

  private record(request: FastifyRequest, route: string, status: number, accountId: string | undefined): void {
    this.log.push({
      at: this.now(), method: request.method, path: request.url.split('?')[0] ?? request.url, route,
      query: { ...(request.query as Record<string, unknown>) }, body: request.body, status, accountId,
    });
  }

  private serve(route: string, request: FastifyRequest, reply: FastifyReply, handler: (ctx: routes.Ctx, request: FastifyRequest) => unknown): FastifyReply {
    const user = this.authenticate(request.headers.authorization);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}): FastifyReply => {
      this.record(request, route, status, user?.accountId);
      return reply.code(status).headers(headers).type('application/json;charset=UTF-8').send(payload);
    };
    if (!user) return send(401, errorBody(MESSAGES.unauthenticated));
    const rate = this.limiter.take(`${route}`);
    if (rate.limited) return send(429, errorBody(MESSAGES.rateLimited), rate.headers);
    const fault = this.faults.get(route) ?? this.faults.get('*');
    if (fault && fault.remaining > 0) {
      fault.remaining -= 1;
      return send(fault.status, errorBody(MESSAGES.internal), { ...rate.headers, ...(fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {}) });
    }
    const ctx: routes.Ctx = {
      base: this.url, site: this, user, zone: this.options.timestampZone === 'utc' ? 'UTC' : user.timeZone, now: this.now(),
      worklogPageSize: this.options.worklogPageSize ?? 1000, tokenTtlMs: this.options.tokenTtlMs ?? 7 * 86_400_000,
    };
    try {
      return send(200, handler(ctx, request) as Json, rate.headers);
    } catch (error) {
      if (error instanceof JiraHttpError) return send(error.status, error.body, { ...rate.headers, ...error.headers });
      throw error;
    }
  }
}

function body(request: FastifyRequest): Record<string, unknown> {
  const b = request.body;
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw fail(400, MESSAGES.invalidPayload);
  return b as Record<string, unknown>;
}

const param = (request: FastifyRequest): string => (request.params as { idOrKey: string }).idOrKey;

export const startJira = (options?: JiraEmulatorOptions): Promise<JiraEmulator> => JiraEmulator.start(options);
