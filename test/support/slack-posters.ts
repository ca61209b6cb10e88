/**
 * Every kind of poster the Slack emulator offers, with what the connector should make of it:
 * whether it is a bot, the author its turns show, and whether it can reply in a thread. The
 * Slack suites (contract, webhook, e2e) run each case with includeBotMessages off and on.
 */
import type { EmulatedApp, Posted, SlackEmulator } from '../emulators/slack.ts';

/** Another app in the workspace, besides the emulator's own (`OWN_APP`, named "tributary"). */
export const CI_APP: EmulatedApp = { appId: 'A0CIAPP', botId: 'B0CIAPP', botUserId: 'U0CIBOT', name: 'CI' };

export interface Poster {
  readonly name: string;
  readonly bot: boolean;
  /** The author a turn shows when the post is indexed. */
  readonly author: string;
  /** Webhooks and workflows post top-level messages only. */
  readonly replies: boolean;
  post(slack: SlackEmulator, at: { channel: string; text: string; threadTs?: string }): Posted;
}

/** Needs `slack.addApp(CI_APP)` and a person `U0ALICE` shown as "Alice". */
export const POSTERS: readonly Poster[] = [
  { name: 'a person', bot: false, author: 'Alice', replies: true, post: (s, at) => s.postAsUser({ ...at, user: 'U0ALICE' }) },
  // App posts carry no username: the author is the bot profile's name, not a users.info lookup.
  { name: 'our own app (bot token)', bot: true, author: 'tributary', replies: true, post: (s, at) => s.postAsApp(at) },
  { name: 'another app (bot token)', bot: true, author: 'CI', replies: true, post: (s, at) => s.postAsApp({ ...at, app: CI_APP }) },
  {
    name: 'a legacy bot_message integration', bot: true, author: 'github', replies: true,
    post: (s, at) => s.postLegacyBot({ ...at, botId: 'B0LEGACY', username: 'github' }),
  },
  { name: 'an incoming webhook', bot: true, author: 'Slackistrano', replies: false, post: (s, at) => s.postWebhook({ ...at, username: 'Slackistrano' }) },
  { name: 'a workflow', bot: true, author: 'Standup workflow', replies: false, post: (s, at) => s.postWorkflow(at) },
];

export const BOT_POSTERS = POSTERS.filter((p) => p.bot);

/** `[poster name, includeBotMessages, poster]` for every poster and both settings. */
export function posterCases(posters: readonly Poster[] = POSTERS): Array<readonly [string, boolean, Poster]> {
  return posters.flatMap((p) => [false, true].map((on) => [p.name, on, p] as const));
}
