import { EmailChannel } from '../adapters/alerts/email-channel.ts';
import { SlackWebhookChannel } from '../adapters/alerts/slack-webhook-channel.ts';
import type { EmailAlertsConfig, SlackAlertsConfig } from '../config/ops.ts';
import type { TributaryConfig } from '../config/schema.ts';
import { SOURCE_CONDITIONS, type SourceCondition } from '../core/alerts/conditions.ts';
import { ConfigError } from '../core/errors.ts';
import { isHttpsOrLoopback } from '../core/loopback.ts';
import type { AlertChannel } from '../ports/index.ts';

/** The alert settings and channels of a config, secrets resolved and checked. */
export interface AlertWiring {
  /** Where a source's alerts go (empty: not watched). */
  channelsFor(sourceId: string): readonly AlertChannel[];
  /** Sources whose alerts go somewhere. */
  readonly sourceIds: readonly string[];
  readonly watch: readonly SourceCondition[];
  readonly repeatMs: number;
  readonly checkEveryMs: number;
  readonly failuresBeforeAlert: number;
  close(): void;
}

/**
 * Builds the alert channels a config names, reading the secrets (webhook URL, SMTP URL) from
 * `secret` (by environment-variable name). A missing or malformed secret is a ConfigError naming the key and the fix, raised
 * before anything starts. `email: false` leaves e-mail out (on AWS, SNS mails the alarm topic).
 * Undefined when no source has anywhere to send.
 */
export function alertsFromConfig(config: TributaryConfig, secret: (name: string) => string | undefined, options: { email?: boolean; fetch?: typeof fetch } = {}): AlertWiring | undefined {
  const top = config.alerts;
  const slackChannels = new Map<string, AlertChannel>();
  const emailChannels = new Map<string, EmailChannel>();
  const slack = (c: SlackAlertsConfig, key: string): AlertChannel => {
    const url = required(secret, c.webhookUrlEnv, key, 'https://hooks.slack.com/services/T…/B…/…', 'the incoming webhook\'s URL: Slack app → Incoming Webhooks → Add New Webhook');
    if (!isHttpsOrLoopback(url)) throw new ConfigError(`${key}: ${c.webhookUrlEnv} is not an https URL (an incoming webhook's URL starts https://hooks.slack.com/services/)`);
    let channel = slackChannels.get(url);
    if (!channel) slackChannels.set(url, channel = new SlackWebhookChannel(url, options.fetch));
    return channel;
  };
  const email = (c: EmailAlertsConfig, key: string): AlertChannel => {
    const smtpUrl = required(secret, c.smtpUrlEnv, key, 'smtps://user:password@smtp.example.com:465', 'the SMTP server to send through');
    if (!/^smtps?:\/\/[^/\s]+/.test(smtpUrl)) throw new ConfigError(`${key}: ${c.smtpUrlEnv} must be an SMTP URL such as smtps://user:password@smtp.example.com:465 or smtp://localhost:25`);
    const id = `${smtpUrl}\u0000${c.from}\u0000${c.to.join(',')}`;
    let channel = emailChannels.get(id);
    if (!channel) emailChannels.set(id, channel = new EmailChannel({ smtpUrl, from: c.from, to: c.to }));
    return channel;
  };
  const bySource = new Map<string, AlertChannel[]>();
  config.sources.forEach((source, i) => {
    const own = source.alerts;
    if (own?.enabled === false) return;
    const channels: AlertChannel[] = [];
    const slackConfig = own?.slack ?? top?.slack;
    if (slackConfig) channels.push(slack(slackConfig, own?.slack ? `sources[${i}].alerts.slack.webhookUrlEnv` : 'alerts.slack.webhookUrlEnv'));
    const emailConfig = options.email === false ? undefined : own?.email ?? top?.email;
    if (emailConfig) channels.push(email(emailConfig, own?.email ? `sources[${i}].alerts.email.smtpUrlEnv` : 'alerts.email.smtpUrlEnv'));
    if (channels.length > 0) bySource.set(source.id, channels);
  });
  if (bySource.size === 0) return undefined;
  return {
    channelsFor: (id) => bySource.get(id) ?? [],
    sourceIds: [...bySource.keys()],
    watch: top?.on ?? [...SOURCE_CONDITIONS],
    repeatMs: (top?.repeatAfterHours ?? 24) * 3_600_000,
    checkEveryMs: (top?.checkEverySeconds ?? 60) * 1000,
    failuresBeforeAlert: top?.failuresBeforeAlert ?? 1,
    close: () => {
      for (const channel of emailChannels.values()) channel.close();
    },
  };
}

function required(secret: (name: string) => string | undefined, name: string, key: string, example: string, what: string): string {
  const value = secret(name);
  if (!value) throw new ConfigError(`${key}: the environment variable ${name} is not set; export ${name}=${example} (${what}), or remove the key to send no alerts there`);
  return value;
}
