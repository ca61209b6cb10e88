import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { IndexAliases, Json, StoredAlias } from '../../ports/index.ts';

/**
 * Partition of a source's aliases: apart from `SRC#<source>` (whose reset deletes its items),
 * granted to the functions that run or search the source's profiles.
 */
export const aliasPartitionKey = (sourceId: string): string => `ALIAS#${sourceId}`;

/** IndexAliases in the state table: an item per profile (`ALIAS#<source>` / `<profile>`), each put conditional on the version it replaces. */
export class DynamoDbAliasStore implements IndexAliases {
  private readonly doc: DynamoDBDocumentClient;

  constructor(client: DynamoDBClient, private readonly tableName: string) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async getAlias(sourceId: string, profile: string): Promise<StoredAlias | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: aliasPartitionKey(sourceId), sk: profile }, ConsistentRead: true }));
    if (!Item || typeof Item['version'] !== 'number' || typeof Item['value'] !== 'string') return undefined;
    return { sourceId, profile, version: Item['version'], value: JSON.parse(Item['value']) as Json };
  }

  async putAlias(input: { sourceId: string; profile: string; value: Json; expectVersion: number | undefined }): Promise<StoredAlias | undefined> {
    const version = (input.expectVersion ?? 0) + 1;
    try {
      await this.doc.send(new PutCommand({
        TableName: this.tableName,
        // The value as JSON text: its shape is the core's, and an empty chunking option map stays as it is.
        Item: { pk: aliasPartitionKey(input.sourceId), sk: input.profile, version, value: JSON.stringify(input.value) },
        ...(input.expectVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': input.expectVersion } }),
      }));
      return { sourceId: input.sourceId, profile: input.profile, version, value: input.value };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}
