import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../../core/errors.ts';

/**
 * Reads each named secret once (at cold start). Returns a name → value map that stands in
 * for the environment variables the config names, so secrets never sit in Lambda env vars.
 */
export async function loadSecrets(client: SecretsManagerClient, arns: Readonly<Record<string, string>>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  await Promise.all(Object.entries(arns).map(async ([name, arn]) => {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!SecretString) throw new ConfigError(`secret ${arn} (for ${name}) has no string value: store the key as plain text`);
    out[name] = SecretString;
  }));
  return out;
}
