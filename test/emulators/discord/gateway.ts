/**
 * The Gateway WebSocket (docs: events/gateway, events/gateway-events, topics/opcodes-and-status-
 * codes#gateway). Served on the REST server's port: `GET /api/v10/gateway/bot` gives
 * `ws://127.0.0.1:<port>`, READY's `resume_gateway_url` is `ws://127.0.0.1:<port>/resume`.
 *
 * - Query `v=10`, `encoding=json`, optional `compress=zlib-stream`; another `v` closes 4012.
 *   ETF and zstd-stream are not emulated (closed 1003 with a reason saying so).
 * - Hello (op 10, `heartbeat_interval`), Heartbeat → Heartbeat ACK (1 → 11), Identify (2) →
 *   READY then GUILD_CREATE per guild (GUILDS intent), Resume (6) → the missed dispatches in order,
 *   then RESUMED; an unknown or ended session gets Invalid Session (op 9, `d: false`).
 * - Close codes: 4001 unknown opcode, 4002 undecodable or > 4096-byte payload, 4003 payload before
 *   Identify, 4004 bad token, 4005 second Identify, 4007 bad Resume `seq`, 4008 more than 120
 *   payloads in 60 s, 4010 bad shard, 4013 unknown intent bits, 4014 a privileged intent (GUILD_MEMBERS,
 *   GUILD_PRESENCES, MESSAGE_CONTENT) the application has not enabled.
 * - A client closing with 1000/1001 ends its session; any other close keeps it resumable, and
 *   dispatches keep being numbered and buffered for it (docs: gateway#initiating-a-disconnect).
 * - Controls for tests: `drop` (close with a code, or cut TCP → 1006), `reconnect` (op 7),
 *   `invalidateSession` (op 9), `requestHeartbeat` (op 1).
 */

import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { GatewayIntentBits, GatewayOpcodes, type GatewayIdentifyData, type GatewayResumeData } from 'discord-api-types/v10';
import { deliver, guildCreatePayload, readyPayload } from './gateway-dispatch.ts';
import { Connection, Session, type ConnectionInfo, type Transport } from './gateway-session.ts';
import type { DiscordThreads } from './threads.ts';

export interface GatewayOptions {
  /** Hello's `heartbeat_interval`. @default 41250 (the value in every capture) */
  readonly heartbeatIntervalMs?: number;
}

const VALID_INTENTS = Object.values(GatewayIntentBits).filter((v): v is number => typeof v === 'number').reduce((a, b) => a | b, 0);
const TRACE = ['["gateway-emulator",{"micros":0.0}]'];

export class GatewayServer {
  readonly sessions = new Map<string, Session>();
  readonly connections: Connection[] = [];
  identifies = 0;
  heartbeatIntervalMs: number;
  private readonly wss = new WebSocketServer({ noServer: true });
  private base = '';

  constructor(private readonly state: DiscordThreads, options: GatewayOptions = {}) {
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 41250;
    state.onEvent((event) => {
      for (const session of this.sessions.values()) if (session.alive) deliver(state, session, event);
    });
  }

  get url(): string {
    return this.base;
  }

  get resumeUrl(): string {
    return `${this.base}/resume`;
  }

