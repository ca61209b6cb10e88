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

/** The Pinecone namespace of a profile: its own, else the source's namespace, suffixed `-<name>` unless `default`. */
export function profileNamespace(sourceNamespace: string, profile: { readonly name: string; readonly namespace?: string | undefined }): string {
  if (profile.namespace !== undefined) return profile.namespace;
  return profile.name === DEFAULT_PROFILE ? sourceNamespace : `${sourceNamespace}-${profile.name}`;
}
