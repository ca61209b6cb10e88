import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { DynamoDbCredentialStore } from '../../shared/adapters/aws/dynamodb-credential-store.ts';
import { DynamoDbDeliveryLog } from '../../shared/adapters/aws/dynamodb-delivery-log.ts';
import { DynamoDbHintBuffer } from '../../shared/adapters/aws/dynamodb-hint-buffer.ts';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE, EventBridgeEventBus } from '../../shared/adapters/aws/eventbridge-event-bus.ts';
import { SqsTaskQueue } from '../../shared/adapters/aws/sqs-task-queue.ts';
import { startFakeEventBridge } from '../support/aws-fakes.ts';
import { ManualClock, newStateStore, newTaskQueue, startServers } from '../support/embedded.ts';
import type { EmbeddedServers } from '../support/embedded.ts';
import { credentialStoreContract } from './credential-store.contract.ts';
import { deliveryLogContract } from './delivery-log.contract.ts';
import { hintBufferContract } from './hint-buffer.contract.ts';
import { aliasStoreContract } from './alias-store.contract.ts';
import { DynamoDbAliasStore } from '../../shared/adapters/aws/dynamodb-alias-store.ts';
import { eventBusContract } from './event-bus.contract.ts';
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

deliveryLogContract('DynamoDbDeliveryLog on dynalite', async () => {
  // A fresh table (unique name) from the state store's bootstrap; the log uses the same table.
  const store = await newStateStore(servers);
  return { log: new DynamoDbDeliveryLog(servers.ddb, store.tableName), cleanup: async () => undefined };
});

hintBufferContract('DynamoDbHintBuffer on dynalite', async () => {
  const store = await newStateStore(servers);
  return { buffer: new DynamoDbHintBuffer(servers.ddb, store.tableName), cleanup: async () => undefined };
});

aliasStoreContract('DynamoDbAliasStore on dynalite', async () => {
  const store = await newStateStore(servers);
  return { aliases: new DynamoDbAliasStore(servers.ddb, store.tableName), cleanup: async () => undefined };
});

credentialStoreContract('DynamoDbCredentialStore on dynalite', async () => {
  const store = await newStateStore(servers);
  const secrets = { SLACK_BOT_TOKEN: 'xoxb-aws' };
  return { store: new DynamoDbCredentialStore(servers.ddb, store.tableName, secrets), secrets, cleanup: async () => undefined };
});

taskQueueContract('SqsTaskQueue on fauxqs', async () => ({
  queue: await newTaskQueue(servers),
  // The queues have a unique prefix and die with the server.
  cleanup: async () => undefined,
}));

/**
 * EventBridge has no emulator: a loopback PutEvents (with its limits) stands in for the bus,
 * and routes each event the way the stacks' hint rule does: `$.detail` to the fetch queue in
 * the source's message group, deduplicated by content (the queue's content-based deduplication).
 */
eventBusContract('EventBridgeEventBus → hint rule → SqsTaskQueue on fauxqs', async () => {
  const urls = await SqsTaskQueue.ensureQueues(servers.sqs, `eb${Math.random().toString(36).slice(2, 10)}`, 10);
  const queue = new SqsTaskQueue({ client: servers.sqs, urls });
  const fake = await startFakeEventBridge({
    region: 'us-east-1', account: '123456789012',
    deliver: async (entry) => {
      if (entry.Source !== EVENT_SOURCE || entry.DetailType !== EVENT_DETAIL_TYPE) return;
      const detail = JSON.stringify(JSON.parse(entry.Detail ?? '{}'));
      await servers.sqs.send(new SendMessageCommand({
        QueueUrl: urls.fetch, MessageBody: detail, MessageGroupId: (JSON.parse(detail) as { sourceId: string }).sourceId,
        MessageDeduplicationId: createHash('sha256').update(detail).digest('hex'),
      }));
    },
  });
  const client = new EventBridgeClient({ endpoint: fake.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const clock = new ManualClock();
  return {
    bus: new EventBridgeEventBus({ client, busName: 'tributary-bus', clock }), queue, advance: (ms) => clock.advance(ms),
    cleanup: async () => {
      client.destroy();
      await fake.close();
    },
  };
});
