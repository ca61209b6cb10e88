import { startGDrive } from '../../emulators/gdrive.ts';
import { connectorFromConfig, type ContractHarness } from './harness.ts';

const SA = 'indexer@tributary-test.iam.gserviceaccount.com';

/**
 * The loopback Drive emulator, one world per fixture: a contract document is a Markdown blob
 * `doc-NN.md` in one folder, owned by the service account the connector signs in as; putting it
 * again edits its content (a new head revision under the same id); removing trashes it.
 */
export const gdriveHarness: ContractHarness = {
  variants: [{
    name: 'emulator (service account, folder scope)',
    make: async () => {
      const emu = await startGDrive();
      const sa = emu.addServiceAccount(SA);
      const folder = emu.addFolder('Contract', { owner: SA });
      // Drive chooses file ids: every contract id gets its file up front, outside the scope
      // (in the account's root), and `put` moves it in, so `docId` is known before the first put.
      const ids = new Map<string, string>();
      const placed = new Set<string>();
      for (let n = 1; n <= 20; n += 1) {
        const name = `doc-${String(n).padStart(2, '0')}.md`;
        ids.set(name, emu.addBlob(name, 'text/markdown', '', { owner: SA }).id);
      }
      const key = JSON.stringify({ type: 'service_account', client_email: sa.email, private_key: sa.privateKeyPem });
      return {
        connector: connectorFromConfig({
          id: 'drive', kind: 'gdrive', serviceAccountKeyEnv: 'GDRIVE_KEY', folders: [folder.id], pageSize: 3,
          apiUrl: emu.rootUrl, tokenUrl: emu.tokenUrl,
        }, { secret: (name) => (name === 'GDRIVE_KEY' ? key : undefined) }),
        put: async (contractId, text) => {
          const id = ids.get(contractId)!;
          emu.editContent(id, text);
          if (!placed.has(id)) emu.move(id, folder.id);
          placed.add(id);
        },
        remove: async (contractId) => {
          const id = ids.get(contractId)!;
          emu.trash(id);
        },
        cleanup: () => emu.close(),
        docId: (contractId) => ids.get(contractId)!,
      };
    },
  }],
};
