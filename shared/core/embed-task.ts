import { ACCESS_KEY, accessOfDocument } from './access.ts';
import { chunkDocument, chunkPayload, embeddingText, ledgerChunker, sameEmbedding } from './chunker.ts';
import type { DepsOf } from './deps.ts';
import { covers } from './document-issues.ts';
import { DocumentError, PoisonTaskError, errorMessage } from './errors.ts';
import { chunkIndexOf, contentHash as hashContent, decorHash, docVectorPrefix, vectorId } from './ids.ts';
import type {
  ChunkPayload, DeleteTask, DocumentLedger, EmbeddingCache, EmbedTask, LedgerEntry, Metadata, RunCounters, UpsertTask, VectorRecord,
} from '../ports/index.ts';
import { embedWithCache, embeddingCostUsd } from './embedding-cache.ts';
import { profileOfGeneration, withGenerations } from './generations.ts';
import { ledgerKeyOf, taskScope } from './profiles.ts';

/** Chunk text kept in vector metadata (Pinecone caps metadata at 40 KB per vector). */
export const MAX_METADATA_TEXT = 8_000;

/** What applying an embed task takes: the ledger and the embedding cache of the state, no queue, no run log. */
export type EmbedDeps = DepsOf<'vectors' | 'embedder' | 'clock' | 'connector' | 'settings' | 'log' | 'noEmbeddingCache' | 'profiles' | 'generations', DocumentLedger & EmbeddingCache>;

export interface EmbedOutcome {
  readonly status: 'committed' | 'stale' | 'superseded' | 'gone';
  readonly chunksEmbedded: number;
  readonly embeddingCalls: number;
  readonly tokensEmbedded: number;
  readonly vectorsUpserted: number;
  readonly vectorsDeleted: number;
}

/**
 * Applies one embed task. Safe to replay and to run after a crash at any point:
 * the claim is the version guard, vector ids are deterministic, and the ledger commit is
 * conditional on the claim.
 */
export async function processEmbedTask(deps: EmbedDeps, task: EmbedTask): Promise<EmbedOutcome> {
  if (!deps.settings(task.sourceId)) throw new PoisonTaskError(`unknown source "${task.sourceId}"`, { sourceId: task.sourceId });
  // A task of a profile runs on that profile's ledger, embedder, chunking and vector store.
  // With generations, the profile a task names is one generation of a configured profile;
  // a generation dropped since (aborted, or past its grace period) takes its tasks with it.
  const viewed = deps.generations && task.profile !== undefined ? await withGenerations(deps, [task.sourceId], 'all', profileOfGeneration(task.profile)) : deps;
  if (viewed !== deps && !viewed.profiles?.(task.sourceId)?.some((p) => p.name === task.profile)) return nothing('gone');
  const scoped = taskScope(viewed, task);
  return task.type === 'upsert' ? upsert(scoped, task) : remove(scoped, task);
}

/** What a processed task adds to its run record (a dropped or replayed task still counts as done). */
export function countersOf(outcome: EmbedOutcome, pricePerMillionTokensUsd: number): Partial<RunCounters> {
  return {
    tasksDone: 1,
    chunksEmbedded: outcome.chunksEmbedded,
    embeddingCalls: outcome.embeddingCalls,
    tokensEmbedded: outcome.tokensEmbedded,
    estimatedCostUsd: embeddingCostUsd(outcome.tokensEmbedded, pricePerMillionTokensUsd),
    vectorsUpserted: outcome.vectorsUpserted,
    vectorsDeleted: outcome.vectorsDeleted,
  };
}

/**
 * A task that will not apply (dead-lettered): give the document back to the fetcher. Its
 * pending marker would otherwise tell every later pass that a task for this version is still
 * queued, and the document would never be indexed again. A claim it left stays, so the next
 * task rewrites every vector.
 */
export async function abandonEmbedTask(deps: DepsOf<never, DocumentLedger>, task: EmbedTask): Promise<void> {
  await deps.state.releasePending({ sourceId: ledgerKeyOf(task.sourceId, task.profile), docId: task.docId, rev: task.rev });
}

