/**
 * A new source kind is one folder plus one registry line. The fixture kind `notes`
 * (test/fixtures/notes/) is added to shared/connectors/registry.ts by the one line below (the
 * module is mocked to hold it); nothing else knows it. With that alone it is configurable, passes
 * the connector contract, syncs through the real core on the local stack (its access filtering
 * searches), takes signed
 * webhooks through the webhook handler, and the CDK app synthesizes it with the grants and
 * secrets its definition asks for.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWebhookHandler } from '../../functions/webhook/webhook.ts';
import { syncSources } from '../../functions/local/sync.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { ConfigError } from '../../shared/core/errors.ts';
import { runFetch } from '../../shared/core/fetch-run.ts';
import { search } from '../../shared/core/search.ts';
import { decodeFetchTask } from '../../shared/core/tasks.ts';
import { ENV, buildAwsRuntime } from '../../shared/wiring/aws.ts';
import { openLocalStack, type LocalStack } from '../../shared/wiring/local-stack.ts';
import { contractOverRegistry } from '../contract/registry-contract.ts';
import { connectorFromConfig } from '../contract/harnesses/harness.ts';
import { notesConnector } from '../fixtures/notes/definition.ts';
import { NotesConnector } from '../fixtures/notes/notes-connector.ts';
import { NotesService } from '../fixtures/notes/notes-service.ts';
import { drainEmbedQueue } from '../support/drain.ts';
import { isAllowed } from '../support/iam.ts';
import { synthesize } from '../support/templates.ts';

vi.mock('../../shared/connectors/registry.ts', async (importOriginal) => {
  const registry = await importOriginal<typeof import('../../shared/connectors/registry.ts')>();
  const { notesConnector: notes } = await import('../fixtures/notes/definition.ts');
  // The one registry line a new kind adds.
  return { ...registry, connectors: [...registry.connectors, notes] };
});

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const TOKEN = 'notes-token';
const WEBHOOK_SECRET = 'notes-webhook-secret';
const source = (baseUrl: string, extra: Record<string, unknown> = {}) => ({
  id: 'team-notes', kind: 'notes', baseUrl, bucket: 'notes-attachments', webhook: { secretEnv: 'NOTES_WEBHOOK_SECRET' }, ...extra,
});

describe('configuration', () => {
  it('validates a notes source with its defaults, among the other kinds', () => {
    // Act
    const config = parseConfig({ sources: [source('http://127.0.0.1:4100/v1'), { id: 'docs', kind: 'filesystem', root: '/tmp' }] });

    // Assess
    expect(config.sources[0]).toMatchObject({ kind: 'notes', tokenEnv: 'NOTES_TOKEN', pageSize: 50, schedule: 'rate(15 minutes)', lookbackSeconds: 600 });
    expect(config.sources[1]?.kind).toBe('filesystem');
  });

  it('names the offending keys of a notes source', () => {
    // Act
    const error = (() => {
      try {
        parseConfig({ sources: [{ id: 'team-notes', kind: 'notes', baseUrl: 'not a url', bukket: 'b', tokenEnv: 'lower' }] });
      } catch (e) {
        return e;
      }
      return undefined;
    })();

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    const message = String(error);
    expect(message).toMatch(/sources\[0\]\.bukket: unknown key "bukket"/);
    expect(message).toMatch(/sources\[0\]\.bucket: expected string \(required, missing\)/);
    expect(message).toMatch(/sources\[0\]\.baseUrl: /);
    expect(message).toMatch(/sources\[0\]\.tokenEnv: must name an environment variable/);
  });

  it('offers the kind where the kind is wrong', () => {
    // Act
    const message = String((() => {
      try {
        parseConfig({ sources: [{ id: 'x', kind: 'notez' }] });
      } catch (e) {
        return e;
      }
      return undefined;
    })());

    // Assess
    expect(message).toMatch(/sources\[0\]\.kind: unsupported value/);
    expect(message).toContain("'notes'");
  });
});

describe('the contract', () => {
  const services: NotesService[] = [];
  afterAll(async () => {
    for (const s of services) await s.close();
  });
  contractOverRegistry([notesConnector], {
    notes: {
      variants: [{
        name: 'a loopback Notes service',
        make: async () => {
          const service = new NotesService(TOKEN);
          await service.start();
          services.push(service);
          return {
            connector: connectorFromConfig({ ...source(service.url), pageSize: 3 }, { secret: (name) => (name === 'NOTES_TOKEN' ? TOKEN : undefined) }),
            put: async (id, text) => service.put(id, text),
            remove: async (id) => service.remove(id),
            cleanup: () => service.close(),
          };
        },
      }],
    },
  });
});

describe('on the local stack', () => {
  let service: NotesService;
  let dir: string;
  let stack: LocalStack;
  let notes: NotesConnector;

  beforeEach(async () => {
    service = new NotesService(TOKEN);
    await service.start();
    service.put('welcome', '# Welcome\n\nThe team keeps its runbooks in notes.');
    service.put('rota', '# On-call rota\n\nAlice covers the weekend.', { readers: ['alice'] });
    service.put('lunch', '# Lunch\n\nPizza on Fridays.', { readers: ['*'] });
    dir = await mkdtemp(join(tmpdir(), 'tributary-notes-'));
    process.env['NOTES_TOKEN'] = TOKEN;
    const config = parseConfig({ sources: [source(service.url)] });
    stack = await openLocalStack({ config, origin: 'test', baseDir: dir, stateDir: join(dir, 'state') }, { log: silentLogger });
    notes = stack.connectors.get('team-notes') as NotesConnector;
  });

  afterEach(async () => {
    await stack.close();
    await service.close();
    delete process.env['NOTES_TOKEN'];
    await rm(dir, { recursive: true, force: true });
  });

  it('syncs through the real core, and the connector hears of the run and of the stack closing', async () => {
    // Act
    const [report] = await syncSources(stack, { sourceIds: ['team-notes'], full: false, allowMassDelete: false });
    const found = await search(stack.deps, 'weekend on-call rota', { topK: 3 });
    const asBob = (await search(stack.deps, 'weekend on-call rota', { topK: 3, as: ['user:bob'] })).map((r) => r.docId).sort();
    const asAlice = (await search(stack.deps, 'weekend on-call rota', { topK: 3, as: ['user:alice'] })).map((r) => r.docId).sort();
    await stack.close();

    // Assess
    expect(notes).toBeInstanceOf(NotesConnector);
    expect(report).toMatchObject({ id: 'team-notes', status: 'synced', docsChanged: 3, tasksFailed: 0 });
    expect(found[0]).toMatchObject({ sourceId: 'team-notes', docId: 'rota', title: 'rota', access: ['user:alice'] });
    expect(asBob).toEqual(['lunch', 'welcome']);
    expect(asAlice).toEqual(['lunch', 'rota', 'welcome']);
    expect(notes.lifecycle).toEqual(['begin:cli', 'end:completed', 'close']);
  });

  it('takes signed webhooks through the webhook handler: a hint, a replayed delivery, a forgery, a ping', async () => {
    // Prepare
    await syncSources(stack, { sourceIds: ['team-notes'], full: false, allowMassDelete: false });
    service.put('welcome', '# Welcome\n\nRunbooks moved to the wiki.');
    const handler = createWebhookHandler({
      config: stack.loaded.config, secret: (name) => (name === 'NOTES_WEBHOOK_SECRET' ? WEBHOOK_SECRET : undefined),
      eventBus: stack.eventBus, deliveries: stack.deliveries, clock: stack.deps.clock, log: silentLogger,
    });
    const post = async (body: string, delivery: string, secret = WEBHOOK_SECRET) => {
      const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      const event = {
        routeKey: 'POST /webhooks/{sourceId}', pathParameters: { sourceId: 'team-notes' }, isBase64Encoded: false, body,
        headers: { 'x-notes-signature': signature, 'x-notes-delivery': delivery, 'content-type': 'application/json' },
      } as unknown as APIGatewayProxyEventV2;
      const result = (await handler(event, {} as Context)) as APIGatewayProxyStructuredResultV2;
      return { status: result.statusCode, body: JSON.parse(String(result.body)) as unknown };
    };

    // Act
    const hinted = await post('{"note":"welcome"}', 'd-1');
    const replayed = await post('{"note":"welcome"}', 'd-1');
    const forged = await post('{"note":"rota"}', 'd-2', 'not-the-secret');
    const ping = await post('{"event":"ping"}', 'd-3');
    const messages = await stack.queue.receive('fetch', { max: 10, waitSeconds: 0 });
    const tasks = messages.map((m) => decodeFetchTask(m.body));
    for (const task of tasks) await runFetch(stack.deps, task, { owner: stack.owner });
    await stack.queue.ack('fetch', messages.map((m) => m.receipt));
    await drainEmbedQueue(stack.deps);

    // Assess
    expect(hinted).toEqual({ status: 202, body: { queued: 'welcome' } });
    expect(replayed).toEqual({ status: 200, body: { duplicate: true } });
    expect(forged.status).toBe(401);
    expect(ping).toEqual({ status: 200, body: { pong: true } });
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ sourceId: 'team-notes', trigger: 'webhook', buffered: true });
    const [top] = await search(stack.deps, 'runbooks moved to the wiki', { topK: 1 });
    expect(top).toMatchObject({ docId: 'welcome' });
    expect(top?.text).toContain('moved to the wiki');
  });
});

describe('a rotating OAuth token, kept in the credential store', () => {
  let service: NotesService;
  let dir: string;
  const open = (): Promise<LocalStack> => openLocalStack({
    config: parseConfig({ sources: [source(service.url, { refreshTokenEnv: 'NOTES_REFRESH_TOKEN' })] }),
    origin: 'test', baseDir: dir, stateDir: join(dir, 'state'),
  }, { log: silentLogger });

  beforeEach(async () => {
    service = new NotesService(TOKEN);
    service.enableOAuth('rt-issued');
    await service.start();
    service.put('welcome', '# Welcome\n\nThe team keeps its runbooks in notes.');
    dir = await mkdtemp(join(tmpdir(), 'tributary-notes-oauth-'));
    process.env['NOTES_REFRESH_TOKEN'] = 'rt-issued';
  });

  afterEach(async () => {
    await service.close();
    delete process.env['NOTES_REFRESH_TOKEN'];
    await rm(dir, { recursive: true, force: true });
  });

  it('refreshes once, stores the rotated pair, and a later process uses it, not the spent token in the environment', async () => {
    // Prepare: a first process syncs (one refresh: the issued token is now spent at the service).
    const first = await open();
    const [synced] = await syncSources(first, { sourceIds: ['team-notes'], full: false, allowMassDelete: false });
    await first.close();
    service.put('welcome', '# Welcome\n\nRunbooks moved to the wiki.');
    service.expireAccessTokens();

    // Act: a second process, its access token expired, the environment still naming the spent token.
    const second = await open();
    const [again] = await syncSources(second, { sourceIds: ['team-notes'], full: false, allowMassDelete: false });
    const found = await search(second.deps, 'where are the runbooks', { topK: 1 });
    await second.close();

    // Assess: two refreshes, each with the token the one before issued; none refused.
    expect(synced).toMatchObject({ status: 'synced', docsChanged: 1 });
    expect(again).toMatchObject({ status: 'synced', docsChanged: 1 });
    expect(service.refreshes).toBe(2);
    expect(service.refreshToken).toBe('rt-2');
    expect(found[0]?.text).toContain('moved to the wiki');
  });

  it('a refresh token the service refuses fails the run with the service\'s message', async () => {
    // Prepare
    service.enableOAuth('rt-other');
    const stack = await open();

    // Act
    const [report] = await syncSources(stack, { sourceIds: ['team-notes'], full: false, allowMassDelete: false });
    await stack.close();

    // Assess
    expect(report).toMatchObject({ status: 'failed' });
    expect(report?.error).toMatch(/refresh token is invalid or was already used/);
  });

  it('on AWS, the fetcher and the embedder may read and write that token pair, and no function another\'s', () => {
    // Act
    const built = synthesize({
      embedder: { kind: 'openai', apiKeyEnv: 'OPENAI_API_KEY' },
      vectorStore: { kind: 'pinecone', indexHost: 'https://notes-abc.svc.aped-4627-b74a.pinecone.io', apiKeyEnv: 'PINECONE_API_KEY' },
      aws: { secrets: {
        OPENAI_API_KEY: 'tributary/openai', PINECONE_API_KEY: 'tributary/pinecone', NOTES_TOKEN: 'tributary/notes-token',
        NOTES_REFRESH_TOKEN: 'tributary/notes-refresh', NOTES_WEBHOOK_SECRET: 'tributary/notes-webhook',
      } },
      sources: [source('https://notes.example.com/v1', { refreshTokenEnv: 'NOTES_REFRESH_TOKEN' })],
    });
    const keys = (fn: Parameters<typeof built.built.stage.tableAccessFor>[0]) => built.built.stage.tableAccessFor(fn)?.partitionKeys ?? [];

    // Assess
    expect(keys('fetcher')).toContain('CRED#notes:team-notes');
    expect(keys('embedder')).toContain('CRED#notes:team-notes');
    for (const fn of ['admin', 'watchdog', 'webhook', 'ingest'] as const) expect(keys(fn)).not.toContain('CRED#notes:team-notes');
    expect(JSON.parse(built.env('Fetcher')[ENV.secretIds] ?? '{}')).toMatchObject({ NOTES_REFRESH_TOKEN: 'tributary/notes-refresh' });
  });
});

describe('on AWS', () => {
  const deployment = (secrets: Record<string, string>) => ({
    embedder: { kind: 'openai', apiKeyEnv: 'OPENAI_API_KEY' },
    vectorStore: { kind: 'pinecone', indexHost: 'https://notes-abc.svc.aped-4627-b74a.pinecone.io', apiKeyEnv: 'PINECONE_API_KEY' },
    aws: { secrets: { OPENAI_API_KEY: 'tributary/openai', PINECONE_API_KEY: 'tributary/pinecone', ...secrets } },
    sources: [source('https://notes.example.com/v1')],
  });

  let synthesized: ReturnType<typeof synthesize>;
  beforeAll(() => {
    synthesized = synthesize(deployment({ NOTES_TOKEN: 'tributary/notes-token', NOTES_WEBHOOK_SECRET: 'tributary/notes-webhook' }));
  });

  it('grants what the definition asks, to the functions it names only', () => {
    // Act
    const can = (fn: Parameters<typeof synthesized.statements>[0]) => isAllowed(synthesized.statements(fn), 's3:GetObject', 'arn:aws:s3:::notes-attachments/note-1.png');

    // Assess
    expect(can('Fetcher')).toBe(true);
    expect(can('Embedder')).toBe(true);
    expect(can('Webhook')).toBe(false);
    expect(can('Admin')).toBe(false);
    expect(can('Watchdog')).toBe(false);
    expect(isAllowed(synthesized.statements('Fetcher'), 's3:GetObject', 'arn:aws:s3:::another-bucket/x')).toBe(false);
  });

  it('hands each secret to the functions its definition names, and gets a schedule and a hint rule', () => {
    // Act
    const ids = (fn: Parameters<typeof synthesized.env>[0]) => JSON.parse(synthesized.env(fn)[ENV.secretIds] ?? '{}') as Record<string, string>;

    // Assess
    expect(ids('Fetcher')).toMatchObject({ NOTES_TOKEN: 'tributary/notes-token' });
    expect(ids('Embedder')).toMatchObject({ NOTES_TOKEN: 'tributary/notes-token' });
    expect(ids('Webhook')).toEqual({ NOTES_WEBHOOK_SECRET: 'tributary/notes-webhook' });
    expect(Object.keys(ids('Admin'))).not.toContain('NOTES_TOKEN');
    expect(synthesized.built.stage.sources).toEqual([expect.objectContaining({ id: 'team-notes', kind: 'notes', takesPushes: false })]);
    expect(synthesized.built.pipeline.node.tryFindChild('Schedule-team-notes')).toBeDefined();
    expect(synthesized.built.stateful.node.tryFindChild('Hints-team-notes')).toBeDefined();
    expect(synthesized.built.pipeline.node.tryFindChild('Ingest')).toBeUndefined();
  });

  it('synthesizes with cdk-nag clean: the wildcard grant is acknowledged with the definition\'s reason', () => {
    // Act
    const report = new AwsSolutionsChecks().validateScope(synthesized.built.app);

    // Assess
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    expect(() => synthesized.built.app.synth()).not.toThrow();
  });

  it('refuses a deployment that lacks a secret the definition needs, naming the key', () => {
    // Act
    const attempt = () => synthesize(deployment({ NOTES_WEBHOOK_SECRET: 'tributary/notes-webhook' }));

    // Assess
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/aws\.secrets: no secret for NOTES_TOKEN \(named by sources\[0\]\.tokenEnv\)/);
  });

  it('the Lambda runtime builds the connector from the definition and closes it on shutdown', async () => {
    // Prepare: the fetcher's runtime, from the environment the stacks set.
    const config = { sources: [source('https://notes.example.com/v1')] };
    const env = {
      [ENV.config]: JSON.stringify(config), [ENV.table]: 'state',
      [ENV.fetchQueue]: 'https://sqs.local/fetch', [ENV.fetchDlq]: 'https://sqs.local/fetch-dlq',
      [ENV.embedQueue]: 'https://sqs.local/embed', [ENV.embedDlq]: 'https://sqs.local/embed-dlq',
    };
    const rt = await buildAwsRuntime(env, silentLogger, 'fetch');
    const connector = rt.deps.connector('team-notes');

    // Act
    await rt.close();

    // Assess
    expect(connector).toBeInstanceOf(NotesConnector);
    expect((connector as NotesConnector).lifecycle).toEqual(['close']);
  });
});
