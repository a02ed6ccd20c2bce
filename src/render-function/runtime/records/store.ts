import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StartKey } from './list-request';
import {
  ACTIVE_SHARD,
  FINAL_STATUSES,
  ownerPartition,
  recordIdentity,
  renderSortKey,
  UNFINISHED_STATUSES,
  type RecordCompletion,
  type RenderRecord,
  type RenderRecordStatus,
} from './record';
import { RECORDS_TABLE } from '../../contract';

/** The records table operations the handler uses: item-level only, one partition per call. */
export interface RecordStore {
  /** Writes a new record; never overwrites one (render ids are unique). */
  put(record: RenderRecord): Promise<void>;
  /** Strongly consistent: a render just started or just finished is seen as such. */
  get(sub: string, renderId: string): Promise<RenderRecord | undefined>;
  /**
   * Records the completion once: only a record whose status is one of `from` (by default any
   * unfinished one) changes; the record as it now stands, or undefined when it did not change
   * (finished first by someone else, or missing). A queued render's record stays in the active
   * index until `settle` (the holds and the event are still to do).
   */
  complete(sub: string, renderId: string, completion: RecordCompletion, from?: readonly RenderRecordStatus[]): Promise<RenderRecord | undefined>;
  /**
   * The dispatcher's claim: `QUEUED` to `STARTING` with its attempt token and what the start holds;
   * false when the record is not `QUEUED` (started, cancelled or failed by someone else).
   */
  claimStart(sub: string, renderId: string, claim: StartClaim): Promise<boolean>;
  /** Undoes the claim of `attempt` after a start that certainly did not happen (a throttle, a full budget). */
  releaseStart(sub: string, renderId: string, attempt: string, checkAt: number): Promise<boolean>;
  /** `STARTING` (still claimed by `attempt`) to `RENDERING`, with what Remotion answered; false when the claim is gone. */
  markRendering(sub: string, renderId: string, attempt: string, started: StartedRender): Promise<boolean>;
  /** A finished record whose holds are released and whose event is put leaves the active index. */
  settle(sub: string, renderId: string): Promise<void>;
  /** Moves an active record's next look to `checkAt`. */
  reschedule(sub: string, renderId: string, checkAt: number): Promise<void>;
  /** Active records due for a look at `now`, oldest first (eventually consistent: read each before acting). */
  listDue(now: number, limit: number): Promise<{ sub: string; renderId: string }[]>;
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

/** What the dispatcher's claim writes. */
export interface StartClaim {
  readonly attempt: string;
  readonly now: number;
  /** When the sweeper should decide the start's outcome if nobody else did: the render's deadline. */
  readonly checkAt: number;
  readonly budgetPk: string;
  readonly budgetUnits: number;
  readonly limitHolder?: string;
  readonly runSlot?: number;
}

/** What Remotion's start answered. */
export interface StartedRender {
  readonly remotionRenderId: string;
  readonly bucketName: string;
  /** The output key, when only now known (Remotion's own bucket: `renders/<id>/<outName>`). */
  readonly outputKey?: string;
  /** When the sweeper first reads the render's progress. */
  readonly checkAt: number;
}

const iso = (epochMs: number) => new Date(epochMs).toISOString();

/** How long after its end the sweeper looks at a render that is not settled by then. */
export const SETTLE_GRACE_MS = 60_000;

/** The document client module, imported lazily: the bundle leaves it to Lambda's runtime. */
export type DocumentClientModule = typeof import('@aws-sdk/lib-dynamodb');

const { partitionKey: PK, sortKey: SK } = RECORDS_TABLE;

export function createRecordStore(tableName: string, client: DynamoDBDocumentClient, lib: DocumentClientModule): RecordStore {
  const key = (sub: string, renderId: string) => ({ [PK]: ownerPartition(sub), [SK]: renderSortKey(renderId) });
  /** Sends a conditional write: true when it applied, false when its condition did not hold. */
  const conditional = async (input: ConstructorParameters<DocumentClientModule['UpdateCommand']>[0]): Promise<boolean> => {
    try {
      await client.send(new lib.UpdateCommand(input));
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  };
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

    async complete(sub, renderId, completion, from = UNFINISHED_STATUSES) {
      const values: Record<string, unknown> = {
        ':status': completion.status,
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
      if (completion.remotionRenderId !== undefined) {
        sets.push('remotionRenderId = if_not_exists(remotionRenderId, :remotionRenderId)');
        values[':remotionRenderId'] = completion.remotionRenderId;
      }
      // The sweeper settles it a minute later in case what follows the end (releases, the event)
      // fails; a record outside the active index (no shard) stays outside.
      sets.push('#checkAt = :settleBy');
      values[':settleBy'] = new Date(Date.parse(completion.finishedAt) + SETTLE_GRACE_MS).toISOString();
      const fromValues = from.map((_, index) => `:from${index}`);
      from.forEach((status, index) => { values[fromValues[index]] = status; });
      try {
        const { Attributes } = await client.send(new lib.UpdateCommand({
          TableName: tableName,
          Key: key(sub, renderId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: `#status IN (${fromValues.join(', ')})`,
          ExpressionAttributeNames: {
            '#status': 'status',
            '#errors': 'errors',
            '#checkAt': RECORDS_TABLE.checkAt,
            ...(completion.cost !== undefined && { '#cost': 'cost' }),
          },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }));
        return Attributes as RenderRecord | undefined;
      } catch (error) {
        // Someone else (another poll, the webhook, the sweeper) recorded the end first: theirs stands.
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
        return undefined;
      }
    },

    async claimStart(sub, renderId, claim) {
      return conditional({
        TableName: tableName,
        Key: key(sub, renderId),
        UpdateExpression: 'SET #status = :starting, startAttempt = :attempt, startedAt = :now, budgetPk = :budgetPk, budgetUnits = :units, #checkAt = :checkAt'
          + (claim.runSlot !== undefined ? ', limitHolder = :holder, runSlot = :slot' : ''),
        ConditionExpression: '#status = :queued',
        ExpressionAttributeNames: { '#status': 'status', '#checkAt': RECORDS_TABLE.checkAt },
        ExpressionAttributeValues: {
          ':starting': 'STARTING',
          ':queued': 'QUEUED',
          ':attempt': claim.attempt,
          ':now': iso(claim.now),
          ':budgetPk': claim.budgetPk,
          ':units': claim.budgetUnits,
          ':checkAt': iso(claim.checkAt),
          ...(claim.runSlot !== undefined && { ':holder': claim.limitHolder, ':slot': claim.runSlot }),
        },
      });
    },

    async releaseStart(sub, renderId, attempt, checkAt) {
      return conditional({
        TableName: tableName,
        Key: key(sub, renderId),
        UpdateExpression: 'SET #status = :queued, #checkAt = :checkAt REMOVE startAttempt, startedAt, budgetPk, budgetUnits, limitHolder, runSlot',
        ConditionExpression: '#status = :starting AND startAttempt = :attempt',
        ExpressionAttributeNames: { '#status': 'status', '#checkAt': RECORDS_TABLE.checkAt },
        ExpressionAttributeValues: { ':queued': 'QUEUED', ':starting': 'STARTING', ':attempt': attempt, ':checkAt': iso(checkAt) },
      });
    },

    async markRendering(sub, renderId, attempt, started) {
      return conditional({
        TableName: tableName,
        Key: key(sub, renderId),
        UpdateExpression: 'SET #status = :rendering, remotionRenderId = :remotionRenderId, bucketName = :bucketName, #checkAt = :checkAt'
          + (started.outputKey !== undefined ? ', outputKey = :outputKey' : ''),
        ConditionExpression: '#status = :starting AND startAttempt = :attempt',
        ExpressionAttributeNames: { '#status': 'status', '#checkAt': RECORDS_TABLE.checkAt },
        ExpressionAttributeValues: {
          ':rendering': 'RENDERING',
          ':starting': 'STARTING',
          ':attempt': attempt,
          ':remotionRenderId': started.remotionRenderId,
          ':bucketName': started.bucketName,
          ':checkAt': iso(started.checkAt),
          ...(started.outputKey !== undefined && { ':outputKey': started.outputKey }),
        },
      });
    },

    async settle(sub, renderId) {
      const finals = FINAL_STATUSES.map((_, index) => `:final${index}`);
      await conditional({
        TableName: tableName,
        Key: key(sub, renderId),
        UpdateExpression: 'REMOVE #shard, #checkAt',
        ConditionExpression: `#status IN (${finals.join(', ')})`,
        ExpressionAttributeNames: { '#status': 'status', '#shard': RECORDS_TABLE.activeShard, '#checkAt': RECORDS_TABLE.checkAt },
        ExpressionAttributeValues: Object.fromEntries(FINAL_STATUSES.map((status, index) => [finals[index], status])),
      });
    },

    async reschedule(sub, renderId, checkAt) {
      await conditional({
        TableName: tableName,
        Key: key(sub, renderId),
        UpdateExpression: 'SET #checkAt = :checkAt',
        ConditionExpression: 'attribute_exists(#shard)',
        ExpressionAttributeNames: { '#shard': RECORDS_TABLE.activeShard, '#checkAt': RECORDS_TABLE.checkAt },
        ExpressionAttributeValues: { ':checkAt': iso(checkAt) },
      });
    },

    async listDue(now, limit) {
      const { Items } = await client.send(new lib.QueryCommand({
        TableName: tableName,
        IndexName: RECORDS_TABLE.activeIndex,
        KeyConditionExpression: '#shard = :shard AND #checkAt <= :now',
        ExpressionAttributeNames: { '#shard': RECORDS_TABLE.activeShard, '#checkAt': RECORDS_TABLE.checkAt },
        ExpressionAttributeValues: { ':shard': ACTIVE_SHARD, ':now': iso(now) },
        Limit: limit,
      }));
      return (Items ?? []).map(recordIdentity).filter((identity): identity is { sub: string; renderId: string } => identity !== undefined);
    },

    async claimEvent(sub, renderId, now) {
      try {
        const { Attributes } = await client.send(new lib.UpdateCommand({
          TableName: tableName,
          Key: key(sub, renderId),
          UpdateExpression: 'SET eventPutAt = :now',
          ConditionExpression: `attribute_exists(#pk) AND #status IN (${FINAL_STATUSES.map((_, index) => `:final${index}`).join(', ')}) AND attribute_not_exists(eventPutAt)`,
          ExpressionAttributeNames: { '#pk': PK, '#status': 'status' },
          ExpressionAttributeValues: { ':now': iso(now), ...Object.fromEntries(FINAL_STATUSES.map((status, index) => [`:final${index}`, status])) },
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
