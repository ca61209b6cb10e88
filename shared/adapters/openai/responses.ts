/** Decoding an embeddings response: vectors in input order, base64 (little-endian float32) or float arrays. */
import type { CreateEmbeddingResponse } from 'openai/resources/embeddings';
import { TransientError } from '../../core/errors.ts';
import { EmbeddingProviderError } from './errors.ts';

export interface DecodeContext {
  readonly model: string;
  readonly baseURL: string;
  readonly dimensions: number;
}

/**
 * The `expected` vectors of `response`, ordered by `index`. A malformed response (a bad or
 * repeated index, an undecodable embedding, too few) is a TransientError; vectors of another
 * size than configured are an EmbeddingProviderError (every request would fail alike).
 */
export function decodeEmbeddings(response: CreateEmbeddingResponse, expected: number, context: DecodeContext): Float32Array[] {
  const { model, dimensions } = context;
  const data: readonly unknown[] = Array.isArray(response.data) ? response.data : [];
  const vectors = new Array<Float32Array | undefined>(expected);
  for (const item of data) {
    const { index, embedding } = (item ?? {}) as { index?: unknown; embedding?: unknown };
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= expected || vectors[index] !== undefined) {
      throw new TransientError(`OpenAI returned a malformed embeddings response (bad or repeated index ${String(index)})`, { context: { model } });
    }
    const vector = toVector(embedding);
    if (vector === undefined) {
      throw new TransientError(`OpenAI returned a malformed embedding at index ${index}`, { context: { model } });
    }
    if (vector.length !== dimensions) {
      throw new EmbeddingProviderError(
        `${model} returned vectors of ${vector.length} dimensions, expected ${dimensions}; check the model name and that the server honours "dimensions"`,
        { context: { model, baseURL: context.baseURL, dimensions, got: vector.length } },
      );
    }
    vectors[index] = vector;
  }
  const filled = vectors.filter((vector): vector is Float32Array => vector !== undefined);
  if (filled.length !== expected) {
    throw new TransientError(`OpenAI returned ${filled.length} embeddings for ${expected} inputs`, { context: { model } });
  }
  return filled;
}

function toVector(embedding: unknown): Float32Array | undefined {
  if (typeof embedding === 'string') {
    const bytes = Buffer.from(embedding, 'base64');
    if (bytes.length % 4 !== 0) return undefined;
    const vector = new Float32Array(bytes.length / 4);
    // readFloatLE: independent of host endianness and of the Buffer's (unaligned) pool offset.
    for (let i = 0; i < vector.length; i++) vector[i] = bytes.readFloatLE(i * 4);
    return vector;
  }
  if (Array.isArray(embedding) && embedding.every((value) => typeof value === 'number')) return Float32Array.from(embedding as number[]);
  return undefined;
}
