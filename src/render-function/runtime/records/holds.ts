import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ownerPartition } from './record';
import type { DocumentClientModule } from './store';
import { RECORDS_TABLE } from '../../contract';

/**
 * A counter with named holds, in one item of the records table: `used` units, and `holds`, a map
 * from our render id to the units that render holds. Reserving and releasing are each one
 * conditional UpdateItem (no read-then-write), so concurrent dispatchers can never overrun `max`,
 * and a release repeated (a duplicate delivery, the webhook after the sweeper) frees nothing twice.
 *
 * Two counters use it: the render budget of a Remotion function (the Lambdas its renders may hold
 * at once, `1 + concurrency` units a render) and each user's queued renders (1 unit a render).
 */
export interface CountedHolds {
  /**
   * Takes `units` for `holderId`: `reserved`, `full` (taking them would pass `max`), or `held`
   * (this holder holds units already: a duplicate, which must not count twice).
   */
  reserve(key: HoldsKey, holderId: string, units: number, max: number): Promise<'reserved' | 'full' | 'held'>;
  /** Gives back what `holderId` holds; true when it held units, false when it held none. */
  release(key: HoldsKey, holderId: string, units: number): Promise<boolean>;
  /** The units in use and the holds, for the sweeper and the tests; undefined before the first reserve. */
  read(key: HoldsKey): Promise<{ used: number; holds: Record<string, number> } | undefined>;
}

/** The item of one counter. */
export interface HoldsKey {
  readonly pk: string;
  readonly sk: string;
}

/** The sort key of every budget item: a record keeps only the budget's partition (`budgetPk`). */
export const BUDGET_SORT_KEY = 'BUDGET';

/** The budget of the renders of one Remotion function, shared by every API that uses the table and the function. */
export function budgetKey(remotionFunctionName: string): HoldsKey {
  return { pk: `BUDGET#${remotionFunctionName}`, sk: BUDGET_SORT_KEY };
}

/** One user's queued renders. */
export function queuedKey(sub: string): HoldsKey {
  return { pk: ownerPartition(sub), sk: 'LIMIT#QUEUED' };
}

const isConditionFailure = (error: unknown) => (error as { name?: string }).name === 'ConditionalCheckFailedException';

/**
 * `onBudgetUsed` is told the budget's units in use after each reservation, refused reservation and
 * release of a budget (not of a queued place), from the UpdateItem's own answer: no extra read.
 */
export function createCountedHolds(
  tableName: string, client: DynamoDBDocumentClient, lib: DocumentClientModule, onBudgetUsed?: (used: number) => void,
): CountedHolds {
  const tell = (key: HoldsKey, used: unknown) => {
    const value = Number(used);
    if (onBudgetUsed !== undefined && key.sk === BUDGET_SORT_KEY && used !== undefined && Number.isFinite(value)) onBudgetUsed(value);
  };
  const itemKey = (key: HoldsKey) => ({ [RECORDS_TABLE.partitionKey]: key.pk, [RECORDS_TABLE.sortKey]: key.sk });

  /** Creates the empty counter once, so that `holds.#id` has a map to go in; a no-op when it exists. */
  async function ensureItem(key: HoldsKey): Promise<void> {
    try {
      await client.send(new lib.PutCommand({
        TableName: tableName,
        Item: { ...itemKey(key), used: 0, holds: {} },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': RECORDS_TABLE.partitionKey },
      }));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  const holds: CountedHolds = {
    async reserve(key, holderId, units, max) {
      if (units > max) return 'full';
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          const { Attributes } = await client.send(new lib.UpdateCommand({
            TableName: tableName,
            Key: itemKey(key),
            UpdateExpression: 'SET used = used + :units, holds.#holder = :units',
            ConditionExpression: 'used <= :room AND attribute_not_exists(holds.#holder)',
            ExpressionAttributeNames: { '#holder': holderId },
            ExpressionAttributeValues: { ':units': units, ':room': max - units },
            ReturnValues: 'UPDATED_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }));
          tell(key, Attributes?.used);
          return 'reserved';
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
          // The failure's item is not unmarshalled by the document client: `{ N: '3' }`, `{ M: {...} }`.
          const old = (error as { Item?: Record<string, { M?: Record<string, unknown>; N?: string }> }).Item;
          // No item yet: the condition failed on the missing `used`; create it and try once more.
          if (old === undefined && attempt === 0) {
            await ensureItem(key);
            continue;
          }
          tell(key, old?.used?.N);
          return old?.holds?.M?.[holderId] !== undefined ? 'held' : 'full';
        }
      }
      return 'full';
    },

    async release(key, holderId, units) {
      try {
        const { Attributes } = await client.send(new lib.UpdateCommand({
          TableName: tableName,
          Key: itemKey(key),
          UpdateExpression: 'SET used = used - :units REMOVE holds.#holder',
          ConditionExpression: 'holds.#holder = :units',
          ExpressionAttributeNames: { '#holder': holderId },
          ExpressionAttributeValues: { ':units': units },
          ReturnValues: 'UPDATED_NEW',
        }));
        tell(key, Attributes?.used);
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async read(key) {
      const { Item } = await client.send(new lib.GetCommand({ TableName: tableName, Key: itemKey(key), ConsistentRead: true }));
      if (Item === undefined) return undefined;
      return { used: Number(Item.used ?? 0), holds: (Item.holds ?? {}) as Record<string, number> };
    },
  };
  return holds;
}
