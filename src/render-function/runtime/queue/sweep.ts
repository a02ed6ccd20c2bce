import { describeError } from '../log';
import { readRenderProgress } from '../progress';
import { finishRender, settleRender, type FinishDependencies } from '../records/finish';
import { completionFromProgress, isFinal, type RenderRecord } from '../records/record';
import type { RouteResources } from '../resources';
import { FIRST_PROGRESS_CHECK_MS, queueAgeReason } from './dispatch';

/** What the sweeper did with one record; each is one value of the log line's `outcome`. */
export type SweepOutcome =
  | 'expired' // QUEUED past maxQueueAge: FAILED
  | 'waiting' // QUEUED, not too old: looked at again when it would be
  | 'startUnknownFailed' // STARTING past its deadline: FAILED (start outcome unknown)
  | 'completed' // RENDERING, and its progress shows the end: finished
  | 'rendering' // RENDERING still: looked at again later
  | 'settled' // final, its releases or its event were pending: now done
  | 'unsettled' // final, and its releases or its event failed again
  | 'notDue' // the index was behind the record: nothing to do yet
  | 'missing' // gone (TTL) while still indexed
  | 'failed'; // reading it or its progress failed: looked at on the next run

export interface SweepLogRecord {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: 'Render swept' | 'Sweep done';
  readonly outcome?: SweepOutcome;
  readonly renderId?: string;
  readonly remotionRenderId?: string;
  readonly sub?: string;
  readonly status?: string;
  readonly error?: { readonly name: string; readonly message: string };
  /** In the summary line: how many records of each outcome, and whether time ran out first. */
  readonly counts?: Partial<Record<SweepOutcome, number>>;
  readonly due?: number;
  readonly outOfTime?: boolean;
}

export interface SweeperOptions {
  readonly resources: RouteResources;
  readonly log: (record: SweepLogRecord) => void;
}

/** Records looked at per run; the schedule's next run takes the rest. */
export const SWEEP_BATCH = 100;
/** Records looked at in parallel. */
const SWEEP_PARALLEL = 5;
/** Time kept back from the invocation's remaining time for the records in flight and the summary. */
export const SWEEP_MARGIN_MS = 10_000;
/** The longest wait between two progress reads of a render that did not finish. */
export const MAX_PROGRESS_CHECK_MS = 10 * 60_000;
/** The reason a render whose progress cannot be read past Remotion's timeout ends with. */
export const UNREADABLE_PAST_DEADLINE_REASON = 'No completion, and no progress to read, after Remotion\'s timeout';
/** The reason a start that nobody could confirm ends with. */
export const START_UNKNOWN_REASON = 'Start outcome unknown: Remotion did not confirm the start before its deadline';

/**
 * The render queue's sweeper, run by a schedule: every record that still needs work and is due
 * (the sparse `active` index), read again consistently first, since the index lags. It ends what
 * nobody else ended (a render that waited too long, a start whose outcome stayed unknown, a render
 * whose webhook was lost) and settles what ended but was not settled, all through `finishRender`.
 */
