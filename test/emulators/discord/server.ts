/**
 * The emulator's handle: one loopback HTTP server on 127.0.0.1 (port 0) carrying REST under
 * `/api/v10` and the Gateway WebSocket, plus every control a test needs (seeding and mutations
 * are inherited from world.ts, messages.ts and threads.ts).
 *
 * Point clients at it with `new REST({ api: emulator.api })` (@discordjs/rest appends `/v10`) or
 * `fetch(`${emulator.url}/api/v10/…`)`; the Gateway URL comes from `GET /gateway/bot`.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayServer, type GatewayOptions } from './gateway.ts';
import type { ConnectionInfo, Session } from './gateway-session.ts';
import { RateLimiter, type InjectedLimit, type RateLimitConfig } from './ratelimit.ts';
import { RestServer, type RequestLogEntry } from './rest.ts';
import { baseRoutes } from './routes.ts';
import { channelRoutes } from './routes-channels.ts';
import type { DiscordStateOptions } from './state.ts';
import { DiscordThreads } from './threads.ts';

export interface DiscordEmulatorOptions extends DiscordStateOptions, GatewayOptions {
  readonly rateLimits?: RateLimitConfig;
}

export class DiscordEmulator extends DiscordThreads {
  /** `http://127.0.0.1:<port>` */
  url = '';
  readonly gateway: GatewayServer;
  private readonly rest: RestServer;
  private readonly server: Server;

  private constructor(options: DiscordEmulatorOptions) {
    super(options);
    this.gateway = new GatewayServer(this, options);
    const limiter = new RateLimiter(options.rateLimits, () => Date.now());
    const routes = [
      ...baseRoutes(this, { gatewayUrl: () => this.gateway.url, identifiesLeft: () => Math.max(0, 1000 - this.gateway.identifies) }),
      ...channelRoutes(this),
    ];
    this.rest = new RestServer(routes, () => this.token, limiter);
    this.server = createServer((req, res) => {
      if (this.rest.handles(req.url ?? '')) void this.rest.handle(req, res);
      else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: '404: Not Found', code: 0 }));
      }
    });
  }

  static async start(options: DiscordEmulatorOptions = {}): Promise<DiscordEmulator> {
    const emulator = new DiscordEmulator(options);
    await new Promise<void>((resolve) => emulator.server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = emulator.server.address() as AddressInfo;
    emulator.url = `http://127.0.0.1:${port}`;
    emulator.gateway.attach(emulator.server, `ws://127.0.0.1:${port}`);
    return emulator;
  }

  /** For `new REST({ api })`: `http://127.0.0.1:<port>/api`. */
  get api(): string {
    return `${this.url}/api`;
  }

  async close(): Promise<void> {
    await this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ───────────────────────────── REST controls ─────────────────────────────

  /** Every REST request so far: method, route, path, query, status, bucket. */
  get requests(): readonly RequestLogEntry[] {
    return this.rest.log;
  }

  clearRequests(): void {
    this.rest.log.length = 0;
  }

  /** Replaces the rate limits (and resets every bucket). */
  setRateLimits(config: RateLimitConfig): void {
    this.rest.limiter.configure(config);
  }

  /** Answers the next matching request 429 with the given scope (e.g. "shared"). */
  injectRateLimit(limit: InjectedLimit): void {
    this.rest.limiter.inject(limit);
  }

  // ───────────────────────────── Gateway controls ─────────────────────────────

  get gatewaySessions(): Session[] {
    return this.gateway.liveSessions();
  }

  get gatewayConnections(): ConnectionInfo[] {
    return this.gateway.connections.map((c) => c.info);
  }

  /** Drops every Gateway connection: with `code` a close frame, without one a cut TCP connection. */
  dropGatewayConnections(options: { code?: number; reason?: string } = {}): void {
    this.gateway.drop(options);
  }
}
