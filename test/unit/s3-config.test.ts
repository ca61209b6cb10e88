import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { configError } from '../support/config-error.ts';

const parse = (source: Record<string, unknown>) => parseConfig({ sources: [{ id: 'files', kind: 's3', bucket: 'acme-handbook', ...source }] });


describe('s3 source config', () => {
  it('fills every default', () => {
    const source = parse({}).sources[0];
    expect(source).toMatchObject({
      kind: 's3', bucket: 'acme-handbook', prefix: '', exclude: [], forcePathStyle: false, maxFileBytes: 10 * 1024 * 1024, useVersionIds: false,
      pageSize: 1000, concurrency: 8, maxAttempts: 6, events: 'eventbridge', schedule: 'rate(1 hour)',
    });
    expect((source as { include: string[] }).include).toContain('**/*.pdf');
    expect(source).not.toHaveProperty('region');
    expect(source).not.toHaveProperty('accessKeyIdEnv');
  });

  it.each([
    [{ bucket: 'arn:aws:s3:::acme' }, /sources\[0\]\.bucket: must be an S3 bucket name/],
    [{ bucket: 'Acme_Docs' }, /sources\[0\]\.bucket: must be an S3 bucket name/],
    [{ prefix: '/docs/' }, /sources\[0\]\.prefix: must not start with "\/"/],
    [{ include: [] }, /sources\[0\]\.include: must name at least one glob/],
    [{ pageSize: 5000 }, /sources\[0\]\.pageSize: must be at most 1000: S3 answers no more keys per page/],
    [{ endpoint: 'localhost:9000' }, /sources\[0\]\.endpoint: must be an absolute http\(s\) URL/],
    [{ region: 'EU West' }, /sources\[0\]\.region: must be a region name/],
    [{ accessKeyIdEnv: 'MINIO_KEY' }, /sources\[0\]\.secretAccessKeyEnv: set both accessKeyIdEnv and secretAccessKeyEnv, or neither/],
    [{ accessKeyIdEnv: 'minio-key', secretAccessKeyEnv: 'MINIO_SECRET' }, /sources\[0\]\.accessKeyIdEnv: must name an environment variable/],
    [{ secretAccessKey: 'inline' }, /sources\[0\]\.secretAccessKey: unknown key "secretAccessKey"/],
    [{ webhook: { secretEnv: 'S3_HOOK' } }, /sources\[0\]\.webhook: an s3 source takes webhooks only with "events": "webhook"/],
    [{ events: 'webhook' }, /sources\[0\]\.webhook: events "webhook" needs "webhook": \{ "secretEnv": … \}/],
    [{ events: 'sns' }, /sources\[0\]\.events: must be one of "eventbridge", "webhook", "none"/],
    [{ maxFileBytes: 0 }, /sources\[0\]\.maxFileBytes/],
  ])('rejects %j naming the key and the fix', (source, pattern) => {
    expect(configError(() => parse(source))).toMatch(pattern);
  });

  it('takes a MinIO-style store with static keys and webhook events', () => {
    const source = parse({ endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, accessKeyIdEnv: 'MINIO_KEY', secretAccessKeyEnv: 'MINIO_SECRET', events: 'webhook', webhook: { secretEnv: 'MINIO_HOOK' } }).sources[0];
    expect(source).toMatchObject({ endpoint: 'http://127.0.0.1:9000', events: 'webhook' });
  });
});
