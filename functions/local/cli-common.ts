import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, type LoadedConfig } from '../../shared/config/load.ts';
import { TributaryError } from '../../shared/core/errors.ts';
import { openLocalStack, type LocalStack } from '../../shared/wiring/local-stack.ts';
import { consoleLogger, type LogLevel } from './logger.ts';

/** What every command shares: the config file, verbosity, user-facing errors, the local stack. */

export interface CommonOptions {
  config?: string;
  verbose?: boolean;
}

/** A user-facing failure: printed without a stack trace, exit code 1 (or the one given). */
export class CliError extends TributaryError {
  constructor(message: string, readonly exitCode = 1) {
    super(message, { expose: true });
  }
}

export const positiveInt = (name: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number`);
  return n;
};

export function load(options: CommonOptions, allowDemo = true): LoadedConfig {
  return loadConfig({ ...(options.config !== undefined ? { path: options.config } : {}), cwd: process.cwd(), allowDemo });
}

export async function withStack<T>(options: CommonOptions, level: LogLevel, fn: (stack: LocalStack) => Promise<T>): Promise<T> {
  const loaded = load(options);
  const log = consoleLogger(options.verbose ? 'info' : level);
  const stack = await openLocalStack(loaded, { log });
  try {
    return await fn(stack);
  } finally {
    await stack.close();
  }
}

export function withCommon(cmd: Command): Command {
  return cmd
    .option('--config <path>', 'config file', undefined)
    .option('-v, --verbose', 'log progress details to stderr');
}

