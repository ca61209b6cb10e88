/**
 * The fan-out of one fetch run to the source's index profiles: every page the run reads is
 * diffed against each profile's ledger by that profile's DocumentSync, and a document more
 * than one profile needs is read from the source once (a page's reads are shared). A page's
 * cursor is saved once every profile has queued its tasks for it.
 */
import type { RunIssues } from './document-issues.ts';
import { covers } from './document-issues.ts';
import { DocumentSync, type FetchCounters } from './document-sync.ts';
import type { ProfileScope } from './profiles.ts';
import type { DocumentIssue, DocumentRef, FetchResult, FetchTask, SourceConnector, SourceDocument } from '../ports/index.ts';

export interface ProfileMember {
  readonly scope: ProfileScope;
  readonly docs: DocumentSync;
}

export class ProfileFanout {
  readonly members: readonly ProfileMember[];
  /** What this page's reads returned, by id: the document, the issue that covers it, or null (gone). */
  private readonly read = new Map<string, SourceDocument | DocumentIssue | null>();

  constructor(
    scopes: readonly ProfileScope[],
    connector: SourceConnector,
    task: FetchTask,
    runId: string,
    nextRev: () => string,
    issues: RunIssues,
  ) {
    const reader = scopes.length === 1 ? connector : { fetch: (ids: readonly string[]) => this.fetchShared(connector, ids) };
    this.members = scopes.map((scope) => ({
      scope,
      docs: new DocumentSync(scope.deps, scope.settings, reader, task, runId, nextRev, issues, scope.explicit ? scope.name : undefined),
    }));
  }

  /**
   * The run's counters: documents seen once; changed and deleted as the profile that changed
   * the most counts them (a backfill of a new profile shows as its changes); tasks summed.
   */
  get counters(): FetchCounters {
    const [first, ...rest] = this.members.map((m) => m.docs.counters);
    if (rest.length === 0 || !first) return first ?? { docsSeen: 0, docsChanged: 0, docsDeleted: 0, docsUnchanged: 0, tasksEnqueued: 0 };
    const all = [first, ...rest];
    return {
      docsSeen: first.docsSeen,
      docsChanged: Math.max(...all.map((c) => c.docsChanged)),
      docsDeleted: Math.max(...all.map((c) => c.docsDeleted)),
      docsUnchanged: Math.min(...all.map((c) => c.docsUnchanged)),
      tasksEnqueued: all.reduce((n, c) => n + c.tasksEnqueued, 0),
    };
  }

  /** Each profile's counters, by name. */
  profileCounters(): Record<string, FetchCounters> {
    return Object.fromEntries(this.members.map((m) => [m.scope.name, { ...m.docs.counters }]));
  }

  async readIds(ids: readonly string[]): Promise<void> {
    await this.each((docs) => docs.readIds(ids));
  }

  async applyRefs(refs: readonly DocumentRef[], full: boolean, skipped: readonly DocumentIssue[] = []): Promise<void> {
    await this.each((docs) => docs.applyRefs(refs, full, skipped));
  }

  async deleteIds(ids: readonly string[]): Promise<void> {
    for (const m of this.members) await m.docs.deleteIds(ids);
  }

  /**
   * Closes the page in every profile; `onRelease` (saving the cursor) runs when the last of
   * them has queued its tasks. Each profile releases its pages in order (and calls only the
   * last of a run of pages it releases at once), so the cursors saved never go back.
   */
  seal(onRelease?: () => Promise<void>): void {
    if (!onRelease) {
      for (const m of this.members) m.docs.seal();
      return;
    }
    let left = this.members.length;
    for (const m of this.members) {
      m.docs.seal(async () => {
        left -= 1;
        if (left === 0) await onRelease();
      });
    }
  }

  async drain(force = false): Promise<void> {
    for (const m of this.members) await m.docs.drain(force);
  }

  async flush(): Promise<void> {
    for (const m of this.members) await m.docs.flush();
  }

  /** Runs a read step in each profile, sharing its reads; forgets them after. */
  private async each(step: (docs: DocumentSync) => Promise<void>): Promise<void> {
    try {
      for (const m of this.members) await step(m.docs);
    } finally {
      this.read.clear();
    }
  }

  private async fetchShared(connector: SourceConnector, ids: readonly string[]): Promise<FetchResult> {
    const missing = ids.filter((id) => !this.read.has(id));
    if (missing.length > 0) {
      const result = await connector.fetch(missing);
      for (const doc of result.documents) this.read.set(doc.id, doc);
      for (const id of missing) {
        if (this.read.has(id)) continue;
        this.read.set(id, result.skipped?.find((issue) => covers(issue, id)) ?? null);
      }
    }
    const documents: SourceDocument[] = [];
    const skipped = new Map<string, DocumentIssue>();
    for (const id of ids) {
      const got = this.read.get(id);
      if (got && 'text' in got) documents.push(got);
      else if (got) skipped.set(got.id, got);
    }
    return { documents, ...(skipped.size > 0 ? { skipped: [...skipped.values()] } : {}) };
  }
}
