import type { ListedDocument } from '../../ports/index.ts';
import type { Walk } from './walk.ts';

/**
 * What one pass of the folder saw: the tree walked once (a 100-page pass walks it once), and
 * the version of every file its pages found. Once every page from the first was served in
 * order, the listing is whole, and the reconcile after the pass can list from it instead of
 * walking and stat-ing every file a second time.
 */
export class PassListing {
  private readonly seen = new Map<string, string>();
  private served = 0;
  private whole = false;

  constructor(readonly snapshotAt: string, readonly walk: Promise<Walk>) {}

  /** A page of `count` ids from index `start` was served; `versions` are the files it found. */
  record(start: number, count: number, total: number, versions: ReadonlyArray<readonly [string, string]>): void {
    for (const [id, version] of versions) this.seen.set(id, version);
    if (start === this.served) this.served = start + count;
    if (this.served >= total) this.whole = true;
  }

  /** Whether every page of the pass went through this listing. */
  get complete(): boolean {
    return this.whole;
  }

  /** The files the pass found, in id order, with the versions it saw. */
  async *documents(): AsyncIterable<ListedDocument> {
    for (const id of (await this.walk).ids) {
      const version = this.seen.get(id);
      if (version !== undefined) yield { id, version };
    }
  }
}
