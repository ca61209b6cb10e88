/**
 * `fetch(ids)` for a source read one document per request, with per-document isolation: one
 * document's refusal is reported as skipped (see docs/connectors.md §1.1) instead of failing
 * every other document of the call.
 */
import { forEachLimited } from '../../core/concurrency.ts';
import { DocumentError, errorMessage } from '../../core/errors.ts';
import type { DocumentIssue, FetchResult, SourceDocument } from '../../ports/index.ts';
import { ProviderNotFoundError, ProviderRequestError, ProviderResponseError } from './errors.ts';

export interface FetchEachOptions {
  /** Documents read at once (the client's limiter still paces requests). @default 4 */
  readonly concurrency?: number;
}

/**
 * Runs `read` for every id. `undefined` or a 404 ({@link ProviderNotFoundError}): the document
 * is gone. A refusal of that one request (another 4xx, a body not of the schema, a
 * DocumentError): skipped with the message. Anything else (auth, retries exhausted, a budget
 * used up) fails the call, and so does a refusal of every one of two or more ids: then it is
 * the source's, not the documents'.
 */
export async function fetchEach(
  ids: readonly string[],
  read: (id: string) => Promise<SourceDocument | undefined>,
  options: FetchEachOptions = {},
): Promise<FetchResult> {
  const unique = [...new Set(ids)];
  const found = new Map<string, SourceDocument>();
  const skipped: DocumentIssue[] = [];
  let first: unknown;
  await forEachLimited(unique, options.concurrency ?? 4, async (id) => {
    try {
      const doc = await read(id);
      if (doc) found.set(id, doc);
    } catch (error) {
      if (error instanceof ProviderNotFoundError) return;
      if (!(error instanceof ProviderRequestError || error instanceof ProviderResponseError || error instanceof DocumentError)) throw error;
      first ??= error;
      skipped.push({ id, reason: errorMessage(error) });
    }
  });
  if (unique.length > 1 && skipped.length === unique.length) throw first;
  // In the order asked for, whatever order the requests finished in.
  return { documents: unique.flatMap((id) => found.get(id) ?? []), skipped };
}
