/**
 * How `embed(texts)` becomes requests: each input counted with cl100k_base, packed greedily and
 * in order into requests within the per-request input and token bounds, and halved when the
 * server counts more tokens than we did.
 */
// The encoding module carries its BPE ranks: nothing is downloaded at run time.
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { PoisonTaskError } from '../../core/errors.ts';

/** Special-token text (`<|endoftext|>`) is ordinary text in an embedding input. */
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/** One request: a run of consecutive inputs starting at `start`. */
export interface Batch {
  readonly start: number;
  readonly inputs: readonly string[];
  readonly tokens: number;
}

export interface PlanLimits {
  readonly model: string;
  readonly maxInputsPerRequest: number;
  readonly maxTokensPerRequest: number;
  readonly maxTokensPerInput: number;
}

/**
 * The requests for `texts`, in order. An empty text is sent as a single space (the API answers
 * 400 to an empty input inside an array, and an empty document legitimately yields an empty
 * chunk); an input over `maxTokensPerInput` throws PoisonTaskError before any request (inputs are
 * never truncated).
 */
export function planRequests(texts: readonly string[], limits: PlanLimits, known?: ReadonlyMap<string, number>): Batch[] {
  const inputs = texts.map((text) => (text === '' ? ' ' : text));
  const counts = inputs.map((text, index) => {
    const tokens = known?.get(text) ?? tokensOf(text);
    if (tokens > limits.maxTokensPerInput) {
      throw new PoisonTaskError(
        `input ${index} has ${tokens} tokens, over the ${limits.maxTokensPerInput}-token limit per input of ${limits.model}; ` +
          `lower the chunker's maxTokens so chunks fit (inputs are never truncated)`,
        { index, tokens, maxTokensPerInput: limits.maxTokensPerInput, model: limits.model },
      );
    }
    return tokens;
  });
  return pack(inputs, counts, limits);
}

/** The two halves of a request the server found over its token limit, counted again. */
export function halve(batch: Batch): [Batch, Batch] {
  const half = Math.ceil(batch.inputs.length / 2);
  const left = batch.inputs.slice(0, half);
  const right = batch.inputs.slice(half);
  return [
    { start: batch.start, inputs: left, tokens: sumTokens(left) },
    { start: batch.start + half, inputs: right, tokens: sumTokens(right) },
  ];
}

/** Greedy, in order: a request closes when the next input would break either bound. */
function pack(inputs: readonly string[], counts: readonly number[], limits: PlanLimits): Batch[] {
  const batches: Batch[] = [];
  let start = 0;
  let tokens = 0;
  for (let i = 0; i < inputs.length; i++) {
    const count = counts[i] ?? 0;
    if (i > start && (i - start >= limits.maxInputsPerRequest || tokens + count > limits.maxTokensPerRequest)) {
      batches.push({ start, inputs: inputs.slice(start, i), tokens });
      start = i;
      tokens = 0;
    }
    tokens += count;
  }
  batches.push({ start, inputs: inputs.slice(start), tokens });
  return batches;
}

/** cl100k tokens of one input as sent (an empty text goes as a single space). */
export function tokensOf(text: string): number {
  return countTokens(text === '' ? ' ' : text, AS_PLAIN_TEXT);
}

function sumTokens(inputs: readonly string[]): number {
  return inputs.reduce((sum, text) => sum + tokensOf(text), 0);
}
