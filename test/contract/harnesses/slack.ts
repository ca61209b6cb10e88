import { dayOf } from '../../../shared/connectors/slack/messages.ts';
import { SlackEmulator } from '../../emulators/slack.ts';
import { FAST_RETRY, GENERAL, seedWorkspace, tsAt } from '../slack-fixtures.ts';
import { connectorFromConfig, type ContractHarness } from './harness.ts';

/** The loopback Slack emulator, one workspace per fixture, in both document modes. */
export const slackHarness: ContractHarness = {
  variants: (['thread', 'channel-day'] as const).map((mode) => ({
    name: mode,
    make: async () => {
      const slack = await SlackEmulator.start();
      seedWorkspace(slack);
      // A message in a channel the bot is not in must never show up.
      slack.post({ channel: 'C0SECRET', user: 'U0BOB', text: 'hidden' });
      const base = Date.now() - 60 * 86_400_000;
      // Contract ids map to fixed ts values: a minute apart (threads), or a day apart (channel-days).
      const tsOf = (id: string): string => tsAt(base + Number(/\d+/.exec(id)![0]) * (mode === 'thread' ? 60_000 : 86_400_000));
      const posted = new Set<string>();
      return {
        connector: connectorFromConfig({
          id: 'slack', kind: 'slack', tokenEnv: 'SLACK_BOT_TOKEN', apiUrl: slack.url, documentMode: mode, reconcile: true, pageSize: 3,
          maxRetries: FAST_RETRY.retries, retryMinDelayMs: FAST_RETRY.minDelayMs, retryMaxDelayMs: FAST_RETRY.maxDelayMs,
        }, { secret: (name) => (name === 'SLACK_BOT_TOKEN' ? slack.token : undefined) }),
        put: async (id, text) => {
          if (posted.has(id)) slack.edit(GENERAL, tsOf(id), text);
          else slack.post({ channel: GENERAL, user: 'U0ALICE', text, ts: tsOf(id) });
          posted.add(id);
        },
        remove: async (id) => {
          slack.remove(GENERAL, tsOf(id));
          posted.delete(id);
        },
        cleanup: () => slack.close(),
        docId: (id) => `${GENERAL}/${mode === 'thread' ? tsOf(id) : dayOf(tsOf(id), 'UTC')}`,
        renderedText: (_id, text) => `Alice: ${text.trim()}`,
      };
    },
  })),
};
