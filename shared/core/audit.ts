import type { CoreDeps, DepsOf } from './deps.ts';
import { profileScopes } from './profiles.ts';
import { covers, documentIssuesOf } from './document-issues.ts';
import { isLive } from './document-sync.ts';
import { chunkIndexOf, docKey, vectorId } from './ids.ts';
import type { DocumentLedger, LedgerEntry, RunLog, VectorStore } from '../ports/index.ts';

/** How source, ledger and index disagree for one source. Every list holds ids. */
export interface SourceAudit {
  readonly sourceId: string;
  /** The index profile audited, when the source lists profiles (each is audited on its own). */
  readonly profile?: string;
  readonly sourceDocuments: number | null;
  readonly ledgerDocuments: number;
  readonly vectors: number;
  /** In the source, unknown to the ledger. */
  readonly unindexed: string[];
  /** In the ledger with another version than the source has. */
  readonly outdated: string[];
  /** In the ledger, gone from the source. */
  readonly deletedInSource: string[];
  /** Tasks enqueued or started and never committed. */
  readonly unsettled: string[];
  /** Vector ids the ledger expects and the index lacks. */
  readonly missingVectors: string[];
  /** Vectors whose chunk hash differs from the ledger's. */
  readonly staleVectors: string[];
  /** Vectors of no live document, or past a document's last chunk. */
  readonly orphanVectors: string[];
  /** Live documents with a missing or stale vector. */
  readonly damagedDocuments: string[];
  /**
   * Documents the source has that the latest run skipped with a reason (unreadable, binary…):
   * known and reported, so neither unindexed, outdated nor deleted; not counted as drift.
   */
  readonly skipped: string[];
}

export interface AuditReport {
  readonly ok: boolean;
  readonly sources: SourceAudit[];
}

/**
 * Compares the source listing, the ledger and the index. A source without a slim
 * listing is checked ledger-against-index only (`sourceDocuments: null`).
 */
export async function auditSource(
  deps: DepsOf<'connector' | 'vectors', DocumentLedger & RunLog>, sourceId: string, options: { readonly index?: boolean } = {},
): Promise<SourceAudit> {
  const connector = deps.connector(sourceId);
  let listing: Map<string, string> | null = null;
  if (connector?.list) {
    listing = new Map();
    for await (const item of connector.list()) listing.set(item.id, item.version);
  }
  const live = new Map<string, LedgerEntry>();
  const unsettled: string[] = [];
  for await (const entry of deps.state.listDocuments(sourceId)) {
    if (entry.pending || entry.claim) unsettled.push(entry.docId);
    if (isLive(entry)) live.set(entry.docId, entry);
  }
  const byKey = new Map<string, LedgerEntry>();
  for (const entry of live.values()) byKey.set(docKey(entry.docId), entry);

  // Without the index (a function that may not read it): the source against the ledger only.
  const vectors = options.index === false ? [] : await deps.vectors.scan(`${sourceId}#`);
  const present = new Map<string, string>();
  const orphanVectors: string[] = [];
  for (const v of vectors) {
    present.set(v.id, String(v.metadata['hash'] ?? ''));
    const key = v.id.slice(sourceId.length + 1, v.id.lastIndexOf('#'));
    const entry = byKey.get(key);
    if (!entry || chunkIndexOf(v.id) >= (entry.chunkHashes?.length ?? 0)) orphanVectors.push(v.id);
  }
  const missingVectors: string[] = [];
  const staleVectors: string[] = [];
  const damaged = new Set<string>();
  for (const entry of live.values()) {
    if (entry.pending || entry.claim || options.index === false) continue;
    (entry.chunkHashes ?? []).forEach((hash, i) => {
      const id = vectorId(sourceId, entry.docId, i);
      const found = present.get(id);
      if (found === undefined) missingVectors.push(id);
      else if (found !== hash) staleVectors.push(id);
      else return;
      damaged.add(entry.docId);
    });
  }
  const unindexed: string[] = [];
  const outdated: string[] = [];
  const deletedInSource: string[] = [];
  const skipped = new Set<string>();
  if (listing) {
    const [lastRun] = await deps.state.listRuns(sourceId, 1);
    const issues = documentIssuesOf(lastRun).skipped;
    const isSkipped = (id: string): boolean => issues.some((issue) => covers(issue, id));
    for (const [id, version] of listing) {
      const entry = live.get(id);
      const differs = !entry || (!entry.pending && !entry.claim && entry.version !== version);
      if (differs && isSkipped(id)) skipped.add(id);
      else if (!entry) unindexed.push(id);
      else if (differs) outdated.push(id);
    }
    for (const id of live.keys()) {
      if (listing.has(id)) continue;
      if (isSkipped(id)) skipped.add(id);
      else deletedInSource.push(id);
    }
  }
  return {
    sourceId, sourceDocuments: listing ? listing.size : null, ledgerDocuments: live.size, vectors: vectors.length,
    unindexed, outdated, deletedInSource, unsettled, missingVectors, staleVectors, orphanVectors,
    damagedDocuments: [...damaged], skipped: [...skipped],
  };
}

export function auditClean(a: SourceAudit): boolean {
  return a.unindexed.length + a.outdated.length + a.deletedInSource.length + a.unsettled.length
    + a.missingVectors.length + a.staleVectors.length + a.orphanVectors.length === 0;
}

/** Document ids a repair must re-fetch (re-embed or delete) to settle the audit's findings. */
export function idsToRepair(a: SourceAudit): string[] {
  return [...new Set([...a.unindexed, ...a.outdated, ...a.deletedInSource, ...a.unsettled, ...a.damagedDocuments])];
}

/** Audits every index profile of a source against its own ledger and vectors (one audit without profiles). */
export async function auditProfiles(deps: CoreDeps, sourceId: string): Promise<SourceAudit[]> {
  const out: SourceAudit[] = [];
  for (const scope of profileScopes(deps, sourceId)) {
    const audit = await auditSource(scope.deps, sourceId);
    out.push(scope.explicit ? { ...audit, profile: scope.name } : audit);
  }
  return out;
}

/** The vector store an audit looked at: the profile's, or the default index. */
export function auditedVectors(deps: CoreDeps, audit: SourceAudit): VectorStore {
  return audit.profile === undefined ? deps.vectors : deps.profiles?.(audit.sourceId)?.find((p) => p.name === audit.profile)?.vectors ?? deps.vectors;
}
