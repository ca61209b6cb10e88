import { adfToMarkdown } from '../../../shared/connectors/kit/adf.ts';
import { paragraphDoc, startJira } from '../../emulators/jira.ts';
import { connectorFromConfig, type ContractHarness } from './harness.ts';

const EMAIL = 'alice@acme.test';
const TOKEN = 'jira-contract-token';

/**
 * The loopback Jira emulator, one site per fixture (its clock steps a second per reading, so
 * every edit moves `updated`). A contract document is an ENG issue whose summary is the
 * contract id and whose description holds the text; putting it again edits that issue.
 */
export const jiraHarness: ContractHarness = {
  variants: [{
    name: 'emulator',
    make: async () => {
      let t = Date.parse('2026-01-10T09:00:00.000Z');
      const jira = await startJira({ now: () => (t += 1000) });
      const alice = jira.addUser({ email: EMAIL, displayName: 'Alice', apiToken: TOKEN, timeZone: 'America/New_York' });
      jira.addProject('ENG', 'Engineering');
      const issues = new Map<string, string>();
      // The contract puts doc-01…doc-07 in order, and Jira numbers issue ids from 10000 up.
      const idOf = (contractId: string): string => issues.get(contractId) ?? String(9999 + Number(/\d+/.exec(contractId)![0]));
      return {
        connector: connectorFromConfig({
          id: 'issues', kind: 'jira', siteUrl: jira.url, email: EMAIL, tokenEnv: 'JIRA_CONTRACT_TOKEN', projects: ['ENG'], pageSize: 3,
        }, { secret: (name) => (name === 'JIRA_CONTRACT_TOKEN' ? TOKEN : undefined) }),
        put: async (contractId, text) => {
          const id = issues.get(contractId);
          if (id) jira.editIssue(id, { description: paragraphDoc(text) }, alice.accountId);
          else issues.set(contractId, jira.createIssue({ project: 'ENG', summary: contractId, description: paragraphDoc(text) }, alice.accountId).id);
        },
        remove: async (contractId) => jira.deleteIssue(idOf(contractId)),
        cleanup: () => jira.close(),
        docId: idOf,
        renderedText: (contractId, text) => [
          `# ${jira.keyOf(jira.findIssue(idOf(contractId))!)}: ${contractId}`,
          ['- Project: Engineering (ENG)', '- Type: Task', '- Status: To Do', '- Priority: Medium', '- Assignee: Unassigned', '- Reporter: Alice'].join('\n'),
          `## Description\n\n${adfToMarkdown(paragraphDoc(text))}`,
        ].join('\n\n') + '\n',
      };
    },
  }],
};
