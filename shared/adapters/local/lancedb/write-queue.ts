import type { WriteGroup } from './write-group.ts';

/**
 * This store's writes, one at a time: LanceDB commits are optimistic and concurrent
 * merge-inserts on one table can conflict.
 */
export class WriteQueue {
  /** Tail of the write queue; never rejects, so one failed write does not block the next. */
  private writes: Promise<void> = Promise.resolve();
  /** The queued write group that later upserts and deletes may still join. */
  private openGroup: WriteGroup | undefined;

  constructor(private readonly flush: (group: WriteGroup) => Promise<void>) {}

  /** Settles once every write queued so far has run; never rejects. */
  get idle(): Promise<void> {
    return this.writes;
  }

  /**
   * Group commit: writes that arrive while the queue is busy join one pending group, so many
   * small concurrent writers (one per embed task) cost one delete and one merge commit, not
   * one each. The group keeps each id's last operation, in call order, so an upsert after a
   * delete of the same id wins and a delete after an upsert removes it, as sequential calls
   * would. Only the newest queued op takes joiners, so order against compaction holds.
   */
  async join(add: (group: WriteGroup) => void): Promise<void> {
    let group = this.openGroup;
    if (!group) {
      const created: WriteGroup = { ops: new Map(), done: undefined as unknown as Promise<void> };
      created.done = this.enqueue(async () => {
        if (this.openGroup === created) this.openGroup = undefined;
        await this.flush(created);
      });
      this.openGroup = created;
      group = created;
    }
    add(group);
    await group.done;
  }

  /** Runs `op` after every write queued before it; the caller sees `op`'s own outcome. */
  enqueue(op: () => Promise<void>): Promise<void> {
    // Anything queued after an upsert group closes it to joiners.
    this.openGroup = undefined;
    const run = this.writes.then(op);
    this.writes = run.catch(() => undefined);
    return run;
  }
}
