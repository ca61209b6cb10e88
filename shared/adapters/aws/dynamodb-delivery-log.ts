import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { sha256 } from '../../core/ids.ts';
import type { DeliveryLog } from '../../ports/index.ts';

/** Partition of a scope's deliveries: apart from `SRC#…`, so the webhook's grant reaches nothing else. */
export const deliveryPartitionKey = (scope: string): string => `SEEN#${scope}`;

/**
 * DeliveryLog in the state table: one item per delivery (`SEEN#<scope>`, sha256 of the id),
 * written with one conditional put, removed by DynamoDB TTL after the window (`expiresAt`).
 */
export class DynamoDbDeliveryLog implements DeliveryLog {
  private readonly doc: DynamoDBDocumentClient;

  constructor(client: DynamoDBClient, private readonly tableName: string) {
    this.doc = DynamoDBDocumentClient.from(client);
  }

  async rememberDelivery(input: { scope: string; id: string; now: number; ttlMs: number }): Promise<boolean> {
    const until = input.now + input.ttlMs;
    try {
      await this.doc.send(new PutCommand({
        TableName: this.tableName,
        Item: { pk: deliveryPartitionKey(input.scope), sk: sha256(input.id), until, expiresAt: Math.ceil(until / 1000) },
        // TTL deletes lazily: an expired item may still be there.
        ConditionExpression: 'attribute_not_exists(pk) OR #until < :now',
        ExpressionAttributeNames: { '#until': 'until' },
        ExpressionAttributeValues: { ':now': input.now },
      }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async forgetDelivery(input: { scope: string; id: string }): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: deliveryPartitionKey(input.scope), sk: sha256(input.id) } }));
  }
}
