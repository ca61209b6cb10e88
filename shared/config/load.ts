import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import { definitionOf } from '../connectors/lookup.ts';
import { configSchema, type TributaryConfig } from './schema.ts';

export interface LoadedConfig {
  readonly config: TributaryConfig;
  /** Where it came from: a file path, or "built-in demo". */
  readonly origin: string;
  /** Folder that relative paths resolve against. */
  readonly baseDir: string;
  readonly stateDir: string;
}

/** Repository root: the demo config's paths resolve against it. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The built-in demo: the corpus that ships under examples/, state under ./.tributary. */
export function demoConfig(): unknown {
  return { sources: [{ id: 'demo', kind: 'filesystem', root: resolve(REPO_ROOT, 'examples', 'corpus'), include: ['**/*.md'] }] };
}

/**
 * Loads and validates the config. `path` given and missing is an error; the default path
 * missing falls back to the built-in demo (what `npm start` on a fresh clone runs).
 */
export function loadConfig(options: { path?: string; cwd: string; allowDemo: boolean }): LoadedConfig {
  const explicit = options.path !== undefined;
  const file = resolve(options.cwd, options.path ?? 'tributary.config.json');
  let raw: unknown;
  let origin: string;
  let baseDir: string;
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`${file} is not valid JSON: ${(error as Error).message}`);
    }
    origin = file;
    baseDir = dirname(file);
  } else if (explicit || !options.allowDemo) {
    throw new ConfigError(`config file ${file} not found: create it (see "Configuration" in README.md) or pass --config PATH`);
  } else {
    raw = demoConfig();
    origin = 'built-in demo (no tributary.config.json here)';
    baseDir = options.cwd;
  }
  const config = parseConfig(raw, origin);
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  // Paths a source kind names (a folder's root) resolve like every other path of the file.
  config.sources = config.sources.map((source) => definitionOf(source.kind).resolvePaths?.(source, at) ?? source) as typeof config.sources;
  const stateDir = at(config.stateDir);
  if (config.vectorStore.kind === 'lancedb' && config.vectorStore.path !== undefined) config.vectorStore.path = at(config.vectorStore.path);
  return { config, origin, baseDir, stateDir };
}

/** Validates a config object; the error names each offending key and how to fix it. */
export function parseConfig(raw: unknown, origin = 'config'): TributaryConfig {
  // reportInput: without it zod leaves `input` out of issues, and a wrong type reads as missing.
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  - ${describeIssue(issue)}`);
  throw new ConfigError(`invalid configuration in ${origin}:\n${lines.join('\n')}`, { issues: result.error.issues.length });
}

function keyPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out === '' ? '(top level)' : out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = keyPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => `${where === '(top level)' ? k : `${where}.${k}`}: unknown key "${k}" — remove it or fix its spelling`).join('\n  - ');
    case 'invalid_type':
      return `${where}: expected ${issue.expected}${issue.input === undefined ? ' (required, missing)' : `, got ${describe(issue.input)}`}`;
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator) {
        // The issue's path may already end at the discriminator key.
        const at = issue.path.at(-1) === issue.discriminator ? where : `${where}.${String(issue.discriminator)}`;
        return `${at}: unsupported value — ${issue.message}`;
      }
      return `${where}: ${issue.message}`;
    case 'invalid_value':
      return `${where}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${where}: ${issue.message}`;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `the string ${JSON.stringify(value)}` : typeof value;
}

/** Milliseconds of a `rate(N unit)` expression (defined beside the schema, which source kinds import). */
export { rateMs } from './source-base.ts';
