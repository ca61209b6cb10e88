import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import type { IdempotencyRecord, StashedDocument, StashPage, StoredResponse } from '../../ports/index.ts';
import {
  idemSk, PUSH_END, PUSH_PREFIX, pushSk, srcPk, STASH_SLIM, toIdempotencyRecord, toStashedDocument, type Item,
} from './dynamodb-items.ts';
import type { DynamoTable } from './dynamodb-table.ts';

/** The push API's items: stashed documents (`PUSH#<id>`) and idempotency records (`IDEM#<key>`). */
export class DynamoDbPushStash {
  constructor(private readonly t: DynamoTable) {}

  async getStashed(sourceId: string, docIds: readonly string[]): Promise<Map<string, StashedDocument>> {
    const items = await this.t.batchGet([...new Set(docIds)].map((id) => ({ pk: srcPk(sourceId), sk: pushSk(id) })));
    const out = new Map<string, StashedDocument>();
    for (const item of items) {
      const doc = toStashedDocument(sourceId, item);
      out.set(doc.docId, doc);
    }
    return out;
  }

  async putStashed(input: { document: Omit<StashedDocument, 'stamp'>; expectStamp: string | undefined; expiresAt?: number }): Promise<string | undefined> {
    const stamp = randomUUID();
    const { sourceId, ...fields } = input.document;
    const item: Item = { ...fields, stamp, pk: srcPk(sourceId), sk: pushSk(input.document.docId) };
    if (input.expiresAt !== undefined) item['expiresAt'] = input.expiresAt;
    try {
      await this.t.doc.send(new PutCommand({
        TableName: this.t.name,
        Item: item,
        ...(input.expectStamp === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'stamp = :s', ExpressionAttributeValues: { ':s': input.expectStamp } }),
      }));
      return stamp;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async listStashed(sourceId: string, options: {
    after?: string; limit: number; changedSince?: string; includeDeleted?: boolean; slim?: boolean;
  }): Promise<StashPage> {
    const items: StashedDocument[] = [];
    const filters: string[] = [];
    const values: Item = {
      ':pk': srcPk(sourceId), ':lo': options.after === undefined ? PUSH_PREFIX : pushSk(options.after), ':hi': PUSH_END,
    };
    if (options.includeDeleted !== true) {
      filters.push('deleted = :f');
      values[':f'] = false;
    }
    if (options.changedSince !== undefined) {
      filters.push('updatedAt >= :since');
      values[':since'] = options.changedSince;
    }
    const names: Record<string, string> = {};
    const projection = options.slim === true ? STASH_SLIM.map((a, i) => {
      names[`#p${i}`] = a;
      return `#p${i}`;
    }).join(', ') : undefined;
    let start: Item | undefined;
    do {
      const remaining = options.limit - items.length;
      const { Items, LastEvaluatedKey } = await this.t.doc.send(new QueryCommand({
        TableName: this.t.name,
        // BETWEEN is inclusive: the item named by `after` is skipped below.
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: values,
        ConsistentRead: true,
        // A filtered query counts items read, not items returned: read more than needed.
        Limit: Math.max(remaining + 1, 100),
        ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
        ...(projection !== undefined ? { ProjectionExpression: projection, ExpressionAttributeNames: names } : {}),
        ...(start ? { ExclusiveStartKey: start } : {}),
      }));
      for (const item of Items ?? []) {
        const doc = toStashedDocument(sourceId, item);
        if (options.after !== undefined && doc.docId === options.after) continue;
        items.push(doc);
        if (items.length === options.limit) return { items, next: doc.docId };
      }
      start = LastEvaluatedKey;
    } while (start);
    return { items };
  }

  async beginIdempotent(input: {
    scope: string; key: string; requestHash: string; now: number; lockMs: number; retainMs: number;
  }): Promise<{ started: true } | { started: false; record: IdempotencyRecord }> {
    const key = { pk: srcPk(input.scope), sk: idemSk(input.key) };
    for (let attempt = 0; ; attempt++) {
      try {
        await this.t.doc.send(new PutCommand({
          TableName: this.t.name,
          Item: {
            ...key, idemKey: input.key, requestHash: input.requestHash, status: 'in_progress',
            lockedUntil: input.now + input.lockMs, expiresAt: Math.ceil((input.now + input.retainMs) / 1000),
          },
          // Free, forgotten (TTL deletes lazily), or started by a request that never finished.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :nowSec OR (#st = :ip AND lockedUntil < :now)',
          ExpressionAttributeNames: { '#st': 'status' },
          ExpressionAttributeValues: { ':nowSec': Math.floor(input.now / 1000), ':ip': 'in_progress', ':now': input.now },
        }));
        return { started: true };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      const { Item } = await this.t.doc.send(new GetCommand({ TableName: this.t.name, Key: key, ConsistentRead: true }));
      // Released between the two calls: try to start again.
      if (Item) return { started: false, record: toIdempotencyRecord(Item) };
      if (attempt >= 3) throw new Error(`idempotency record ${input.key} keeps changing; try again`);
    }
  }

  async completeIdempotent(input: { scope: string; key: string; requestHash: string; response: StoredResponse; now: number; retainMs: number }): Promise<void> {
    await this.t.conditional(new UpdateCommand({
      TableName: this.t.name,
      Key: { pk: srcPk(input.scope), sk: idemSk(input.key) },
      UpdateExpression: 'SET #st = :c, #resp = :r, expiresAt = :e REMOVE lockedUntil',
      // A request that lost its lapsed lock to a retry does not overwrite the retry's record.
      ConditionExpression: 'requestHash = :h AND #st = :ip',
      ExpressionAttributeNames: { '#st': 'status', '#resp': 'response' },
      ExpressionAttributeValues: {
        ':c': 'complete', ':r': { statusCode: input.response.statusCode, body: input.response.body },
        ':e': Math.ceil((input.now + input.retainMs) / 1000), ':h': input.requestHash, ':ip': 'in_progress',
      },
    }));
  }

  async releaseIdempotent(input: { scope: string; key: string; requestHash: string }): Promise<void> {
    try {
      await this.t.doc.send(new DeleteCommand({
        TableName: this.t.name,
        Key: { pk: srcPk(input.scope), sk: idemSk(input.key) },
        ConditionExpression: 'requestHash = :h AND #st = :ip',
        ExpressionAttributeNames: { '#st': 'status' },
        ExpressionAttributeValues: { ':h': input.requestHash, ':ip': 'in_progress' },
      }));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
