import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentIssue, RunCounters, RunRecord } from '../../ports/index.ts';
import { RUN_PREFIX, runKey, srcPk, toRunRecord, type Item } from './dynamodb-items.ts';
import type { DynamoTable } from './dynamodb-table.ts';

/** Run records under their source's partition, expired by DynamoDB TTL (`expiresAt`). */
export class DynamoDbRunLog {
  constructor(private readonly t: DynamoTable, private readonly runRetentionDays: number) {}

  async putRun(run: RunRecord): Promise<void> {
    const expiresAt = Math.floor(Date.parse(run.startedAt) / 1000) + this.runRetentionDays * 86_400;
    await this.t.doc.send(new PutCommand({
      TableName: this.t.name,
      Item: { ...run, pk: srcPk(run.sourceId), sk: runKey(run.runId), expiresAt },
    }));
  }

  async updateRun(sourceId: string, runId: string, patch: Partial<Omit<RunRecord, 'sourceId' | 'runId'>>): Promise<void> {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return;
    const { names, values, parts } = clauses(entries, ' = ');
    await this.t.doc.send(new UpdateCommand({
      TableName: this.t.name,
      Key: { pk: srcPk(sourceId), sk: runKey(runId) },
      UpdateExpression: `SET ${parts.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }));
  }

  async addRunCounters(sourceId: string, runId: string, delta: Partial<RunCounters>): Promise<void> {
    const entries = Object.entries(delta).filter(([, v]) => typeof v === 'number' && v !== 0);
    if (entries.length === 0) return;
    const { names, values, parts } = clauses(entries, ' ');
    // A run item first created here (a counter arriving before putRun) must expire too.
    values[':exp'] = Math.floor(Date.now() / 1000) + this.runRetentionDays * 86_400;
    await this.t.doc.send(new UpdateCommand({
      TableName: this.t.name,
      Key: { pk: srcPk(sourceId), sk: runKey(runId) },
      UpdateExpression: `ADD ${parts.join(', ')} SET expiresAt = if_not_exists(expiresAt, :exp)`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }));
  }

  async addRunFailures(sourceId: string, runId: string, failures: readonly DocumentIssue[], max: number): Promise<void> {
    if (failures.length === 0) return;
    // One list_append: concurrent embedders' failures all land. The cap is checked, not exact
    // (a batch may go past it); it keeps the item far below DynamoDB's 400 KB.
    await this.t.conditional(new UpdateCommand({
      TableName: this.t.name,
      Key: { pk: srcPk(sourceId), sk: runKey(runId) },
      UpdateExpression: 'SET failedDocuments = list_append(if_not_exists(failedDocuments, :empty), :f), expiresAt = if_not_exists(expiresAt, :exp)',
      ConditionExpression: 'attribute_not_exists(failedDocuments) OR size(failedDocuments) < :max',
      ExpressionAttributeValues: {
        ':empty': [], ':f': failures.map((f) => ({ ...f })), ':max': max,
        ':exp': Math.floor(Date.now() / 1000) + this.runRetentionDays * 86_400,
      },
    }));
  }

  async getRun(sourceId: string, runId: string): Promise<RunRecord | undefined> {
    const { Item } = await this.t.doc.send(new GetCommand({
      TableName: this.t.name, Key: { pk: srcPk(sourceId), sk: runKey(runId) }, ConsistentRead: true,
    }));
    return Item ? toRunRecord(Item) : undefined;
  }

  async listRuns(sourceId: string, limit: number): Promise<RunRecord[]> {
    const { Items } = await this.t.doc.send(new QueryCommand({
      TableName: this.t.name,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': srcPk(sourceId), ':p': RUN_PREFIX },
      ScanIndexForward: false,
      Limit: limit,
      ConsistentRead: true,
    }));
    return (Items ?? []).map(toRunRecord);
  }
}

/** `#k<i><op>:v<i>` per entry, with its attribute names and values (SET uses ' = ', ADD ' '). */
function clauses(entries: ReadonlyArray<[string, unknown]>, op: string): { names: Record<string, string>; values: Item; parts: string[] } {
  const names: Record<string, string> = {};
  const values: Item = {};
  const parts = entries.map(([k, v], i) => {
    names[`#k${i}`] = k;
    values[`:v${i}`] = v;
    return `#k${i}${op}:v${i}`;
  });
  return { names, values, parts };
}
