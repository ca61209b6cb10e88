/**
 * A Telegram world shared by a test and the `tributary` child processes it runs. The GramJS
 * fake has to live in the child (MTProto has no URL to point a child at), so the world is kept
 * as an append-only log of operations — users, chats, posts, edits, deletions, each with the
 * clock it happened at — which the test writes (before applying it, so a Bot API webhook about a
 * change never reaches the child before the change does) and the child replays
 * (./telegram-fake.ts). The world is deterministic (ids come from its sequences, dates from the
 * recorded clock), so both sides hold the same messages under the same ids.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { TelegramWorld, type Entity, type Person, type PostInput, type Service, type StoredMessage } from '../../emulators/telegram.ts';

type AddChat = Parameters<TelegramWorld['addChat']>[0];

export type WorldOp =
  | { readonly op: 'user'; readonly at: number; readonly person: Person }
  | { readonly op: 'chat'; readonly at: number; readonly input: AddChat }
  | { readonly op: 'post'; readonly at: number; readonly input: PostInput }
  | { readonly op: 'edit'; readonly at: number; readonly chat: number; readonly id: number; readonly text: string; readonly entities: readonly Entity[] }
  | { readonly op: 'remove'; readonly at: number; readonly chat: number; readonly id: number }
  | { readonly op: 'service'; readonly at: number; readonly chat: number; readonly service: Exclude<Service, { kind: 'created' }>; readonly actor?: number | undefined };

/** Applies one operation to `world` (whose clock the caller has set to `op.at`). */
export function applyOp(world: TelegramWorld, op: WorldOp): StoredMessage | undefined {
  switch (op.op) {
    case 'user': world.addUser(op.person); return undefined;
    case 'chat': world.addChat(op.input); return undefined;
    case 'post': return world.post(op.input);
    case 'edit': return world.edit(op.chat, op.id, op.text, op.entities);
    case 'remove': return world.remove(op.chat, op.id);
    case 'service': return world.service(op.chat, op.service, op.actor);
  }
}

/** The test's side: a world whose every change is logged first. */
export class LoggedWorld {
  clock: number;
  readonly world: TelegramWorld;

  constructor(readonly path: string, start: number) {
    this.clock = start;
    this.world = new TelegramWorld(() => this.clock);
    writeFileSync(path, '');
  }

  tick(seconds: number): void {
    this.clock += seconds * 1000;
  }

  addUser(person: Person): void {
    this.record({ op: 'user', at: this.clock, person });
  }

  addChat(input: AddChat): void {
    this.record({ op: 'chat', at: this.clock, input });
  }

  post(input: PostInput): StoredMessage {
    return this.record({ op: 'post', at: this.clock, input })!;
  }

  edit(chat: number, id: number, text: string, entities: readonly Entity[] = []): StoredMessage {
    return this.record({ op: 'edit', at: this.clock, chat, id, text, entities })!;
  }

  remove(chat: number, id: number): StoredMessage {
    return this.record({ op: 'remove', at: this.clock, chat, id })!;
  }

  createTopic(chat: number, title: string, actor?: number): number {
    return this.record({ op: 'service', at: this.clock, chat, service: { kind: 'forum_topic_created', title, iconColor: 0x6fb9f0 }, actor })!.id;
  }

  /** Many posts at once (one write): the seed histories. */
  postMany(inputs: ReadonlyArray<{ readonly at: number; readonly input: PostInput }>): void {
    const ops: WorldOp[] = inputs.map(({ at, input }) => ({ op: 'post', at, input }));
    appendFileSync(this.path, ops.map((o) => `${JSON.stringify(o)}\n`).join(''));
    const now = this.clock;
    for (const op of ops) {
      this.clock = op.at;
      applyOp(this.world, op);
    }
    this.clock = Math.max(now, this.clock);
  }

  private record(op: WorldOp): StoredMessage | undefined {
    appendFileSync(this.path, `${JSON.stringify(op)}\n`);
    return applyOp(this.world, op);
  }
}

/** The child's side: replays the log into `world`, then whatever was appended since each time it is called. */
export function follower(path: string, world: TelegramWorld, setClock: (ms: number) => void): () => void {
  let consumed = 0;
  return () => {
    const bytes = readFileSync(path);
    if (bytes.length <= consumed) return;
    const end = bytes.lastIndexOf(0x0a);
    if (end < consumed) return;
    for (const line of bytes.subarray(consumed, end).toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      const op = JSON.parse(line) as WorldOp;
      setClock(op.at);
      applyOp(world, op);
    }
    consumed = end + 1;
  };
}
