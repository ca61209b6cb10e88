import { lambdaEntry } from '../shared/lambda.ts';
import { ConfigError } from '../../shared/core/errors.ts';
import { alertsFromConfig } from '../../shared/wiring/alerts.ts';
import { createNotifierHandler } from './notifier.ts';

/** Notifier Lambda: subscribed to the alarm topic, posts alarms and recoveries to Slack. */
export const handler = lambdaEntry('state', (rt) => {
  // E-mail goes by the topic's own subscription (aws.alarmEmail); Slack URLs come from Secrets Manager.
  const alerts = alertsFromConfig(rt.config, (name) => rt.secrets[name], { email: false });
  if (!rt.incidents) throw new ConfigError('the notifier needs the state table (TRIBUTARY_TABLE): deploy it with the Tributary stacks');
  const all = alerts ? [...new Set(alerts.sourceIds.flatMap((id) => alerts.channelsFor(id)))] : [];
  return createNotifierHandler({ incidents: rt.incidents, state: rt.deps.state, clock: rt.deps.clock, log: rt.deps.log }, {
    // Alarms of no source go wherever any source's alerts go.
    channelsFor: (id) => (id === 'pipeline' ? all : alerts?.channelsFor(id) ?? []),
    freshnessSloMinutes: (id) => rt.config.sources.find((s) => s.id === id)?.freshnessSloMinutes ?? 60,
    repeatMs: alerts?.repeatMs ?? 24 * 3_600_000,
  });
}, { publishesMetrics: false });
