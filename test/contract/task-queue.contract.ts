import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { docKey } from '../../shared/core/ids.ts';
import type { DeleteTask, EmbedTask, FetchTask, QueueName, ReceivedMessage, TaskQueue, UpsertTask } from '../../shared/ports/index.ts';

/** Fresh, empty queues; `cleanup` removes whatever they created. */
export interface TaskQueueHarness {
  queue: TaskQueue;
  cleanup(): Promise<void>;
}

/** Bounded polling: queues (and their counters) may lag a little behind a send. */
const MAX_POLLS = 20;

const upsert = (docId: string, rev: string, extra: Partial<UpsertTask> = {}): UpsertTask => ({
  type: 'upsert', sourceId: 'docs', docId, rev, version: `v${rev}`, contentHash: `hash-${rev}`,
  updatedAt: '2026-01-01T00:00:00.000Z', runId: 'RUN#2026-01-01T00:00:00.000Z#00000001', ...extra,
});

const remove = (docId: string, rev: string): DeleteTask => ({
  type: 'delete', sourceId: 'docs', docId, rev, runId: 'RUN#2026-01-01T00:00:00.000Z#00000001',
});

const fetchTask = (trigger: FetchTask['trigger'], requestedAt: string, extra: Partial<FetchTask> = {}): FetchTask => ({
  type: 'fetch', sourceId: 'docs', trigger, requestedAt, ...extra,
});

/**
 * The behaviour every TaskQueue adapter must have, as a vitest suite: grouping and FIFO
 * order, deduplication and coalescing, batching limits, visibility, dead letters and depth.
 * Each test gets fresh queues from `make`.
 */
