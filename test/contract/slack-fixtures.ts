/**
 * The Slack workspace and connector the Slack connector suites share: two people, #general and
 * #random with the bot in them, and a channel it is not in; a connector with fast retries.
 */
import { SlackConnector, type SlackConnectorOptions } from '../../shared/connectors/slack/slack-connector.ts';
import type { SlackEmulator } from '../emulators/slack.ts';

export const GENERAL = 'C0GENERAL';
export const RANDOM = 'C0RANDOM';
export const FAST_RETRY = { retries: 20, minDelayMs: 0, maxDelayMs: 2 };

export function seedWorkspace(slack: SlackEmulator): void {
  slack.addUser({ id: 'U0ALICE', name: 'alice', realName: 'Alice Liddell', displayName: 'Alice' });
  slack.addUser({ id: 'U0BOB', name: 'bob', realName: 'Bob Builder' });
  slack.addChannel({ id: GENERAL, name: 'general' });
  slack.addChannel({ id: RANDOM, name: 'random' });
  slack.addChannel({ id: 'C0SECRET', name: 'not-for-the-bot', member: false });
}

export function connectorFor(slack: SlackEmulator, options: Partial<SlackConnectorOptions> = {}): SlackConnector {
  return new SlackConnector({
    sourceId: 'slack', token: () => slack.token, apiUrl: slack.url, retry: FAST_RETRY, pageSize: 3, ...options,
  });
}

/** The Slack ts of an epoch-millisecond instant. */
export const tsAt = (ms: number): string => `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000).padStart(6, '0')}`;
