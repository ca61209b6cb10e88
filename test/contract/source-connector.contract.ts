/**
 * The behaviour every SourceConnector owes the core, as a reusable vitest suite.
 *
 * A connector's test file calls {@link sourceConnectorContract} with a factory that builds a
 * fresh, empty source plus the means to change it. Each test gets its own fixture.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Cursor, DocumentIssue, DocumentRef, PullWindow, SourceConnector } from '../../shared/ports/index.ts';

/** A fresh, empty source and the means to change it behind the connector's back. */
export interface SourceConnectorFixture {
  connector: SourceConnector;
  /** Creates or replaces a document. Ids are of the form `doc-NN.md`. */
  put(id: string, text: string): Promise<void>;
  remove(id: string): Promise<void>;
  cleanup(): Promise<void>;
  /**
   * The connector's id for a contract id, for sources whose ids have a shape of their own
   * (a row key, a Slack channel/thread). @default identity
   */
  docId?(contractId: string): string;
  /**
   * The text `fetch` returns for a document `put` with `text`, for sources that render documents
   * (a speaker prefix on a message, a row template). @default identity
   */
  renderedText?(contractId: string, text: string): string;
}

/** Documents the contract creates; the factory must configure a page size below this. */
export const CONTRACT_DOC_COUNT = 7;
/** A pass that needs more pages than this is taken to be looping. */
const MAX_PAGES = 1000;

/**
 * Registers the SourceConnector contract for `name`.
 * @param make builds a fresh, empty source whose connector pages with a page size below {@link CONTRACT_DOC_COUNT}.
 */
