import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a loopback Slack endpoint received: the JSON body of each POST. */
export interface LoopbackSlack {
  readonly url: string;
  readonly posts: Array<Record<string, unknown>>;
  /** Status the next posts are answered with (Slack answers 200 `ok`). */
  status: number;
  close(): Promise<void>;
}

/** An in-process HTTP server standing in for a Slack incoming webhook or a `response_url`. */
export async function startLoopbackSlack(): Promise<LoopbackSlack> {
  const posts: Array<Record<string, unknown>> = [];
  const state = { status: 200 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (state.status === 200) posts.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      res.writeHead(state.status, { 'content-type': 'text/plain' }).end(state.status === 200 ? 'ok' : 'invalid_token');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/XXXX`,
    posts,
    get status() { return state.status; },
    set status(value: number) { state.status = value; },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
