/**
 * Embedding prices in USD per million input tokens, as published by OpenAI (2026).
 * A deployment can override the price in config (`embedder.pricePerMillionTokensUsd`).
 */
export const EMBEDDING_PRICES_USD_PER_MILLION: Readonly<Record<string, number>> = {
  'text-embedding-3-small': 0.02,
  'text-embedding-3-large': 0.13,
  'text-embedding-ada-002': 0.1,
};

/** Price of a model; unknown models cost 0 until configured. */
export function embeddingPrice(model: string, override?: number): number {
  return override ?? EMBEDDING_PRICES_USD_PER_MILLION[model] ?? 0;
}
