import { afterAll, beforeAll } from 'vitest';
import { newStateStore, newTaskQueue, startServers } from '../support/embedded.ts';
import type { EmbeddedServers } from '../support/embedded.ts';
import { stateStoreContract } from './state-store.contract.ts';
import { taskQueueContract } from './task-queue.contract.ts';

/** One dynalite + fauxqs pair for the file; every test gets its own table or queues. */
let servers: EmbeddedServers;

beforeAll(async () => {
  servers = await startServers();
});

afterAll(async () => {
  await servers.close();
});

stateStoreContract('DynamoDbStateStore on dynalite', async () => ({
  store: await newStateStore(servers),
  // The table has a unique name and dies with the server.
  cleanup: async () => undefined,
}));

taskQueueContract('SqsTaskQueue on fauxqs', async () => ({
  queue: await newTaskQueue(servers),
  // The queues have a unique prefix and die with the server.
  cleanup: async () => undefined,
}));