const nothing = (status: EmbedOutcome['status']): EmbedOutcome => ({
  status, chunksEmbedded: 0, embeddingCalls: 0, tokensEmbedded: 0, vectorsUpserted: 0, vectorsDeleted: 0,
});

async function upsert(deps: EmbedDeps, task: UpsertTask): Promise<EmbedOutcome> {
  const claim = await deps.state.claimDocument({ sourceId: task.sourceId, docId: task.docId, rev: task.rev });
  if (!claim.ok) {
    deps.log.info('dropped a stale task: the ledger holds a newer version', { sourceId: task.sourceId, docId: task.docId, rev: task.rev });
    return nothing('stale');
  }
  const previous = claim.previous;
  // A claim left behind means vectors may have been written without a commit: trust nothing.
  const dirty = previous?.claim !== undefined || task.rewrite === true;

  let chunks: readonly ChunkPayload[] | undefined = task.chunks;
  let version = task.version;
  let title = task.title;
  let url = task.url;
  let docMetadata = task.metadata;
  let access = task.access;
  let updatedAt = task.updatedAt;
  let contentHash = task.contentHash;
  let chunker = task.chunker ?? ledgerChunker(deps.settings(task.sourceId));
  if (!chunks) {
    // Too large to travel in the message: read the document now (its current version).
    const connector = deps.connector(task.sourceId);
    const settings = deps.settings(task.sourceId);
    if (!connector || !settings) throw new PoisonTaskError(`source "${task.sourceId}" has no connector to read ${task.docId}`, { sourceId: task.sourceId });
    const result = await connector.fetch([task.docId]);
    // Unreadable now: give up this task (dead-lettered at once, recorded on its run); the
    // document keeps its vectors and the next pass tries it again.
    const unreadable = result.skipped?.find((issue) => covers(issue, task.docId));
    if (unreadable) throw new DocumentError(task.docId, unreadable.reason);
    const doc = result.documents.find((d) => d.id === task.docId);
    // Gone from the source: the document at this rev is a deletion. Leaving the claim (and the
    // pending marker) instead would keep the entry unsettled, and a return of the document under
    // the same version (a restored file) would look queued to every pass. A newer version has a
    // newer rev and brings it back.
    if (!doc) return deleteClaimed(deps, task, 'gone', dirty ? undefined : previous);
    try {
      chunks = chunkDocument(doc.text, doc.format ?? 'text', settings.chunking, doc).map(chunkPayload);
    } catch (error) {
      throw new DocumentError(task.docId, `could not be chunked: ${errorMessage(error)}`, { cause: error });
    }
    version = doc.version;
    title = doc.title;
    url = doc.url;
    docMetadata = doc.metadata;
    access = accessOfDocument(doc).access;
    updatedAt = doc.updatedAt ?? updatedAt;
    contentHash = hashContent(doc.text, doc.title);
    chunker = ledgerChunker(settings);
  }

  // The ledger's chunk hashes say what each vector index holds, whichever chunker wrote it.
  // Every vector carries the title, url, document metadata and access too: a change of those
  // rewrites them all (their embeddings come from the cache), or search would show the old
  // values (or let the old readers see it) next to unchanged chunks. Entries from before
  // `decor` existed compare the title alone, and any access.
  const decor = decorHash(title, url, docMetadata, access);
  const retitled = previous?.rev !== undefined && !previous.deleted
    && (previous.decor !== undefined ? previous.decor !== decor : previous.title !== title || access !== undefined);
  // A vector made with another model (an index profile's model changed) is rewritten whatever its text.
  const known = !dirty && !retitled && previous && !previous.deleted && sameEmbedding(previous.chunker, chunker) ? previous.chunkHashes : undefined;
  const toWrite = chunks.filter((c) => known?.[c.index] !== c.hash);

  // Embedding reuse: a chunk text embedded before with this model is never sent again.
  const { vectors: cached, embedded, calls, tokens } = await embedWithCache(deps, new Map(toWrite.map((c) => [c.hash, embeddingText(c)])), { noCache: task.noCache === true });

  const records: VectorRecord[] = toWrite.map((c) => {
    // The document's own metadata first: the pipeline's fields win a name clash.
    const metadata: Metadata = {
      ...docMetadata,
      sourceId: task.sourceId, docId: task.docId, chunkIndex: c.index, version, hash: c.hash, contentHash,
      updatedAt, text: c.text.slice(0, MAX_METADATA_TEXT),
    };
    if (c.text.length > MAX_METADATA_TEXT) metadata['textTruncated'] = true;
    if (c.context !== undefined) metadata['context'] = c.context;
    // `access` is the pipeline's: present exactly when the document has one (filters read it).
    if (access !== undefined) metadata[ACCESS_KEY] = access;
    else delete metadata[ACCESS_KEY];
    if (title !== undefined) metadata['title'] = title;
    if (url !== undefined) metadata['url'] = url;
    const values = cached.get(c.hash);
    if (!values) throw new Error(`no vector for chunk ${c.index} of ${task.docId}`);
    return { id: vectorId(task.sourceId, task.docId, c.index), values, metadata };
  });
  if (records.length > 0) {
    // Never committed nor claimed: no vector of the document can exist yet.
    const fresh = !previous || (previous.rev === undefined && previous.claim === undefined && previous.deleted !== true);
    if (fresh && !dirty && deps.vectors.insert) await deps.vectors.insert(records);
    else await deps.vectors.upsert(records);
  }

  // Tail chunks: the ledger is exact unless a crashed attempt may have written more.
  const count = chunks.length;
  let tail: string[] = [];
  if (dirty) {
    tail = (await deps.vectors.listIds(docVectorPrefix(task.sourceId, task.docId))).filter((id) => chunkIndexOf(id) >= count);
  } else if (previous?.chunkHashes) {
    for (let i = count; i < previous.chunkHashes.length; i++) tail.push(vectorId(task.sourceId, task.docId, i));
  }
  if (tail.length > 0) await deps.vectors.delete(tail);

  const committed = await deps.state.commitDocument({
    sourceId: task.sourceId, docId: task.docId, rev: task.rev, version, contentHash,
    chunkHashes: chunks.map((c) => c.hash), chunker, updatedAt, decor, ...(title !== undefined ? { title } : {}),
  });
  return {
    status: committed ? 'committed' : 'superseded',
    chunksEmbedded: embedded, embeddingCalls: calls, tokensEmbedded: tokens,
    vectorsUpserted: records.length, vectorsDeleted: tail.length,
  };
}

