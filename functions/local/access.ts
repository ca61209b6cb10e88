import { isIP } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConfigError, HttpError } from '../../shared/core/errors.ts';
import { isLoopback } from '../../shared/core/loopback.ts';
import { constantTimeEqual } from '../../shared/core/webhook.ts';

/** Cookie the status page keeps the access token in after `/?token=…` (so its search calls carry it). */
export const TOKEN_COOKIE = 'tributary_token';

export interface AccessPolicy {
  /** Host names the server answers to (compared without port, lower case). */
  readonly hosts: ReadonlySet<string>;
  /** Required on every route but the signed ones; undefined: none (loopback only). */
  readonly token: string | undefined;
}

export { isLoopback };

/**
 * Who may talk to the local server. Loopback names, IP literals and the configured host are
 * accepted as Host headers, plus `allowedHosts` (a reverse proxy's name): any other name is a
 * DNS-rebinding attempt (a page on evil.example whose name now resolves to 127.0.0.1) or a
 * misdirected request. Binding a non-loopback address serves the
 * index to the network, so it needs an access token; with one set, it is required everywhere.
 */
export function accessPolicy(server: { host: string; allowedHosts: readonly string[]; accessTokenEnv: string }, env: Readonly<Record<string, string | undefined>>): AccessPolicy {
  const token = env[server.accessTokenEnv] || undefined;
  if (!isLoopback(server.host) && token === undefined) {
    throw new ConfigError(`server.host is ${server.host}, which other machines can reach: set an access token in the environment variable ${server.accessTokenEnv} (server.accessTokenEnv), e.g. export ${server.accessTokenEnv}=$(openssl rand -hex 32), or bind server.host to 127.0.0.1`);
  }
  const hosts = new Set(['localhost', '127.0.0.1', '::1', server.host, ...server.allowedHosts].map((h) => h.toLowerCase().replace(/^\[|\]$/g, '')));
  return { hosts, token };
}

/** The host name of a Host header, without port and brackets. */
function hostName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const trimmed = header.trim().toLowerCase();
  if (trimmed.startsWith('[')) return trimmed.slice(1, trimmed.indexOf(']'));
  const colon = trimmed.lastIndexOf(':');
  return colon > 0 && trimmed.indexOf(':') === colon ? trimmed.slice(0, colon) : trimmed;
}

/**
 * Routes that carry their own signature (webhooks, pushes, chat commands): senders such as Slack cannot add a
 * token. A GET on a webhook route is a provider's subscription check (Tempo's), which cannot
 * either; it only echoes a challenge for a source whose kind answers one.
 */
function isSigned(request: FastifyRequest): boolean {
  if (request.method === 'GET') return request.url.startsWith('/webhooks/');
  return request.method === 'POST' && (request.url.startsWith('/webhooks/') || request.url.startsWith('/ingest/') || request.url.startsWith('/chatops/'));
}

/** A fastify onRequest hook enforcing the policy: 421 for a foreign Host, 401 without the token. */
export function enforceAccess(policy: AccessPolicy) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const host = hostName(request.headers.host);
    // DNS rebinding needs a name the attacker controls; an IP literal is its own origin.
    if (host === undefined || (!policy.hosts.has(host) && isIP(host) === 0)) {
      throw new HttpError(421, `this server does not answer to host "${request.headers.host ?? ''}"; add it to server.allowedHosts if it is yours`);
    }
    if (policy.token === undefined || isSigned(request)) return;
    const given = bearer(request.headers.authorization) ?? cookie(request.headers.cookie, TOKEN_COOKIE) ?? queryToken(request.url);
    if (given === undefined || !constantTimeEqual(given, policy.token)) {
      throw new HttpError(401, 'access token required: send "Authorization: Bearer <token>", or open /?token=<token> once in a browser');
    }
    if (queryToken(request.url) !== undefined) {
      void reply.header('set-cookie', `${TOKEN_COOKIE}=${encodeURIComponent(given)}; HttpOnly; SameSite=Strict; Path=/`);
    }
  };
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

function queryToken(url: string): string | undefined {
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  return new URLSearchParams(url.slice(q + 1)).get('token') ?? undefined;
}
