/**
 * Runs a function bundle the way Lambda does: its own Node process (a container) with only the
 * environment Lambda gives it (the template's variables, the runtime's own, credentials) and
 * only the AWS SDK resolvable beside it, the bundle imported at init, then invocations one at a
 * time. Output is kept: EMF metrics and logs are printed on stdout, as on Lambda.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';

export interface InvokeError {
  readonly name?: string;
  readonly message?: string;
  readonly stack?: string;
}

export interface LambdaContainer {
  /** Invokes the handler; resolves with what it returned, rejects with what it threw. */
  invoke<R = unknown>(event: unknown): Promise<R>;
  /** Everything printed on stdout so far. */
  stdout(): string;
  stderr(): string;
  close(): Promise<void>;
}

export interface ContainerOptions {
  /** The bundle (`index.mjs` of the asset). */
  readonly entry: string;
  readonly functionName: string;
  /** The function's environment, as its template gives it (resolved). */
  readonly environment: Readonly<Record<string, string>>;
  /** What the test sets besides: credentials, endpoints of the local services. */
  readonly overrides: Readonly<Record<string, string>>;
  readonly region: string;
  readonly account: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
}

const RUNNER = join(import.meta.dirname, 'lambda-container.mjs');

/** A trace header as Lambda passes it (`Root=1-<time>-<id>;Parent=…;Sampled=1`). */
const traceHeader = (): string =>
  `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=1`;

export async function startContainer(options: ContainerOptions): Promise<LambdaContainer> {
  const logStream = `2026/01/01/[$LATEST]${randomBytes(16).toString('hex')}`;
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    AWS_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: options.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${options.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStream,
    AWS_LAMBDA_LOG_FORMAT: 'JSON',
    LAMBDA_TASK_ROOT: join(options.entry, '..'),
    _HANDLER: 'index.handler',
    ...options.environment,
    ...options.overrides,
  };
  const child: ChildProcess = fork(RUNNER, [options.entry], {
    cwd: join(options.entry, '..'), env, execArgv: [], silent: true, serialization: 'advanced',
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => void (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => void (err += chunk.toString('utf8')));
  const pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${options.functionName} exited mid-invocation: ${err}`));
    pending.clear();
    resolve();
  }));
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${options.functionName} exited during init (code ${code}): ${err}`)));
    child.once('message', (message: { type: string; error?: InvokeError }) => {
      if (message.type === 'ready') resolve();
      else reject(new Error(`${options.functionName} failed to initialise: ${message.error?.stack ?? message.error?.message}\n${err}`));
    });
  });
  child.on('message', (message: { type: string; id: string; ok: boolean; value?: unknown; error?: InvokeError }) => {
    if (message.type !== 'result') return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.ok) waiter?.resolve(message.value);
    else waiter?.reject(Object.assign(new Error(message.error?.message ?? 'invocation failed'), { name: message.error?.name ?? 'Error', stack: message.error?.stack }));
  });
  return {
    invoke: <R>(event: unknown) => new Promise<R>((resolve, reject) => {
      const id = randomUUID();
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({
        type: 'invoke', id, event, requestId: randomUUID(), traceId: traceHeader(), timeoutMs: options.timeoutSeconds * 1000,
        functionArn: `arn:aws:lambda:${options.region}:${options.account}:function:${options.functionName}`,
      });
    }),
    stdout: () => out,
    stderr: () => err,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
