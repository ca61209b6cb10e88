import type { DocumentIssue, RunRecord } from '../ports/index.ts';

/** Issues a run record lists (per kind); `docsSkipped` counts beyond it. Keeps records far below DynamoDB's 400 KB. */
export const MAX_RECORDED_ISSUES = 100;
/** A reason longer than this is cut: they come from errors of the source and providers. */
const MAX_REASON_CHARS = 500;

/** A reason fit for a run record: one line, bounded. */
export function issueReason(reason: string): string {
  const line = reason.replace(/\s+/g, ' ').trim();
  return line.length > MAX_REASON_CHARS ? `${line.slice(0, MAX_REASON_CHARS - 1)}…` : line;
}

/** The issues in id order (code units, like every listing here). */
function byId(issues: ReadonlyMap<string, DocumentIssue>): DocumentIssue[] {
  return [...issues.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Whether `id` is the issue's document, or lies under it (a prefix issue). */
export function covers(issue: DocumentIssue, id: string): boolean {
  return issue.prefix === true ? id.startsWith(issue.id) : id === issue.id;
}

/**
 * The documents one fetch run skipped or indexed with a caveat, merged with what the previous
 * run left: a document skipped before stays listed until this run reads it, finds it gone, or
 * skips it again (with the new reason). So a run that did not get to a skipped document (one
 * hint's targeted run) does not make `status` look healthy, and the next pass knows which
 * documents to try again.
 */
export class RunIssues {
  private readonly skipped = new Map<string, DocumentIssue>();
  private readonly warnings = new Map<string, DocumentIssue>();
  /** Ids this run skipped itself (not carried). */
  private readonly skippedNow = new Set<string>();
  /** The prefix issues among them (a folder, a channel). */
  private readonly prefixesNow = new Map<string, DocumentIssue>();
  /** Ids this run has dealt with: read, found unchanged, queued, deleted or skipped again. */
  private readonly touched = new Set<string>();

  /** Carries the previous run's issues: its skipped and failed documents, and its warnings. */
  carry(previous: Pick<RunRecord, 'skipped' | 'failedDocuments' | 'warnings'> | undefined): void {
    for (const issue of [...(previous?.skipped ?? []), ...(previous?.failedDocuments ?? [])]) this.skipped.set(issue.id, issue);
    for (const issue of previous?.warnings ?? []) this.warnings.set(issue.id, issue);
  }

  /** Records a skip (replacing an earlier reason for the same id). */
  skip(issue: DocumentIssue): void {
    const recorded: DocumentIssue = { id: issue.id, reason: issueReason(issue.reason), ...(issue.prefix === true ? { prefix: true } : {}) };
    this.skipped.set(issue.id, recorded);
    this.warnings.delete(issue.id);
    this.skippedNow.add(issue.id);
    if (recorded.prefix === true) this.prefixesNow.set(issue.id, recorded);
    this.touched.add(issue.id);
  }

  /** The document was read and will be indexed: a skip is settled; its caveat (or none) replaces the old one. */
  indexed(id: string, warning?: string): void {
    this.settle(id);
    this.warnings.delete(id);
    if (warning !== undefined) this.warnings.set(id, { id, reason: issueReason(warning) });
  }

  /** The index already holds the document as listed (or a task for it is queued): a skip is settled, a caveat stays. */
  unchanged(id: string): void {
    this.settle(id);
  }

  /** The document no longer exists, or is being deleted: nothing about it is pending. */
  gone(id: string): void {
    this.settle(id);
    this.warnings.delete(id);
  }

  /** Whether this run skipped the document, by its id or a prefix issue this run reported. */
  skippedThisRun(id: string): boolean {
    if (this.skippedNow.has(id)) return true;
    for (const issue of this.prefixesNow.values()) if (covers(issue, id)) return true;
    return false;
  }

  /**
   * Carried document skips this run has not dealt with: a completed pass reads them again.
   * Prefix issues are not ids to fetch; a completed pass that did not report them again
   * settles them (see `settlePrefixes`).
   */
  untouchedSkips(): string[] {
    return [...this.skipped.values()].filter((issue) => issue.prefix !== true && !this.touched.has(issue.id)).map((issue) => issue.id);
  }

  /** After a completed pass: carried prefix issues it did not report again are over. */
  settlePrefixes(): void {
    for (const [id, issue] of this.skipped) if (issue.prefix === true && !this.skippedNow.has(id)) this.skipped.delete(id);
  }

  /** The fields of the run record. */
  record(): Pick<RunRecord, 'skipped' | 'docsSkipped' | 'warnings'> {
    return {
      skipped: byId(this.skipped).slice(0, MAX_RECORDED_ISSUES),
      docsSkipped: this.skipped.size,
      warnings: byId(this.warnings).slice(0, MAX_RECORDED_ISSUES),
    };
  }

  /** The latest outcome wins: a document skipped by one pass of the run and read by the next is fine. */
  private settle(id: string): void {
    this.touched.add(id);
    this.skippedNow.delete(id);
    this.prefixesNow.delete(id);
    this.skipped.delete(id);
  }
}

/** What a run record says about documents: those skipped (by the fetcher, or failed in an embedder), and caveats. */
export interface DocumentIssuesReport {
  /** Distinct documents skipped; `skipped` lists at most MAX_RECORDED_ISSUES of the fetcher's plus the failed ones. */
  readonly docsSkipped: number;
  readonly skipped: DocumentIssue[];
  readonly warnings: DocumentIssue[];
}

/** The documents a run (the latest, for a source's status) could not index, and the caveats of those it did. */
export function documentIssuesOf(run: Pick<RunRecord, 'skipped' | 'docsSkipped' | 'failedDocuments' | 'warnings'> | undefined): DocumentIssuesReport {
  const byId = new Map<string, DocumentIssue>();
  for (const issue of run?.skipped ?? []) byId.set(issue.id, issue);
  let failedOnly = 0;
  for (const issue of run?.failedDocuments ?? []) {
    if (!byId.has(issue.id)) failedOnly += 1;
    byId.set(issue.id, issue);
  }
  return {
    docsSkipped: (run?.docsSkipped ?? run?.skipped?.length ?? 0) + failedOnly,
    skipped: [...byId.values()],
    warnings: [...(run?.warnings ?? [])],
  };
}
