/**
 * The Slack connector against the message shapes Slack sends besides plain posts (as the
 * emulator makes them from Slack's captures): broadcast replies, file shares, /me messages,
 * notices (joins, leaves, topic, purpose, renames) and a deleted parent's tombstone.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TURN_SEPARATOR } from '../../shared/core/chunker.ts';
import { dayOf } from '../../shared/connectors/slack/messages.ts';
import type { PullWindow } from '../../shared/ports/index.ts';
import { SlackEmulator } from '../emulators/slack.ts';
import { ManualClock } from '../support/embedded.ts';
import { connectorFor, GENERAL, seedWorkspace } from './slack-fixtures.ts';
import { pullPass } from './source-connector.contract.ts';

const DAY_MS = 86_400_000;

describe('SlackConnector: message shapes', () => {
  let slack: SlackEmulator;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-04-01T08:00:00Z'));
    slack = await SlackEmulator.start({ now: () => clock.now() });
    seedWorkspace(slack);
  });

  afterEach(async () => {
    await slack.close();
  });

  const snapshot = (): string => new Date(clock.now() + 1000).toISOString();
  const fullWindow = (): PullWindow => ({ snapshotAt: snapshot(), full: true });
  const since = (iso: string): PullWindow => ({ since: iso, snapshotAt: snapshot(), full: false });
  const post = (text: string, extra: { user?: string; threadTs?: string; broadcast?: boolean } = {}): string => {
    clock.advance(1000);
    return slack.postAsUser({ channel: GENERAL, user: 'U0ALICE', text, ...extra }).ts;
  };
  const turns = (doc: { text: string } | undefined): string[] => doc!.text.split(TURN_SEPARATOR);

  describe('thread_broadcast', () => {
    it('an incremental pass picks the thread of a broadcast reply edited in the window', async () => {
      // Prepare: two old threads, one reply broadcast to the channel; both replies edited later.
      const broadcastThread = post('release checklist');
      const broadcast = post('checklist moved to the wiki', { user: 'U0BOB', threadTs: broadcastThread, broadcast: true });
      const plainThread = post('retro notes');
      const plain = post('add the outage', { user: 'U0BOB', threadTs: plainThread });
      clock.advance(3_600_000);
      const windowStart = new Date(clock.now()).toISOString();
      clock.advance(1000);
      slack.edit(GENERAL, broadcast, 'checklist moved to the handbook');
      slack.edit(GENERAL, plain, 'add the outage and the fix');

      // Act
      const thread = await pullPass(connectorFor(slack), since(windowStart));
      const days = await pullPass(connectorFor(slack, { documentMode: 'channel-day' }), since(windowStart));

      // Assess: history shows the broadcast's copy with its edit; a plain reply's edit is not in
      // history at all (it arrives as an Events API hint, docs/sources/slack.md "Limits").
      expect(thread.refs.map((r) => r.id)).toEqual([`${GENERAL}/${broadcastThread}`]);
      expect(turns(thread.refs[0]!.document)).toEqual(['Alice: release checklist', 'Bob Builder: checklist moved to the handbook']);
      expect(days.refs.map((r) => r.id)).toEqual([`${GENERAL}/${dayOf(broadcastThread, 'UTC')}`]);
      expect(days.refs[0]!.document!.text).toContain('↳ Bob Builder: checklist moved to the handbook');
    });

    it('a broadcast reply to a thread older than threadLookbackDays picks that thread', async () => {
      // Prepare: the parent is 10 days old, outside the 7-day history read of an incremental pass.
      const parent = post('Q3 planning');
      clock.advance(10 * DAY_MS);
      const windowStart = new Date(clock.now()).toISOString();
      post('dates are final', { user: 'U0BOB', threadTs: parent, broadcast: true });

      // Act
      const { refs } = await pullPass(connectorFor(slack), since(windowStart));

      // Assess
      expect(refs.map((r) => r.id)).toEqual([`${GENERAL}/${parent}`]);
      expect(turns(refs[0]!.document)).toEqual(['Alice: Q3 planning', 'Bob Builder: dates are final']);
    });

    it('a thread whose parent the pass picks anyway is named once, though the broadcast is pages before it', async () => {
      // Prepare: parent, then newer messages, then a broadcast reply (history is newest first,
      // three per page: the broadcast on the first page, its parent on the third).
      clock.advance(1000);
      const windowStart = new Date(clock.now()).toISOString();
      const parent = post('incident 7');
      for (let i = 0; i < 5; i++) post(`chatter ${i}`);
      post('resolved, see thread', { user: 'U0BOB', threadTs: parent, broadcast: true });

      // Act
      const pass = await pullPass(connectorFor(slack), since(windowStart));
      const full = await pullPass(connectorFor(slack), fullWindow());

      // Assess
      for (const { refs } of [pass, full]) {
        expect(refs.filter((r) => r.id === `${GENERAL}/${parent}`)).toHaveLength(1);
        expect(refs).toHaveLength(6);
      }
    });
  });

  it('a person\'s file share is content: its text and file names, on its own and in a thread, bots on or off', async () => {
    // Prepare
    clock.advance(1000);
    const shared = slack.shareFile({ channel: GENERAL, user: 'U0BOB', text: 'minutes of the review', file: { name: 'review.txt', title: 'Review minutes' } }).ts;
    clock.advance(1000);
    const bare = slack.shareFile({ channel: GENERAL, user: 'U0BOB', text: '', file: { name: 'plan.pdf' } }).ts;
    const parent = post('slides for Friday?');
    clock.advance(1000);
    slack.shareFile({ channel: GENERAL, user: 'U0BOB', text: 'here', threadTs: parent, file: { name: 'friday.key' } });

    for (const includeBotMessages of [false, true]) {
      // Act
      const docs = (await connectorFor(slack, { includeBotMessages }).fetch([shared, bare, parent].map((ts) => `${GENERAL}/${ts}`))).documents;

      // Assess
      expect(docs.map(turns)).toEqual([
        ['Bob Builder: minutes of the review [files: Review minutes]'],
        ['Bob Builder: [files: plan.pdf]'],
        ['Alice: slides for Friday?', 'Bob Builder: here [files: friday.key]'],
      ]);
      expect(docs[0]!.title).toBe(`#general — Bob Builder, ${dayOf(shared, 'UTC')}`);
    }
  });

  it('a /me message is content; joins, leaves, topic, purpose and rename notices never are, bots on or off', async () => {
    // Prepare
    clock.advance(1000);
    const me = slack.meMessage({ channel: GENERAL, user: 'U0ALICE', text: 'is out until Monday' }).ts;
    const notices: string[] = [];
    const notice = (make: () => { ts: string }): void => {
      clock.advance(1000);
      notices.push(make().ts);
    };
    notice(() => slack.join({ channel: GENERAL, user: 'U0BOB', inviter: 'U0ALICE' }));
    notice(() => slack.setTopic({ channel: GENERAL, user: 'U0ALICE', topic: 'Deploys at 10' }));
    notice(() => slack.setPurpose({ channel: GENERAL, user: 'U0ALICE', purpose: 'Everything release' }));
    notice(() => slack.leave({ channel: GENERAL, user: 'U0BOB' }));
    clock.advance(1000);
    slack.rename(GENERAL, 'releases', 'U0ALICE');
    notices.push(slack.messages(GENERAL).at(-1)!.ts);
    const plain = post('a plain message');

    for (const includeBotMessages of [false, true]) {
      // Act
      const connector = connectorFor(slack, { includeBotMessages });
      const { refs } = await pullPass(connector, fullWindow());
      const fetched = (await connector.fetch(notices.map((ts) => `${GENERAL}/${ts}`))).documents;

      // Assess
      expect(refs.map((r) => r.id).sort()).toEqual([me, plain].map((ts) => `${GENERAL}/${ts}`).sort());
      expect(refs.map((r) => r.document!.text).sort()).toEqual(['Alice: a plain message', 'Alice: is out until Monday']);
      expect(refs[0]!.document!.title).toMatch(/^#releases — Alice, /);
      expect(fetched).toEqual([]);
    }
  });

  it('a parent deleted with replies: its tombstone is left out, the replies keep the thread until the last is deleted', async () => {
    // Prepare
    const parent = post('can someone review #42?');
    const first = post('on it', { user: 'U0BOB', threadTs: parent });
    const second = post('approved', { threadTs: parent });
    const id = `${GENERAL}/${parent}`;
    const dayDoc = `${GENERAL}/${dayOf(parent, 'UTC')}`;
    const connector = connectorFor(slack);
    const days = connectorFor(slack, { documentMode: 'channel-day' });

    // Act
    slack.remove(GENERAL, parent);
    const [kept] = (await connector.fetch([id])).documents;
    const [keptDay] = (await days.fetch([dayDoc])).documents;
    const pass = await pullPass(connector, fullWindow());
    slack.remove(GENERAL, first);
    slack.remove(GENERAL, second);
    const gone = (await connector.fetch([id])).documents;
    const goneDay = (await days.fetch([dayDoc])).documents;

    // Assess
    expect(turns(kept)).toEqual(['Bob Builder: on it', 'Alice: approved']);
    expect(kept!.title).toBe(`#general — Bob Builder, ${dayOf(parent, 'UTC')}`);
    expect(kept!.url).toBe(`https://emulated.slack.com/archives/${GENERAL}/p${parent.replace('.', '')}`);
    expect(turns(keptDay)).toEqual(['↳ Bob Builder: on it', '↳ Alice: approved']);
    expect(pass.refs.map((r) => [r.id, r.version])).toEqual([[id, kept!.version]]);
    expect(gone).toEqual([]);
    expect(goneDay).toEqual([]);
  });
});
