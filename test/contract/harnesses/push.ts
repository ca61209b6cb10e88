import { expect } from 'vitest';
import { applyPushBatch } from '../../../shared/connectors/push/push-batch.ts';
import type { PushStateStore, StateStore } from '../../../shared/ports/index.ts';
import { newStateStore, startServers, type EmbeddedServers } from '../../support/embedded.ts';
import { InMemoryStateStore } from '../../support/memory-state-store.ts';
import type { SourceConnectorFixture } from '../source-connector.contract.ts';
import { connectorFromConfig, type ContractHarness } from './harness.ts';

const OPTIONS = { sourceId: 'pushed', maxDocumentBytes: 300 * 1024, tombstoneRetentionMs: 86_400_000 };

/** A push source over `state`, fed through the push API's own use case, so the contract runs over what it writes. */
function pushed(state: StateStore & PushStateStore): SourceConnectorFixture {
  let version = 0;
  const clock = { now: () => Date.now() };
  return {
    connector: connectorFromConfig({ id: 'pushed', kind: 'push', webhook: { secretEnv: 'PUSH_SECRET' }, pageSize: 3 }, { state }),
    put: async (id, text) => {
      version += 1;
      const { results } = await applyPushBatch({ state, clock }, OPTIONS, [{ op: 'upsert', id, text, version }]);
      expect(results[0]?.status).toBe('accepted');
    },
    remove: async (id) => {
      const { results } = await applyPushBatch({ state, clock }, OPTIONS, [{ op: 'delete', id }]);
      expect(results[0]?.status).toBe('accepted');
    },
    cleanup: async () => undefined,
  };
}

let servers: EmbeddedServers | undefined;

/** The stash in the in-memory state store and in DynamoDB (dynalite). */
export const pushHarness: ContractHarness = {
  setup: async () => {
    servers = await startServers();
    return async () => {
      await servers?.close();
      servers = undefined;
    };
  },
  variants: [
    { name: 'on the in-memory state store', make: async () => pushed(new InMemoryStateStore()) },
    { name: 'on DynamoDB (dynalite)', make: async () => pushed(await newStateStore(servers!)) },
  ],
};
