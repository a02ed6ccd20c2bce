import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StartKey } from './list-request';
import { ownerPartition, renderSortKey, type RecordCompletion, type RenderRecord } from './record';
import { RECORDS_TABLE } from '../../contract';

/** The records table operations the handler uses: item-level only, one partition per call. */
export interface RecordStore {
  /** Writes a new record; never overwrites one (render ids are unique). */
  put(record: RenderRecord): Promise<void>;
  /** Strongly consistent: a render just started or just finished is seen as such. */
  get(sub: string, renderId: string): Promise<RenderRecord | undefined>;
  /** Records the completion once: a record that is no longer `RENDERING` is left as it is. */
  complete(sub: string, renderId: string, completion: RecordCompletion): Promise<void>;
  /**
   * Marks a finished record's event as put, once: the record as it now stands, or undefined when
   * the record is missing, still `RENDERING`, or its event was claimed already.
   */
  claimEvent(sub: string, renderId: string, now: number): Promise<RenderRecord | undefined>;
  /** Takes the claim back after the event could not be put, so Remotion's retry may put it. */
  releaseEventClaim(sub: string, renderId: string): Promise<void>;
  /** The caller's records, newest first. */
  list(sub: string, limit: number, startKey?: StartKey): Promise<{ records: RenderRecord[]; lastEvaluatedKey?: Record<string, unknown> }>;
}

/** The document client module, imported lazily: the bundle leaves it to Lambda's runtime. */
export type DocumentClientModule = typeof import('@aws-sdk/lib-dynamodb');

const { partitionKey: PK, sortKey: SK } = RECORDS_TABLE;

export function createRecordStore(tableName: string, client: DynamoDBDocumentClient, lib: DocumentClientModule): RecordStore {
  const key = (sub: string, renderId: string) => ({ [PK]: ownerPartition(sub), [SK]: renderSortKey(renderId) });
  return {
    async put(record) {
      await client.send(new lib.PutCommand({
        TableName: tableName,
        Item: { ...record },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': PK },
      }));
    },

    async get(sub, renderId) {
      const { Item } = await client.send(new lib.GetCommand({ TableName: tableName, Key: key(sub, renderId), ConsistentRead: true }));
      return Item as RenderRecord | undefined;
    },

    async complete(sub, renderId, completion) {
      const values: Record<string, unknown> = {
        ':status': completion.status,
        ':rendering': 'RENDERING',
        ':finishedAt': completion.finishedAt,
        ':errors': completion.errors,
      };
      const sets = ['#status = :status', 'finishedAt = :finishedAt', '#errors = :errors'];
      if (completion.outputKey !== undefined) {
        sets.push('outputKey = :outputKey');
        values[':outputKey'] = completion.outputKey;
      }
      if (completion.cost !== undefined) {
        sets.push('#cost = :cost', 'costCurrency = :currency');
        values[':cost'] = completion.cost;
        values[':currency'] = completion.costCurrency ?? 'USD';
      }
      try {
        await client.send(new lib.UpdateCommand({
          TableName: tableName,
          Key: key(sub, renderId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: '#status = :rendering',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#errors': 'errors',
            ...(completion.cost !== undefined && { '#cost': 'cost' }),
          },
          ExpressionAttributeValues: values,
        }));
      } catch (error) {
        // Someone else (another poll, the webhook) recorded the completion first: theirs stands.
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      }
    },

    async claimEvent(sub, renderId, now) {
      try {
        const { Attributes } = await client.send(new lib.UpdateCommand({
          TableName: tableName,
          Key: key(sub, renderId),
          UpdateExpression: 'SET eventPutAt = :now',
          ConditionExpression: 'attribute_exists(#pk) AND #status <> :rendering AND attribute_not_exists(eventPutAt)',
          ExpressionAttributeNames: { '#pk': PK, '#status': 'status' },
          ExpressionAttributeValues: { ':now': new Date(now).toISOString(), ':rendering': 'RENDERING' },
          ReturnValues: 'ALL_NEW',
        }));
        return Attributes as RenderRecord | undefined;
      } catch (error) {
        if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return undefined;
        throw error;
      }
    },

    async releaseEventClaim(sub, renderId) {
      await client.send(new lib.UpdateCommand({
        TableName: tableName,
        Key: key(sub, renderId),
        UpdateExpression: 'REMOVE eventPutAt',
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#pk': PK },
      }));
    },

    async list(sub, limit, startKey) {
      const { Items, LastEvaluatedKey } = await client.send(new lib.QueryCommand({
        TableName: tableName,
        IndexName: RECORDS_TABLE.byCreatedAtIndex,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': PK },
        ExpressionAttributeValues: { ':pk': ownerPartition(sub) },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: startKey,
      }));
      return { records: (Items ?? []) as RenderRecord[], lastEvaluatedKey: LastEvaluatedKey };
    },
  };
}

/** The two SDK modules the store is built from. */
export interface DynamoDbModules {
  readonly client: typeof import('@aws-sdk/client-dynamodb');
  readonly lib: DocumentClientModule;
}
