import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ownerPartition } from './record';
import type { DocumentClientModule } from './store';
import { RECORDS_TABLE, RENDER_ENV } from '../../contract';

/**
 * Per-user limits, counted with slots: a user has `maxInProgress` "running" slots and `maxStarts`
 * "start" slots, each one an item in the user's partition that a start takes with a conditional
 * write (free, or held past its `until`). No read-then-write, so concurrent starts cannot overrun
 * a limit. A running slot is held until the render's completion is recorded, or at most until
 * Remotion's own timeout has passed, so a lost completion frees it by itself. A start slot is
 * held for the rolling window.
 */
export interface LimitsConfig {
  /** Renders a user may have in progress; undefined is no limit. */
  readonly maxInProgress?: number;
  /** Starts a user may make per window; undefined is no limit. */
  readonly maxStarts?: number;
  readonly windowSeconds: number;
  /** How long a render can run at most: Remotion's timeout plus a margin. */
  readonly renderDeadlineSeconds: number;
}

export const DEFAULT_LIMIT_WINDOW_SECONDS = 3600;
/** Remotion's function runs for at most 900 s; a render is over by then. */
export const DEFAULT_RENDER_DEADLINE_SECONDS = 960;

export function loadLimitsConfig(env: Readonly<Record<string, string | undefined>>): LimitsConfig {
  const positive = (name: string): number | undefined => {
    const text = env[name]?.trim();
    if (!text || text === '0') return undefined;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, or 0 for no limit`);
    return value;
  };
  return {
    maxInProgress: positive(RENDER_ENV.LIMIT_MAX_IN_PROGRESS),
    maxStarts: positive(RENDER_ENV.LIMIT_MAX_STARTS),
    windowSeconds: positive(RENDER_ENV.LIMIT_WINDOW_SECONDS) ?? DEFAULT_LIMIT_WINDOW_SECONDS,
    renderDeadlineSeconds: positive(RENDER_ENV.LIMIT_RENDER_DEADLINE_SECONDS) ?? DEFAULT_RENDER_DEADLINE_SECONDS,
  };
}

/** The slots a start took, to release or keep. */
export interface HeldSlots {
  readonly holder: string;
  readonly running?: number;
  readonly start?: number;
}

export type SlotOutcome =
  | { readonly ok: true; readonly slots: HeldSlots }
  | { readonly ok: false; readonly limit: 'inProgress' | 'starts'; readonly max: number; readonly retryAfterSeconds: number };

export interface Limits {
  /**
   * Takes one slot of each limit that is on, or none at all. With `'start'` only the start slot:
   * a queued render's running slot is the dispatcher's to take when it starts the render.
   */
  acquire(sub: string, holder: string, now: number, which?: 'all' | 'start'): Promise<SlotOutcome>;
  /** Frees the slots; only those still held by `holder`. */
  release(sub: string, slots: HeldSlots, which: 'all' | 'running'): Promise<void>;
}

const slotKey = (kind: 'RUN' | 'START', index: number) => `LIMIT#${kind}#${index}`;

export function createLimits(config: LimitsConfig, tableName: string, client: DynamoDBDocumentClient, lib: DocumentClientModule): Limits {
  const key = (sub: string, kind: 'RUN' | 'START', index: number) => ({
    [RECORDS_TABLE.partitionKey]: ownerPartition(sub),
    [RECORDS_TABLE.sortKey]: slotKey(kind, index),
  });

  /** The index of the slot taken, or the earliest time one frees up. */
  async function take(sub: string, kind: 'RUN' | 'START', count: number, holdSeconds: number, holder: string, now: number) {
    let earliestFree = Number.POSITIVE_INFINITY;
    // Start at a random slot so that concurrent starts of one user rarely contend for the same item.
    const offset = Math.floor(Math.random() * count);
    for (let step = 0; step < count; step++) {
      const index = (offset + step) % count;
      const until = now + holdSeconds * 1000;
      try {
        await client.send(new lib.PutCommand({
          TableName: tableName,
          Item: { ...key(sub, kind, index), holder, until, [RECORDS_TABLE.ttl]: Math.ceil(until / 1000) + 86_400 },
          ConditionExpression: 'attribute_not_exists(#pk) OR #until < :now',
          ExpressionAttributeNames: { '#pk': RECORDS_TABLE.partitionKey, '#until': 'until' },
          ExpressionAttributeValues: { ':now': now },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }));
        return { index };
      } catch (error) {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
        const held = (error as { Item?: Record<string, { N?: string }> }).Item?.until?.N;
        earliestFree = Math.min(earliestFree, held === undefined ? now + holdSeconds * 1000 : Number(held));
      }
    }
    return { retryAfterSeconds: Math.max(1, Math.ceil((earliestFree - now) / 1000)) };
  }

  async function free(sub: string, kind: 'RUN' | 'START', index: number, holder: string) {
    try {
      await client.send(new lib.UpdateCommand({
        TableName: tableName,
        Key: key(sub, kind, index),
        UpdateExpression: 'SET #until = :zero',
        ConditionExpression: 'holder = :holder',
        ExpressionAttributeNames: { '#until': 'until' },
        ExpressionAttributeValues: { ':zero': 0, ':holder': holder },
      }));
    } catch (error) {
      // Taken over by another start after it expired: that one is theirs now.
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  const limits: Limits = {
    async acquire(sub, holder, now, which = 'all') {
      let running: number | undefined;
      if (config.maxInProgress !== undefined && which === 'all') {
        const taken = await take(sub, 'RUN', config.maxInProgress, config.renderDeadlineSeconds, holder, now);
        if (taken.index === undefined) {
          return { ok: false, limit: 'inProgress', max: config.maxInProgress, retryAfterSeconds: taken.retryAfterSeconds };
        }
        running = taken.index;
      }
      if (config.maxStarts !== undefined) {
        const taken = await take(sub, 'START', config.maxStarts, config.windowSeconds, holder, now);
        if (taken.index === undefined) {
          if (running !== undefined) await free(sub, 'RUN', running, holder);
          return { ok: false, limit: 'starts', max: config.maxStarts, retryAfterSeconds: taken.retryAfterSeconds };
        }
        return { ok: true, slots: { holder, running, start: taken.index } };
      }
      return { ok: true, slots: { holder, running } };
    },

    async release(sub, slots, which) {
      const work: Promise<void>[] = [];
      if (slots.running !== undefined) work.push(free(sub, 'RUN', slots.running, slots.holder));
      if (which === 'all' && slots.start !== undefined) work.push(free(sub, 'START', slots.start, slots.holder));
      await Promise.all(work);
    },
  };
  return limits;
}

/** The 429 message for a limit. */
export function limitMessage(limit: 'inProgress' | 'starts', max: number, windowSeconds: number): string {
  return limit === 'inProgress'
    ? `You have ${max} renders in progress, the most allowed; start another when one has finished`
    : `You started ${max} renders in the last ${Math.round(windowSeconds / 60)} minutes, the most allowed; try again later`;
}
