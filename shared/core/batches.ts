/**
 * Items in order, cut into batches of at most `maxItems` whose sizes add up to at most
 * `maxBytes` (a request's entry and payload limits: SQS, EventBridge, Pinecone). An item larger
 * than `maxBytes` on its own goes alone in its batch; a caller that must refuse it checks first.
 */
export function batchesOf<T>(items: Iterable<T>, limits: { readonly maxItems: number; readonly maxBytes: number }, sizeOf: (item: T) => number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length >= limits.maxItems || bytes + size > limits.maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
