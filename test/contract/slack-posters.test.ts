/**
 * Who posted decides what the Slack connector indexes: each kind of poster the emulator offers
 * (a person; an app with its bot token, ours and another; a legacy bot_message integration; an
 * incoming webhook; a workflow), with includeBotMessages off and on — as a post of its own, as a
 * reply in a person's thread, and as the parent of a thread people replied to.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TURN_SEPARATOR } from '../../shared/core/chunker.ts';
import { dayOf } from '../../shared/connectors/slack/messages.ts';
import type { PullWindow } from '../../shared/ports/index.ts';
import { SlackEmulator } from '../emulators/slack.ts';
import { ManualClock } from '../support/embedded.ts';
import { BOT_POSTERS, CI_APP, posterCases } from '../support/slack-posters.ts';
import { connectorFor, GENERAL, seedWorkspace } from './slack-fixtures.ts';
import { pullPass } from './source-connector.contract.ts';

const PEOPLE = ['U0ALICE', 'U0BOB'];

describe('SlackConnector: who posted', () => {
  let slack: SlackEmulator;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-02-10T09:00:00Z'));
    slack = await SlackEmulator.start({ now: () => clock.now() });
    seedWorkspace(slack);
    slack.addApp(CI_APP);
  });

  afterEach(async () => {
    await slack.close();
  });

  const fullWindow = (): PullWindow => ({ snapshotAt: new Date(clock.now() + 1000).toISOString(), full: true });
  const at = <T>(make: () => T): T => {
    clock.advance(1000);
    return make();
  };
  const human = (text: string, user = 'U0BOB', threadTs?: string): string =>
    at(() => slack.postAsUser({ channel: GENERAL, user, text, ...(threadTs ? { threadTs } : {}) })).ts;
  const texts = (refs: ReadonlyArray<{ document?: { text: string } }>): string[][] => refs.map((r) => r.document!.text.split(TURN_SEPARATOR));
  /** Only people are looked up: a bot's name comes from the message itself. */
  const lookedUp = (): string[] => slack.calls.filter((c) => c.method === 'users.info').map((c) => c.args['user']!);

  it.each(posterCases())('%s, includeBotMessages %s: a post of its own', async (_name, includeBotMessages, poster) => {
    // Prepare
    human('control');
    const { ts } = at(() => poster.post(slack, { channel: GENERAL, text: 'the nightly build is green' }));
    const connector = connectorFor(slack, { includeBotMessages });

    // Act
    const { refs } = await pullPass(connector, fullWindow());
    const fetched = (await connector.fetch([`${GENERAL}/${ts}`])).documents;

    // Assess
    const indexed = !poster.bot || includeBotMessages;
    const expected = [['Bob Builder: control'], ...(indexed ? [[`${poster.author}: the nightly build is green`]] : [])];
    expect(texts(refs).sort()).toEqual(expected.sort());
    if (indexed) {
      expect(fetched.map((d) => d.title)).toEqual([`#general — ${poster.author}, ${dayOf(ts, 'UTC')}`]);
    } else {
      // Absent on fetch too: a hint or a reconcile removes a bot post indexed before.
      expect(fetched).toEqual([]);
    }
    expect(lookedUp().every((u) => PEOPLE.includes(u))).toBe(true);
  });

  it.each(posterCases().filter(([, , p]) => p.replies))('%s, includeBotMessages %s: a reply in a person\'s thread', async (_name, includeBotMessages, poster) => {
    // Prepare
    const parent = human('who can look at the flaky test?', 'U0ALICE');
    at(() => poster.post(slack, { channel: GENERAL, text: 'retried: passes now', threadTs: parent }));
    human('thanks', 'U0BOB', parent);
    const connector = connectorFor(slack, { includeBotMessages });

    // Act
    const [doc] = (await connector.fetch([`${GENERAL}/${parent}`])).documents;

    // Assess
    const indexed = !poster.bot || includeBotMessages;
    expect(doc!.text.split(TURN_SEPARATOR)).toEqual([
      'Alice: who can look at the flaky test?', ...(indexed ? [`${poster.author}: retried: passes now`] : []), 'Bob Builder: thanks',
    ]);
    expect(doc!.title).toBe(`#general — Alice, ${dayOf(parent, 'UTC')}`);
  });

  it.each(posterCases(BOT_POSTERS))(
    '%s, includeBotMessages %s: the parent of a thread people replied to',
    async (_name, includeBotMessages, poster) => {
      // Prepare
      const parent = at(() => poster.post(slack, { channel: GENERAL, text: 'ALERT: disk 91% on db-2' })).ts;
      human('looking into it', 'U0BOB', parent);
      human('rotated the logs', 'U0ALICE', parent);
      const connector = connectorFor(slack, { includeBotMessages });

      // Act
      const { refs } = await pullPass(connector, fullWindow());
      const [doc] = (await connector.fetch([`${GENERAL}/${parent}`])).documents;

      // Assess: the people's replies stay one document under the parent's id, day and link;
      // without bots its first turn and its title's author are the first reply's.
      const replies = ['Bob Builder: looking into it', 'Alice: rotated the logs'];
      expect(refs.map((r) => r.id)).toEqual([`${GENERAL}/${parent}`]);
      expect(doc!.text.split(TURN_SEPARATOR)).toEqual(includeBotMessages ? [`${poster.author}: ALERT: disk 91% on db-2`, ...replies] : replies);
      expect(doc!.title).toBe(`#general — ${includeBotMessages ? poster.author : 'Bob Builder'}, ${dayOf(parent, 'UTC')}`);
      expect(doc!.url).toBe(`https://emulated.slack.com/archives/${GENERAL}/p${parent.replace('.', '')}`);
      expect(doc!.metadata).toMatchObject({ threadTs: parent });
      expect(refs[0]!.version).toBe(doc!.version);
    },
  );

  it('a bot thread without a person in it is no document without bots', async () => {
    // Prepare
    const parent = at(() => slack.postAsApp({ channel: GENERAL, app: CI_APP, text: 'deploy started' })).ts;
    at(() => slack.postAsApp({ channel: GENERAL, app: CI_APP, text: 'deploy finished', threadTs: parent }));
    at(() => slack.postLegacyBot({ channel: GENERAL, botId: 'B0LEGACY', username: 'github', text: 'tagged v1.2', threadTs: parent }));
    const without = connectorFor(slack);

    // Act
    const pass = await pullPass(without, fullWindow());
    const fetched = (await without.fetch([`${GENERAL}/${parent}`])).documents;
    const [withBots] = (await connectorFor(slack, { includeBotMessages: true }).fetch([`${GENERAL}/${parent}`])).documents;

    // Assess
    expect(pass.refs).toEqual([]);
    expect(fetched).toEqual([]);
    expect(withBots!.text.split(TURN_SEPARATOR)).toEqual(['CI: deploy started', 'CI: deploy finished', 'github: tagged v1.2']);
  });

  it('channel-day: a bot parent\'s human replies keep their place, marked as replies', async () => {
    // Prepare
    human('morning', 'U0ALICE');
    const parent = at(() => slack.postWebhook({ channel: GENERAL, text: 'build 812 failed' })).ts;
    human('on it', 'U0BOB', parent);
    human('lunch?', 'U0BOB');
    const day = dayOf(parent, 'UTC');

    // Act
    const [without] = (await connectorFor(slack, { documentMode: 'channel-day' }).fetch([`${GENERAL}/${day}`])).documents;
    const [withBots] = (await connectorFor(slack, { documentMode: 'channel-day', includeBotMessages: true }).fetch([`${GENERAL}/${day}`])).documents;

    // Assess
    expect(without!.text.split(TURN_SEPARATOR)).toEqual(['Alice: morning', '↳ Bob Builder: on it', 'Bob Builder: lunch?']);
    expect(withBots!.text.split(TURN_SEPARATOR)).toEqual(['Alice: morning', 'incoming-webhook: build 812 failed', '↳ Bob Builder: on it', 'Bob Builder: lunch?']);
    expect(without!.title).toBe(`#general — ${day}`);
  });
});
