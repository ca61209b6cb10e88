import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoConfig, loadConfig, parseConfig, rateMs, REPO_ROOT } from '../../shared/config/load.ts';
import { ConfigError } from '../../shared/core/errors.ts';

const MINIMAL = { sources: [{ id: 'docs', kind: 'filesystem', root: './corpus', include: ['**/*.md'] }] };

/** A copy of the minimal config with `edit` applied to its first source. */
function withSource(edit: (source: Record<string, unknown>) => void, top: Record<string, unknown> = {}): unknown {
  const config = structuredClone(MINIMAL) as { sources: Array<Record<string, unknown>> };
  edit(config.sources[0]!);
  return { ...config, ...top };
}

/** The ConfigError `fn` throws, as its message (fails the test when it returns). */
function configError(fn: () => unknown): string {
  let error: unknown;
  try {
    fn();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
}

describe('parseConfig', () => {
  it('fills every default into the minimal config', () => {
    // Act
    const config = parseConfig(MINIMAL);

    // Assess
    expect(config).toEqual({
      stateDir: '.tributary',
      embedder: { kind: 'local', dimensions: 384 },
      vectorStore: { kind: 'lancedb' },
      search: { mode: 'hybrid' },
      chunking: { targetTokens: 300, maxTokens: 800, overlapTurns: 0 },
      server: { port: 8787, host: '127.0.0.1', allowedHosts: [], accessTokenEnv: 'TRIBUTARY_ACCESS_TOKEN' },
      queues: { maxReceives: 5, embedConcurrency: 4 },
      generations: { graceHours: 24 },
      sources: [{
        id: 'docs', kind: 'filesystem', root: './corpus', include: ['**/*.md'],
        exclude: ['**/node_modules/**', '**/.git/**'], schedule: 'rate(15 minutes)', watch: true,
        lookbackSeconds: 600, maxDeleteShare: 0.3, deleteGuardMin: 5, freshnessSloMinutes: 60,
        pageSize: 200, maxFileBytes: 5 * 1024 * 1024,
      }],
    });
  });

  it('fills defaults inside partly given sections', () => {
    // Act
    const config = parseConfig({ ...MINIMAL, server: { port: 9000 }, embedder: { kind: 'local' }, queues: { maxReceives: 3 } });

    // Assess
    expect(config.server).toEqual({ port: 9000, host: '127.0.0.1', allowedHosts: [], accessTokenEnv: 'TRIBUTARY_ACCESS_TOKEN' });
    expect(config.embedder).toEqual({ kind: 'local', dimensions: 384 });
    expect(config.queues).toEqual({ maxReceives: 3, embedConcurrency: 4 });
  });

  it('rejects an unknown key, naming its path and the fix', () => {
    // Prepare: "root" misspelt.
    const raw = withSource((s) => {
      s['rooot'] = s['root'];
      delete s['root'];
    });

    // Act
    const message = configError(() => parseConfig(raw, '/etc/tributary.json'));

    // Assess
    expect(message).toContain('/etc/tributary.json');
    expect(message).toContain('sources[0].rooot: unknown key "rooot" — remove it or fix its spelling');
    expect(message).toContain('sources[0].root: expected string (required, missing)');
  });

  it('rejects an unknown top-level key by its name', () => {
    // Act
    const message = configError(() => parseConfig({ ...MINIMAL, statedir: 'x' }));

    // Assess
    expect(message).toContain('statedir: unknown key "statedir" — remove it or fix its spelling');
  });

  it('names the path and the value of a wrong type', () => {
    // Act
    const port = configError(() => parseConfig({ ...MINIMAL, server: { port: '8787' } }));
    const include = configError(() => parseConfig(withSource((s) => { s['include'] = '**/*.md'; })));
    const watch = configError(() => parseConfig(withSource((s) => { s['watch'] = null; })));

    // Assess: a present value of the wrong type is not reported as missing.
    expect(port).toContain('server.port: expected number, got the string "8787"');
    expect(port).not.toContain('missing');
    expect(include).toContain('sources[0].include: expected array, got the string "**/*.md"');
    expect(watch).toContain('sources[0].watch: expected boolean, got null');
  });

  it('names an unsupported kind at the kind key', () => {
    // Act
    const message = configError(() => parseConfig(withSource((s) => { s['kind'] = 'gitlab'; })));

    // Assess
    expect(message).toMatch(/sources\[0\]\.kind: unsupported value — .*filesystem/);
    expect(message).not.toContain('kind.kind');
  });

  it('rejects duplicate source ids', () => {
    // Prepare
    const raw = { sources: [MINIMAL.sources[0], { id: 'notes', kind: 'filesystem', root: './n' }, { id: 'docs', kind: 'filesystem', root: './other' }] };

    // Act
    const message = configError(() => parseConfig(raw));

    // Assess
    expect(message).toContain('sources[2].id: duplicate source id "docs": ids must be unique');
    expect(message).not.toContain('sources[1]');
  });

  it.each(['Docs', 'my docs', '-docs', '', 'a'.repeat(64), 'docs#1'])('rejects the source id %j with the naming rule', (id) => {
    // Act
    const message = configError(() => parseConfig(withSource((s) => { s['id'] = id; })));

    // Assess
    expect(message).toContain('sources[0].id: must be 1-63 characters of lowercase letters, digits, "-" or "_"');
  });

  it('accepts ids at the edges of the rule', () => {
    // Act & Assess
    expect(parseConfig(withSource((s) => { s['id'] = `0${'a'.repeat(62)}`; })).sources[0]?.id).toHaveLength(63);
    expect(parseConfig(withSource((s) => { s['id'] = 'my_docs-2'; })).sources[0]?.id).toBe('my_docs-2');
  });

  it('requires webhook.secretEnv to name an environment variable', () => {
    // Act
    const inline = configError(() => parseConfig(withSource((s) => { s['webhook'] = { secretEnv: 'hunter2-secret' }; })));
    const ok = parseConfig(withSource((s) => { s['webhook'] = { secretEnv: 'DOCS_WEBHOOK_SECRET' }; }));

    // Assess
    expect(inline).toContain('sources[0].webhook.secretEnv: must name an environment variable');
    expect(ok.sources[0]?.webhook).toEqual({ secretEnv: 'DOCS_WEBHOOK_SECRET' });
  });

  it('rejects schedules that are not positive rate expressions', () => {
    // Act
    const every = configError(() => parseConfig(withSource((s) => { s['schedule'] = 'every 5m'; })));
    const zero = configError(() => parseConfig(withSource((s) => { s['schedule'] = 'rate(0 minutes)'; })));

    // Assess
    expect(every).toContain('sources[0].schedule: must be a rate expression like "rate(15 minutes)"');
    expect(zero).toContain('sources[0].schedule');
  });

  it('rejects a config without sources, with an example', () => {
    // Act & Assess
    expect(configError(() => parseConfig({ sources: [] }))).toContain('add at least one source');
    expect(configError(() => parseConfig({}))).toContain('sources: expected array (required, missing)');
  });
});

describe('loadConfig', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tributary-config-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('resolves relative root, stateDir and vectorStore.path against the config file\'s folder', async () => {
    // Prepare: the file lives in a subfolder of the working directory.
    await mkdir(join(dir, 'conf'));
    const file = join(dir, 'conf', 'tributary.config.json');
    const absolute = resolve(dir, 'elsewhere');
    await writeFile(file, JSON.stringify({
      stateDir: '../state',
      vectorStore: { kind: 'lancedb', path: 'vectors' },
      sources: [
        { id: 'docs', kind: 'filesystem', root: './corpus', include: ['**/*.md'] },
        { id: 'abs', kind: 'filesystem', root: absolute },
      ],
    }));

    // Act
    const loaded = loadConfig({ path: 'conf/tributary.config.json', cwd: dir, allowDemo: false });

    // Assess
    expect(loaded.origin).toBe(file);
    expect(loaded.baseDir).toBe(join(dir, 'conf'));
    expect(loaded.stateDir).toBe(join(dir, 'state'));
    expect(loaded.config.sources.map((s) => (s.kind === 'filesystem' ? s.root : undefined))).toEqual([join(dir, 'conf', 'corpus'), absolute]);
    expect(loaded.config.vectorStore.kind === 'lancedb' && loaded.config.vectorStore.path).toBe(join(dir, 'conf', 'vectors'));
  });

  it('defaults stateDir to .tributary next to the config file', async () => {
    // Prepare
    await writeFile(join(dir, 'tributary.config.json'), JSON.stringify(MINIMAL));

    // Act: no path given, so the default file in cwd is used.
    const loaded = loadConfig({ cwd: dir, allowDemo: true });

    // Assess
    const [source] = loaded.config.sources;
    expect(loaded.origin).toBe(join(dir, 'tributary.config.json'));
    expect(loaded.stateDir).toBe(join(dir, '.tributary'));
    expect(source?.kind === 'filesystem' && source.root).toBe(join(dir, 'corpus'));
  });

  it('fails on an explicit --config path that does not exist, naming the file', () => {
    // Act
    const message = configError(() => loadConfig({ path: 'missing.json', cwd: dir, allowDemo: true }));

    // Assess
    expect(message).toContain(join(dir, 'missing.json'));
    expect(message).toContain('not found');
  });

  it('falls back to the built-in demo when the default file is missing and the demo is allowed', () => {
    // Act
    const loaded = loadConfig({ cwd: dir, allowDemo: true });

    // Assess
    expect(loaded.origin).toMatch(/built-in demo/);
    expect(loaded.config.sources).toHaveLength(1);
    expect(loaded.config.sources[0]).toMatchObject({ id: 'demo', kind: 'filesystem', root: resolve(REPO_ROOT, 'examples', 'corpus') });
    expect(loaded.config).toEqual({ ...parseConfig(demoConfig()), sources: loaded.config.sources });
    expect(loaded.stateDir).toBe(join(dir, '.tributary'));
  });

  it('fails when the default file is missing and the demo is not allowed', () => {
    // Act
    const message = configError(() => loadConfig({ cwd: dir, allowDemo: false }));

    // Assess
    expect(message).toContain(join(dir, 'tributary.config.json'));
  });

  it('reports a file that is not JSON, naming it', async () => {
    // Prepare
    const file = join(dir, 'broken.json');
    await writeFile(file, '{ "sources": [ }');

    // Act
    const message = configError(() => loadConfig({ path: file, cwd: dir, allowDemo: true }));

    // Assess
    expect(message).toContain(`${file} is not valid JSON`);
  });

  it('reports validation errors with the file as origin', async () => {
    // Prepare
    const file = join(dir, 'tributary.config.json');
    await writeFile(file, JSON.stringify(withSource((s) => { s['rooot'] = 'x'; })));

    // Act
    const message = configError(() => loadConfig({ cwd: dir, allowDemo: true }));

    // Assess
    expect(message).toContain(`invalid configuration in ${file}`);
    expect(message).toContain('sources[0].rooot');
  });
});

describe('rateMs', () => {
  it.each([
    ['rate(5 minutes)', 300_000],
    ['rate(1 minute)', 60_000],
    ['rate(2 hours)', 7_200_000],
    ['rate(1 day)', 86_400_000],
  ])('reads %s as %i ms', (expression, ms) => {
    // Act & Assess
    expect(rateMs(expression)).toBe(ms);
  });

  it.each(['every 5m', 'rate(5 minutes', 'rate(5 weeks)', 'rate(-5 minutes)', 'rate(0 minutes)', 'rate(1 minutes)', 'rate(5 minute)', 'cron(0 * * * ? *)'])('rejects %j with a ConfigError', (expression) => {
    // Act
    const message = configError(() => rateMs(expression));

    // Assess
    expect(message).toContain(`"${expression}" is not a rate expression`);
  });
});
