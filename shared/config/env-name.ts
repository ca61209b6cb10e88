import { z } from 'zod';

/** A secret is named by the environment variable that holds it (on AWS, a key of `aws.secrets`). */
export const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, {
  message: 'must name an environment variable (UPPER_SNAKE_CASE, e.g. "DOCS_WEBHOOK_SECRET"); secrets are never written inline',
});
