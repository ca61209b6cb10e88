/**
 * What an s3 source needs on AWS: read on exactly its bucket and prefix (fetcher and embedder,
 * which re-reads a document too large for its task), and — with `"events": "eventbridge"` — a
 * rule on the default bus from the bucket's Object Created / Object Deleted events under the
 * prefix to the fetch queue. The stacks do not own the bucket, so its EventBridge notifications
 * are a setting synth reminds about.
 */
import type { AwsNeeds } from '../definition.ts';
import type { S3SourceConfig } from './config.ts';

/** The one-line setting that makes a bucket send its events to EventBridge. */
export const enableEventBridgeCommand = (bucket: string): string =>
  `aws s3api put-bucket-notification-configuration --bucket ${bucket} --notification-configuration '{"EventBridgeConfiguration":{}}'`;

export function s3AwsNeeds(source: S3SourceConfig): AwsNeeds {
  const { bucket, prefix } = source;
  const objects = `arn:aws:s3:::${bucket}/${prefix}*`;
  const warnings: string[] = [];
  if (source.endpoint !== undefined) warnings.push(`s3 source "${source.id}" names an endpoint (${source.endpoint}): the Lambda functions must be able to reach it`);
  if (source.accessKeyIdEnv !== undefined) warnings.push(`s3 source "${source.id}" uses static keys (accessKeyIdEnv): on AWS, drop them and let the stacks' grant to the function roles do`);
  if (source.events === 'eventbridge') {
    warnings.push(`s3 source "${source.id}": the bucket "${bucket}" must send its events to EventBridge (the stacks do not own it); once per bucket: ${enableEventBridgeCommand(bucket)}`);
  }
  return {
    grants: [
      {
        functions: ['fetcher', 'embedder'], actions: ['s3:ListBucket'], resources: [`arn:aws:s3:::${bucket}`],
        ...(prefix !== '' ? { conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } } } : {}),
      },
      {
        functions: ['fetcher', 'embedder'], actions: source.useVersionIds ? ['s3:GetObject', 's3:GetObjectVersion'] : ['s3:GetObject'], resources: [objects],
        wildcardReason: `The objects of bucket ${bucket} under the source's prefix "${prefix}" are its documents; which keys exist is only known at run time.`,
      },
      ...(source.useVersionIds ? [{
        functions: ['fetcher', 'embedder'] as const, actions: ['s3:ListBucketVersions'], resources: [`arn:aws:s3:::${bucket}`],
        ...(prefix !== '' ? { conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } } } : {}),
      }] : []),
    ],
    warnings,
    ...(source.events === 'eventbridge' ? {
      eventRules: [{
        description: `Tributary: S3 object events of s3://${bucket}/${prefix} to the fetch queue (source ${source.id})`,
        pattern: {
          source: ['aws.s3'],
          'detail-type': ['Object Created', 'Object Deleted'],
          detail: { bucket: { name: [bucket] }, ...(prefix !== '' ? { object: { key: [{ prefix }] } } : {}) },
        },
      }],
    } : {}),
  };
}
