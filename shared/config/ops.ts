import { z } from 'zod';
import { envName } from './env-name.ts';

/*
 * Operations settings: where alerts go (per source, over top-level defaults) and who may run
 * chat commands. Secrets (a Slack incoming-webhook URL, an SMTP URL with its password, a
 * signing secret) are named by environment variable, never written inline; on AWS each name
 * maps to a Secrets Manager secret in `aws.secrets`, like every other secret.
 */

/** A Slack incoming webhook (https://api.slack.com/messaging/webhooks): its URL is a secret. */
export const slackAlerts = z.strictObject({
  /** Environment variable holding the incoming-webhook URL (https://hooks.slack.com/services/…). */
  webhookUrlEnv: envName,
});

/** E-mail through an SMTP server (nodemailer); local runtime only (on AWS: `aws.alarmEmail`). */
export const emailAlerts = z.strictObject({
  to: z.array(z.string().email()).min(1, { message: 'list at least one address, e.g. ["ops@example.com"]' }),
  from: z.string().email().default('tributary@localhost'),
  /** Environment variable holding the SMTP URL, e.g. smtps://user:password@smtp.example.com:465. */
  smtpUrlEnv: envName.default('TRIBUTARY_SMTP_URL'),
});

/** The conditions that raise an alert. */
export const ALERT_CONDITIONS = ['failure', 'stale', 'breaker', 'deadLetters'] as const;

/** A source's own alert destinations; each one given replaces the top-level one. */
export const sourceAlerts = z.strictObject({
  /** false: no alerts for this source. */
  enabled: z.boolean().default(true),
  slack: slackAlerts.optional(),
  email: emailAlerts.optional(),
});

export const alertsSchema = z.strictObject({
  /** Defaults for every source (a source's `alerts` replaces them channel by channel). */
  slack: slackAlerts.optional(),
  email: emailAlerts.optional(),
  /** What raises an alert. */
  on: z.array(z.enum(ALERT_CONDITIONS)).min(1).default([...ALERT_CONDITIONS]),
  /** How often the local runtime checks every source (and after each sync run). */
  checkEverySeconds: z.number().int().min(5).max(3600).default(60),
  /** Consecutive failed runs before a failure alert (1: the first). */
  failuresBeforeAlert: z.number().int().min(1).max(100).default(1),
  /** An incident still open after this long is announced again (a reminder). */
  repeatAfterHours: z.number().int().min(1).max(24 * 30).default(24),
});

const userIds = (example: string) => z.array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { message: `must be a user id such as "${example}"` }))
  .min(1, { message: `list the user ids allowed to run commands, e.g. ["${example}"]` });

export const chatopsSchema = z.strictObject({
  slack: z.strictObject({
    /** Environment variable holding the Slack app's signing secret (Basic Information → App Credentials). */
    signingSecretEnv: envName.default('SLACK_SIGNING_SECRET'),
    /** Slack member ids (profile → ⋮ → Copy member ID) allowed to run commands; everyone else is refused. */
    allowedUsers: userIds('U0123ABCD'),
  }).optional(),
  discord: z.strictObject({
    /** The application's public key (General Information), 64 hex characters; not a secret. */
    publicKey: z.string().regex(/^[0-9a-fA-F]{64}$/, { message: 'must be the application\'s public key: 64 hex characters (Developer Portal → General Information)' }),
    /** Discord user ids (Developer Mode → right-click → Copy User ID) allowed to run commands. */
    allowedUsers: userIds('80351110224678912'),
  }).optional(),
});

export type AlertsConfig = z.output<typeof alertsSchema>;
export type SourceAlertsConfig = z.output<typeof sourceAlerts>;
export type ChatopsConfig = z.output<typeof chatopsSchema>;
export type SlackAlertsConfig = z.output<typeof slackAlerts>;
export type EmailAlertsConfig = z.output<typeof emailAlerts>;
