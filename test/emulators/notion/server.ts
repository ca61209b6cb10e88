/**
 * The loopback HTTP server (fastify) and the emulator handle with its control API.
 *
 * Sources:
 * - https://developers.notion.com/reference/authentication — `Authorization: Bearer <token>`;
 *   an invalid token → 401 unauthorized.
 * - https://developers.notion.com/reference/versioning — `Notion-Version` is required; missing →
 *   400 missing_version (https://developers.notion.com/reference/status-codes). The SDK sends
 *   its default "2025-09-03"; the emulator models 2025-09-03 and 2026-03-11 (which drops
 *   `archived`), and answers any other value with 400 validation_error.
 * - Order: injected faults (as an upstream outage would), then the token (401), the version
 *   (400), the rate limit (429, ./ratelimit.ts), the route's own validation.
 * - Hosted files are served under /files/… (outside /v1) like the S3 URLs the API hands out: no
 *   auth; an expired URL answers 403 with S3's AccessDenied "Request has expired" XML.
 */

import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { CODE_FOR_STATUS, NotionError } from './errors.ts';
import type { ContentSeed, DatabaseSeed, DataSourceSeed, Json, PageSeed, Placement, RowSeed, User, UserSeed } from './model.ts';
import { DOCUMENTED_LIMIT, RateLimiter, type RateLimit } from './ratelimit.ts';
import type { RichText } from './richtext.ts';
import { ROUTES, type RouteOptions } from './routes.ts';
import type { RenderContext } from './shapes.ts';
import { WebhookHub, type Delivery, type Subscription } from './webhooks.ts';
import { World } from './world.ts';

export interface NotionEmulatorOptions {
  /** Epoch-ms clock; `advance()` adds to it. @default Date.now */
  readonly now?: () => number;
  /** The integration's secret. @default 'ntn_emulator_secret' */
  readonly token?: string;
  readonly integrationName?: string;
  readonly workspaceName?: string;
  /** @default DOCUMENTED_LIMIT (180 per 60 s); false turns it off. */
  readonly rateLimit?: RateLimit | false;
  readonly queryResultLimit?: number;
  readonly searchLagMs?: number;
  readonly webhookTimeoutMs?: number;
  readonly aggregationMs?: number;
}

export interface RecordedRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  /** `METHOD /v1/route/:param`, e.g. `POST /v1/data_sources/:data_source_id/query`. */
  readonly route: string;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
  readonly status: number;
  readonly code: string | undefined;
}

interface Fault { remaining: number; readonly status: number; readonly code: string; readonly message: string | undefined }

