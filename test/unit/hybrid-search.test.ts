/** Hybrid retrieval on the local stack: LanceDB's full-text index beside the vectors, fused by RRF. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashingEmbedder } from '../../shared/adapters/local/hashing-embedder.ts';
import { LanceDbVectorStore } from '../../shared/adapters/local/lancedb/lancedb-vector-store.ts';
import { chunkDocument, embeddingText } from '../../shared/core/chunker.ts';
import { search } from '../../shared/core/search.ts';
import { fuse } from '../../shared/core/search-fusion.ts';
import type { Metadata, VectorRecord } from '../../shared/ports/index.ts';
import { InMemoryVectorStore } from '../support/memory-vector-store.ts';

const embedder = new HashingEmbedder({ dimensions: 256 });

/** Documents as the pipeline writes them: chunked with their title, embedded with context. */
async function records(sourceId: string, docs: Array<{ id: string; title: string; text: string; access?: string[] }>): Promise<VectorRecord[]> {
  const out: VectorRecord[] = [];
  for (const doc of docs) {
    const chunks = chunkDocument(doc.text, 'markdown', {}, { title: doc.title });
    const { vectors } = await embedder.embed(chunks.map(embeddingText));
    chunks.forEach((c, i) => {
      const metadata: Metadata = { sourceId, docId: doc.id, chunkIndex: c.index, text: c.text, title: doc.title, ...(c.context ? { context: c.context } : {}), ...(doc.access ? { access: doc.access } : {}) };
      out.push({ id: `${sourceId}#${doc.id}#${c.index}`, values: vectors[i]!, metadata });
    });
  }
  return out;
}

// A page of related links shares most words with the query; the runbook is the one that names it.
const DOCS = [
  { id: 'related', title: 'Related Documents', text: '# Related Documents\n\n- Database credentials policy\n- Rotate TLS certificates\n- Database failover\n- Credentials FAQ for database owners' },
  { id: 'runbook', title: 'Kubelet PLEG Unhealthy', text: '# Kubelet PLEG Unhealthy\n\n## Procedure\n\nRestart the container runtime on the node, then check the pod lifecycle event generator again.' },
  { id: 'faq', title: 'Node FAQ', text: '# Node FAQ\n\nNodes report their health to the control plane; an unhealthy node is drained and replaced.' },
  { id: 'secret', title: 'Private PLEG notes', text: '# Private PLEG notes\n\nPLEG unhealthy on the payments cluster: see the incident.', access: ['group:sre'] },
];

describe('hybrid search on LanceDB', () => {
  let dir: string;
  let store: LanceDbVectorStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tributary-hybrid-'));
    store = await LanceDbVectorStore.open({ dir, dimensions: embedder.dimensions });
    await store.upsert(await records('docs', DOCS));
    await store.upsert(await records('other', [{ id: 'pleg-elsewhere', title: 'PLEG unhealthy elsewhere', text: '# PLEG unhealthy elsewhere\n\nKubelet PLEG unhealthy, seen in the other source.' }]));
  });

  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('ranks the exact-term match first, and says which searches found it', async () => {
    // Act
    const results = await search({ embedder, vectors: store }, 'kubelet PLEG unhealthy', { topK: 3, sourceId: 'docs', as: ['user:nobody'] });

    // Assess
    expect(results[0]).toMatchObject({ docId: 'runbook', matchedBy: ['vector', 'text'], weak: false, context: 'Kubelet PLEG Unhealthy > Procedure' });
    expect(results[0]!.score).toBeGreaterThan(0);
  });

  it('applies source filters and access lists to the full-text side too', async () => {
    // Act
    const fts = await search({ embedder, vectors: store }, 'PLEG', { topK: 10, mode: 'fts' });
    const ftsInDocs = await search({ embedder, vectors: store }, 'PLEG', { topK: 10, mode: 'fts', sourceId: 'docs' });
    const asOutsider = await search({ embedder, vectors: store }, 'PLEG', { topK: 10, mode: 'fts', sourceId: 'docs', as: ['user:u1'] });
    const asSre = await search({ embedder, vectors: store }, 'PLEG', { topK: 10, mode: 'fts', sourceId: 'docs', as: ['group:sre'] });

    // Assess
    expect(new Set(fts.map((r) => r.docId))).toEqual(new Set(['runbook', 'secret', 'pleg-elsewhere']));
    expect(new Set(ftsInDocs.map((r) => r.docId))).toEqual(new Set(['runbook', 'secret']));
    expect(asOutsider.map((r) => r.docId)).toEqual(['runbook']);
    expect(new Set(asSre.map((r) => r.docId))).toEqual(new Set(['runbook', 'secret']));
    expect(fts.every((r) => r.matchedBy.join() === 'text')).toBe(true);
  });

  it('keeps the text index in step with new, changed and deleted chunks', async () => {
    // Act
    await store.upsert(await records('docs', [{ id: 'faq', title: 'Node FAQ', text: '# Node FAQ\n\nA zorbified node is cordoned first.' }]));
    const changed = await search({ embedder, vectors: store }, 'zorbified', { topK: 5, mode: 'fts' });
    const old = await search({ embedder, vectors: store }, 'control plane', { topK: 5, mode: 'fts', sourceId: 'docs' });
    await store.delete(['docs#faq#0']);
    const deleted = await search({ embedder, vectors: store }, 'zorbified', { topK: 5, mode: 'fts' });

    // Assess
    expect(changed.map((r) => r.docId)).toEqual(['faq']);
    expect(old.map((r) => r.docId)).not.toContain('faq');
    expect(deleted).toEqual([]);
  });

  it('marks results below the relevance floor weak', async () => {
    // Act
    const results = await search({ embedder, vectors: store }, 'chocolate cake recipe', { topK: 3, minScore: 0.15 });
    const none = await search({ embedder, vectors: store }, 'chocolate cake recipe', { topK: 3 });

    // Assess
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((r) => r.weak)).toBe(true);
    expect(none.every((r) => !r.weak)).toBe(true);
  });
});

describe('hybrid search without a text index', () => {
  it('searches hybrid as vector, and refuses fts with the reason', async () => {
    // Prepare
    const vectors = new InMemoryVectorStore();
    await vectors.upsert(await records('docs', DOCS.slice(0, 2)));

    // Act
    const hybrid = await search({ embedder, vectors }, 'kubelet PLEG', { topK: 2 });
    const fts = search({ embedder, vectors }, 'kubelet PLEG', { topK: 2, mode: 'fts' });

    // Assess
    expect(hybrid[0]).toMatchObject({ docId: 'runbook', matchedBy: ['vector'] });
    await expect(fts).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('mode "fts" needs a full-text index') });
  });

  it('fuses by reciprocal rank: agreement beats a single first place', () => {
    // Prepare
    const m = (id: string, score: number) => ({ id, score, metadata: {} });

    // Act
    const fused = fuse([m('a', 0.9), m('b', 0.8), m('c', 0.7)], [m('c', 9), m('b', 8), m('d', 7)]);

    // Assess
    expect(fused.map((r) => r.match.id)).toEqual(['c', 'b', 'a', 'd']);
    expect(fused[0]!.rankScore).toBeCloseTo(1 / 63 + 1 / 61, 10);
    expect(fused[0]!.matchedBy).toEqual(['vector', 'text']);
  });
});
