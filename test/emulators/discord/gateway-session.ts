/**
 * One Gateway connection (its transport encoding) and one Gateway session (its sequence and replay
 * buffer), kept apart because a session outlives connections: Resume attaches a new connection to
 * an old session (docs: events/gateway#resuming).
 *
 * Transport (docs: events/gateway#encoding-and-compression):
 * - Plain JSON text frames by default.
 * - `compress=zlib-stream`: one zlib context per connection, every payload flushed with
 *   Z_SYNC_FLUSH so it ends in `00 00 ff ff`, sent as binary frames.
 * - Identify `compress: true` (payload compression, only without transport compression): some
 *   payloads are sent as standalone zlib binary frames; here, every dispatch.
 */

import { randomBytes } from 'node:crypto';
import { constants, createDeflate, deflateSync, type Deflate } from 'node:zlib';
import type { WebSocket } from 'ws';
import type { GatewayReceivePayload } from 'discord-api-types/v10';

/** Any payload the emulator sends (dispatch `d`s are typed where they are built). */
export interface OutgoingPayload {
  op: number;
  d: unknown;
  s: number | null;
  t: string | null;
}

export type Transport = 'json' | 'zlib-stream';

export interface ConnectionInfo {
  /** "/" or "/resume" (the resume_gateway_url). */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly openedAt: number;
  /** How the connection authenticated, if it did. */
  how?: 'identify' | 'resume';
  sessionId?: string;
  closeCode?: number;
  /** Payloads the client sent (op and, for Identify/Resume, `d` minus the token). */
  readonly received: { op: number; d?: unknown }[];
}

export class Connection {
  private deflate: Deflate | undefined;
  private chain: Promise<void> = Promise.resolve();
  payloadCompression = false;
  session: Session | undefined;
  /** Payloads received in the current 60 s window (docs: 120 per 60 s, else disconnected). */
  sentInWindow = 0;
  windowStart = Date.now();

  constructor(readonly socket: WebSocket, readonly transport: Transport, readonly info: ConnectionInfo) {
    if (transport === 'zlib-stream') this.deflate = createDeflate({ flush: constants.Z_NO_FLUSH });
  }

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  send(payload: OutgoingPayload | GatewayReceivePayload): Promise<void> {
    const text = JSON.stringify(payload);
    this.chain = this.chain.then(async () => {
      if (!this.open) return;
      if (this.deflate) this.socket.send(await this.flush(text), { binary: true });
      else if (this.payloadCompression && payload.op === 0) this.socket.send(deflateSync(text), { binary: true });
      else this.socket.send(text);
    });
    return this.chain;
  }

  /** Closes after everything queued has been sent. */
  close(code: number, reason: string): Promise<void> {
    this.chain = this.chain.then(() => {
      if (this.open) this.socket.close(code, reason);
    });
    return this.chain;
  }

  /** Drops the TCP connection without a close frame (clients see 1006). */
  terminate(): void {
    this.socket.terminate();
  }

  private flush(text: string): Promise<Buffer> {
    const deflate = this.deflate!;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const onData = (chunk: Buffer): void => void chunks.push(chunk);
      deflate.on('data', onData);
      deflate.write(text);
      deflate.flush(constants.Z_SYNC_FLUSH, () => {
        deflate.off('data', onData);
        const out = Buffer.concat(chunks);
        if (out.length >= 4 && out.readUInt32BE(out.length - 4) === 0x0000ffff) resolve(out);
        else reject(new Error('emulator: zlib flush did not end in Z_SYNC_FLUSH'));
      });
    });
  }
}

export class Session {
  readonly id = randomBytes(16).toString('hex');
  seq = 0;
  /** Every dispatch sent on this session, for Resume. */
  readonly buffer: OutgoingPayload[] = [];
  connection: Connection | undefined;
  /** False once the client closed with 1000/1001 or the session was invalidated. */
  alive = true;

  constructor(readonly intents: number, readonly shard: readonly [number, number] | undefined) {}

  has(intent: number): boolean {
    return (this.intents & intent) === intent;
  }

  /** Numbers and records a dispatch, and sends it if a connection is attached. */
  dispatch(t: string, d: unknown): OutgoingPayload {
    const payload: OutgoingPayload = { t, s: ++this.seq, op: 0, d };
    this.buffer.push(payload);
    if (this.connection?.open) void this.connection.send(payload);
    return payload;
  }

  /** Whether an event about `guildId` goes to this session's shard (docs: sharding formula). */
  owns(guildId: string | undefined): boolean {
    if (!this.shard) return true;
    const [id, count] = this.shard;
    if (guildId === undefined) return id === 0;
    return Number((BigInt(guildId) >> 22n) % BigInt(count)) === id;
  }
}
