import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CredentialStore, StoredToken } from '../../ports/index.ts';

/** Partition of a token pair: apart from the sources' items, granted only to the functions that call the provider. */
export const credentialPartitionKey = (key: string): string => `CRED#${key}`;
const TOKEN_SK = 'TOKEN';

/**
 * CredentialStore on AWS: static secrets loaded from Secrets Manager at cold start, token
 * pairs in the state table (encrypted at rest with the table's KMS key), each put conditional
 * on the version it replaces.
 */
export class DynamoDbCredentialStore implements CredentialStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(client: DynamoDBClient, private readonly tableName: string, private readonly secrets: Readonly<Record<string, string | undefined>>) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  secret(name: string): string | undefined {
    return this.secrets[name];
  }

  async getToken(key: string): Promise<StoredToken | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: credentialPartitionKey(key), sk: TOKEN_SK }, ConsistentRead: true }));
    if (!Item || typeof Item['accessToken'] !== 'string' || typeof Item['version'] !== 'number') return undefined;
    return {
      accessToken: Item['accessToken'], version: Item['version'], updatedAt: Number(Item['updatedAt'] ?? 0),
      ...(typeof Item['refreshToken'] === 'string' ? { refreshToken: Item['refreshToken'] } : {}),
      ...(typeof Item['expiresAt'] === 'number' ? { expiresAt: Item['expiresAt'] } : {}),
    };
  }

  async putToken(input: { key: string; token: Pick<StoredToken, 'accessToken' | 'refreshToken' | 'expiresAt'>; expectVersion: number | undefined; now: number }): Promise<StoredToken | undefined> {
    const token: StoredToken = {
      accessToken: input.token.accessToken, version: (input.expectVersion ?? 0) + 1, updatedAt: input.now,
      ...(input.token.refreshToken !== undefined ? { refreshToken: input.token.refreshToken } : {}),
      ...(input.token.expiresAt !== undefined ? { expiresAt: input.token.expiresAt } : {}),
    };
    try {
      await this.doc.send(new PutCommand({
        TableName: this.tableName,
        Item: { pk: credentialPartitionKey(input.key), sk: TOKEN_SK, ...token },
        ...(input.expectVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': input.expectVersion } }),
      }));
      return token;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}
