import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { backoffSeconds } from './backoff';
import { parseQueuedMessage } from './message';
import { classifyStartFailure } from './start-failure';
import { RENDER_METRICS, type QueuedRenderMessage } from '../../contract';
import { describeError } from '../log';
import { withDeadline } from '../promises';
import { finishRender, type FinishDependencies } from '../records/finish';
import { budgetKey, queuedKey } from '../records/holds';
import type { HeldSlots } from '../records/limits';
import { unitsPerRender } from '../records/queue-config';
import { isFinal } from '../records/record';
import { checkStartAnswer } from '../remotion-answers';
import { outputLocation, queuedRenderInput } from '../remotion-input';
import type { RouteResources } from '../resources';
import { safeErrorMessage } from '../responses';

/** What happened to one message; each is one value of the log line's `outcome`, easy to count. */
export type DispatchOutcome =
  | 'started' // Remotion accepted the start and the record is RENDERING
  | 'startedAfterCompletion' // Remotion accepted it, and its webhook had already ended the record
  | 'startUnknown' // no certain answer: left STARTING for the webhook or the sweeper
  | 'refused' // Lambda refused the start for good: FAILED
  | 'expired' // waited longer than maxQueueAge: FAILED
  | 'deferredBudget' // the budget is full
  | 'deferredRunning' // the owner's running renders are at maxRendersInProgress
  | 'deferredThrottled' // Lambda throttled the start
  | 'deferredHeld' // another delivery of the same message holds the budget right now
  | 'alreadyStarted' // STARTING or RENDERING already (a duplicate delivery): never started twice
  | 'alreadyFinished' // final already (cancelled, expired, or a duplicate of a finished render)
  | 'deferredError' // the table, SQS or a secret failed before the start: try again
  | 'claimLost' // another delivery claimed it between our read and our claim
  | 'missingRecord' // no record: acked, logged as an error
  | 'poison'; // not a message this dispatcher knows: left for the DLQ

/**
 * The `reason` of `StartsDeferred` (`RENDER_METRICS.startsDeferred.values`). A held budget
 * (another delivery gives the units back) and a failed table call are not limits: not counted.
 */
const DEFER_REASONS: Partial<Record<DispatchOutcome, (typeof RENDER_METRICS.startsDeferred.values)[number]>> = {
  deferredBudget: 'budget',
  deferredRunning: 'owner',
  deferredThrottled: 'throttled',
};

/** One structured log line per message. */
export interface DispatchLogRecord {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: 'Queued render dispatched';
  readonly outcome: DispatchOutcome;
  readonly messageId: string;
  readonly renderId?: string;
  readonly remotionRenderId?: string;
  readonly sub?: string;
  readonly units?: number;
  readonly waitedMs?: number;
  readonly receiveCount: number;
  readonly deferSeconds?: number;
  readonly error?: { readonly name: string; readonly message: string };
}

export interface DispatcherOptions {
  readonly resources: RouteResources;
  readonly log: (record: DispatchLogRecord) => void;
  readonly random?: () => number;
}

/** Lambda's context, as far as the dispatcher reads it. */
export interface DispatcherContext {
  getRemainingTimeInMillis?: () => number;
}

/** Kept from the invocation's remaining time for the record write after Remotion's answer, and for the answer to SQS. */
export const DISPATCH_MARGIN_MS = 5_000;
/** When the sweeper first reads a started render's progress, if no webhook came by then. */
export const FIRST_PROGRESS_CHECK_MS = 2 * 60_000;

type Handled = Omit<DispatchLogRecord, 'level' | 'message' | 'messageId' | 'receiveCount'> & {
  readonly level?: DispatchLogRecord['level'];
  /** Seconds to stay invisible, for a message to try again; undefined acks it. */
  readonly retryIn?: number;
};

/**
 * The render queue's dispatcher: an SQS batch handler with partial batch responses. It handles
 * the messages of a batch in parallel and reports the ones to see again as failed, after making
 * them invisible for their backoff (a poison message: visible at once, so its receives add up to
 * the queue's maxReceiveCount and SQS moves it to the dead-letter queue).
 */
