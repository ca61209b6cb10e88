import { GetSecretValueCommand, ResourceNotFoundException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../../core/errors.ts';

/**
 * Reads each named secret once (at cold start). `ids` maps the environment-variable names the
 * config uses to a `SecretId`: a secret name or ARN, exactly as written in `aws.secrets`.
 * Returns a name → value map that stands in for those variables, so secrets never sit in
 * Lambda env vars.
 */
export async function loadSecrets(client: SecretsManagerClient, ids: Readonly<Record<string, string>>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  await Promise.all(Object.entries(ids).map(async ([name, id]) => {
    let value: string | undefined;
    try {
      ({ SecretString: value } = await client.send(new GetSecretValueCommand({ SecretId: id })));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      throw new ConfigError(
        `secret ${id} (for ${name}) does not exist: ${error.message}. In aws.secrets, give its name or its complete ARN `
        + '(Secrets Manager reads an ARN ending in "-" and 6 characters as complete, so a partial ARN of such a name cannot work)',
        { name, secretId: id },
      );
    }
    if (!value) throw new ConfigError(`secret ${id} (for ${name}) has no string value: store the key as plain text`);
    out[name] = value;
  }));
  return out;
}
