import { createHash } from 'node:crypto';
import type { QueuedRenderMessage } from '../../contract';
import { withAbortableDeadline, withDeadline } from '../promises';
import { finishRender } from '../records/finish';
import { queuedKey } from '../records/holds';
import type { QueueConfig } from '../records/queue-config';
import { newQueuedRecord } from '../records/record';
import { completionWebhookUrl } from '../records/webhook';
import { outputLocation, statusUrl } from '../remotion-input';
import type { RenderApiEvent, StartRenderRequest } from '../request';
import type { RouteResources } from '../resources';
import { finishDependencies } from './finishing';
import { MIN_RECORD_WRITE_MS, serviceFailure, timeLeft, type Outcome, type RequestInfo } from './outcome';
import { giveBackSlots, takeSlots, tooManyRequests } from './slots';

/**
 * The `Retry-After` of a full queue. When a queued render starts is the budget's business, not
 * the caller's: half a minute is long enough not to spin and short enough to notice a free place.
 */
export const QUEUE_FULL_RETRY_AFTER_SECONDS = 30;

/** The reason recorded for a render whose message the queue did not take. */
export const NOT_QUEUED_REASON = 'The render could not be queued; start it again';

/** The 429 message of a full queue: it names the caller's own queue, never the account. */
export function queueFullMessage(maxQueuedPerUser: number): string {
  return `Your render queue is full: ${maxQueuedPerUser} of your renders are waiting to start, the most allowed; queue another once one has started`;
}

/**
 * The SQS message group of an owner's renders: SQS fair queues keep one owner's backlog from
 * delaying the others' messages. A hash, so the owner's `sub` is not in the queue's metadata.
 */
export function messageGroupOf(sub: string): string {
  return createHash('sha256').update(sub, 'utf8').digest('hex');
}

/** The one message of an accepted render, as the contract defines it. */
export function queuedRenderMessage(input: {
  readonly renderId: string;
  readonly sub: string;
  readonly request: StartRenderRequest;
  readonly completionWebhookUrl?: string;
  readonly queuedAt: number;
}): QueuedRenderMessage {
  const { composition, codec, inputProps, outName } = input.request;
  return {
    v: 1,
    renderId: input.renderId,
    sub: input.sub,
    request: { composition, codec, inputProps, outName },
    // Our id keeps the output key apart, so the key planned in the record is the one the render writes.
    uniqueId: input.renderId,
    ...(input.completionWebhookUrl !== undefined && { completionWebhookUrl: input.completionWebhookUrl }),
    queuedAt: input.queuedAt,
  };
}

/**
 * `POST /renders` with the render queue: the start limit (the running slot is the dispatcher's),
 * the caller's queued place, a `QUEUED` record, then one message; 202 with our id. Remotion's
 * client and the webhook secret are never loaded here. What fails before the record is written
 * gives back what it took; a message the queue did not take ends the record `FAILED` (through
 * `finishRender`, which frees its place and puts its event), so no accepted render is lost.
 */
export async function enqueueRender(
  event: RenderApiEvent,
  request: RequestInfo,
  validated: StartRenderRequest,
  queue: QueueConfig,
  resources: RouteResources,
): Promise<Outcome> {
  const settings = resources.config();
  const records = resources.recordsConfig();
  if (records === undefined) throw new Error('The render queue needs the render records');
  const { sub } = request;
  const renderId = resources.randomId();
  // A cold start imports the SQS client while the table is written, not after.
  const queueClient = resources.sqs();
  queueClient.catch(() => undefined);
  const { slots, refusal } = await takeSlots(request, renderId, resources, 'start');
  if (refusal !== undefined) return refusal;

  let place: 'reserved' | 'full' | 'held';
  try {
    const reserving = resources.holds().then((holds) => holds.reserve(queuedKey(sub), renderId, 1, queue.maxQueuedPerUser));
    place = await withDeadline(reserving, timeLeft(request));
  } catch (error) {
    await giveBackSlots(resources, sub, slots);
    return serviceFailure(error);
  }
  if (place === 'full') {
    await giveBackSlots(resources, sub, slots);
    resources.metrics?.add('limitRefusals', 1, 'queued');
    return tooManyRequests(queueFullMessage(queue.maxQueuedPerUser), QUEUE_FULL_RETRY_AFTER_SECONDS);
  }

  const queuedAt = resources.now();
  const output = outputLocation(settings, sub, validated.outName, renderId);
  const record = newQueuedRecord({
    sub,
    renderId,
    composition: validated.composition,
    codec: validated.codec,
    privacy: settings.privacy,
    output: typeof output === 'string' ? undefined : output,
    now: queuedAt,
    retentionSeconds: records.retentionSeconds,
    queuedHold: true,
    checkAt: queuedAt + queue.maxQueueAgeSeconds * 1000,
  });
  try {
    await withDeadline(resources.recordStore().then((store) => store.put(record)), timeLeft(request));
  } catch (error) {
    // Nothing was accepted. Should the write have landed after all, the sweeper fails the record
    // at its queue age, and finding the place already free releases nothing twice.
    await Promise.all([
      resources.holds().then((holds) => holds.release(queuedKey(sub), renderId, 1)).catch(() => undefined),
      giveBackSlots(resources, sub, slots),
    ]);
    return serviceFailure(error);
  }

  const message = queuedRenderMessage({
    renderId,
    sub,
    request: validated,
    // The dispatcher has no request to compute it from; the function's own webhook takes precedence.
    completionWebhookUrl: settings.webhookUrl === undefined ? completionWebhookUrl(event.requestContext, event.rawPath) : undefined,
    queuedAt,
  });
  try {
    const { client, lib } = await queueClient;
    const command = new lib.SendMessageCommand({
      QueueUrl: queue.queueUrl,
      MessageBody: JSON.stringify(message),
      MessageGroupId: messageGroupOf(sub),
    });
    await withAbortableDeadline((abortSignal) => client.send(command, { abortSignal }), Math.max(timeLeft(request), MIN_RECORD_WRITE_MS));
  } catch (error) {
    // A send that failed may still have landed: the dispatcher then finds the record final and acks it.
    const notQueued = { status: 'FAILED' as const, finishedAt: new Date(resources.now()).toISOString(), errors: [NOT_QUEUED_REASON] };
    const failed = await finishDependencies(resources, request)
      .then((finishing) => finishRender(finishing, sub, renderId, notQueued, ['QUEUED']))
      .catch((finishError: unknown) => ({ error: finishError }));
    await giveBackSlots(resources, sub, slots);
    return { ...serviceFailure(error, renderId), reason: failed.error === undefined ? NOT_QUEUED_REASON : `${NOT_QUEUED_REASON}; its record is left to the sweeper` };
  }

  resources.metrics?.add('rendersAccepted');
  return {
    status: 202,
    logMessage: 'Render queued',
    renderId,
    body: { renderId, status: 'QUEUED', statusUrl: statusUrl(event.requestContext, renderId, undefined, event.rawPath) },
  };
}
