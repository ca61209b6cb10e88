import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { chunked, forEachLimited } from '../../core/concurrency.ts';
import { sha256 } from '../../core/ids.ts';
import type { BufferedHint, HintBuffer } from '../../ports/index.ts';

/** Partition of a source's buffered hints: apart from `SRC#…`, so the webhook's grant reaches nothing else. */
export const hintPartitionKey = (sourceId: string): string => `HINT#${sourceId}`;
const MARK_SK = 'MARK';
const ID_PREFIX = 'ID#';
/** DynamoDB's BatchWriteItem limit. */
const BATCH_WRITE = 25;
/** Conditional deletes of settled ids in flight at once. */
const SETTLE_CONCURRENCY = 8;

/**
 * HintBuffer in the state table: an item per id (`ID#<sha256 of the id>`, keeping the id and
 * when it was last hinted) and a marker item, both under `HINT#<source>`. Adding writes the
 * ids, then puts the marker unless one is there and fresh; taking deletes the marker, then
 * queries the ids; settling deletes each id conditional on its time, so a hint that named it
 * again meanwhile keeps it.
 */
export class DynamoDbHintBuffer implements HintBuffer {
  private readonly doc: DynamoDBDocumentClient;

  constructor(client: DynamoDBClient, private readonly tableName: string) {
    this.doc = DynamoDBDocumentClient.from(client);
  }

  async addHints(input: { sourceId: string; ids: readonly string[]; now: number; staleAfterMs: number }): Promise<boolean> {
    const pk = hintPartitionKey(input.sourceId);
    const puts = [...new Set(input.ids)].map((id) => ({ PutRequest: { Item: { pk, sk: `${ID_PREFIX}${sha256(id)}`, docId: id, at: input.now } } }));
    for (const slice of chunked(puts, BATCH_WRITE)) {
      let pending: typeof slice = slice;
      for (let attempt = 0; pending.length > 0; attempt++) {
        const { UnprocessedItems } = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = (UnprocessedItems?.[this.tableName] ?? []) as typeof slice;
        if (pending.length > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
      }
    }
    try {
      await this.doc.send(new PutCommand({
        TableName: this.tableName,
        Item: { pk, sk: MARK_SK, at: input.now },
        ConditionExpression: 'attribute_not_exists(pk) OR #at < :stale',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':stale': input.now - input.staleAfterMs },
      }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async takeHints(input: { sourceId: string; limit: number }): Promise<BufferedHint[]> {
    const pk = hintPartitionKey(input.sourceId);
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk, sk: MARK_SK } }));
    const out: BufferedHint[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const { Items, LastEvaluatedKey } = await this.doc.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': pk, ':p': ID_PREFIX },
        ConsistentRead: true,
        Limit: input.limit - out.length,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }));
      for (const item of Items ?? []) {
        if (typeof item['docId'] === 'string' && typeof item['at'] === 'number') out.push({ id: item['docId'], at: item['at'] });
      }
      start = LastEvaluatedKey;
    } while (start && out.length < input.limit);
    return out;
  }

  async settleHints(input: { sourceId: string; taken: readonly BufferedHint[] }): Promise<void> {
    const pk = hintPartitionKey(input.sourceId);
    await forEachLimited(input.taken, SETTLE_CONCURRENCY, async (hint) => {
      try {
        await this.doc.send(new DeleteCommand({
          TableName: this.tableName, Key: { pk, sk: `${ID_PREFIX}${sha256(hint.id)}` },
          ConditionExpression: '#at = :at', ExpressionAttributeNames: { '#at': 'at' }, ExpressionAttributeValues: { ':at': hint.at },
        }));
      } catch (error) {
        // Hinted again since it was taken: the next run takes it.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    });
  }

  async releaseMark(input: { sourceId: string }): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: hintPartitionKey(input.sourceId), sk: MARK_SK } }));
  }
}
