import { describe, expect, it } from 'vitest';
import {
  fetchEach, ProviderAuthError, ProviderNotFoundError, ProviderRequestError, ProviderResponseError,
} from '../../../shared/connectors/kit/index.ts';
import type { SourceDocument } from '../../../shared/ports/index.ts';

const details = { sourceId: 'wiki', provider: 'Wiki', method: 'GET', path: 'pages/x' };
const doc = (id: string): SourceDocument => ({ id, version: '1', text: `text of ${id}` });

describe('fetchEach', () => {
  it('reads every id: gone ids are absent, a request refused for itself is skipped with the provider\'s words', async () => {
    // Prepare
    const read = async (id: string): Promise<SourceDocument | undefined> => {
      if (id === 'gone') throw new ProviderNotFoundError('404', { ...details, status: 404 });
      if (id === 'also-gone') return undefined;
      if (id === 'refused') throw new ProviderRequestError('Wiki GET pages/refused: 422 page is locked for export', { ...details, status: 422 });
      if (id === 'garbled') throw new ProviderResponseError('Wiki GET pages/garbled: body.rev: expected number', details);
      return doc(id);
    };

    // Act
    const result = await fetchEach(['b', 'gone', 'refused', 'a', 'garbled', 'also-gone', 'b'], read);

    // Assess
    expect(result.documents.map((d) => d.id)).toEqual(['b', 'a']);
    expect(result.skipped).toEqual(expect.arrayContaining([
      { id: 'refused', reason: 'Wiki GET pages/refused: 422 page is locked for export' },
      { id: 'garbled', reason: 'Wiki GET pages/garbled: body.rev: expected number' },
    ]));
    expect(result.skipped).toHaveLength(2);
  });

  it('fails the call for what no document escapes: auth, or every id refused alike', async () => {
    // Prepare
    const auth = async (): Promise<SourceDocument> => {
      throw new ProviderAuthError('Wiki GET pages/x: 401; check WIKI_TOKEN', { ...details, status: 401 });
    };
    const allRefused = async (id: string): Promise<SourceDocument> => {
      throw new ProviderResponseError(`Wiki GET pages/${id}: body is not JSON (an HTML login page?)`, details);
    };

    // Act, Assess
    await expect(fetchEach(['a', 'b'], auth)).rejects.toBeInstanceOf(ProviderAuthError);
    await expect(fetchEach(['a', 'b'], allRefused)).rejects.toBeInstanceOf(ProviderResponseError);
    expect((await fetchEach(['a'], allRefused)).skipped).toHaveLength(1);
  });
});
