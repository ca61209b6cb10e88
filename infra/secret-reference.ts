import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/**
 * How a value of `aws.secrets` names a Secrets Manager secret, by Secrets Manager's own rules:
 *
 * - **a name** (no `arn:` prefix), e.g. `tributary/slack-signing-secret`: the secret of that
 *   name in the deployment's account and region. The secret's ARN is the name plus `-` and 6
 *   random characters, so IAM needs `<name>-??????`. Names may contain hyphens and may even
 *   end in a hyphen and 6 characters: a name is never mistaken for anything else.
 * - **a complete ARN**: ends in `-` and 6 characters (the random suffix). Granted exactly.
 * - **a partial ARN**: an ARN without the suffix; granted as `<arn>-??????`. Secrets Manager
 *   itself reads an ARN ending in `-` and 6 characters as complete, so a partial ARN of a name
 *   like `…/slack-signing-secret` cannot work (neither here nor in any AWS call): write the
 *   name or the complete ARN instead.
 *
 * The value is passed unchanged as `SecretId` at cold start; only the IAM grant differs.
 */
export type SecretReference =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'completeArn'; readonly arn: string }
  | { readonly kind: 'partialArn'; readonly arn: string };

/** The 6 random characters Secrets Manager appends (after a hyphen) to a secret's name in its ARN. */
const RANDOM_SUFFIX = /-[A-Za-z0-9]{6}$/;

export function secretReferenceOf(value: string): SecretReference {
  if (!value.startsWith('arn:')) return { kind: 'name', name: value };
  const name = value.slice(value.indexOf(':secret:') + ':secret:'.length);
  return RANDOM_SUFFIX.test(name) ? { kind: 'completeArn', arn: value } : { kind: 'partialArn', arn: value };
}

/** The secret a reference names, as a CDK secret whose `grantRead` covers exactly that secret. */
export function importSecret(scope: Construct, id: string, value: string): secretsmanager.ISecret {
  const ref = secretReferenceOf(value);
  switch (ref.kind) {
    case 'name': return secretsmanager.Secret.fromSecretNameV2(scope, id, ref.name);
    case 'completeArn': return secretsmanager.Secret.fromSecretCompleteArn(scope, id, ref.arn);
    case 'partialArn': return secretsmanager.Secret.fromSecretPartialArn(scope, id, ref.arn);
  }
}
