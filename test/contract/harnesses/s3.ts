import { DEFAULT_CREDENTIALS, startS3 } from '../../emulators/s3.ts';
import { connectorFromConfig, type ContractHarness } from './harness.ts';

const secrets: Record<string, string> = { S3_KEY_ID: DEFAULT_CREDENTIALS.accessKeyId, S3_SECRET: DEFAULT_CREDENTIALS.secretAccessKey };

/**
 * The loopback S3 emulator, one bucket per fixture; documents are objects under `docs/`
 * (`doc-NN.md` → key `docs/doc-NN.md`), plus an object outside the prefix that must never
 * appear. Both version schemes: ETags (ListObjectsV2) and ETag + version id (ListObjectVersions).
 */
export const s3Harness: ContractHarness = {
  variants: (['etag', 'version-ids'] as const).map((name) => ({
    name,
    make: async () => {
      const s3 = await startS3({ requestRates: false });
      s3.createBucket('contract', { versioning: name === 'version-ids' ? 'Enabled' : 'Unversioned' });
      s3.putObject('contract', 'elsewhere/outside.md', '# Not the source\'s');
      return {
        connector: connectorFromConfig({
          id: 'bucket', kind: 's3', bucket: 'contract', prefix: 'docs/', endpoint: s3.url, forcePathStyle: true, region: 'us-east-1',
          accessKeyIdEnv: 'S3_KEY_ID', secretAccessKeyEnv: 'S3_SECRET', pageSize: 3, useVersionIds: name === 'version-ids', maxAttempts: 2,
        }, { secret: (env) => secrets[env] }),
        put: async (id, text) => {
          s3.putObject('contract', `docs/${id}`, text, { contentType: 'text/markdown' });
        },
        remove: async (id) => s3.deleteObject('contract', `docs/${id}`),
        cleanup: () => s3.close(),
      };
    },
  })),
};
