import { describe, expect, it } from 'vitest';
import { batchesOf } from '../../shared/core/batches.ts';

describe('batchesOf', () => {
  it('cuts at the item limit and at the byte limit, whichever comes first, keeping order', () => {
    // Act
    const byCount = batchesOf([1, 2, 3, 4, 5], { maxItems: 2, maxBytes: 100 }, () => 1);
    const byBytes = batchesOf(['aaaa', 'bb', 'cccc', 'd'], { maxItems: 10, maxBytes: 6 }, (s) => s.length);

    // Assess
    expect(byCount).toEqual([[1, 2], [3, 4], [5]]);
    expect(byBytes).toEqual([['aaaa', 'bb'], ['cccc', 'd']]);
  });

  it('puts an item over the byte limit alone in its batch, and makes no batch of nothing', () => {
    // Act
    const batches = batchesOf(['a', 'huge', 'b'], { maxItems: 10, maxBytes: 2 }, (s) => s.length);

    // Assess
    expect(batches).toEqual([['a'], ['huge'], ['b']]);
    expect(batchesOf([], { maxItems: 1, maxBytes: 1 }, () => 1)).toEqual([]);
  });
});
