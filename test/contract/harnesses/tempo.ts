import { startJira, type JiraEmulator } from '../../emulators/jira.ts';
import { startTempo, type TempoEmulator, type TempoEmulatorOptions } from '../../emulators/tempo.ts';
import { connectorFromConfig, type ContractHarness } from './harness.ts';

export const TEMPO_TOKEN = 'tempo-contract-token';
export const JIRA_TOKEN = 'jira-contract-token';
export const JIRA_EMAIL = 'tempo-reader@acme.test';
export const AUTHOR = '712020:aaaaaaaa-0000-4000-8000-000000000001';

/** A Tempo tenant and its Jira site, issues registered in both with the same ids. */
export interface TempoSite {
  readonly tempo: TempoEmulator;
  readonly jira: JiraEmulator;
  /** Creates a Jira issue in `projectKey` and registers it with Tempo; its numeric id. */
  issue(projectKey: string, summary: string): number;
  /** The Jira project id of a key. */
  projectId(key: string): string;
  /** A config for the site (override or add keys). */
  config(extra?: Record<string, unknown>): Record<string, unknown>;
  secret(name: string): string | undefined;
  close(): Promise<void>;
}

/** Starts both emulators with a Jira user who may browse every project, and the given projects. */
export async function startTempoSite(projects: readonly string[], options: TempoEmulatorOptions = {}): Promise<TempoSite> {
  const tempo = await startTempo({ rateLimit: false, tokens: [TEMPO_TOKEN], ...options });
  const jira = await startJira(options.now ? { now: options.now } : {});
  jira.addUser({ email: JIRA_EMAIL, displayName: 'Tempo reader', apiToken: JIRA_TOKEN, timeZone: 'Europe/Berlin' });
  const ids = new Map(projects.map((key) => [key, jira.addProject(key, `${key} project`).id]));
  return {
    tempo, jira,
    issue: (projectKey, summary) => {
      const issue = jira.createIssue({ project: projectKey, summary });
      tempo.addIssue(Number(issue.id), Number(ids.get(projectKey)));
      return Number(issue.id);
    },
    projectId: (key) => ids.get(key)!,
    config: (extra = {}) => ({
      id: 'worklogs', kind: 'tempo', apiUrl: tempo.url, tokenEnv: 'TEMPO_TOKEN',
      jira: { siteUrl: jira.url, email: JIRA_EMAIL, tokenEnv: 'JIRA_TOKEN' }, ...extra,
    }),
    secret: (name) => ({ TEMPO_TOKEN, JIRA_TOKEN } as Record<string, string>)[name],
    close: async () => {
      await tempo.close();
      await jira.close();
    },
  };
}

/**
 * Worklogs on one Jira issue; contract document `doc-NN` is worklog NN (created in order, as the
 * contract does) with the text as its description. Putting it again edits the worklog.
 */
export const tempoHarness: ContractHarness = {
  variants: [{
    name: 'emulators',
    make: async () => {
      const site = await startTempoSite(['CON']);
      const issueId = site.issue('CON', 'Contract work');
      const key = site.jira.keyOf(site.jira.findIssue(String(issueId))!);
      const number = (contractId: string): number => Number(/\d+/.exec(contractId)![0]);
      const put = async (contractId: string, text: string): Promise<void> => {
        const id = number(contractId);
        if (site.tempo.get(id)) {
          site.tempo.editWorklog(id, { description: text });
          return;
        }
        const created = site.tempo.addWorklog({ issueId, authorAccountId: AUTHOR, timeSpentSeconds: 1800, startDate: '2026-03-02', startTime: '10:00:00', description: text });
        if (created.tempoWorklogId !== id) throw new Error(`contract documents must be put in order: ${contractId} became worklog ${created.tempoWorklogId}`);
      };
      return {
        connector: connectorFromConfig(site.config({ pageSize: 3, projects: [site.projectId('CON')] }), { secret: site.secret }),
        put,
        remove: async (contractId) => void site.tempo.deleteWorklog(number(contractId)),
        cleanup: () => site.close(),
        docId: (contractId) => `worklog:${number(contractId)}`,
        renderedText: (_contractId, text) => `${key} Contract work\nWorklog by ${AUTHOR} on 2026-03-02 at 10:00: 0.50 h, billable 0.50 h\n\n${text.trim()}`,
      };
    },
  }],
};
