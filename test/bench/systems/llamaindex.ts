/**
 * LlamaIndex.TS's `IngestionPipeline` with a document store and the `UPSERTS_AND_DELETE`
 * strategy: LlamaIndex's own SimpleDocumentStore and SimpleVectorStore (in memory), Tributary's
 * chunker as the node parser (a `TransformComponent`), and the counting embedder as a
 * `BaseEmbedding` with `embedBatchSize` 100. The transformation cache stays on, as by default.
 *
 * The strategy works per document: a document whose hash changed has all its nodes deleted
 * from the vector store and is split and embedded again in full.
 */
import {
  BaseEmbedding, DocStoreStrategy, Document, IngestionPipeline, MetadataMode, NodeRelationship, SimpleDocumentStore,
  SimpleVectorStore, TextNode, TransformComponent, type BaseNode,
} from 'llamaindex';
import { chunkDocument, type ChunkingOptions } from '../../../shared/core/chunker.ts';
import type { CountingEmbedder } from '../counting-embedder.ts';
import { loadFolder, type BenchSystem, type IndexEntry, type SyncOutcome, type SystemContext } from './system.ts';

/** Texts per embedding request; LangChain's `index()` sends 100 per batch too. */
export const LLAMAINDEX_EMBED_BATCH = 100;

/**
 * LlamaIndex's `BaseEmbedding` over the counting embedder: a batch of `embedBatchSize` texts is
 * one request, as LlamaIndex's API-backed embeddings do.
 */
export class LlamaIndexCountingEmbedding extends BaseEmbedding {
  // A private field: the ingestion cache hashes the transformation's JSON, which must not
  // include the counters.
  readonly #inner: CountingEmbedder;

  constructor(inner: CountingEmbedder, embedBatchSize: number) {
    super();
    this.#inner = inner;
    this.embedBatchSize = embedBatchSize;
    this.getTextEmbeddings = async (texts: string[]): Promise<number[][]> => {
      const { vectors } = await this.#inner.embed(texts);
      return vectors.map((v) => Array.from(v));
    };
  }

  async getTextEmbedding(text: string): Promise<number[]> {
    const { vectors } = await this.#inner.embed([text]);
    return Array.from(vectors[0]!);
  }
}

/** Tributary's chunker as a LlamaIndex node parser: one TextNode per chunk, linked to its document. */
export class TributaryChunkerTransform extends TransformComponent<Promise<BaseNode[]>> {
  constructor(chunking: ChunkingOptions) {
    super(async (nodes: BaseNode[]) => nodes.flatMap((doc) => chunkDocument(doc.getContent(MetadataMode.NONE), 'markdown', chunking)
      .map((c) => new TextNode({ text: c.text, relationships: { [NodeRelationship.SOURCE]: doc.asRelatedNodeInfo() } }))));
  }
}

/** SimpleVectorStore that remembers each node's text, so the index can be checked. */
class InspectableSimpleVectorStore extends SimpleVectorStore {
  readonly #texts = new Map<string, string>();
  upserts = 0;

  override async add(nodes: BaseNode[]): Promise<string[]> {
    for (const node of nodes) this.#texts.set(node.id_, node.getContent(MetadataMode.NONE));
    this.upserts += nodes.length;
    return super.add(nodes);
  }

  /** Node id → (document id, text) of every vector in the store. */
  inspect(): Map<string, { docId: string; text: string }> {
    const data = this.toDict();
    const out = new Map<string, { docId: string; text: string }>();
    for (const id of Object.keys(data.embeddingDict)) {
      out.set(id, { docId: data.textIdToRefDocId[id] ?? '', text: this.#texts.get(id) ?? '' });
    }
    // Forget texts of deleted nodes (ids are random UUIDs, never reused).
    for (const id of this.#texts.keys()) if (!out.has(id)) this.#texts.delete(id);
    return out;
  }
}

export class LlamaIndexSystem implements BenchSystem {
  private readonly vectorStore: InspectableSimpleVectorStore;
  private readonly pipeline: IngestionPipeline;
  private ids = new Set<string>();

  constructor(private readonly ctx: SystemContext) {
    const embedModel = new LlamaIndexCountingEmbedding(ctx.embedder, LLAMAINDEX_EMBED_BATCH);
    this.vectorStore = new InspectableSimpleVectorStore({ embedModel });
    this.pipeline = new IngestionPipeline({
      transformations: [new TributaryChunkerTransform(ctx.chunking), embedModel],
      docStore: new SimpleDocumentStore(),
      vectorStore: this.vectorStore,
      docStoreStrategy: DocStoreStrategy.UPSERTS_AND_DELETE,
    });
  }

  async sync(): Promise<SyncOutcome> {
    const docs = await loadFolder(this.ctx.corpusDir);
    const documents = docs.map((d) => new Document({ text: d.text, id_: d.path }));
    const upserts = this.vectorStore.upserts;
    const nodes = await this.pipeline.run({ documents });
    return { upserts: this.vectorStore.upserts - upserts, deletes: 0, reported: { nodesReturned: nodes.length } };
  }

  /**
   * Deletions are counted by diffing the store's ids before and after a sync, outside the
   * timed sync: SimpleVectorStore deletes by document and reports nothing.
   */
  afterSync(outcome: SyncOutcome): SyncOutcome {
    const now = new Set(this.vectorStore.inspect().keys());
    let deletes = 0;
    for (const id of this.ids) if (!now.has(id)) deletes += 1;
    this.ids = now;
    return { ...outcome, deletes };
  }

  async contents(): Promise<IndexEntry[]> {
    return [...this.vectorStore.inspect().values()];
  }

  async close(): Promise<void> {}
}
