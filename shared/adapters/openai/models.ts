import { ConfigError } from '../../core/errors.ts';

/** Vector size of each OpenAI embedding model by default (text-embedding-3 models can return shorter ones). */
export const NATIVE_DIMENSIONS: Readonly<Record<string, number>> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

/**
 * The vector size an embedder of `model` returns: the configured one, else the model's own.
 * The embedding cache is keyed by model and size (so is its IAM partition key).
 */
export function embeddingDimensionsOf(model: string, dimensions: number | undefined): number {
  const size = dimensions ?? NATIVE_DIMENSIONS[model];
  if (size === undefined) throw new ConfigError(`embedder.dimensions: required for model "${model}" (its vector size is not known to Tributary)`);
  return size;
}
