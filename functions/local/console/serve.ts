import Fastify from 'fastify';
import type { Logger } from '../../../shared/core/deps.ts';
import { enforceAccess, type AccessPolicy } from '../access.ts';
import { listenOrExplain } from '../runtime.ts';
import { handleErrors } from '../server.ts';
import type { ConsoleBackend } from './backend.ts';
import { registerConsole, type ConsoleRouteOptions } from './routes.ts';

/** Console actions carry small JSON bodies. */
const MAX_ACTION_BYTES = 64 * 1024;

export interface ConsoleServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * `tributary console`: the console alone (no webhooks, no ingest), over any backend, behind
 * the same access rules as `tributary start`'s server.
 */
export async function serveConsole(backend: ConsoleBackend, options: { host: string; port: number; access: AccessPolicy; log: Logger } & ConsoleRouteOptions): Promise<ConsoleServer> {
  const app = Fastify({ logger: false, bodyLimit: MAX_ACTION_BYTES });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.addHook('onRequest', enforceAccess(options.access));
  handleErrors(app, options.log, MAX_ACTION_BYTES);
  registerConsole(app, backend, options);
  const address = await listenOrExplain(app, options.port, options.host, '(is `tributary start` running? its server has the console at /): choose another with --port');
  return { url: address.replace('://127.0.0.1', '://localhost'), close: () => app.close() };
}
