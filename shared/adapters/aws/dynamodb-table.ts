import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, QueryCommand, type UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { chunked, forEachLimited } from '../../core/concurrency.ts';
import type { Item } from './dynamodb-items.ts';

/** DynamoDB's BatchGetItem limit. */
const BATCH_GET = 100;
/** DynamoDB's BatchWriteItem limit. */
const BATCH_WRITE = 25;
/** Batch requests of one call in flight at once. */
const BATCH_CONCURRENCY = 8;

/**
 * The state table as the adapters use it: the document client, and the few request shapes
 * every part needs (a conditional update, a paged query by key prefix, batch reads and writes
 * retried until nothing is left unprocessed).
 */
export class DynamoTable {
  readonly doc: DynamoDBDocumentClient;

  constructor(private readonly client: DynamoDBClient, readonly name: string) {
    this.doc = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }

  /** Creates the table when absent (local mode; on AWS the stack owns it). */
  async ensureTable(): Promise<void> {
    try {
      await this.client.send(new DescribeTableCommand({ TableName: this.name }));
      return;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    try {
      await this.client.send(new CreateTableCommand({
        TableName: this.name,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }));
    } catch (error) {
      // Another process created it first.
      if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
    }
    for (let i = 0; i < 100; i++) {
      const { Table } = await this.client.send(new DescribeTableCommand({ TableName: this.name }));
      if (Table?.TableStatus === 'ACTIVE') return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }


  async conditional(command: UpdateCommand): Promise<boolean> {
    try {
      await this.doc.send(command);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async *query(pk: string, skPrefix: string, projection?: string[]): AsyncIterable<Item> {
    let start: Item | undefined;
    do {
      const { Items, LastEvaluatedKey } = await this.doc.send(new QueryCommand({
        TableName: this.name,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': pk, ':p': skPrefix },
        ConsistentRead: true,
        ...(projection ? { ProjectionExpression: projection.join(', ') } : {}),
        ...(start ? { ExclusiveStartKey: start } : {}),
      }));
      for (const item of Items ?? []) yield item;
      start = LastEvaluatedKey;
    } while (start);
  }

  async batchGet(keys: Array<{ pk: string; sk: string }>, consistent = true): Promise<Item[]> {
    const out: Item[] = [];
    // Requests of one call go out side by side: a page's ledger or embedding reads are tens of
    // round trips, and one after another they would dominate a page's time.
    await forEachLimited(chunked(keys, BATCH_GET), BATCH_CONCURRENCY, async (slice) => {
      let pending: Item[] = slice;
      for (let attempt = 0; pending.length > 0; attempt++) {
        const { Responses, UnprocessedKeys } = await this.doc.send(new BatchGetCommand({
          RequestItems: { [this.name]: { Keys: pending, ConsistentRead: consistent } },
        }));
        out.push(...(Responses?.[this.name] ?? []));
        pending = (UnprocessedKeys?.[this.name]?.Keys ?? []) as Item[];
        if (pending.length > 0) await backoff(attempt);
      }
    });
    return out;
  }

  /** Callers never pass one key twice, so the slices may be written in any order. */
  async batchWrite(requests: Item[]): Promise<void> {
    await forEachLimited(chunked(requests, BATCH_WRITE), BATCH_CONCURRENCY, async (slice) => {
      let pending = slice;
      for (let attempt = 0; pending.length > 0; attempt++) {
        const { UnprocessedItems } = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.name]: pending } }));
        pending = (UnprocessedItems?.[this.name] ?? []) as Item[];
        if (pending.length > 0) await backoff(attempt);
      }
    });
  }

  async batchDelete(keys: Array<{ pk: string; sk: string }>): Promise<void> {
    await this.batchWrite(keys.map((Key) => ({ DeleteRequest: { Key } })));
  }
}

async function backoff(attempt: number): Promise<void> {
  const ms = Math.min(1000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2);
  await new Promise((r) => setTimeout(r, ms));
}
