/**
 * Access metadata: who may see a document. A document's `access` lists principals; it is copied
 * onto every vector of the document as the `access` metadata list, and a search made as some
 * principals sees only vectors without `access` or whose `access` names one of them. The format
 * is documented in docs/connectors.md "Access".
 */
import { HttpError } from './errors.ts';

/** Everyone who may search at all: a search as any principal sees it. */
export const PUBLIC = 'public';
/**
 * Stored for a document whose access lists no valid principal: nobody's search matches it (it
 * is not a principal anyone can search as). Vector stores do not all keep empty lists.
 */
export const NOBODY = 'none';
/** The vector metadata key the access list is written under (the pipeline's own: a document's `metadata.access` is not copied). */
export const ACCESS_KEY = 'access';
/**
 * Most principals one document may name, and most bytes their list may take (as JSON). Every
 * vector repeats the list and a Pinecone record's metadata holds at most 40 KB, the chunk text
 * included: 1,000 principals of ~15 characters are ~17 KB.
 */
export const MAX_PRINCIPALS = 1000;
export const MAX_ACCESS_BYTES = 20_000;

/** `user:<id>`, `group:<id>` (an id of 1–256 characters, no whitespace or comma), or `public`. */
const PRINCIPAL = /^(?:public|(?:user|group):[^\s,]{1,256})$/;

export function isPrincipal(value: string): boolean {
  return PRINCIPAL.test(value);
}

/**
 * A document's access as its vectors carry it: distinct principals, sorted (the order a source
 * returns members in must not rewrite vectors). Invalid entries are dropped and reported, so a
 * malformed principal narrows access instead of widening it; none left → `[NOBODY]`.
 */
export function normaliseAccess(access: readonly string[]): { access: string[]; invalid: string[]; truncated: boolean } {
  const valid = [...new Set(access.filter(isPrincipal))].sort();
  const invalid = access.filter((p) => !isPrincipal(p));
  const truncated = valid.length > MAX_PRINCIPALS || Buffer.byteLength(JSON.stringify(valid), 'utf8') > MAX_ACCESS_BYTES;
  if (truncated) return { access: [NOBODY], invalid, truncated };
  return { access: valid.length > 0 ? valid : [NOBODY], invalid, truncated };
}

/** Why a document's access was not taken as given, for the run's warnings; undefined when it was. */
export function accessWarning(result: ReturnType<typeof normaliseAccess>): string | undefined {
  if (result.truncated) return `access names more principals than a vector can carry (${MAX_PRINCIPALS}, ${MAX_ACCESS_BYTES} bytes): no search as a principal sees it (grant a group instead)`;
  if (result.invalid.length === 0) return undefined;
  const shown = result.invalid.slice(0, 3).map((p) => JSON.stringify(p)).join(', ');
  return `access names ${result.invalid.length} invalid principal(s) (${shown}), left out: a principal is user:<id>, group:<id> or public`;
}

/**
 * The principals a search is made as: those asked (comma-separated or repeated), each valid,
 * plus `public`. HttpError(400) names a malformed one.
 */
export function searchPrincipals(asked: readonly string[]): string[] {
  const principals = asked.flatMap((a) => a.split(',')).map((p) => p.trim()).filter((p) => p !== '');
  for (const p of principals) {
    if (!isPrincipal(p)) throw new HttpError(400, `"${p}" is not a principal: use user:<id>, group:<id> or public (several: comma-separated)`);
  }
  if (principals.length === 0) throw new HttpError(400, 'name at least one principal to search as: user:<id>, group:<id> or public');
  return [...new Set([...principals, PUBLIC])];
}

/**
 * Whether a record's metadata passes an access filter, as both vector stores decide it (the
 * in-memory twin and LanceDB call this; Pinecone's `$exists`/`$in` filter means the same): no
 * `access` value → visible; a list → visible when it names one of `principals`; a lone string
 * (metadata written before access existed) → visible when it is one of them.
 */
export function accessAllows(value: unknown, principals: readonly string[]): boolean {
  if (value === undefined) return true;
  if (Array.isArray(value)) return value.some((p) => typeof p === 'string' && principals.includes(p));
  return typeof value === 'string' && principals.includes(value);
}

/**
 * A document's access as its task and vectors carry it (undefined: everyone), and its warning
 * joined with any about the access list.
 */
export function accessOfDocument(doc: { readonly access?: readonly string[]; readonly warning?: string }): { access?: string[]; warning?: string } {
  if (doc.access === undefined) return doc.warning !== undefined ? { warning: doc.warning } : {};
  const normalised = normaliseAccess(doc.access);
  const warning = [doc.warning, accessWarning(normalised)].filter((w): w is string => w !== undefined).join('; ');
  return { access: normalised.access, ...(warning !== '' ? { warning } : {}) };
}
