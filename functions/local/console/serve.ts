import Fastify from 'fastify';
import type { Logger } from '../../../shared/core/deps.ts';
import { errorMessage } from '../../../shared/core/errors.ts';
import { enforceAccess, type AccessPolicy } from '../access.ts';
import { HttpServerError } from '../runtime.ts';
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
  let address: string;
  try {
    address = await app.listen({ port: options.port, host: options.host });
  } catch (error) {
    await app.close().catch(() => undefined);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new HttpServerError(`port ${options.port} on ${options.host} is in use (is \`tributary start\` running? its server has the console at /): choose another with --port`);
    }
    throw new HttpServerError(`could not serve on ${options.host}:${options.port}: ${errorMessage(error)}`);
  }
  return { url: address.replace('://127.0.0.1', '://localhost'), close: () => app.close() };
}