export function sourceConnectorContract(name: string, make: () => Promise<SourceConnectorFixture>): void {
  describe(`SourceConnector contract: ${name}`, () => {
    let fixture: SourceConnectorFixture;

    beforeEach(async () => {
      fixture = await make();
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    const contractIds = Array.from({ length: CONTRACT_DOC_COUNT }, (_, i) => `doc-${String(i + 1).padStart(2, '0')}.md`);
    const putText = (id: string): string => `# ${id}\n\nBody of ${id}.\n`;
    const putAll = async (): Promise<void> => {
      for (const id of contractIds) await fixture.put(id, putText(id));
    };
    // The connector's ids and texts for the contract's documents.
    const idOf = (contractId: string): string => fixture.docId?.(contractId) ?? contractId;
    const rendered = (contractId: string, text: string): string => fixture.renderedText?.(contractId, text) ?? text;
    let ids: string[] = [];
    let textOf: (id: string) => string = () => '';
    beforeEach(() => {
      ids = contractIds.map(idOf).sort();
      const byDocId = new Map(contractIds.map((c) => [idOf(c), c]));
      textOf = (id) => rendered(byDocId.get(id)!, putText(byDocId.get(id)!));
    });

    it('pages through a pass returning every document exactly once', async () => {
      // Prepare
      await putAll();

      // Act
      const { refs, pages } = await pullPass(fixture.connector, newWindow());

      // Assess
      expect(pages, 'the factory must configure a page size below the document count').toBeGreaterThan(1);
      const pulled = refs.map((ref) => ref.id);
      expect(new Set(pulled).size, 'no id may repeat within a pass').toBe(pulled.length);
      expect([...pulled].sort()).toEqual(ids);
      for (const ref of refs) expect(ref.version).not.toBe('');
    });

    it('fetch returns the text that was put, with the version pull reported', async () => {
      // Prepare
      await putAll();
      const { refs } = await pullPass(fixture.connector, newWindow());

      // Act
      const docs = (await fixture.connector.fetch(ids)).documents;

      // Assess
      expect(docs.map((doc) => doc.id).sort()).toEqual(ids);
      const pulledVersions = new Map(refs.map((ref) => [ref.id, ref.version]));
      for (const doc of docs) {
        expect(doc.text).toBe(textOf(doc.id));
        expect(doc.version).toBe(pulledVersions.get(doc.id));
      }
    });

    it('changed content changes the version', async () => {
      // Prepare: the new text differs in length too, so sources versioned by mtime+size
      // change version even within one mtime tick.
      await fixture.put('doc-01.md', 'first');
      const [before] = (await pullPass(fixture.connector, newWindow())).refs;

      // Act
      await fixture.put('doc-01.md', 'second, and longer');
      const [after] = (await pullPass(fixture.connector, newWindow())).refs;
      const [fetched] = (await fixture.connector.fetch([idOf('doc-01.md')])).documents;

      // Assess
      expect(before?.id).toBe(idOf('doc-01.md'));
      expect(after?.id).toBe(idOf('doc-01.md'));
      expect(after?.version).not.toBe(before?.version);
      expect(fetched?.text).toBe(rendered('doc-01.md', 'second, and longer'));
      expect(fetched?.version).toBe(after?.version);
    });

    it('removed ids are absent from fetch and list', async () => {
      // Prepare
      await putAll();
      const removed = idOf(contractIds[0]!);

      // Act
      await fixture.remove(contractIds[0]!);
      const kept = idOf(contractIds[1]!);
      const fetched = (await fixture.connector.fetch([removed, kept])).documents;
      const listed = fixture.connector.list ? await collect(fixture.connector.list()) : undefined;

      // Assess
      expect(fetched.map((doc) => doc.id)).toEqual([kept]);
      if (listed) {
        expect(listed.map((doc) => doc.id)).not.toContain(removed);
        expect(listed).toHaveLength(ids.length - 1);
      }
    });

    it('list names the same ids and versions as a pass', async (context) => {
      // Prepare
      const list = fixture.connector.list?.bind(fixture.connector);
      if (!list) context.skip();
      await putAll();

      // Act
      const { refs } = await pullPass(fixture.connector, newWindow());
      const listed = await collect(list!());

      // Assess
      const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      expect(listed.map(({ id, version }) => ({ id, version })).sort(byId)).toEqual(
        refs.map(({ id, version }) => ({ id, version })).sort(byId),
      );
    });

    it('resumes a pass from a saved cursor with no gap and no repeat', async () => {
      // Prepare: take the first page, then persist the cursor as the core does (JSON).
      await putAll();
      const window = newWindow();
      const first = await fixture.connector.pull(undefined, window);
      const saved = JSON.parse(JSON.stringify(first.next)) as Cursor;

      // Act
      const rest = await pullPass(fixture.connector, window, saved);

      // Assess
      expect(first.done).toBe(false);
      const all = [...first.changed, ...rest.refs].map((ref) => ref.id);
      expect(new Set(all).size).toBe(all.length);
      expect([...all].sort()).toEqual(ids);
    });

    it('fetch of unknown ids returns nothing', async () => {
      // Prepare
      await putAll();

      // Act
      const docs = (await fixture.connector.fetch([idOf('doc-99.md'), `missing/${idOf('doc-01.md')}`])).documents;

      // Assess
      expect(docs).toEqual([]);
    });

    it('an empty source yields one final, empty page', async () => {
      // Prepare: nothing.

      // Act
      const page = await fixture.connector.pull(undefined, newWindow());

      // Assess
      expect(page.changed).toEqual([]);
      expect(page.done).toBe(true);
    });
  });
}

let lastSnapshotMs = 0;

/** A full-pass window starting now; every call gets a distinct `snapshotAt`, as distinct passes do. */
export function newWindow(): PullWindow {
  lastSnapshotMs = Math.max(Date.now(), lastSnapshotMs + 1);
  return { snapshotAt: new Date(lastSnapshotMs).toISOString(), full: true };
}

/** Pulls pages until `done`, as the core does. */
export async function pullPass(
  connector: SourceConnector,
  window: PullWindow,
  from?: Cursor,
): Promise<{ refs: DocumentRef[]; skipped: DocumentIssue[]; pages: number; cursor: Cursor | undefined }> {
  const refs: DocumentRef[] = [];
  const skipped: DocumentIssue[] = [];
  let cursor = from;
  for (let pages = 1; pages <= MAX_PAGES; pages++) {
    const page = await connector.pull(cursor, window);
    refs.push(...page.changed);
    skipped.push(...(page.skipped ?? []));
    cursor = page.next;
    if (page.done) return { refs, skipped, pages, cursor };
  }
  throw new Error(`pass did not finish within ${MAX_PAGES} pages`);
}

/** Drains an async iterable. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
