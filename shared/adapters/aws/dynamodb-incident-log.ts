import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { IncidentLog } from '../../ports/index.ts';

/** Partition of a scope's open incidents (`INC#alert:<sourceId>`): apart from `SRC#…`, so the notifier's grant reaches nothing else. */
export const incidentPartitionKey = (scope: string): string => `INC#${scope}`;

/**
 * IncidentLog in the state table: one item per open incident, opened with one conditional put
 * (absent, or due again), closed with one conditional delete that returns what it removed, so
 * one of concurrent closers learns it closed it. Kept until closed (no TTL).
 */
export class DynamoDbIncidentLog implements IncidentLog {
  private readonly doc: DynamoDBDocumentClient;

  constructor(client: DynamoDBClient, private readonly tableName: string) {
    this.doc = DynamoDBDocumentClient.from(client);
  }

  async openIncident(input: { scope: string; key: string; now: number; repeatMs: number }): Promise<boolean> {
    try {
      await this.doc.send(new PutCommand({
        TableName: this.tableName,
        Item: { pk: incidentPartitionKey(input.scope), sk: input.key, announcedAt: input.now, until: input.now + input.repeatMs },
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

  async closeIncident(input: { scope: string; key: string; repeatMs: number }): Promise<{ openedAt: number } | undefined> {
    try {
      const out = await this.doc.send(new DeleteCommand({
        TableName: this.tableName, Key: { pk: incidentPartitionKey(input.scope), sk: input.key },
        ConditionExpression: 'attribute_exists(pk)', ReturnValues: 'ALL_OLD',
      }));
      const announced = out.Attributes?.['announcedAt'];
      return { openedAt: typeof announced === 'number' ? announced : Number(out.Attributes?.['until'] ?? 0) - input.repeatMs };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}
