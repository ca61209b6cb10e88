/**
 * The local stack's DynamoDB and SQS servers run on a worker thread of the hosting process:
 * reachable over loopback like before, closed (drained) on request, and the thread ends.
 */
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmbeddedServers } from '../../shared/wiring/embedded-servers.ts';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('embedded servers on a worker thread', () => {
  it('serves DynamoDB (on disk) and SQS over loopback, and closes both', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tributary-servers-'));
    try {
      const servers = await startEmbeddedServers({ dynamodbPath: join(dir, 'dynamodb') });
      expect(servers.dynamodb).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const ddb = new DynamoDBClient({ endpoint: servers.dynamodb, region: 'us-east-1', credentials, maxAttempts: 1 });
      const sqs = new SQSClient({ endpoint: servers.sqs, region: 'us-east-1', credentials, maxAttempts: 1 });
      await ddb.send(new CreateTableCommand({
        TableName: 'probe', BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }));
      await sqs.send(new CreateQueueCommand({ QueueName: 'probe' }));
      expect((await ddb.send(new ListTablesCommand({}))).TableNames).toEqual(['probe']);
      expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls?.length).toBe(1);
      // LevelDB wrote to the state folder.
      expect((await readdir(join(dir, 'dynamodb'))).length).toBeGreaterThan(0);

      await servers.close();
      await servers.close(); // idempotent
      await expect(ddb.send(new ListTablesCommand({}))).rejects.toThrow();
      await expect(sqs.send(new ListQueuesCommand({}))).rejects.toThrow();
      ddb.destroy();
      sqs.destroy();

      // The database was closed cleanly: a new thread opens it again and finds the table.
      const again = await startEmbeddedServers({ dynamodbPath: join(dir, 'dynamodb') });
      const ddb2 = new DynamoDBClient({ endpoint: again.dynamodb, region: 'us-east-1', credentials, maxAttempts: 1 });
      expect((await ddb2.send(new ListTablesCommand({}))).TableNames).toEqual(['probe']);
      ddb2.destroy();
      await again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
