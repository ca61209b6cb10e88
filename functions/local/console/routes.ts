import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { constantTimeEqual } from '../../../shared/core/webhook.ts';
import { errorMessage, HttpError } from '../../../shared/core/errors.ts';
import { DESTRUCTIVE, type ConsoleAction, type ConsoleBackend } from './backend.ts';
import { renderConsolePage } from './page.ts';

/** Header every console POST carries: a page of another origin can neither read the token nor send the header without a CORS preflight, which this server does not answer. */
export const CSRF_HEADER = 'x-tributary-csrf';
/** How often live views get a fresh overview (computed once for all of them). */
export const LIVE_INTERVAL_MS = 1500;

const asset = (name: string): string => readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');
const ASSETS = { 'console.js': { type: 'text/javascript; charset=utf-8', body: asset('console.js') }, 'console.css': { type: 'text/css; charset=utf-8', body: asset('console.css') } };

const actionBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.enum(['sync', 'resync', 'reset', 'audit', 'repair']), sourceId: z.string().min(1), confirm: z.string().optional() }),
  z.strictObject({ kind: z.enum(['redrive', 'discard']), queue: z.enum(['fetch', 'embed']), ids: z.array(z.string().min(1)).max(1000).optional(), confirm: z.string().optional() }),
]);

export interface ConsoleRouteOptions {
  /** @default LIVE_INTERVAL_MS */
  readonly liveIntervalMs?: number;
}

/**
 * The operations console: the page and its assets at `/`, a live overview (server-sent
 * events), search and actions under `/console/api`. The server's access hook (host check,
 * token) covers every route; POSTs also need the page's CSRF token and a same-origin request.
 */
export function registerConsole(app: FastifyInstance, backend: ConsoleBackend, options: ConsoleRouteOptions = {}): void {
  const csrf = randomBytes(24).toString('base64url');
  const live = new LiveOverview(backend, options.liveIntervalMs ?? LIVE_INTERVAL_MS);
  app.addHook('preClose', async () => live.close());

  app.get('/', async (_req, reply) => {
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    return renderConsolePage({ csrf });
  });
  app.get<{ Params: { name: string } }>('/console/:name', async (req, reply) => {
    const a = ASSETS[req.params.name as keyof typeof ASSETS];
    if (!a) throw new HttpError(404, `no console asset ${req.params.name}`);
    return reply.type(a.type).header('cache-control', 'no-cache').send(a.body);
  });

  app.get('/console/api/overview', async () => backend.overview());
  app.get('/console/api/events', (req, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    reply.raw.write('retry: 3000\n\n');
    live.subscribe(reply.raw);
    req.raw.on('close', () => live.unsubscribe(reply.raw));
  });

  app.get<{ Querystring: { q?: string; source?: string; top?: string } }>('/console/api/search', async (req) => {
    const q = (req.query.q ?? '').trim();
    const top = req.query.top === undefined ? 10 : Number(req.query.top);
    if (!Number.isInteger(top) || top < 1 || top > 50) throw new HttpError(400, 'top must be an integer from 1 to 50');
    if (q === '') return { query: q, results: [] };
    return { query: q, results: await backend.search(q, { topK: top, ...(req.query.source ? { sourceId: req.query.source } : {}) }) };
  });

  app.post('/console/api/actions', async (req) => {
    checkCsrf(req, csrf);
    let raw: unknown;
    try {
      raw = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : String(req.body ?? ''));
    } catch {
      throw new HttpError(400, 'the body is not JSON: send {"kind":"sync","sourceId":"<id>"}');
    }
    const parsed = actionBody.safeParse(raw);
    if (!parsed.success) throw new HttpError(400, `not an action: ${z.prettifyError(parsed.error).replaceAll('\n', '; ')}`);
    const { confirm, ...action } = parsed.data;
    const target = 'sourceId' in action ? action.sourceId : action.queue;
    if (DESTRUCTIVE.has(action.kind) && confirm !== target) {
      throw new HttpError(400, `${action.kind} needs confirmation: type "${target}" to confirm`);
    }
    const result = await backend.act(action as ConsoleAction);
    live.poke();
    return result;
  });
}

function checkCsrf(req: FastifyRequest, token: string): void {
  const given = req.headers[CSRF_HEADER];
  if (typeof given !== 'string' || !constantTimeEqual(given, token)) {
    throw new HttpError(403, `console actions need the ${CSRF_HEADER} header of the console page: reload the page and try again`);
  }
  // Browsers send these on every POST; a cross-site one is refused even with a token.
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') throw new HttpError(403, `cross-site console request refused (${site})`);
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      throw new HttpError(403, 'malformed Origin header');
    }
    if (host !== req.headers.host) throw new HttpError(403, `cross-origin console request refused (from ${origin})`);
  }
}

/** One overview computation per interval, fanned out to every open event stream; sent only when it changed. */
class LiveOverview {
  private readonly streams = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private last = '';
  private busy = false;

  constructor(private readonly backend: ConsoleBackend, private readonly intervalMs: number) {}

  subscribe(stream: ServerResponse): void {
    this.streams.add(stream);
    // A new stream gets the current overview at once.
    this.last = '';
    this.poke();
    this.timer ??= setInterval(() => this.poke(), this.intervalMs);
  }

  unsubscribe(stream: ServerResponse): void {
    this.streams.delete(stream);
    if (this.streams.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  poke(): void {
    if (this.busy || this.streams.size === 0) return;
    this.busy = true;
    void this.backend.overview().then((o) => {
      const { generatedAt: _ignored, ...rest } = o;
      const key = JSON.stringify(rest);
      if (key === this.last) return;
      this.last = key;
      this.send('overview', JSON.stringify(o));
    }, (error: unknown) => this.send('failure', JSON.stringify({ error: errorMessage(error) }))).finally(() => {
      this.busy = false;
    });
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const s of this.streams) s.end();
    this.streams.clear();
  }

  private send(event: string, data: string): void {
    for (const s of this.streams) s.write(`event: ${event}\ndata: ${data}\n\n`);
  }
}
