/**
 * A Telegram source on AWS, from the synthesized stacks: the webhook route takes the bot's
 * updates with only the webhook secret readable; the session and the api_hash go to the fetcher
 * and the embedder and nowhere else; a source that imports a Desktop export warns at synth that
 * the file must be mounted; a missing secret fails synth naming the key.
 */
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/core/errors.ts';
import { ENV } from '../../shared/wiring/aws.ts';
import { isAllowed } from '../support/iam.ts';
import { synthesize, type FunctionId, type Synthesized } from '../support/templates.ts';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const arn = (name: string): string => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-Xy12Ab`;
const SECRETS = {
  OPENAI_API_KEY: 'tributary/openai', PINECONE_API_KEY: 'tributary/pinecone',
  TELEGRAM_API_HASH: 'tributary/telegram-api-hash', TELEGRAM_SESSION: 'tributary/telegram-session', TELEGRAM_WEBHOOK_SECRET: 'tributary/telegram-webhook',
};

const deployment = (secrets: Record<string, string>, source: Record<string, unknown> = {}) => ({
  embedder: { kind: 'openai', apiKeyEnv: 'OPENAI_API_KEY' },
  vectorStore: { kind: 'pinecone', indexHost: 'https://tg-abc.svc.aped-4627-b74a.pinecone.io', apiKeyEnv: 'PINECONE_API_KEY' },
  aws: { account: ACCOUNT, region: REGION, secrets },
  sources: [{ id: 'tg', kind: 'telegram', apiId: 1234567, webhook: { secretEnv: 'TELEGRAM_WEBHOOK_SECRET' }, ...source }],
});

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize(deployment(SECRETS));
});

const canRead = (fn: FunctionId, name: string): boolean => isAllowed(synth.statements(fn), 'secretsmanager:GetSecretValue', arn(name));
const ids = (fn: FunctionId): Record<string, string> => JSON.parse(synth.env(fn)[ENV.secretIds] ?? '{}') as Record<string, string>;

describe('a telegram source on AWS', () => {
  it('routes POST /webhooks/{sourceId} to the webhook function, which reads the webhook secret and nothing of the account', () => {
    // Act
    const routes = Object.values(synth.pipeline.Resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route').map((r) => r.Properties?.['RouteKey']);

    // Assess
    expect(routes).toContain('POST /webhooks/{sourceId}');
    expect(ids('Webhook')).toEqual({ TELEGRAM_WEBHOOK_SECRET: 'tributary/telegram-webhook' });
    expect(canRead('Webhook', 'tributary/telegram-webhook')).toBe(true);
    expect(canRead('Webhook', 'tributary/telegram-session')).toBe(false);
    expect(canRead('Webhook', 'tributary/telegram-api-hash')).toBe(false);
  });

  it('gives the session and the api_hash to the fetcher and the embedder only', () => {
    for (const fn of ['Fetcher', 'Embedder'] as const) {
      expect(ids(fn), fn).toMatchObject({ TELEGRAM_SESSION: 'tributary/telegram-session', TELEGRAM_API_HASH: 'tributary/telegram-api-hash' });
      expect(canRead(fn, 'tributary/telegram-session'), fn).toBe(true);
      expect(canRead(fn, 'tributary/telegram-webhook'), fn).toBe(false);
    }
    for (const fn of ['Admin', 'Watchdog'] as const) {
      expect(canRead(fn, 'tributary/telegram-session'), fn).toBe(false);
      expect(Object.keys(ids(fn)), fn).not.toContain('TELEGRAM_SESSION');
    }
    expect(synth.built.pipeline.node.tryFindChild('Schedule-tg')).toBeDefined();
    expect(synth.built.stateful.node.tryFindChild('Hints-tg')).toBeDefined();
  });

  it('warns at synth that a Desktop export must be readable by the fetcher', () => {
    // Act
    const withExport = synthesize(deployment(SECRETS, { desktopExport: './telegram/result.json' }));

    // Assess
    Annotations.fromStack(withExport.built.pipeline).hasWarning('*', Match.stringLikeRegexp('imports .*telegram/result\\.json: on Lambda that file must be readable by the fetcher'));
  });

  it('refuses a deployment without the session secret, naming the key', () => {
    // Act
    const { TELEGRAM_SESSION: _session, ...rest } = SECRETS;
    const attempt = () => synthesize(deployment(rest));

    // Assess
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/aws\.secrets: no secret for TELEGRAM_SESSION \(named by sources\[0\]\.sessionEnv\)/);
  });
});
