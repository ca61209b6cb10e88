/**
 * Who may see a page, from what the API exposes: its own read restriction and its ancestors'
 * (view restrictions are inherited: a reader must pass every restricted level).
 *
 * - No level restricted → `group:confluence-space:<key>`: everyone with the space's view
 *   permission. Space permissions are not read (the API user would need admin rights); the
 *   principal stands for them, and a searcher who may view the space asks as it.
 * - One level restricted → its users (`user:<accountId>`) and groups (`group:<groupId>`).
 * - Several → the principals every restricted level names. Someone allowed by a group at one
 *   level and by name at another is left out: narrower than Confluence, never wider.
 *
 * Restrictions are read once per page per run (ancestors are shared by many pages).
 */
import type { Principal } from '../../ports/index.ts';
import type { ReadRestriction } from './confluence-api.ts';

export type RestrictionLookup = (id: string) => Promise<ReadRestriction>;

export const spacePrincipal = (spaceKey: string): Principal => `group:confluence-space:${spaceKey}`;

/** A per-run cache in front of the restriction reads. */
export class RestrictionCache {
  private readonly cache = new Map<string, Promise<ReadRestriction>>();

  constructor(private readonly read: RestrictionLookup) {}

  get(id: string): Promise<ReadRestriction> {
    let hit = this.cache.get(id);
    if (!hit) {
      hit = this.read(id);
      // A failed read is not remembered: the next page asking tries again.
      hit.catch(() => this.cache.delete(id));
      this.cache.set(id, hit);
    }
    return hit;
  }

  clear(): void {
    this.cache.clear();
  }
}

/** The principals of a page with the given id, ancestor ids (top to bottom) and space. */
export async function pageAccess(ids: { readonly id: string; readonly ancestors: readonly string[]; readonly space: string }, lookup: RestrictionLookup): Promise<Principal[]> {
  const levels = await Promise.all([...ids.ancestors, ids.id].map((id) => lookup(id)));
  const restricted = levels.filter((r) => r.users.length > 0 || r.groups.length > 0).map(principalsOf);
  if (restricted.length === 0) return [spacePrincipal(ids.space)];
  const [first, ...rest] = restricted;
  return [...first!].filter((p) => rest.every((level) => level.has(p))).sort();
}

function principalsOf(r: ReadRestriction): Set<Principal> {
  return new Set([...r.users.map((u) => `user:${u}`), ...r.groups.map((g) => `group:${g}`)]);
}