async function remove(deps: EmbedDeps, task: DeleteTask): Promise<EmbedOutcome> {
  const claim = await deps.state.claimDocument({ sourceId: task.sourceId, docId: task.docId, rev: task.rev });
  if (!claim.ok) return nothing('stale');
  return deleteClaimed(deps, task, 'committed', claim.previous);
}

/**
 * Deletes every vector of a claimed document and commits the tombstone at the task's rev.
 * A clean ledger entry (committed, no claim left by a crashed attempt) says exactly which
 * vectors exist; otherwise the store is asked (a listing by prefix, a scan on LanceDB).
 */
async function deleteClaimed(deps: EmbedDeps, task: EmbedTask, status: 'committed' | 'gone', previous: LedgerEntry | undefined): Promise<EmbedOutcome> {
  const known = previous?.rev !== undefined && previous.claim === undefined && !previous.deleted ? previous.chunkHashes : undefined;
  const ids = known
    ? known.map((_, i) => vectorId(task.sourceId, task.docId, i))
    : await deps.vectors.listIds(docVectorPrefix(task.sourceId, task.docId));
  if (ids.length > 0) await deps.vectors.delete(ids);
  const committed = await deps.state.commitDeletion({
    sourceId: task.sourceId, docId: task.docId, rev: task.rev, at: new Date(deps.clock.now()).toISOString(),
  });
  return { ...nothing(committed ? status : 'superseded'), vectorsDeleted: ids.length };
}
