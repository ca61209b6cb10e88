/**
 * Where each index profile of a source writes, derived from its config: the naming rules the
 * config check, the wiring and the docs share.
 */

/** The profile a source has when its config names none: today's ledger, table and vector ids. */
export const DEFAULT_PROFILE = 'default';
/** The LanceDB table of the `default` profile (and of every source before profiles existed). */
export const DEFAULT_TABLE = 'chunks';

/** The LanceDB table of a profile: its own `table`, else `chunks` for `default`, else `chunks-<sourceId>-<name>`. */
export function profileTable(sourceId: string, profile: { readonly name: string; readonly table?: string | undefined }): string {
  if (profile.table !== undefined) return profile.table;
  return profile.name === DEFAULT_PROFILE ? DEFAULT_TABLE : `${DEFAULT_TABLE}-${sourceId}-${profile.name}`;
}

/**
 * Where generation `n` (≥ 1) of a profile writes: its table or namespace with `.g<n>`, which no
 * configured name holds (`.` is not allowed in source ids and profile names); `default`'s
 * shared `chunks` gets the source id, since other sources' generations are numbered alike.
 */
export function generationTarget(sourceId: string, profile: { readonly name: string }, target: string, n: number): string {
  return target === DEFAULT_TABLE ? `${DEFAULT_TABLE}-${sourceId}-${profile.name}.g${n}` : `${target}.g${n}`;
}

/** The Pinecone namespace of a profile: its own, else the source's namespace, suffixed `-<name>` unless `default`. */
export function profileNamespace(sourceNamespace: string, profile: { readonly name: string; readonly namespace?: string | undefined }): string {
  if (profile.namespace !== undefined) return profile.namespace;
  return profile.name === DEFAULT_PROFILE ? sourceNamespace : `${sourceNamespace}-${profile.name}`;
}
