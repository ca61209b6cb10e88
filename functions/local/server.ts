import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { HttpError, errorMessage } from '../../shared/core/errors.ts';
import { withGenerations } from '../../shared/core/generations.ts';
import { parseSearchMode, searchDefaults, searchIndex } from '../../shared/core/search.ts';
import type { LocalStack } from '../../shared/wiring/local-stack.ts';
import { createWebhookHandler, MAX_WEBHOOK_BYTES } from '../webhook/webhook.ts';
import { createIngestHandler, MAX_INGEST_BYTES } from '../ingest/ingest.ts';
import { enforceAccess, type AccessPolicy } from './access.ts';
import { registerChatopsRoutes } from './chatops-routes.ts';
import { collectStatus } from './status.ts';
import { LocalConsoleBackend, type RuntimeInfo } from './console/local-backend.ts';
import { registerConsole } from './console/routes.ts';
import type { Logger } from '../../shared/core/deps.ts';

export interface ServerOptions {
  /** Reads a secret by environment variable name (injectable for tests). */
  readonly secret: (envName: string) => string | undefined;
  /** Host names and access token the server enforces. */
  readonly access: AccessPolicy;
  /** The runtime's schedules and watchers, for the console. */
  readonly runtime?: RuntimeInfo;
}

/** The error mapping every local server uses: HttpError with its status and message, 4xx as they are, the rest logged and 500. */
export function handleErrors(app: FastifyInstance, log: Logger, defaultBodyLimit: number): void {
  app.setErrorHandler((error, req, reply) => {
    if (error instanceof HttpError) return reply.code(error.statusCode).send({ error: error.message });
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 413) return reply.code(413).send({ error: `body larger than ${req.routeOptions.bodyLimit ?? defaultBodyLimit} bytes` });
    if (status !== undefined && status >= 400 && status < 500) return reply.code(status).send({ error: errorMessage(error) });
    log.error('request failed', { error: errorMessage(error) });
    return reply.code(500).send({ error: 'internal error' });
  });
}

/** One HTTP server for webhooks, the status page and search. */
export function buildServer(stack: LocalStack, options: ServerOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: MAX_WEBHOOK_BYTES });
  // Keep the raw bytes: the signature is over the exact bytes sent (a string would have
  // replaced invalid UTF-8 before the check).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', enforceAccess(options.access));

  handleErrors(app, stack.deps.log, MAX_WEBHOOK_BYTES);

  // The same handler the webhook Lambda runs, fed an API Gateway v2-shaped event.
  const webhook = createWebhookHandler({
    config: stack.loaded.config, secret: options.secret, eventBus: stack.eventBus, deliveries: stack.deliveries,
    clock: stack.deps.clock, log: stack.deps.log, credentials: stack.credentials,
  });
  app.post<{ Params: { sourceId: string } }>('/webhooks/:sourceId', asLambdaRoute('POST /webhooks/{sourceId}', webhook));
  // A provider's subscription check (Tempo's `?randomString=`), answered by the kind's definition.
  app.get<{ Params: { sourceId: string } }>('/webhooks/:sourceId', asLambdaRoute('GET /webhooks/{sourceId}', webhook));

  // Push ingestion: the handler the ingest Lambda runs. Fastify stops bodies a little over the
  // handler's own limit, so the handler answers 413 with its message for anything near it.
  const ingest = createIngestHandler({
    config: stack.loaded.config, secret: options.secret, state: stack.state,
    eventBus: stack.eventBus, deliveries: stack.deliveries, clock: stack.deps.clock, log: stack.deps.log,
  });
  app.post<{ Params: { sourceId: string } }>('/ingest/:sourceId', { bodyLimit: MAX_INGEST_BYTES + 1024 * 1024 }, asLambdaRoute('POST /ingest/{sourceId}', ingest));

  registerChatopsRoutes(app, stack, { secret: options.secret });

  app.get('/status', async () => collectStatus(stack));

  app.get<{ Querystring: { q?: string; top?: string; source?: string; profile?: string; as?: string | string[]; mode?: string } }>('/search', async (req) => {
    const q = req.query.q ?? '';
    const top = req.query.top === undefined ? 10 : Number(req.query.top);
    if (!Number.isInteger(top) || top < 1 || top > 100) throw new HttpError(400, 'top must be an integer from 1 to 100');
    // `as`: the principals to search as (repeated, or comma-separated); the search checks them.
    const as = req.query.as === undefined ? undefined : [req.query.as].flat();
    // `profile`: search that index profile of each source (default: each one's `default`, or first).
    // Each profile answers from its current generation (the alias), never from one being built.
    const sourceIds = stack.loaded.config.sources.map((s) => s.id);
    const results = await searchIndex(await withGenerations(stack.deps, sourceIds, 'serving'), q, {
      topK: top, sourceIds, ...(req.query.source ? { sourceId: req.query.source } : {}),
      ...(as ? { as } : {}), ...(req.query.profile ? { profile: req.query.profile } : {}),
      // `mode`: hybrid (default: the config's search.mode), vector or fts.
      ...searchDefaults(stack.loaded.config, req.query.mode !== undefined ? parseSearchMode(req.query.mode) : undefined),
    });
    return { query: q, results };
  });

  // The operations console at `/` (replacing the static status page).
  registerConsole(app, new LocalConsoleBackend(stack, { mode: 'runtime', ...(options.runtime ? { runtime: options.runtime } : {}) }));

  return app;
}

type LambdaHttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** Runs a Lambda's HTTP handler for a fastify route, fed the API Gateway v2 event AWS would send. */
export function asLambdaRoute(routeKey: string, handler: LambdaHttpHandler) {
  return async (req: FastifyRequest<{ Params: { sourceId: string } }>, reply: FastifyReply): Promise<FastifyReply> => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const [rawPath, rawQueryString = ''] = req.url.split('?', 2) as [string, string?];
    // As API Gateway v2 hands them over: repeated parameters joined with commas.
    const query: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(rawQueryString)) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
    const event = {
      version: '2.0', routeKey, rawPath, rawQueryString, headers,
      ...(rawQueryString ? { queryStringParameters: query } : {}),
      pathParameters: { sourceId: req.params.sourceId },
      // As API Gateway hands over a body it does not take for text: base64 of the exact bytes.
      body: Buffer.isBuffer(req.body) ? req.body.toString('base64') : '', isBase64Encoded: true,
      requestContext: { http: { method: req.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: req.ip, userAgent: headers['user-agent'] ?? '' } },
    } as unknown as APIGatewayProxyEventV2;
    const result = await handler(event, {} as Context);
    reply.code(result.statusCode ?? 200);
    for (const [k, v] of Object.entries(result.headers ?? {})) reply.header(k, String(v));
    return reply.send(result.body ?? '');
  };
}