  attach(server: Server, base: string): void {
    this.base = base;
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
    });
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  /** Live sessions (alive: not ended by a 1000/1001 close or an invalidation). */
  liveSessions(): Session[] {
    return [...this.sessions.values()].filter((s) => s.alive);
  }

  /** Drops connections: `code` sends that close code; none cuts TCP (the client sees 1006). */
  drop(options: { code?: number; reason?: string; sessionId?: string } = {}): void {
    for (const c of this.openConnections(options.sessionId)) {
      if (options.code === undefined) c.terminate();
      else void c.close(options.code, options.reason ?? '');
    }
  }

  /** Sends Reconnect (op 7): the client should resume on a new connection. */
  reconnect(sessionId?: string): void {
    for (const c of this.openConnections(sessionId)) void c.send({ op: GatewayOpcodes.Reconnect, d: null, s: null, t: null });
  }

  /** Sends Invalid Session (op 9); with `resumable: false` the session ends. */
  invalidateSession(resumable = false, sessionId?: string): void {
    for (const c of this.openConnections(sessionId)) {
      if (!resumable && c.session) c.session.alive = false;
      void c.send({ op: GatewayOpcodes.InvalidSession, d: resumable, s: null, t: null });
    }
  }

  /** Asks clients for an immediate heartbeat (op 1). */
  requestHeartbeat(): void {
    for (const c of this.openConnections()) void c.send({ op: GatewayOpcodes.Heartbeat, d: null, s: null, t: null });
  }

  private openConnections(sessionId?: string): Connection[] {
    return this.connections.filter((c) => c.open && (sessionId === undefined || c.session?.id === sessionId));
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const url = new URL(req.url ?? '/', 'ws://emulator');
    const query = Object.fromEntries(url.searchParams);
    const info: ConnectionInfo = { path: url.pathname, query, openedAt: Date.now(), received: [] };
    const compress = url.searchParams.get('compress');
    const transport: Transport = compress === 'zlib-stream' ? 'zlib-stream' : 'json';
    const connection = new Connection(ws, transport, info);
    this.connections.push(connection);
    ws.on('close', (code) => {
      info.closeCode = code;
      const session = connection.session;
      if (session && session.connection === connection) {
        session.connection = undefined;
        if (code === 1000 || code === 1001) session.alive = false;
      }
    });
    ws.on('message', (data: RawData) => this.onPayload(connection, data));
    const version = url.searchParams.get('v') ?? '10';
    const encoding = url.searchParams.get('encoding') ?? 'json';
    if (version !== '10') return void connection.close(4012, 'Invalid API version.');
    if (encoding !== 'json') return void connection.close(1003, `emulator: encoding=${encoding} is not emulated`);
    if (compress !== null && compress !== 'zlib-stream') return void connection.close(1003, `emulator: compress=${compress} is not emulated`);
    void connection.send({ t: null, s: null, op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.heartbeatIntervalMs, _trace: TRACE } });
  }

  private onPayload(connection: Connection, data: RawData): void {
    const raw = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (raw.length > 4096) return void connection.close(4002, 'Error while decoding payload.');
    let payload: { op?: unknown; d?: unknown };
    try {
      payload = JSON.parse(raw.toString('utf8')) as { op?: unknown; d?: unknown };
    } catch {
      return void connection.close(4002, 'Error while decoding payload.');
    }
    const now = Date.now();
    if (now - connection.windowStart >= 60_000) {
      connection.windowStart = now;
      connection.sentInWindow = 0;
    }
    if (++connection.sentInWindow > 120) return void connection.close(4008, 'Rate limited.');
    const op = payload.op;
    connection.info.received.push(op === GatewayOpcodes.Identify || op === GatewayOpcodes.Resume ? { op, d: redact(payload.d) } : { op: Number(op) });
    switch (op) {
      case GatewayOpcodes.Heartbeat:
        return void connection.send({ t: null, s: null, op: GatewayOpcodes.HeartbeatAck, d: null });
      case GatewayOpcodes.Identify:
        return this.identify(connection, payload.d as GatewayIdentifyData);
      case GatewayOpcodes.Resume:
        return this.resume(connection, payload.d as GatewayResumeData);
      case GatewayOpcodes.PresenceUpdate:
      case GatewayOpcodes.VoiceStateUpdate:
      case GatewayOpcodes.RequestGuildMembers:
      case GatewayOpcodes.RequestSoundboardSounds:
        if (!connection.session) return void connection.close(4003, 'Not authenticated.');
        return;
      default:
        return void connection.close(4001, 'Unknown opcode.');
    }
  }

  private tokenOk(token: unknown): boolean {
    return token === this.state.token || token === `Bot ${this.state.token}`;
  }

  private identify(connection: Connection, d: GatewayIdentifyData | undefined): void {
    if (connection.session) return void connection.close(4005, 'Already authenticated.');
    if (!d || typeof d !== 'object') return void connection.close(4002, 'Error while decoding payload.');
    if (!this.tokenOk(d.token)) return void connection.close(4004, 'Authentication failed.');
    const intents = d.intents;
    if (typeof intents !== 'number' || !Number.isInteger(intents) || intents < 0 || (intents & ~VALID_INTENTS) !== 0) return void connection.close(4013, 'Invalid intent(s).');
    const privileged: [number, boolean][] = [
      [GatewayIntentBits.GuildMembers, this.state.guildMembersEnabled],
      [GatewayIntentBits.GuildPresences, this.state.presenceEnabled],
      [GatewayIntentBits.MessageContent, this.state.messageContentEnabled],
    ];
    if (privileged.some(([bit, enabled]) => (intents & bit) !== 0 && !enabled)) return void connection.close(4014, 'Disallowed intent(s).');
    const shard = d.shard;
    if (shard !== undefined && (!Array.isArray(shard) || shard.length !== 2 || shard[1] < 1 || shard[0] < 0 || shard[0] >= shard[1])) return void connection.close(4010, 'Invalid shard.');
    if (d.compress === true && connection.transport === 'json') connection.payloadCompression = true;
    const session = new Session(intents, shard);
    this.sessions.set(session.id, session);
    this.identifies += 1;
    session.connection = connection;
    connection.session = session;
    connection.info.how = 'identify';
    connection.info.sessionId = session.id;
    session.dispatch('READY', readyPayload(this.state, session, this.resumeUrl));
    if (!session.has(GatewayIntentBits.Guilds)) return;
    for (const guild of this.state.botGuilds()) if (session.owns(guild.id)) session.dispatch('GUILD_CREATE', guildCreatePayload(this.state, session, guild));
  }

  private resume(connection: Connection, d: GatewayResumeData | undefined): void {
    if (connection.session) return void connection.close(4005, 'Already authenticated.');
    if (!d || typeof d !== 'object') return void connection.close(4002, 'Error while decoding payload.');
    if (!this.tokenOk(d.token)) return void connection.close(4004, 'Authentication failed.');
    const session = this.sessions.get(d.session_id);
    if (!session || !session.alive) return void connection.send({ t: null, s: null, op: GatewayOpcodes.InvalidSession, d: false });
    if (typeof d.seq !== 'number' || d.seq > session.seq) return void connection.close(4007, 'Invalid seq.');
    const previous = session.connection;
    if (previous && previous !== connection) previous.session = undefined;
    session.connection = connection;
    connection.session = session;
    connection.info.how = 'resume';
    connection.info.sessionId = session.id;
    for (const missed of session.buffer.filter((p) => p.s !== null && p.s > d.seq)) void connection.send(missed);
    session.dispatch('RESUMED', { _trace: TRACE });
  }
}

function redact(d: unknown): unknown {
  if (!d || typeof d !== 'object') return d;
  const { token: _token, ...rest } = d as Record<string, unknown>;
  return rest;
}