export function createSweeper(options: SweeperOptions) {
  const { resources } = options;
  return async (_event?: unknown, context?: { getRemainingTimeInMillis?: () => number }): Promise<void> => {
    const startedAt = resources.now();
    const remaining = context?.getRemainingTimeInMillis?.() ?? resources.config().callTimeoutMs + SWEEP_MARGIN_MS;
    const stopAt = startedAt + remaining - SWEEP_MARGIN_MS;
    const store = await resources.recordStore();
    const due = await store.listDue(startedAt, SWEEP_BATCH);
    const counts: Partial<Record<SweepOutcome, number>> = {};
    let next = 0;
    let outOfTime = false;
    const worker = async () => {
      while (next < due.length) {
        if (resources.now() >= stopAt) {
          outOfTime = true;
          return;
        }
        const { sub, renderId } = due[next++];
        let outcome: SweepOutcome;
        let record: RenderRecord | undefined;
        let error: unknown;
        try {
          record = await store.get(sub, renderId);
          outcome = await sweepOne(record, Math.max(1, stopAt - resources.now()));
        } catch (caught) {
          outcome = 'failed';
          error = caught;
        }
        counts[outcome] = (counts[outcome] ?? 0) + 1;
        options.log({
          level: outcome === 'failed' || outcome === 'unsettled' ? 'error' : 'info',
          message: 'Render swept',
          outcome,
          renderId,
          sub,
          remotionRenderId: record?.remotionRenderId,
          status: record?.status,
          ...(error !== undefined && { error: describeError(error) }),
        });
      }
    };
    await Promise.all(Array.from({ length: SWEEP_PARALLEL }, worker));
    options.log({ level: outOfTime ? 'warn' : 'info', message: 'Sweep done', due: due.length, counts, outOfTime });
    await resources.metrics?.flush();
  };

  async function finishing(): Promise<FinishDependencies> {
    const [store, holds, limits] = await Promise.all([resources.recordStore(), resources.holds(), resources.limits()]);
    const { putEvent, now, metrics } = resources;
    return { store, holds, limits, events: resources.recordsConfig()?.events, putEvent, now, metrics };
  }

  async function sweepOne(record: RenderRecord | undefined, waitMs: number): Promise<SweepOutcome> {
    if (record === undefined) return 'missing';
    const now = resources.now();
    const dependencies = await finishing();
    const { store } = dependencies;
    const failed = (reason: string) => ({ status: 'FAILED' as const, finishedAt: new Date(now).toISOString(), errors: [reason] });
    if (record.activeShard === undefined || (record.checkAt !== undefined && Date.parse(record.checkAt) > now)) return 'notDue';
    if (isFinal(record.status)) return (await settleRender(dependencies, record)).settled ? 'settled' : 'unsettled';
    switch (record.status) {
      case 'QUEUED': {
        const maxAgeMs = (resources.queueConfig()?.maxQueueAgeSeconds ?? 0) * 1000;
        const expiresAt = Date.parse(record.createdAt) + maxAgeMs;
        if (now > expiresAt) {
          await finishRender(dependencies, record.ownerSub, record.renderId, failed(queueAgeReason(maxAgeMs / 1000)), ['QUEUED']);
          return 'expired';
        }
        await store.reschedule(record.ownerSub, record.renderId, expiresAt + 1);
        return 'waiting';
      }
      case 'STARTING':
        await finishRender(dependencies, record.ownerSub, record.renderId, failed(START_UNKNOWN_REASON), ['STARTING']);
        return 'startUnknownFailed';
      case 'RENDERING': {
        if (record.remotionRenderId === undefined || record.bucketName === undefined) return 'notDue';
        const client = await resources.remotionClient(waitMs);
        const render = { renderId: record.remotionRenderId, bucketName: record.bucketName };
        let progress;
        try {
          ({ progress } = await readRenderProgress(client, resources.config(), render));
        } catch (error) {
          // Past Remotion's own timeout a render cannot be running: one whose progress cannot be
          // read either (deleted, never written) still gets its final status and its event.
          const deadlineSeconds = resources.recordsConfig()?.limits.renderDeadlineSeconds ?? 0;
          if (now <= Date.parse(record.startedAt ?? record.createdAt) + deadlineSeconds * 1000) throw error;
          await finishRender(dependencies, record.ownerSub, record.renderId, {
            status: 'TIMED_OUT', finishedAt: new Date(now).toISOString(), errors: [UNREADABLE_PAST_DEADLINE_REASON],
          }, ['RENDERING']);
          return 'completed';
        }
        const completion = completionFromProgress(progress, now);
        if (completion === undefined) {
          await store.reschedule(record.ownerSub, record.renderId, now + nextProgressCheckMs(record, now));
          return 'rendering';
        }
        await finishRender(dependencies, record.ownerSub, record.renderId, { ...completion, remotionRenderId: record.remotionRenderId }, ['RENDERING']);
        return 'completed';
      }
    }
    return 'notDue';
  }
}

/** Half the time the render has run so far, from the first check's interval up to the cap: a long render is read less often. */
export function nextProgressCheckMs(record: Pick<RenderRecord, 'startedAt' | 'createdAt'>, now: number): number {
  const runningMs = now - Date.parse(record.startedAt ?? record.createdAt);
  return Math.min(MAX_PROGRESS_CHECK_MS, Math.max(FIRST_PROGRESS_CHECK_MS, Math.floor(runningMs / 2)));
}