export function createDispatcher(options: DispatcherOptions) {
  const { resources } = options;
  const random = options.random ?? Math.random;
  const deferSeconds = (receiveCount: number) => backoffSeconds(receiveCount, random);

  return async (event: SQSEvent, context?: DispatcherContext): Promise<SQSBatchResponse> => {
    const remaining = context?.getRemainingTimeInMillis?.();
    const waitMs = Math.max(1, Math.min(resources.config().callTimeoutMs, remaining === undefined ? Infinity : remaining - DISPATCH_MARGIN_MS));
    const failures = await Promise.all(event.Records.map(async (record) => {
      const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
      let handled: Handled;
      try {
        handled = await dispatchOne(record, receiveCount, waitMs);
      } catch (error) {
        // The table or SQS failed before anything certain happened: see the message again.
        handled = { outcome: 'deferredError', level: 'error', retryIn: deferSeconds(receiveCount), error: describeError(error) };
      }
      const { retryIn, level, ...fields } = handled;
      countDispatch(handled);
      let deferError: unknown;
      if (retryIn !== undefined) deferError = await changeVisibility(record, retryIn).catch((error: unknown) => error);
      options.log({
        level: level ?? (deferError === undefined ? 'info' : 'error'),
        message: 'Queued render dispatched',
        messageId: record.messageId,
        receiveCount,
        ...fields,
        ...(retryIn !== undefined && { deferSeconds: retryIn }),
        ...(deferError !== undefined && { error: describeError(deferError) }),
      });
      return retryIn === undefined ? undefined : { itemIdentifier: record.messageId };
    }));
    await resources.metrics?.flush();
    return { batchItemFailures: failures.filter((failure): failure is { itemIdentifier: string } => failure !== undefined) };
  };

  function countDispatch(handled: Handled): void {
    const { metrics } = resources;
    if (metrics === undefined) return;
    if (handled.outcome === 'started' || handled.outcome === 'startedAfterCompletion') {
      metrics.add('rendersStarted');
      if (handled.waitedMs !== undefined) metrics.add('queueWait', Math.max(0, handled.waitedMs));
    }
    const reason = DEFER_REASONS[handled.outcome];
    if (reason !== undefined) metrics.add('startsDeferred', 1, reason);
  }

  async function changeVisibility(record: SQSRecord, seconds: number): Promise<void> {
    const { client, lib } = await resources.sqs();
    await client.send(new lib.ChangeMessageVisibilityCommand({
      QueueUrl: resources.queueConfig()!.queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: seconds,
    }));
  }

  async function dispatchOne(record: SQSRecord, receiveCount: number, waitMs: number): Promise<Handled> {
    const message = parseQueuedMessage(record.body);
    if (message === undefined) return { outcome: 'poison', level: 'error', retryIn: 0 };
    const queue = resources.queueConfig();
    const records = resources.recordsConfig();
    if (queue === undefined || records === undefined) throw new Error('The dispatcher needs the render queue and the render records configured');
    const { sub, renderId } = message;
    const now = resources.now();
    const waitedMs = now - message.queuedAt;
    const ids = { renderId, sub, waitedMs };
    const defer = (outcome: DispatchOutcome, extra: Partial<Handled> = {}): Handled =>
      ({ ...ids, ...extra, outcome, retryIn: deferSeconds(receiveCount) });

    const [store, holds, limits] = await Promise.all([resources.recordStore(), resources.holds(), resources.limits()]);
    const finishing: FinishDependencies = {
      store, holds, limits, events: records.events, putEvent: resources.putEvent, now: resources.now, metrics: resources.metrics,
    };

    // 1. Never start twice: only a QUEUED record is started.
    const current = await store.get(sub, renderId);
    if (current === undefined) return { ...ids, outcome: 'missingRecord', level: 'error' };
    if (current.status !== 'QUEUED') return { ...ids, outcome: isFinal(current.status) ? 'alreadyFinished' : 'alreadyStarted', remotionRenderId: current.remotionRenderId };

    // 2. Waited too long: ends FAILED, with its event, and never starts.
    if (waitedMs > queue.maxQueueAgeSeconds * 1000) {
      await finishRender(finishing, sub, renderId, {
        status: 'FAILED', finishedAt: new Date(now).toISOString(), errors: [queueAgeReason(queue.maxQueueAgeSeconds)],
      }, ['QUEUED']);
      return { ...ids, outcome: 'expired' };
    }

    // What the start needs, before anything is held: a failure here holds nothing.
    const settings = resources.config();
    const client = await resources.remotionClient(waitMs);
    const [webhookSecret, completionSecret] = await Promise.all([
      resources.webhookSecret(waitMs),
      settings.webhookUrl === undefined && message.completionWebhookUrl !== undefined ? resources.completionSecret(waitMs) : undefined,
    ]);
    const input = queuedRenderInput({
      config: settings,
      message,
      concurrency: queue.renderConcurrency,
      enableCancellation: typeof (client as { cancelRenderOnLambda?: unknown }).cancelRenderOnLambda === 'function',
      webhookSecret,
      completionSecret,
    });

    // A full budget is the common case under load: one read defers the render without the claim,
    // the slot and their undoing (four writes). Only the reservation in step 5 decides.
    const units = unitsPerRender(queue);
    const budget = budgetKey(settings.functionName);
    const room = await holds.read(budget);
    if (room !== undefined && room.used + units > queue.budgetMaxLambdas && room.holds[renderId] === undefined) {
      // A refused reservation all the same: the gauges read what the read saw.
      resources.metrics?.budget(room.used);
      return defer('deferredBudget', { units });
    }

    // 3. The owner's running slot (maxRendersInProgress caps the renders that run; the rest wait).
    const taken = await limits.acquire(sub, renderId, now);
    if (!taken.ok) return defer('deferredRunning');
    const slots: HeldSlots = taken.slots;
    const releaseSlot = () => limits.release(sub, slots, 'running');

    // 4. The claim: QUEUED to STARTING, once, with our attempt token.
    const attempt = resources.randomId();
    const deadline = now + records.limits.renderDeadlineSeconds * 1000;
    const claimed = await store.claimStart(sub, renderId, {
      attempt, now, checkAt: deadline, budgetPk: budget.pk, budgetUnits: units, limitHolder: slots.holder, runSlot: slots.running,
    });
    if (!claimed) {
      await releaseSlot();
      return { ...ids, outcome: 'claimLost' };
    }
    const queuedUntil = message.queuedAt + queue.maxQueueAgeSeconds * 1000;
    const unclaim = async () => {
      await store.releaseStart(sub, renderId, attempt, queuedUntil);
      await releaseSlot();
    };

    // 5. The budget: 1 + concurrency units, or wait.
    const reserved = await holds.reserve(budget, renderId, units, queue.budgetMaxLambdas).catch(async (error: unknown) => {
      await unclaim();
      throw error;
    });
    if (reserved === 'full') {
      await unclaim();
      return defer('deferredBudget', { units });
    }
    if (reserved === 'held') {
      // Units held under our id while our claim won: another delivery's throttle is giving them back.
      await unclaim();
      return defer('deferredHeld', { units });
    }

    // 6. The start. Only the call itself may leave its outcome unknown.
    let answer;
    try {
      answer = checkStartAnswer(await withDeadline(client.renderMediaOnLambda(input), waitMs));
    } catch (error) {
      return startFailed(error, message, { units, budget, unclaim, finishing, defer, ids });
    }

    // 7. RENDERING with Remotion's id; false means its webhook ended the record first.
    const outputKey = settings.bucketName === undefined
      ? `renders/${answer.renderId}/${outputLocation(settings, sub, message.request.outName, message.uniqueId) as string}`
      : undefined;
    const marked = await store.markRendering(sub, renderId, attempt, {
      remotionRenderId: answer.renderId, bucketName: answer.bucketName, outputKey, checkAt: resources.now() + FIRST_PROGRESS_CHECK_MS,
    });
    // 8. It no longer waits: its owner's queued place is free.
    if (current.queuedHold === true) await holds.release(queuedKey(sub), renderId, 1);
    return { ...ids, outcome: marked ? 'started' : 'startedAfterCompletion', remotionRenderId: answer.renderId, units };
  }

  async function startFailed(
    error: unknown,
    message: QueuedRenderMessage,
    context: {
      units: number;
      budget: ReturnType<typeof budgetKey>;
      unclaim: () => Promise<void>;
      finishing: FinishDependencies;
      defer: (outcome: DispatchOutcome, extra?: Partial<Handled>) => Handled;
      ids: { renderId: string; sub: string; waitedMs: number };
    },
  ): Promise<Handled> {
    const { sub, renderId } = message;
    const described = describeError(error);
    switch (classifyStartFailure(error)) {
      case 'throttled': {
        const holds = await resources.holds();
        await holds.release(context.budget, renderId, context.units);
        await context.unclaim();
        return context.defer('deferredThrottled', { units: context.units, error: described });
      }
      case 'refused':
        await finishRender(context.finishing, sub, renderId, {
          status: 'FAILED', finishedAt: new Date(resources.now()).toISOString(), errors: [safeErrorMessage(described.message)],
        }, ['STARTING']);
        return { ...context.ids, outcome: 'refused', level: 'warn', units: context.units, error: described };
      case 'unknown':
        return { ...context.ids, outcome: 'startUnknown', level: 'warn', units: context.units, error: described };
    }
  }
}

/** The reason a render that waited too long ends with. */
export function queueAgeReason(maxQueueAgeSeconds: number): string {
  const minutes = maxQueueAgeSeconds / 60;
  return Number.isInteger(minutes)
    ? `Waited longer than ${minutes} minute${minutes === 1 ? '' : 's'} in the queue`
    : `Waited longer than ${maxQueueAgeSeconds} seconds in the queue`;
}
