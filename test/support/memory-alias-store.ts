import type { IndexAliases, Json, StoredAlias } from '../../shared/ports/index.ts';

/** IndexAliases in memory, for core tests. Values are copied in and out, as a store would. */
export class InMemoryAliasStore implements IndexAliases {
  private readonly items = new Map<string, { version: number; value: string }>();

  async getAlias(sourceId: string, profile: string): Promise<StoredAlias | undefined> {
    const item = this.items.get(`${sourceId}\u0000${profile}`);
    return item ? { sourceId, profile, version: item.version, value: JSON.parse(item.value) as Json } : undefined;
  }

  async putAlias(input: { sourceId: string; profile: string; value: Json; expectVersion: number | undefined }): Promise<StoredAlias | undefined> {
    const key = `${input.sourceId}\u0000${input.profile}`;
    if (this.items.get(key)?.version !== input.expectVersion) return undefined;
    const version = (input.expectVersion ?? 0) + 1;
    this.items.set(key, { version, value: JSON.stringify(input.value) });
    return { sourceId: input.sourceId, profile: input.profile, version, value: input.value };
  }
}
