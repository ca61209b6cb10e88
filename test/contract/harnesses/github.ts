import { startGitHub } from '../../emulators/github.ts';
import { connectorFromConfig, type ContractHarness } from './harness.ts';

/**
 * The loopback GitHub emulator, one private repository per fixture. A contract document is a
 * Markdown file committed to `main`; putting it again commits new content, removing it commits
 * its deletion. Pages of 3 refs.
 */
export const githubHarness: ContractHarness = {
  variants: [{
    name: 'emulator',
    make: async () => {
      const gh = await startGitHub({ rateLimitEnabled: false });
      gh.createRepo('acme/docs', { private: true, files: { 'src/index.ts': 'export {};\n' } });
      const token = gh.addToken('alice', ['acme/docs']);
      return {
        connector: connectorFromConfig({ id: 'repo', kind: 'github', apiUrl: gh.url, pageSize: 3, repositories: [{ owner: 'acme', repo: 'docs' }] }, {
          secret: (name) => (name === 'GITHUB_TOKEN' ? token : undefined),
        }),
        put: async (id, text) => { gh.commit('acme/docs', 'main', { message: `put ${id}`, files: { [id]: text } }); },
        remove: async (id) => { gh.commit('acme/docs', 'main', { message: `remove ${id}`, files: { [id]: null } }); },
        cleanup: () => gh.close(),
        docId: (id) => `acme/docs:${id}`,
      };
    },
  }],
};
