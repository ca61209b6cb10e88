import Fastify, { type FastifyInstance } from 'fastify';
import { HttpError, errorMessage } from '../../shared/core/errors.ts';
import { search } from '../../shared/core/search.ts';
import { parseHintBody, SIGNATURE_HEADER, verifyWebhookSignature } from '../../shared/core/webhook.ts';
import type { LocalStack } from '../../shared/wiring/local-stack.ts';
import { collectStatus } from './status.ts';
import { renderStatusPage } from './status-page.ts';

/** Webhook bodies larger than this are refused with 413 before any work. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

export interface ServerOptions {
  /** Reads a secret by environment variable name (injectable for tests). */
  readonly secret: (envName: string) => string | undefined;
}

/** One HTTP server for webhooks, the status page and search. */
export function buildServer(stack: LocalStack, options: ServerOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: MAX_WEBHOOK_BYTES });
  // Keep the raw body: the signature is over the exact bytes sent.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error, _req, reply) => {
    if (error instanceof HttpError) return reply.code(error.statusCode).send({ error: error.message });
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 413) return reply.code(413).send({ error: `body larger than ${MAX_WEBHOOK_BYTES} bytes` });
    if (status !== undefined && status >= 400 && status < 500) return reply.code(status).send({ error: errorMessage(error) });
    stack.deps.log.error('request failed', { error: errorMessage(error) });
    return reply.code(500).send({ error: 'internal error' });
  });

  app.post<{ Params: { sourceId: string } }>('/webhooks/:sourceId', async (req, reply) => {
    const { sourceId } = req.params;
    const source = stack.loaded.config.sources.find((s) => s.id === sourceId);
    if (!source) throw new HttpError(404, `unknown source "${sourceId}"`);
    if (!source.webhook) throw new HttpError(404, `source "${sourceId}" has no webhook configured`);
    const secret = options.secret(source.webhook.secretEnv);
    if (!secret) {
      return reply.code(503).send({ error: `webhook secret not configured: set the environment variable ${source.webhook.secretEnv}` });
    }
    const body = typeof req.body === 'string' ? req.body : '';
    const header = req.headers[SIGNATURE_HEADER];
    verifyWebhookSignature(secret, Array.isArray(header) ? header[0] : header, body, stack.deps.clock.now());
    const hints = parseHintBody(sourceId, body);
    await stack.eventBus.publish([hints]);
    return reply.code(202).send({ accepted: true, sourceId, ids: hints.ids.length });
  });

  app.get('/status', async () => collectStatus(stack));

  app.get<{ Querystring: { q?: string; top?: string; source?: string } }>('/search', async (req) => {
    const q = req.query.q ?? '';
    const top = req.query.top === undefined ? 10 : Number(req.query.top);
    if (!Number.isInteger(top) || top < 1 || top > 100) throw new HttpError(400, 'top must be an integer from 1 to 100');
    const results = await search(stack.deps, q, { topK: top, ...(req.query.source ? { sourceId: req.query.source } : {}) });
    return { query: q, results };
  });

  app.get('/', async (_req, reply) => {
    reply.type('text/html; charset=utf-8');
    return renderStatusPage(await collectStatus(stack));
  });

  return app;
}
