/**
 * Access of Slack documents, against the loopback Slack emulator: a public channel's documents
 * are `public`, a private channel's are its members (conversations.members, paged); members are
 * looked up once per channel while the cache holds, and a membership change, once it expires,
 * changes the documents' version and access.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackEmulator } from '../emulators/slack.ts';
import { OWN_APP } from '../emulators/slack/workspace.ts';
import { ManualClock } from '../support/embedded.ts';
import { connectorFor, GENERAL, seedWorkspace } from './slack-fixtures.ts';
import { pullPass } from './source-connector.contract.ts';

const PRIVATE = 'G0PRIVATE';
const BOT = `user:${OWN_APP.botUserId}`;

describe('SlackConnector: access', () => {
  let slack: SlackEmulator;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    slack = await SlackEmulator.start({ now: () => clock.now() });
    seedWorkspace(slack);
    slack.addChannel({ id: PRIVATE, name: 'incidents', isPrivate: true, members: ['U0ALICE'] });
  });

  afterEach(async () => {
    await slack.close();
  });

  const fullWindow = () => ({ snapshotAt: new Date(clock.now() + 1000).toISOString(), full: true });

  it('gives a public channel\'s documents to everyone and a private channel\'s to its members', async () => {
    // Prepare
    const open = slack.post({ channel: GENERAL, user: 'U0ALICE', text: 'Deploys are on Tuesdays' }).ts;
    const closed = slack.post({ channel: PRIVATE, user: 'U0ALICE', text: 'The database failed over at 02:00' }).ts;
    const connector = connectorFor(slack, { channels: [GENERAL, PRIVATE] });

    // Act
    const { documents } = await connector.fetch([`${GENERAL}/${open}`, `${PRIVATE}/${closed}`]);

    // Assess
    expect(documents.map((d) => [d.id, d.access])).toEqual([
      [`${GENERAL}/${open}`, ['public']],
      [`${PRIVATE}/${closed}`, ['user:U0ALICE', BOT]],
    ]);
  });

  it('reads a channel\'s members once for all its documents, every page of them', async () => {
    // Prepare: 450 members (three conversations.members pages of 200).
    const crowd = Array.from({ length: 450 }, (_, i) => `U${String(i).padStart(8, '0')}`);
    for (const id of crowd) slack.join({ channel: PRIVATE, user: id });
    for (let i = 0; i < 4; i++) slack.post({ channel: PRIVATE, user: 'U0ALICE', text: `incident ${i}` });
    const connector = connectorFor(slack, { channels: [PRIVATE], pageSize: 10 });

    // Act
    const { refs } = await pullPass(connector, fullWindow());

    // Assess
    expect(refs).toHaveLength(4);
    for (const ref of refs) expect(ref.document?.access).toHaveLength(452);
    expect(refs[0]?.document?.access).toContain('user:U00000449');
    expect(slack.count('conversations.members', 200)).toBe(3);
  });

  it('a member who joins changes the documents\' version and access once the cache expires', async () => {
    // Prepare
    const ts = slack.post({ channel: PRIVATE, user: 'U0ALICE', text: 'Postmortem draft' }).ts;
    const connector = connectorFor(slack, { channels: [PRIVATE], nameCacheSeconds: 60, clock });
    const id = `${PRIVATE}/${ts}`;
    const [before] = (await connector.fetch([id])).documents;

    // Act
    slack.join({ channel: PRIVATE, user: 'U0BOB' });
    const [cached] = (await connector.fetch([id])).documents;
    clock.advance(61_000);
    const [after] = (await connector.fetch([id])).documents;

    // Assess
    expect(cached?.version).toBe(before?.version);
    expect(cached?.access).toEqual(['user:U0ALICE', BOT]);
    expect(after?.version).not.toBe(before?.version);
    expect(after?.access).toEqual(['user:U0ALICE', 'user:U0BOB', BOT]);
    expect(after?.text).toBe(before?.text);
  });
});
