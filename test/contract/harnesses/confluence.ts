import { adfToMarkdown } from '../../../shared/connectors/kit/adf.ts';
import { startConfluence } from '../../emulators/confluence.ts';
import { connectorFromConfig, type ContractHarness } from './harness.ts';

const TOKEN = 'contract-confluence-token';

/** One paragraph per line of the text, as an editor would store it. */
const adfOf = (text: string): Record<string, unknown> => ({
  type: 'doc', version: 1,
  content: text.split('\n').filter((line) => line.trim() !== '').map((line) => ({ type: 'paragraph', content: [{ type: 'text', text: line }] })),
});

/**
 * The loopback Confluence emulator, one site per fixture with one space (no homepage). A contract
 * document is a page titled by its contract id whose body holds the text; putting it again
 * publishes a new version; removing it trashes it.
 */
export const confluenceHarness: ContractHarness = {
  variants: [{
    name: 'emulator',
    make: async () => {
      const site = await startConfluence();
      site.setRateLimits({ max: Infinity });
      site.addUser({ email: 'ada@acme.test', displayName: 'Ada Lovelace', apiToken: TOKEN });
      site.addSpace({ key: 'ENG', name: 'Engineering', homepage: false });
      // Pages for the contract's ids exist from the start as never-published drafts (invisible to
      // every listing), so a contract id has its page id before it is put.
      const ids = new Map<string, string>();
      for (let n = 1; n <= 7; n++) {
        const title = `doc-${String(n).padStart(2, '0')}.md`;
        ids.set(title, site.createPage({ space: 'ENG', title, status: 'draft' }).id);
      }
      const put = async (contractId: string, text: string): Promise<void> => {
        const body = { storage: `<p>${text}</p>`, adf: adfOf(text) };
        const id = ids.get(contractId)!;
        if (site.get(id).status === 'draft') {
          site.saveDraft(id, { title: contractId, body });
          site.publishDraft(id);
        } else {
          site.editBody(id, body);
        }
      };
      const docId = (contractId: string): string => ids.get(contractId) ?? String(900_000 + Number(/\d+/.exec(contractId)?.[0] ?? 0));
      return {
        connector: connectorFromConfig({
          id: 'wiki', kind: 'confluence', siteUrl: site.url, email: 'ada@acme.test', spaces: ['ENG'], pageSize: 3, fetchBatchSize: 4, requestsPerMinute: 6000,
        }, { secret: (name) => (name === 'CONFLUENCE_API_TOKEN' ? TOKEN : undefined) }),
        put,
        remove: async (contractId) => site.trash(ids.get(contractId)!),
        cleanup: () => site.close(),
        docId,
        renderedText: (contractId, text) => `# ${contractId}\n\n${adfToMarkdown(adfOf(text))}`,
      };
    },
  }],
};
