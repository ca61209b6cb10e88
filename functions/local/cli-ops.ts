import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { summarizeDeadLetter } from '../../shared/core/dead-letters.ts';
import type { QueueName } from '../../shared/ports/index.ts';
import { openLocalStack } from '../../shared/wiring/local-stack.ts';
import { accessPolicy } from './access.ts';
import { CliError, load, positiveInt, withCommon, withStack, type CommonOptions } from './cli-common.ts';
import { LocalConsoleBackend } from './console/local-backend.ts';
import { serveConsole } from './console/serve.ts';
import type { ConsoleBackend } from './console/backend.ts';
import { consoleLogger } from './logger.ts';
import { queueWorkers } from './workers.ts';

/** The package's version, for `--version`. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

const queueOption = () => new Option('--queue <name>', 'fetch or embed (default: both)').choices(['fetch', 'embed']);
const queuesOf = (queue: string | undefined): QueueName[] => (queue === undefined ? ['fetch', 'embed'] : [queue as QueueName]);

async function untilSignal(): Promise<void> {
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** `console` and `dead-letters`: the operator's commands beside `start`. */
export function registerOperatorCommands(program: Command): void {
  withCommon(program.command('console'))
    .description('serve the operations console without running the pipeline\'s schedules and watchers: over the local state folder, or with --aws over the deployed stack')
    .addOption(new Option('--port <n>', 'HTTP port (default: server.port from the config, 8787)').argParser(positiveInt('--port')))
    .option('--aws', 'the deployed stack: reads its state table and runs the admin operations with your AWS credentials')
    .option('--stage <name>', 'with --aws: the stage to open (default: aws.stage from the config)')
    .action(async (opts: CommonOptions & { port?: number; aws?: boolean; stage?: string }) => {
      const loaded = load(opts);
      const log = consoleLogger(opts.verbose ? 'info' : 'warn');
      const server = loaded.config.server;
      const access = accessPolicy(server, { [server.accessTokenEnv]: process.env[server.accessTokenEnv] });
      let backend: ConsoleBackend;
      let close: () => Promise<void>;
      if (opts.aws) {
        // The deployment's region, unless the operator's environment names one.
        if (loaded.config.aws?.region && !process.env['AWS_REGION'] && !process.env['AWS_DEFAULT_REGION']) process.env['AWS_REGION'] = loaded.config.aws.region;
        const { openAwsConsole } = await import('./console/aws-backend.ts');
        const aws = await openAwsConsole(loaded.config, { ...(opts.stage !== undefined ? { stage: opts.stage } : {}), env: process.env, log });
        backend = aws.backend;
        close = aws.close;
      } else {
        if (opts.stage !== undefined) throw new CliError('--stage goes with --aws', 2);
        const stack = await openLocalStack(loaded, { log });
        // What the console queues (sync now, resync, redrive) runs here, as beside `tributary start`.
        const workers = queueWorkers(stack, log);
        workers.start();
        backend = new LocalConsoleBackend(stack, { mode: 'store' });
        close = async () => {
          await workers.stop();
          await stack.close();
        };
      }
      let served;
      try {
        served = await serveConsole(backend, { host: server.host, port: opts.port ?? server.port, access, log });
      } catch (error) {
        await close();
        throw error;
      }
      console.log(`Console: ${served.url}/ (${opts.aws ? 'the deployed stack' : `state folder of ${loaded.origin}`}). Press Ctrl+C to stop.`);
      await untilSignal();
      await served.close();
      await close();
    });

  const dead = program.command('dead-letters').description('tasks given up after their retries: list, send back to their queue, or discard');
  withCommon(dead.command('list'))
    .description('list dead-lettered tasks with their reasons')
    .addOption(queueOption())
    .addOption(new Option('--max <n>', 'at most this many per queue').default(50).argParser(positiveInt('--max')))
    .option('--json', 'print JSON')
    .action(async (opts: CommonOptions & { queue?: string; max: number; json?: boolean }) => {
      const letters = await withStack(opts, 'warn', async (stack) => {
        const out = [];
        for (const q of queuesOf(opts.queue)) out.push(...(await stack.queue.inspectDeadLetters(q, Math.max(1, opts.max))).map(summarizeDeadLetter));
        return out;
      });
      if (opts.json) {
        console.log(JSON.stringify({ deadLetters: letters }));
        return;
      }
      if (letters.length === 0) console.log('no dead letters');
      for (const d of letters) console.log(`${d.queue} #${d.id}${d.sourceId ? ` ${d.sourceId}` : ''}: ${d.task} — ${d.reason ?? 'unknown'}${d.deadAt ? ` (${d.deadAt})` : ''}`);
    });
  withCommon(dead.command('redrive'))
    .description('send dead letters back to their queue (after fixing their cause); `tributary start` or `sync` applies them')
    .addOption(queueOption())
    .option('--id <id...>', 'only these (ids from `dead-letters list`; needs --queue)')
    .action(async (opts: CommonOptions & { queue?: string; id?: string[] }) => {
      if (opts.id && !opts.queue) throw new CliError('--id needs --queue: dead-letter ids are per queue', 2);
      await withStack(opts, 'warn', async (stack) => {
        for (const q of queuesOf(opts.queue)) {
          const out = await stack.queue.redriveDeadLetters(q, opts.id);
          console.log(`${q}: ${out.redriven} sent back to the queue`);
          for (const k of out.kept) console.log(`  kept #${k.id}: ${k.reason} (not a task; discard it)`);
        }
      });
    });
  withCommon(dead.command('discard'))
    .description('delete dead letters for good (their documents are decided again by the next sync)')
    .addOption(queueOption())
    .option('--id <id...>', 'only these (ids from `dead-letters list`; needs --queue)')
    .option('--yes', 'confirm: the tasks are deleted')
    .action(async (opts: CommonOptions & { queue?: string; id?: string[]; yes?: boolean }) => {
      if (opts.id && !opts.queue) throw new CliError('--id needs --queue: dead-letter ids are per queue', 2);
      if (!opts.yes) throw new CliError('discard deletes the dead-lettered tasks; run again with --yes to confirm', 2);
      await withStack(opts, 'warn', async (stack) => {
        for (const q of queuesOf(opts.queue)) console.log(`${q}: ${await stack.queue.discardDeadLetters(q, opts.id)} discarded`);
      });
    });
}
