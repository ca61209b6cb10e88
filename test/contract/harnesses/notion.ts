import { startNotion, text } from '../../emulators/notion.ts';
import { connectorFromConfig, type ContractHarness } from './harness.ts';

/**
 * The loopback Notion emulator, one workspace per fixture: the root is a shared data source, and
 * a contract document is a row titled by its id whose body is one paragraph. The emulator's
 * clock runs an hour behind and moves a minute per change (Notion's stamps are minute-rounded),
 * so every change has a stamp of its own and every stamp is closed when the connector looks.
 */
export const notionHarness: ContractHarness = {
  variants: [{
    name: 'emulator',
    make: async () => {
      const emu = await startNotion({ now: () => Date.now() - 3_600_000, rateLimit: false });
      const db = emu.addDatabase({ title: 'Contract', shared: true, dataSources: [{ title: 'Contract', properties: { Name: { type: 'title' } } }] });
      const root = db.dataSources[0]!;
      const pages = new Map<string, { page: string; block: string }>();
      let ticks = 0;
      const idOf = (contractId: string): string => `00000000-0000-4000-8000-${String(Number(/\d+/.exec(contractId)![0])).padStart(12, '0')}`;
      const put = async (contractId: string, body: string): Promise<void> => {
        emu.advance(61_000);
        const known = pages.get(contractId);
        if (known) {
          emu.editBlock(known.block, { rich_text: [text(body)] });
          return;
        }
        const page = emu.addRow(root, { id: idOf(contractId), values: { Name: contractId }, children: [{ type: 'paragraph', text: body }] });
        const block = emu.world.need(page, 'page').children[0]!;
        pages.set(contractId, { page, block });
      };
      return {
        connector: connectorFromConfig({ id: 'wiki', kind: 'notion', apiUrl: emu.url, pageSize: 3, roots: [root] }, {
          secret: (name) => (name === 'NOTION_TOKEN' ? emu.token : undefined),
          // Pacing (170 requests a minute) costs no real time: the clock moves a second per reading.
          clock: { now: () => Date.now() + (ticks += 1) * 1000 },
        }),
        put,
        remove: async (contractId) => {
          const known = pages.get(contractId);
          if (!known) return;
          emu.advance(61_000);
          emu.trash(known.page);
          pages.delete(contractId);
        },
        cleanup: () => emu.close(),
        docId: idOf,
        renderedText: (contractId, body) => `# ${contractId}\n\n${body}`,
      };
    },
  }],
};
