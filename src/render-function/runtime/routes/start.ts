import { RENDER_ROUTES, routeKeyOf } from '../../contract';
import { DeadlineExceededError, withDeadline } from '../promises';
import { idempotencyKeyOf } from '../records/idempotency';
import { newRenderRecord } from '../records/record';
import { completionCustomData, completionWebhookUrl } from '../records/webhook';
import { checkStartAnswer } from '../remotion-answers';
import { outputLocation, renderMediaInput, statusUrl } from '../remotion-input';
import { parseStartRenderRequest, type RenderApiEvent, type StartRenderRequest } from '../request';
import type { RouteResources } from '../resources';
import { enqueueRender } from './enqueue';
import { MIN_RECORD_WRITE_MS, refusedForIdempotency, rejected, serviceFailure, timeLeft, type Outcome, type RequestInfo } from './outcome';
import { giveBackSlots, takeSlots } from './slots';

/**
 * `POST /renders`: validates, then with the render queue enqueues the render (see `enqueueRender`:
 * Remotion is not called); without it takes the caller's limit slots, starts the render on
 * Remotion and records it. Either way at most once per Idempotency-Key.
 */
export async function startRender(event: RenderApiEvent, request: RequestInfo, resources: RouteResources): Promise<Outcome> {
  const parsed = parseStartRenderRequest(event, resources.config());
  if (!parsed.ok) return rejected(parsed.error);
  // No time left to hear Remotion's (or the queue's) answer: accepting now would start a render nobody is told of.
  if (request.waitMs <= 0) return serviceFailure(new DeadlineExceededError(request.waitMs));
  const queue = resources.queueConfig();
  const start = queue === undefined
    ? () => startNow(event, request, parsed.value, resources)
    : () => enqueueRender(event, request, parsed.value, queue, resources);
  if (resources.recordsConfig()?.idempotency) {
    const { key, refusal } = idempotencyKeyOf(event.headers);
    if (refusal) return refusedForIdempotency(refusal);
    if (key !== undefined) return startIdempotently(request.sub, key, parsed.value, start, resources);
  }
  return start();
}

/** Starts at most once per user and key (Powertools' idempotency utility); replays the first answer. */
async function startIdempotently(
  sub: string,
  key: string,
  request: StartRenderRequest,
  start: () => Promise<Outcome>,
  resources: RouteResources,
): Promise<Outcome> {
  let first: Outcome | undefined;
  let idempotent;
  try {
    idempotent = await resources.idempotentStart();
  } catch (error) {
    return serviceFailure(error);
  }
  const result = await idempotent(sub, key, request, async () => {
    first = await start();
    return { status: first.status, body: first.body, renderId: first.renderId };
  });
  switch (result.kind) {
    case 'answered':
      if (!result.replayed && first !== undefined) return first;
      resources.metrics?.add('idempotentReplays');
      return { ...result.answer, logMessage: 'First answer replayed for a repeated Idempotency-Key' };
    case 'refused':
      return refusedForIdempotency(result.refusal);
    case 'failed':
      if (first === undefined) return serviceFailure(result.error);
      if (first.status !== 202) return first;
      // The render started (or was queued) but its answer could not be kept for replays: answer it all the same.
      return { ...first, level: 'error', logMessage: `Render ${isQueued(first) ? 'queued' : 'started'}, but its idempotency record could not be completed`, error: result.error };
  }
}

const isQueued = (outcome: Outcome) => outcome.body.status === 'QUEUED';

async function startNow(event: RenderApiEvent, request: RequestInfo, validated: StartRenderRequest, resources: RouteResources): Promise<Outcome> {
  const settings = resources.config();
  const { sub } = request;
  const uniqueId = resources.randomId();
  const { slots, refusal } = await takeSlots(request, uniqueId, resources);
  if (refusal !== undefined) return refusal;
  // The reads and the start share what is left once the slots are taken.
  const startWaitMs = slots === undefined ? request.waitMs : timeLeft(request);
  const usesCompletionWebhook = settings.webhookUrl === undefined && resources.recordsConfig()?.completionSecretArn !== undefined;
  const start = async () => {
    const [client, secret, ownSecret] = await Promise.all([
      resources.remotionClient(startWaitMs),
      resources.webhookSecret(startWaitMs),
      usesCompletionWebhook ? resources.completionSecret(startWaitMs) : undefined,
    ]);
    const completionWebhook = ownSecret === undefined
      ? undefined
      : { url: completionWebhookUrl(event.requestContext, event.rawPath), secret: ownSecret, customData: completionCustomData(sub) };
    return client.renderMediaOnLambda(renderMediaInput({
      config: settings, request: validated, sub, uniqueId, webhookSecret: secret, completionWebhook,
    }));
  };
  const starting = start();
  try {
    const { renderId, bucketName } = checkStartAnswer(await withDeadline(starting, startWaitMs).catch(async (error: unknown) => {
      // Nothing is known to have started, so nothing counts against the caller; a failed
      // release only delays a slot (and a late start still holds its slot until its deadline).
      if (!(error instanceof DeadlineExceededError)) await giveBackSlots(resources, sub, slots);
      throw error;
    }));
    const bucketToEcho = settings.bucketName === undefined ? bucketName : undefined;
    // Remotion accepted it: accepted and started at once, whether or not its record is written.
    resources.metrics?.add('rendersAccepted');
    resources.metrics?.add('rendersStarted');
    const started: Outcome = {
      status: 202,
      logMessage: 'Render started',
      renderId,
      body: { renderId, bucketName, statusUrl: statusUrl(event.requestContext, renderId, bucketToEcho, event.rawPath) },
    };
    const records = resources.recordsConfig();
    if (records === undefined) return started;
    try {
      const record = newRenderRecord({
        sub,
        renderId,
        bucketName,
        composition: validated.composition,
        codec: validated.codec,
        privacy: settings.privacy,
        outName: outputLocation(settings, sub, validated.outName, uniqueId),
        now: resources.now(),
        retentionSeconds: records.retentionSeconds,
        limitHolder: slots?.holder,
        runSlot: slots?.running,
      });
      const store = await resources.recordStore();
      await withDeadline(store.put(record), Math.max(timeLeft(request), MIN_RECORD_WRITE_MS));
      return started;
    } catch (error) {
      // The render runs and Remotion bills it: answer 202 so that the client does not start it
      // again, and log it as an error with its id, so the missing record can be found.
      return { ...started, level: 'error', logMessage: 'Render started, but its record could not be written', error };
    }
  } catch (error) {
    if (error instanceof DeadlineExceededError) reportLateStart(starting, request, resources);
    return serviceFailure(error);
  }
}

/**
 * The caller was answered 502, but Remotion may still accept the start: then a render runs
 * (and is billed) that nobody knows of. Its id and owner go to the log at warn level.
 */
function reportLateStart(started: Promise<unknown>, request: RequestInfo, resources: RouteResources): void {
  started.then((answer) => {
    const fields = typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>) : {};
    resources.log({
      level: 'warn',
      message: 'Render started after the caller was answered',
      requestId: request.requestId,
      awsRequestId: request.awsRequestId,
      route: routeKeyOf(RENDER_ROUTES.startRender),
      status: 502,
      durationMs: resources.now() - request.startedAt,
      sub: request.sub,
      renderId: typeof fields.renderId === 'string' ? fields.renderId : undefined,
      bucketName: typeof fields.bucketName === 'string' ? fields.bucketName : undefined,
    });
  }, () => undefined);
}
