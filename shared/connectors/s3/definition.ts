import { ConfigError, PoisonTaskError } from '../../core/errors.ts';
import { defineConnector, standardSecrets } from '../definition.ts';
import { s3AwsNeeds } from './aws.ts';
import { s3Source, type S3SourceConfig } from './config.ts';
import { decodeS3Events, MalformedEventError } from './events.ts';
import { KeySpace } from './keys.ts';
import { S3Api } from './s3-api.ts';
import { S3Connector } from './s3-connector.ts';
import { decodeS3Webhook } from './webhooks.ts';

const keysOf = (source: S3SourceConfig): KeySpace => new KeySpace(source);

/** `s3`: objects of an S3 (or S3-compatible) bucket under a prefix; S3's EventBridge events for hints. See docs/sources/s3.md. */
export const s3Connector = defineConnector({
  kind: 's3',
  schema: s3Source,
  docs: 'docs/sources/s3.md',
  summary: {
    indexes: 'the objects of a bucket under a prefix (Markdown, text, HTML, PDF, Word, PowerPoint, Excel), one document each',
    nearRealTime: 'S3 Object Created/Deleted events: an EventBridge rule to the fetch queue on AWS, or POSTed to `/webhooks/<id>` (`events: "webhook"`)',
  },
  create: (source, context) => new S3Connector({
    sourceId: source.id, bucket: source.bucket, keys: keysOf(source), pageSize: source.pageSize, maxFileBytes: source.maxFileBytes,
    useVersionIds: source.useVersionIds, concurrency: source.concurrency,
    onSkip: (id, reason) => context.log.warn('document skipped', { sourceId: source.id, id, reason }),
    api: new S3Api({
      sourceId: source.id, bucket: source.bucket, forcePathStyle: source.forcePathStyle, maxAttempts: source.maxAttempts,
      ...(source.region !== undefined ? { region: source.region } : {}),
      ...(source.endpoint !== undefined ? { endpoint: source.endpoint } : {}),
      ...(source.accessKeyIdEnv !== undefined && source.secretAccessKeyEnv !== undefined ? {
        credentials: () => ({ accessKeyId: required(context.secret, source.accessKeyIdEnv!, 'accessKeyIdEnv'), secretAccessKey: required(context.secret, source.secretAccessKeyEnv!, 'secretAccessKeyEnv') }),
      } : {}),
    }),
  }),
  secrets: (source) => standardSecrets(source, {
    ...(source.accessKeyIdEnv !== undefined ? { accessKeyIdEnv: source.accessKeyIdEnv } : {}),
    ...(source.secretAccessKeyEnv !== undefined ? { secretAccessKeyEnv: source.secretAccessKeyEnv } : {}),
  }),
  decodeWebhook: (source, request) => decodeS3Webhook({ id: source.id, bucket: source.bucket, keys: keysOf(source) }, request),
  decodeEvent: (source, event) => {
    try {
      return decodeS3Events(event, { bucket: source.bucket, keys: keysOf(source) }).ids;
    } catch (error) {
      if (error instanceof MalformedEventError) throw new PoisonTaskError(`s3 source "${source.id}": ${error.message}`);
      throw error;
    }
  },
  aws: (source) => s3AwsNeeds(source),
});

function required(secret: (name: string) => string | undefined, env: string, key: string): string {
  const value = secret(env);
  if (!value) throw new ConfigError(`${key} names ${env}, which is not set: export ${env}=… (on AWS: add it to aws.secrets, or drop the keys and use the function role)`);
  return value;
}