export function taskQueueContract(name: string, make: () => Promise<TaskQueueHarness>): void {
  describe(`TaskQueue contract: ${name}`, () => {
    let harness: TaskQueueHarness;
    let queue: TaskQueue;

    beforeEach(async () => {
      harness = await make();
      queue = harness.queue;
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    /** Receives (and acks) until `count` messages arrived; fails after MAX_POLLS empty-handed polls. */
    const drain = async (from: QueueName, count: number): Promise<Array<ReceivedMessage<unknown>>> => {
      const out: Array<ReceivedMessage<unknown>> = [];
      for (let idle = 0; out.length < count && idle < MAX_POLLS;) {
        const batch = await queue.receive(from, { max: 10, waitSeconds: 0 });
        if (batch.length === 0) {
          idle++;
          continue;
        }
        out.push(...batch);
        await queue.ack(from, batch.map((m) => m.receipt));
      }
      expect(out, `received ${out.length} of ${count} messages`).toHaveLength(count);
      return out;
    };

    /** Receives one message and leaves it in flight; fails after MAX_POLLS empty-handed polls. */
    const receiveOne = async (from: QueueName): Promise<ReceivedMessage<unknown>> => {
      for (let i = 0; i < MAX_POLLS; i++) {
        const [message] = await queue.receive(from, { max: 1, waitSeconds: 0 });
        if (message) return message;
      }
      return expect.fail(`no message arrived on ${from} after ${MAX_POLLS} polls`);
    };

    /** Polls depth until it equals `expected` (counters may lag); returns the last reading. */
    const depthUntil = async (of: QueueName, expected: { visible: number; inFlight: number }): Promise<{ visible: number; inFlight: number }> => {
      let last = await queue.depth(of);
      for (let i = 0; i < MAX_POLLS && (last.visible !== expected.visible || last.inFlight !== expected.inFlight); i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        last = await queue.depth(of);
      }
      return last;
    };

    it('carries any text a document may hold: emoji, CJK, U+FFFE and U+FFFF, control characters, exactly', async () => {
      // Prepare: characters SQS refuses raw (U+FFFE, U+FFFF; the local emulator also astral ones).
      const text = 'emoji 🚀👩🏽‍💻, CJK 漢字 𠀋, noncharacters \ufffe\uffff, controls \u0001\u001b\f, replacement \ufffd';
      const task = upsert('notes/🚀.md', '1', { title: text, chunks: [{ index: 0, hash: 'a'.repeat(64), text }] });
      const hint = fetchTask('webhook', '2026-01-01T00:00:00.000Z', { ids: ['notes/🚀.md', 'x\uffff'] });

      // Act
      await queue.sendEmbed([task]);
      await queue.sendFetch([hint]);
      const [embed] = await drain('embed', 1);
      const [fetched] = await drain('fetch', 1);

      // Assess
      expect(embed?.body).toEqual(task);
      expect(fetched?.body).toEqual(hint);
    });

    it('delivers fetch and embed tasks as sent, grouped per source and per document', async () => {
      // Prepare
      const fetch = fetchTask('cli', '2026-01-01T00:00:00.000Z', { full: true, ids: ['a.md', 'b.md'], recover: true });
      const up = upsert('guide/intro.md', '000000000001.0000000001', {
        title: 'Intro', url: 'file:///intro', rewrite: true,
        chunks: [{ index: 0, hash: 'a'.repeat(64), text: 'ünïcødé "quoted" \n text' }],
      });
      const del = remove('old.md', '000000000001.0000000002');

      // Act
      await queue.sendFetch([fetch]);
      await queue.sendEmbed([up, del]);
      const [gotFetch] = await drain('fetch', 1);
      const embeds = await drain('embed', 2);

      // Assess
      expect(gotFetch).toMatchObject({ body: fetch, receiveCount: 1, group: 'docs' });
      expect(JSON.parse(gotFetch!.raw)).toEqual(fetch);
      const byType = new Map(embeds.map((m) => [(m.body as EmbedTask).type, m]));
      expect(byType.get('upsert')).toMatchObject({ body: up, receiveCount: 1, group: `docs#${docKey('guide/intro.md')}` });
      expect(byType.get('delete')).toMatchObject({ body: del, receiveCount: 1, group: `docs#${docKey('old.md')}` });
      for (const m of [gotFetch!, ...embeds]) {
        expect(m.messageId).not.toBe('');
        expect(m.receipt).not.toBe('');
      }
    });

    it('carries any Unicode text exactly: emoji and other astral-plane characters, CJK, right-to-left, U+FFFF', async () => {
      // Prepare: text real SQS accepts but some implementations reject unescaped (fauxqs: astral plane).
      const text = 'Release 🎉 notes: 𝔘𝔫𝔦𝔠𝔬𝔡𝔢, 漢字かな交じり文, עברית ومرحبا, tab\there, \uFFFF end 👩‍💻';
      const up = upsert('notes/🎉 release.md', '000000000001.0000000001', {
        title: '🎉 Release', metadata: { tag: '𝄞 music' },
        chunks: [{ index: 0, hash: 'c'.repeat(64), text }],
      });
      const fetch = fetchTask('webhook', '2026-01-01T00:00:00.000Z', { ids: ['notes/🎉 release.md', 'סיכום.md'] });

      // Act
      await queue.sendEmbed([up]);
      await queue.sendFetch([fetch]);
      const [gotEmbed] = await drain('embed', 1);
      const [gotFetch] = await drain('fetch', 1);

      // Assess
      expect(gotEmbed!.body).toEqual(up);
      expect(JSON.parse(gotEmbed!.raw)).toEqual(up);
      expect(gotFetch!.body).toEqual(fetch);
    });

    it('keeps one document\'s tasks in order and holds the rest of its group while one is in flight', async () => {
      // Prepare: five tasks of one document, plus one of another document.
      const revs = [1, 2, 3, 4, 5].map((i) => `000000000001.000000000${i}`);
      await queue.sendEmbed([...revs.map((r, i) => (i === 2 ? remove('doc.md', r) : upsert('doc.md', r))), upsert('other.md', revs[0]!)]);

      // Act: receive until doc.md's first task is in flight, receive again without acking, then drain with acks.
      const early: Array<ReceivedMessage<unknown>> = [];
      for (let i = 0; i < MAX_POLLS && !early.some(isDoc); i++) early.push(...await queue.receive('embed', { max: 10, waitSeconds: 0 }));
      const whileHeld = await queue.receive('embed', { max: 10, waitSeconds: 0 });
      await queue.ack('embed', [...early, ...whileHeld].map((m) => m.receipt));
      const rest = await drain('embed', 6 - early.length - whileHeld.length);

      // Assess: doc.md's tasks in send order, and none of them handed out while an earlier one was unacked.
      const order = [...early, ...whileHeld, ...rest].filter(isDoc).map((m) => (m.body as EmbedTask).rev);
      expect(order).toEqual(revs);
      expect(early.some(isDoc)).toBe(true);
      expect(whileHeld.filter(isDoc)).toEqual([]);
    });

    it('delivers the same embed task (type, source, doc, rev) once', async () => {
      // Prepare
      const task = upsert('dup.md', '000000000001.0000000001');

      // Act
      await queue.sendEmbed([task]);
      await queue.sendEmbed([task, { ...task }]);
      await queue.sendEmbed([remove('dup.md', task.rev)]);

      // Assess: the upsert arrives once; the delete with the same rev is a different task.
      const got = await drain('embed', 2);
      expect(got.map((m) => (m.body as EmbedTask).type).sort()).toEqual(['delete', 'upsert']);
      expect(await queue.receive('embed', { max: 10, waitSeconds: 0 })).toEqual([]);
    });

    it('drops a re-sent hint, keeps every later one, coalesces schedules per 10 s, never continuations', async () => {
      // Prepare: a webhook sent twice (a retry), one 1 ms later, two schedules in one 10 s
      // bucket and one in the next, and two identical continuations.
      const tasks = [
        fetchTask('webhook', '2026-01-01T00:00:01.000Z'),
        fetchTask('webhook', '2026-01-01T00:00:01.000Z'),
        fetchTask('webhook', '2026-01-01T00:00:01.001Z'),
        fetchTask('schedule', '2026-01-01T00:00:02.000Z'),
        fetchTask('schedule', '2026-01-01T00:00:09.999Z'),
        fetchTask('schedule', '2026-01-01T00:00:10.000Z'),
        fetchTask('continuation', '2026-01-01T00:00:01.000Z'),
        fetchTask('continuation', '2026-01-01T00:00:01.000Z'),
      ];

      // Act
      await queue.sendFetch(tasks.slice(0, 2));
      await queue.sendFetch(tasks.slice(2));

      // Assess
      const got = await drain('fetch', 6);
      const summary = got.map((m) => `${(m.body as FetchTask).trigger}@${(m.body as FetchTask).requestedAt}`);
      expect(summary).toEqual([
        'webhook@2026-01-01T00:00:01.000Z',
        'webhook@2026-01-01T00:00:01.001Z',
        'schedule@2026-01-01T00:00:02.000Z',
        'schedule@2026-01-01T00:00:10.000Z',
        'continuation@2026-01-01T00:00:01.000Z',
        'continuation@2026-01-01T00:00:01.000Z',
      ]);
      expect(await queue.receive('fetch', { max: 10, waitSeconds: 0 })).toEqual([]);
    });

    it('sends more than 10 tasks and more than 1 MiB in one call (batched by count and bytes)', async () => {
      // Prepare: 15 small tasks and 12 of ~110 KiB each (any 10 of those exceed 1 MiB).
      const big = 'x'.repeat(110 * 1024);
      const small = Array.from({ length: 15 }, (_, i) => remove(`small-${i}.md`, '000000000001.0000000001'));
      const large = Array.from({ length: 12 }, (_, i) => upsert(`large-${i}.md`, '000000000001.0000000001', {
        chunks: [{ index: 0, hash: 'b'.repeat(64), text: `${i}:${big}` }],
      }));
      const tasks: EmbedTask[] = [...large, ...small];

      // Act
      await queue.sendEmbed(tasks);

      // Assess
      const got = await drain('embed', tasks.length);
      const byDoc = new Map(got.map((m) => [(m.body as EmbedTask).docId, m.body]));
      expect(byDoc.size).toBe(tasks.length);
      for (const task of tasks) expect(byDoc.get(task.docId)).toEqual(task);
    });

    it('keeps a group\'s order when one send needs several batches, for embed and fetch tasks', async () => {
      // Prepare: 25 tasks of one document between tasks of 20 others (more than 10 per send, so
      // several requests), and 23 continuations of one source (one group, never deduplicated).
      const revs = Array.from({ length: 25 }, (_, i) => `000000000001.${String(i + 1).padStart(10, '0')}`);
      const embeds: EmbedTask[] = [];
      revs.forEach((rev, i) => {
        embeds.push(i % 7 === 3 ? remove('ordered.md', rev) : upsert('ordered.md', rev));
        if (i < 20) embeds.push(upsert(`other-${i}.md`, rev));
      });
      const continuations = Array.from({ length: 23 }, (_, i) => fetchTask('continuation', `2026-01-01T00:00:${String(i + 10)}.000Z`));

      // Act
      await queue.sendEmbed(embeds);
      await queue.sendFetch(continuations);

      // Assess
      const got = await drain('embed', embeds.length);
      expect(got.filter((m) => (m.body as EmbedTask).docId === 'ordered.md').map((m) => (m.body as EmbedTask).rev)).toEqual(revs);
      const fetched = await drain('fetch', continuations.length);
      expect(fetched.map((m) => (m.body as FetchTask).requestedAt)).toEqual(continuations.map((t) => t.requestedAt));
    });

    it('makes a released message visible again with receiveCount 2', async () => {
      // Prepare
      const task = remove('retry.md', '000000000001.0000000001');
      await queue.sendEmbed([task]);
      const first = await receiveOne('embed');
      expect(first.receiveCount).toBe(1);

      // Act
      await queue.release('embed', first.receipt, 0);

      // Assess
      const [again] = await drain('embed', 1);
      expect(again).toMatchObject({ body: task, receiveCount: 2, messageId: first.messageId });
    });

    it('ignores a release whose receipt no longer names a message in flight (acked since)', async () => {
      // Prepare: a message received and acked.
      await queue.sendEmbed([remove('done.md', '000000000001.0000000001')]);
      const message = await receiveOne('embed');
      await queue.ack('embed', [message.receipt]);

      // Act: a late release of it (a handler that timed out, say).
      await queue.release('embed', message.receipt, 0);

      // Assess
      expect(await depthUntil('embed', { visible: 0, inFlight: 0 })).toEqual({ visible: 0, inFlight: 0 });
    });

    it('removes acked messages', async () => {
      // Prepare
      await queue.sendEmbed([remove('a.md', '000000000001.0000000001'), remove('b.md', '000000000001.0000000001')]);

      // Act
      await drain('embed', 2);

      // Assess
      expect(await depthUntil('embed', { visible: 0, inFlight: 0 })).toEqual({ visible: 0, inFlight: 0 });
      expect(await queue.receive('embed', { max: 10, waitSeconds: 0 })).toEqual([]);
    });

    it('dead-letters the raw body with its reason, and lists every dead letter without consuming it', async () => {
      // Prepare: two from one source, one unparseable, one for the other queue.
      const bodies = [JSON.stringify(remove('x.md', '1')), JSON.stringify(remove('y.md', '2')), '{not json'] as const;

      // Act
      await queue.deadLetter('embed', bodies[0], 'PoisonTaskError: malformed embed task');
      await queue.deadLetter('embed', bodies[1], 'Error: boom (after 5 attempts)');
      await queue.deadLetter('embed', bodies[2], 'PoisonTaskError: task body is not JSON');
      await queue.deadLetter('fetch', 'fetch-body', 'fetch reason');
      const listed = await queue.listDeadLetters('embed', 10);
      const again = await queue.listDeadLetters('embed', 10);

      // Assess
      const expected = [
        { body: bodies[0], reason: 'PoisonTaskError: malformed embed task' },
        { body: bodies[1], reason: 'Error: boom (after 5 attempts)' },
        { body: bodies[2], reason: 'PoisonTaskError: task body is not JSON' },
      ];
      expect(sortByBody(listed)).toEqual(sortByBody(expected));
      expect(sortByBody(again)).toEqual(sortByBody(expected));
      expect(await queue.listDeadLetters('fetch', 10)).toEqual([{ body: 'fetch-body', reason: 'fetch reason' }]);
      expect(await queue.receive('embed', { max: 10, waitSeconds: 0 })).toEqual([]);
    });

    it('counts visible and in-flight messages in depth', async () => {
      // Prepare
      await queue.sendEmbed(['a', 'b', 'c'].map((d) => remove(`${d}.md`, '000000000001.0000000001')));
      expect(await depthUntil('embed', { visible: 3, inFlight: 0 })).toEqual({ visible: 3, inFlight: 0 });

      // Act: take one message (and keep it in flight).
      await receiveOne('embed');

      // Assess
      expect(await depthUntil('embed', { visible: 2, inFlight: 1 })).toEqual({ visible: 2, inFlight: 1 });
      expect(await queue.depth('fetch')).toEqual({ visible: 0, inFlight: 0 });
    });
  });
}

function isDoc(message: ReceivedMessage<unknown>): boolean {
  return (message.body as EmbedTask).docId === 'doc.md';
}

function sortByBody<T extends { body?: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => ((a.body ?? '') < (b.body ?? '') ? -1 : 1));
}
