import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectorFromConfig, type ContractHarness } from './harness.ts';

/** A temporary folder; the contract's ids are relative paths in it. */
export const filesystemHarness: ContractHarness = {
  variants: [{
    name: 'a temporary folder',
    make: async () => {
      const root = await mkdtemp(path.join(tmpdir(), 'tributary-fs-'));
      return {
        connector: connectorFromConfig({ id: 'fs', kind: 'filesystem', root, pageSize: 3 }),
        put: async (id, text) => {
          const file = path.join(root, ...id.split('/'));
          await mkdir(path.dirname(file), { recursive: true });
          await writeFile(file, text);
        },
        remove: (id) => rm(path.join(root, ...id.split('/'))),
        cleanup: () => rm(root, { recursive: true, force: true }),
      };
    },
  }],
};
