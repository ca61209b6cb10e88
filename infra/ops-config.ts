import { deliveryPartitionKey } from '../shared/adapters/aws/dynamodb-delivery-log.ts';
import { incidentPartitionKey } from '../shared/adapters/aws/dynamodb-incident-log.ts';
import { sourcePartitionKey } from '../shared/adapters/aws/dynamodb-state-store.ts';
import { incidentScope } from '../shared/core/alerts/announce.ts';
import { chatopsScope } from '../shared/core/chatops.ts';
import type { TributaryConfig } from '../shared/config/schema.ts';
import { ConfigError } from '../shared/core/errors.ts';
import type { TableAccess } from './stage-config.ts';

/** The notifier: the alarm topic's subscriber posting to Slack. */
export interface NotifierStage {
  /** Secret ids of the Slack incoming-webhook URLs, by the environment-variable names the config uses. */
  readonly secrets: Record<string, string>;
  /** Sources whose alerts go to Slack: each gets failure and breaker alarms besides its freshness alarm. */
  readonly sourceIds: readonly string[];
  readonly failuresBeforeAlert: number;
  /** Reads the sources' state and runs (the error and fix to tell); writes only its incidents. */
  readonly reads: TableAccess;
  readonly writes: TableAccess;
}

/** The chat-ops function behind `POST /chatops/{slack,discord}`. */
export interface ChatopsStage {
  readonly platforms: ReadonlyArray<'slack' | 'discord'>;
  readonly secrets: Record<string, string>;
  /** Reads the sources' state and runs (status); puts and deletes only its replay memory. */
  readonly reads: TableAccess;
  readonly writes: TableAccess;
}

/**
 * The operations side of a deployment from the config's `alerts` and `chatops`: undefined
 * parts are not deployed. E-mail alerts are the local runtime's; on AWS the alarm topic mails
 * `aws.alarmEmail`. Every secret named must be in `aws.secrets`.
 */
export function opsStageFrom(config: TributaryConfig): { notifier?: NotifierStage; chatops?: ChatopsStage } {
  const secrets = config.aws?.secrets ?? {};
  const secretOf = (name: string, key: string): Record<string, string> => {
    const id = secrets[name];
    if (!id) throw new ConfigError(`aws.secrets: no secret for ${name} (named by ${key}); add "${name}": "<its Secrets Manager name, e.g. tributary/${name.toLowerCase().replaceAll('_', '-')}, or its ARN>" — Lambdas read secrets from Secrets Manager, never from env vars`);
    return { [name]: id };
  };
  const sourceKeys = config.sources.map((s) => sourcePartitionKey(s.id));
  const out: { notifier?: NotifierStage; chatops?: ChatopsStage } = {};
  let notifierSecrets: Record<string, string> = {};
  const alerted: string[] = [];
  config.sources.forEach((source, i) => {
    if (source.alerts?.enabled === false) return;
    const slack = source.alerts?.slack ?? config.alerts?.slack;
    if (!slack) return;
    notifierSecrets = { ...notifierSecrets, ...secretOf(slack.webhookUrlEnv, source.alerts?.slack ? `sources[${i}].alerts.slack.webhookUrlEnv` : 'alerts.slack.webhookUrlEnv') };
    alerted.push(source.id);
  });
  if (alerted.length > 0) {
    out.notifier = {
      secrets: notifierSecrets, sourceIds: alerted, failuresBeforeAlert: config.alerts?.failuresBeforeAlert ?? 1,
      reads: { write: false, partitionKeys: alerted.map(sourcePartitionKey) },
      writes: { write: true, partitionKeys: [...alerted, 'pipeline'].map((id) => incidentPartitionKey(incidentScope(id))) },
    };
  }
  const chat = config.chatops;
  const platforms = (['slack', 'discord'] as const).filter((p) => chat?.[p] !== undefined);
  if (chat && platforms.length > 0) {
    out.chatops = {
      platforms,
      secrets: chat.slack ? secretOf(chat.slack.signingSecretEnv, 'chatops.slack.signingSecretEnv') : {},
      reads: { write: false, partitionKeys: sourceKeys },
      writes: { write: true, putOnly: true, partitionKeys: platforms.map((p) => deliveryPartitionKey(chatopsScope(p))) },
    };
  }
  return out;
}
