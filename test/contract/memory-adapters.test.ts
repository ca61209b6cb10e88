/**
 * The in-memory twins the chaos suite runs thousands of scenarios on must behave exactly like
 * the adapters they stand in for: each runs the same contract suite the real adapter passes.
 */
import { InMemoryCredentialStore } from '../support/memory-credential-store.ts';
import { InMemoryDeliveryLog } from '../support/memory-delivery-log.ts';
import { InMemoryHintBuffer } from '../support/memory-hint-buffer.ts';
import { InMemoryStateStore } from '../support/memory-state-store.ts';
import { InMemoryTaskQueue } from '../support/memory-task-queue.ts';
import { InMemoryVectorStore } from '../support/memory-vector-store.ts';
import { credentialStoreContract } from './credential-store.contract.ts';
import { deliveryLogContract } from './delivery-log.contract.ts';
import { hintBufferContract } from './hint-buffer.contract.ts';
import { aliasStoreContract } from './alias-store.contract.ts';
import { InMemoryAliasStore } from '../support/memory-alias-store.ts';
import { stateStoreContract } from './state-store.contract.ts';
import { taskQueueContract } from './task-queue.contract.ts';
import { vectorStoreContract } from './vector-store.contract.ts';

stateStoreContract('InMemoryStateStore', async () => ({ store: new InMemoryStateStore(), cleanup: async () => undefined }));

taskQueueContract('InMemoryTaskQueue', async () => ({ queue: new InMemoryTaskQueue(), cleanup: async () => undefined }));

vectorStoreContract('InMemoryVectorStore', async () => ({ store: new InMemoryVectorStore(), dimensions: 32, cleanup: async () => undefined }));

deliveryLogContract('InMemoryDeliveryLog', async () => ({ log: new InMemoryDeliveryLog(), cleanup: async () => undefined }));

hintBufferContract('InMemoryHintBuffer', async () => ({ buffer: new InMemoryHintBuffer(), cleanup: async () => undefined }));

credentialStoreContract('InMemoryCredentialStore', async () => {
  const secrets = { SLACK_BOT_TOKEN: 'xoxb-memory' };
  return { store: new InMemoryCredentialStore(secrets), secrets, cleanup: async () => undefined };
});

aliasStoreContract('InMemoryAliasStore', async () => ({ aliases: new InMemoryAliasStore(), cleanup: async () => undefined }));
