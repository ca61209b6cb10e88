import { TURN_SEPARATOR } from '../../../shared/core/chunker.ts';
import { startFireflies } from '../../emulators/fireflies.ts';
import { connectorFromConfig, type ContractHarness } from './harness.ts';

const ORGANIZER = 'alice@acme.test';

/**
 * The loopback Fireflies emulator, one team per fixture. A contract document is a processed
 * meeting dated by its number (a minute apart, two days ago) with one sentence holding the text;
 * putting it again replaces the meeting under the same id (a re-processed transcript).
 */
export const firefliesHarness: ContractHarness = {
  variants: [{
    name: 'emulator',
    make: async () => {
      const ff = await startFireflies();
      const { apiKey } = ff.addUser({ email: ORGANIZER, name: 'Alice' });
      const base = Date.parse('2026-01-10T09:00:00.000Z');
      const number = (contractId: string): number => Number(/\d+/.exec(contractId)![0]);
      const idOf = (contractId: string): string => `CONTRACT${String(number(contractId)).padStart(2, '0')}`;
      const dateOf = (contractId: string): number => base + number(contractId) * 60_000;
      const put = async (contractId: string, text: string): Promise<void> => {
        const id = idOf(contractId);
        if (ff.meeting(id)) ff.deleteMeeting(id);
        ff.addProcessedMeeting({
          id, title: contractId, date: dateOf(contractId), organizer: ORGANIZER, privacy: 'owner',
          // The duration follows the text's length, as a re-processed recording's would.
          sentences: [{ speaker: 'Alice', text, start: 0, end: text.length }],
        });
      };
      return {
        connector: connectorFromConfig({ id: 'meetings', kind: 'fireflies', apiUrl: ff.url, pageSize: 3, fetchBatchSize: 4 }, {
          secret: (name) => (name === 'FIREFLIES_API_KEY' ? apiKey : undefined),
        }),
        put,
        remove: async (contractId) => ff.deleteMeeting(idOf(contractId)),
        cleanup: () => ff.close(),
        docId: idOf,
        renderedText: (contractId, text) => [
          `Meeting: ${contractId}\nDate: ${new Date(dateOf(contractId)).toISOString().slice(0, 16).replace('T', ' ')} UTC\nOrganizer: ${ORGANIZER}`,
          `Alice [0:00]: ${text.replace(/\s+/g, ' ').trim()}`,
        ].join(TURN_SEPARATOR),
      };
    },
  }],
};
