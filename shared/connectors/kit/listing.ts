/**
 * Slim listings for `SourceConnector.list()`: ids and versions only, never content. Reconcile
 * diffs them against the ledger to find deletions (and documents the ledger holds at another
 * version), so a listing must be complete and must not repeat itself; these helpers make sure.
 */
import { TributaryError } from '../../core/errors.ts';
import type { ListedDocument } from '../../ports/index.ts';
import { PaginationLoopError } from './errors.ts';

export interface SlimListingOptions {
  /** Names the source in errors. */
  readonly sourceId: string;
  /** More items than this is taken to be a looping listing. @default 10_000_000 */
  readonly maxItems?: number;
  /** Told about each id listed again (kept: the first occurrence). */
  readonly onDuplicate?: (id: string) => void;
}

/**
 * Flattens pages of provider items (arrays, or `{ items }` as the pagination helpers yield)
 * into listed documents. `toListed` maps an item to its id and version, or `undefined` to leave
 * it out (a folder, a file type the source does not index).
 *
 * An id listed twice (a document that moved between pages while the listing ran) is yielded
 * once, with the first version seen: if that version is stale, reconcile re-reads the
 * document, which is harmless. An item without an id or version is an error, not a skip: a
 * listing that silently drops documents would make reconcile delete them.
 *
 * Memory: the ids seen so far are kept for the dedupe (about 100 bytes per id).
 */
export async function* slimListing<T>(
  pages: AsyncIterable<readonly T[] | { readonly items: readonly T[] }>,
  toListed: (item: T) => ListedDocument | undefined,
  options: SlimListingOptions,
): AsyncGenerator<ListedDocument> {
  const maxItems = options.maxItems ?? 10_000_000;
  const seen = new Set<string>();
  let count = 0;
  for await (const page of pages) {
    const items = Array.isArray(page) ? (page as readonly T[]) : (page as { readonly items: readonly T[] }).items;
    for (const item of items) {
      const listed = toListed(item);
      if (listed === undefined) continue;
      if (typeof listed.id !== 'string' || listed.id === '' || typeof listed.version !== 'string' || listed.version === '') {
        throw new TributaryError(
          `listing of source "${options.sourceId}" produced an item without an id or version (${JSON.stringify(listed).slice(0, 200)}); ` +
            'fix the connector\'s mapping: dropping it would make reconcile delete the document',
          { context: { sourceId: options.sourceId } },
        );
      }
      if (seen.has(listed.id)) {
        options.onDuplicate?.(listed.id);
        continue;
      }
      count += 1;
      if (count > maxItems) {
        throw new PaginationLoopError(`listing of source "${options.sourceId}" passed ${maxItems} documents; stopping (raise maxItems if the source is really that large)`, { sourceId: options.sourceId, maxItems });
      }
      seen.add(listed.id);
      yield { id: listed.id, version: listed.version };
    }
  }
}
