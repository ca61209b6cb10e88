/**
 * A scriptable HTTP server on 127.0.0.1 for the kit's tests, plus a fake clock and a sleep
 * that records the waits it is asked for (and advances the clock instead of waiting).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Scripted {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string, or an object sent as JSON. */
  readonly body?: unknown;
  /** Never answer (a stalled server); the connection is dropped when the server closes. */
  readonly hang?: boolean;
}

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** Answers each path with its script in order; the last entry repeats once the script runs out. */
export class LoopbackServer {
  readonly received: Received[] = [];
  private readonly scripts = new Map<string, Scripted[]>();
  private readonly served = new Map<string, number>();
  private server: Server | undefined;
  url = '';

  script(path: string, ...responses: Scripted[]): this {
    this.scripts.set(path, responses);
    this.served.set(path, 0);
    return this;
  }

  /** Requests received for `path` (query string ignored). */
  count(path: string): number {
    return this.received.filter((r) => r.url.split('?')[0] === path).length;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = req.url ?? '/';
    this.received.push({ method: req.method ?? 'GET', url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    const path = url.split('?')[0] ?? '/';
    const script = this.scripts.get(path);
    if (!script || script.length === 0) {
      res.writeHead(599, { 'content-type': 'text/plain' }).end(`no script for ${path}`);
      return;
    }
    const index = this.served.get(path) ?? 0;
    this.served.set(path, index + 1);
    const step = script[Math.min(index, script.length - 1)]!;
    if (step.hang) return;
    const body = step.body === undefined ? '' : typeof step.body === 'string' ? step.body : JSON.stringify(step.body);
    const headers = { 'content-type': typeof step.body === 'string' ? 'text/plain' : 'application/json', ...step.headers };
    res.writeHead(step.status ?? 200, headers).end(body);
  }
}

/** Controllable time: the injected `sleep` records each wait and moves the clock on by it. */
export class FakeTime {
  readonly waits: number[] = [];
  constructor(public nowMs = Date.parse('2026-01-01T00:00:00.000Z')) {}
  readonly clock = { now: (): number => this.nowMs };
  readonly sleep = async (ms: number): Promise<void> => {
    this.waits.push(ms);
    this.nowMs += ms;
  };
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

/** The rejection of `promise` (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected the promise to reject');
}