export class NotionEmulator {
  url = '';
  readonly token: string;
  readonly workspaceId = randomUUID();
  readonly integrationId = randomUUID();
  readonly world: World;
  readonly bot: User;
  private offset = 0;
  private readonly log: RecordedRequest[] = [];
  private readonly faults = new Map<string, Fault[]>();
  private readonly limiter: RateLimiter;
  private readonly hub: WebhookHub;
  private readonly routeOptions: RouteOptions;
  private readonly app: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true });

  private constructor(private readonly options: NotionEmulatorOptions) {
    const base = options.now ?? (() => Date.now());
    const now = (): number => base() + this.offset;
    this.token = options.token ?? 'ntn_emulator_secret';
    this.bot = { id: randomUUID(), name: options.integrationName ?? 'Tributary', type: 'bot', email: undefined, avatarUrl: null };
    const owner = { id: randomUUID(), name: 'Workspace Owner', type: 'person' as const, email: 'owner@example.com', avatarUrl: null };
    this.world = new World(now, this.bot, owner.id);
    this.world.users.set(owner.id, owner);
    this.limiter = new RateLimiter(now, options.rateLimit ?? DOCUMENTED_LIMIT);
    this.routeOptions = { queryResultLimit: options.queryResultLimit ?? 10_000, searchLagMs: options.searchLagMs ?? 0 };
    this.hub = new WebhookHub(
      { world: this.world, workspaceId: this.workspaceId, workspaceName: this.workspaceName, integrationId: this.integrationId },
      options.webhookTimeoutMs ?? 5_000, options.aggregationMs,
    );
    this.app.removeAllContentTypeParsers();
    this.app.addContentTypeParser('*', { parseAs: 'string' }, (_req, raw, done) => done(null, raw));
    for (const [method, url, handler] of ROUTES) {
      this.app.route({ method, url, handler: (req, reply) => this.serve(req, reply, `${method} ${url}`, handler) });
    }
    this.app.get('/files/:id/:name', (req, reply) => this.file(req, reply));
    this.app.setNotFoundHandler((req, reply) => this.serve(req, reply, `${req.method} *`, () => {
      throw new NotionError('invalid_request_url');
    }));
  }

  static async start(options: NotionEmulatorOptions = {}): Promise<NotionEmulator> {
    const emulator = new NotionEmulator(options);
    emulator.url = await emulator.app.listen({ port: 0, host: '127.0.0.1' });
    return emulator;
  }

  async close(): Promise<void> {
    await this.app.close();
  }

  get workspaceName(): string {
    return this.options.workspaceName ?? 'Tributary Test Workspace';
  }

  now(): number {
    return this.world.now();
  }

  /** Moves the clock forward (webhook windows, rate-limit windows, file URL expiry, timestamps). */
  advance(ms: number): void {
    this.offset += ms;
  }

  // ───────────── world ─────────────

  addUser(seed: UserSeed): User { return this.world.addUser(seed); }
  addPage(seed: PageSeed, where?: Placement): string { return this.world.addPage(seed, where).id; }
  addDatabase(seed: DatabaseSeed, where?: Placement): { id: string; dataSources: string[] } {
    const db = this.world.addDatabase(seed, where);
    return { id: db.id, dataSources: [...db.dataSources] };
  }
  addDataSource(databaseId: string, seed: DataSourceSeed): string { return this.world.addDataSource(databaseId, seed).id; }
  addRow(dataSourceId: string, seed: RowSeed): string { return this.world.addRow(dataSourceId, seed).id; }
  addComment(targetId: string, body: string | readonly RichText[], author?: string): string { return this.world.addComment(targetId, body, author).id; }
  append(parentId: string, content: readonly ContentSeed[], author?: string): string[] { return this.world.append(parentId, content, author); }
  editBlock(blockId: string, content: Json, author?: string): void { this.world.editBlock(blockId, content, author); }
  deleteBlock(blockId: string, author?: string): void { this.world.deleteBlock(blockId, author); }
  rename(id: string, title: string | readonly RichText[], author?: string): void { this.world.rename(id, title, author); }
  setValues(pageId: string, values: Record<string, unknown>, author?: string): void { this.world.setValues(pageId, values, author); }
  move(id: string, where: Placement, author?: string): void { this.world.move(id, where, author); }
  trash(id: string, author?: string): void { this.world.trash(id, true, author); }
  restore(id: string, author?: string): void { this.world.trash(id, false, author); }
  purge(id: string): void { this.world.purge(id); }
  lock(pageId: string, locked = true, author?: string): void { this.world.lock(pageId, locked, author); }
  share(id: string): void { this.world.shared.add(id); }
  unshare(id: string): void { this.world.shared.delete(id); }

  // ───────────── webhooks ─────────────

  /** Registers a subscription and POSTs the verification request `{verification_token}` to `url`. */
  subscribe(url: string, options?: { eventTypes?: readonly string[]; apiVersion?: string }): Promise<Subscription> {
    return this.hub.subscribe(url, options);
  }

  /** Sends the events whose aggregation window (or retry delay) has passed; `force` sends all. */
  deliverWebhooks(options: { force?: boolean } = {}): Promise<number> {
    return this.hub.deliver(this.now(), options.force ?? false);
  }

  get deliveries(): readonly Delivery[] { return this.hub.deliveries; }
  get queuedEvents(): readonly Json[] { return this.hub.queued; }

  // ───────────── faults, limits, log ─────────────

  /** The next `times` requests of `route` (`'GET /v1/blocks/:block_id/children'`, or `'*'`) fail with `status`. */
  failNext(route: string, status: number, times = 1, message?: string): void {
    const list = this.faults.get(route) ?? [];
    list.push({ remaining: times, status, code: CODE_FOR_STATUS[status] ?? 'internal_server_error', message });
    this.faults.set(route, list);
  }

  setRateLimit(limit: RateLimit | false): void { this.limiter.set(limit); }
  resetRateLimit(): void { this.limiter.reset(); }

  requests(): readonly RecordedRequest[] { return this.log; }
  clearRequests(): void { this.log.length = 0; }

  /** Requests of a route (any status, or only `status`). */
  count(route: string, status?: number): number {
    return this.log.filter((r) => r.route === route && (status === undefined || r.status === status)).length;
  }

  // ───────────── HTTP ─────────────

  private render(version: string): RenderContext {
    return { world: this.world, baseUrl: this.url, version, workspaceName: this.workspaceName, workspaceId: this.workspaceId };
  }

  private takeFault(route: string): Fault | undefined {
    for (const key of [route, '*']) {
      const list = this.faults.get(key);
      const fault = list?.[0];
      if (fault) {
        fault.remaining -= 1;
        if (fault.remaining <= 0) list.shift();
        return fault;
      }
    }
    return undefined;
  }

  private async serve(req: FastifyRequest, reply: FastifyReply, route: string, handler: (typeof ROUTES)[number][2]): Promise<void> {
    const query = (req.query ?? {}) as Record<string, string | string[]>;
    let body: unknown;
    const send = (status: number, payload: Json, headers: Record<string, string> = {}): FastifyReply => {
      this.log.push({
        at: this.now(), method: req.method, path: req.url.split('?')[0] ?? req.url, route, query, body, status,
        code: payload['object'] === 'error' ? String(payload['code']) : undefined,
      });
      return reply.code(status).headers(headers).type('application/json; charset=utf-8').send(payload);
    };
    try {
      const fault = this.takeFault(route);
      if (fault) {
        const err = new NotionError(fault.code as NotionError['code'], fault.message);
        return void send(fault.status, { ...err.body(), status: fault.status }, fault.status === 429 ? { 'retry-after': '1' } : {});
      }
      const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
      if (token !== this.token) throw new NotionError('unauthorized');
      const version = req.headers['notion-version'];
      if (version === undefined) throw new NotionError('missing_version');
      if (version !== '2025-09-03' && version !== '2026-03-11') {
        throw new NotionError('validation_error', `Notion-Version header failed validation: Notion-Version header should be a supported version, instead was \`"${String(version)}"\`.`);
      }
      const retryAfter = this.limiter.take(token);
      if (retryAfter !== undefined) throw new NotionError('rate_limited', undefined, { 'retry-after': String(retryAfter) });
      const raw = typeof req.body === 'string' ? req.body : '';
      if (raw.trim() !== '') {
        try {
          body = JSON.parse(raw);
        } catch {
          throw new NotionError('invalid_json');
        }
      }
      const params = req.params as Record<string, string>;
      return void send(200, handler(this.render(version as string), { params, query, body }, this.routeOptions));
    } catch (error) {
      if (error instanceof NotionError) return void send(error.status, error.body(), { ...error.headers });
      return void send(500, new NotionError('internal_server_error', String(error)).body());
    }
  }

  private file(req: FastifyRequest, reply: FastifyReply): FastifyReply {
    const { id } = req.params as { id: string };
    const expires = Number((req.query as Record<string, string>)['expires']);
    const block = this.world.get(id, 'block');
    if (!block?.hosted || !(expires > this.now())) {
      return reply.code(403).type('application/xml').send('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
    }
    return reply.code(200).type('application/octet-stream').send(Buffer.from(block.hosted.bytes));
  }
}

export const startNotion = (options?: NotionEmulatorOptions): Promise<NotionEmulator> => NotionEmulator.start(options);
