import type { RenderMetricKey, RenderMetrics } from '../metrics';
import { BUDGET_SORT_KEY, queuedKey, type CountedHolds } from './holds';
import type { Limits } from './limits';
import { isFinal, type FinalStatus, type RecordCompletion, type RenderRecord, type RenderRecordStatus } from './record';
import type { RenderEventsConfig } from './records';
import type { RecordStore } from './store';
import { renderFinishedEvent, type EventEntry } from './webhook';

/** What ending a render needs; every route and function that ends renders passes its own. */
export interface FinishDependencies {
  readonly store: RecordStore;
  /** The budget and queued-place counters; undefined without the queue (nothing to release). */
  readonly holds?: CountedHolds;
  /** The per-user limit slots; undefined when no limit is on. */
  readonly limits?: Limits;
  /** Where the event goes; undefined when no event bus is configured. */
  readonly events?: RenderEventsConfig;
  readonly putEvent?: (entry: EventEntry, signal?: AbortSignal) => Promise<void>;
  readonly now: () => number;
  /** Where the end is counted (`RendersSucceeded`…, `RenderTime`, `RenderCost`); undefined writes no metric. */
  readonly metrics?: Pick<RenderMetrics, 'add'>;
}

/** What `finishRender` and `settleRender` did. */
export interface Finished {
  /** The record as it stands at the end, or undefined when there is none. */
  readonly record?: RenderRecord;
  /** True when this call recorded the end (the first writer). */
  readonly endedNow: boolean;
  /** True when everything about the end is done: holds released and the one event put. */
  readonly settled: boolean;
  /** Why it is not settled, when it is not (the sweeper tries again; the webhook answers 502). */
  readonly error?: unknown;
}

/**
 * The one way a render ends, whoever noticed the end (the dispatcher, the webhook, the sweeper, a
 * cancel, a status read). Each step is idempotent, so any of them may repeat it:
 *
 * 1. the record gets its final status, only from one of `from` (first writer wins);
 * 2. its holds are released: budget units, its owner's queued place and running slot, each only
 *    while still held by this render;
 * 3. its one event is claimed and put (the claim is taken back when the put fails);
 * 4. it leaves the sweeper's active index, only once 2 and 3 are done.
 *
 * A step that fails leaves the record in the index, and the sweeper calls `settleRender` later.
 */
export async function finishRender(
  dependencies: FinishDependencies,
  sub: string,
  renderId: string,
  completion: RecordCompletion,
  from?: readonly RenderRecordStatus[],
): Promise<Finished> {
  const ended = await dependencies.store.complete(sub, renderId, completion, from);
  const record = ended ?? await dependencies.store.get(sub, renderId);
  if (record === undefined || !isFinal(record.status)) return { record, endedNow: false, settled: false };
  // Counted by the first writer only, before settling: a render that ended is counted even when its event fails.
  if (ended !== undefined) countEnd(dependencies.metrics, ended);
  const settled = await settleRender(dependencies, record);
  return { ...settled, endedNow: ended !== undefined };
}

const END_METRICS: Record<FinalStatus, RenderMetricKey> = {
  SUCCEEDED: 'rendersSucceeded',
  FAILED: 'rendersFailed',
  TIMED_OUT: 'rendersTimedOut',
  CANCELLED: 'rendersCancelled',
};

function countEnd(metrics: FinishDependencies['metrics'], record: RenderRecord): void {
  if (metrics === undefined || !isFinal(record.status)) return;
  metrics.add(END_METRICS[record.status]);
  // A queued render started when the dispatcher claimed it; a direct start, when its record was made.
  const started = record.startedAt ?? (record.remotionRenderId === undefined ? undefined : record.createdAt);
  const startedAt = started === undefined ? NaN : Date.parse(started);
  const finishedAt = record.finishedAt === undefined ? NaN : Date.parse(record.finishedAt);
  if (Number.isFinite(startedAt) && Number.isFinite(finishedAt)) metrics.add('renderTime', Math.max(0, finishedAt - startedAt));
  if (record.cost !== undefined && Number.isFinite(record.cost)) metrics.add('renderCost', record.cost);
}

/** Steps 2 to 4 of `finishRender`, for a record that has ended. */
export async function settleRender(dependencies: FinishDependencies, record: RenderRecord): Promise<Finished> {
  const { store } = dependencies;
  const sub = record.ownerSub;
  try {
    await releaseHolds(dependencies, record);
    let current = record;
    if (record.eventPutAt === undefined && dependencies.events !== undefined && dependencies.putEvent !== undefined) {
      const claimed = await store.claimEvent(sub, record.renderId, dependencies.now());
      if (claimed !== undefined) {
        current = claimed;
        try {
          await dependencies.putEvent(renderFinishedEvent(claimed, dependencies.events.eventBus, dependencies.events.tableArn));
        } catch (error) {
          // Not put: take the claim back, so the next attempt (Remotion's retry, the sweeper) puts it.
          await store.releaseEventClaim(sub, record.renderId).catch(() => undefined);
          return { record: current, endedNow: false, settled: false, error };
        }
      }
    }
    if (record.activeShard !== undefined) await store.settle(sub, record.renderId);
    return { record: current, endedNow: false, settled: true };
  } catch (error) {
    return { record, endedNow: false, settled: false, error };
  }
}

/** Gives back what the render holds; each release applies only while this render holds it. */
async function releaseHolds(dependencies: FinishDependencies, record: RenderRecord): Promise<void> {
  const work: Promise<unknown>[] = [];
  const { holds, limits } = dependencies;
  if (holds !== undefined && record.budgetPk !== undefined && record.budgetUnits !== undefined) {
    work.push(holds.release({ pk: record.budgetPk, sk: BUDGET_SORT_KEY }, record.renderId, record.budgetUnits));
  }
  if (holds !== undefined && record.queuedHold === true) {
    work.push(holds.release(queuedKey(record.ownerSub), record.renderId, 1));
  }
  if (limits !== undefined && record.runSlot !== undefined && record.limitHolder !== undefined) {
    work.push(limits.release(record.ownerSub, { holder: record.limitHolder, running: record.runSlot }, 'running'));
  }
  await Promise.all(work);
}
