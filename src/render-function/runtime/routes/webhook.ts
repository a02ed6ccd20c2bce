import { withDeadline } from '../promises';
import { finishRender } from '../records/finish';
import {
  completionFromWebhook,
  MAX_WEBHOOK_BODY_BYTES,
  parseCompletionWebhook,
  verifyWebhookSignature,
  webhookBodyBytes,
  type WebhookRefusal,
} from '../records/webhook';
import type { RenderApiEvent } from '../request';
import type { RouteResources } from '../resources';
import { clientErrors } from '../responses';
import { finishDependencies } from './finishing';
import { MIN_RECORD_WRITE_MS, rejected, serviceFailure, startWait, timeLeft, type Outcome, type RenderApiContext, type RequestStart } from './outcome';

/**
 * `POST /webhooks/remotion`, Remotion's completion webhook: no JWT, so everything rests on the
 * signature. Anything not signed with the completion secret, too large, or for a render without a
 * record gets a bare 401. A verified one ends the render through `finishRender` (first writer
 * wins; its holds released, its one event put); a repeat finds it finished and answers 200.
 * The record is named by our id in `customData` (queued renders), else by Remotion's.
 */
export async function receiveCompletion(
  event: RenderApiEvent,
  context: RenderApiContext | undefined,
  start: RequestStart,
  resources: RouteResources,
): Promise<Outcome> {
  const records = resources.recordsConfig();
  if (records?.completionSecretArn === undefined) return rejected(clientErrors.routeNotFound());
  if (webhookBodyBytes(event) > MAX_WEBHOOK_BODY_BYTES) return unauthorizedWebhook('oversized');
  const request = startWait(start, '', resources.config().callTimeoutMs, context);
  let secret: string | undefined;
  try {
    secret = await resources.completionSecret(request.waitMs);
  } catch (error) {
    return serviceFailure(error);
  }
  const verified = verifyWebhookSignature(event, secret!);
  if (!verified.ok) return unauthorizedWebhook(verified.refusal);
  const parsed = parseCompletionWebhook(verified.value, event.headers);
  if (!parsed.ok) return unauthorizedWebhook(parsed.refusal);
  const webhook = parsed.value;
  const { renderId, ownerSub: sub } = webhook;
  try {
    const finishing = await finishDependencies(resources, request);
    const record = await withDeadline(finishing.store.get(sub, renderId), request.waitMs);
    if (record === undefined) return { ...unauthorizedWebhook('unknownRender'), renderId, sub };
    // Any unfinished status: the webhook also resolves a start whose answer the dispatcher lost.
    const finished = await withDeadline(
      finishRender(finishing, sub, renderId, completionFromWebhook(webhook, resources.now())),
      Math.max(timeLeft(request), MIN_RECORD_WRITE_MS),
    );
    // Not settled (an event not put, a hold not released): answer 502 so that Remotion's retry finishes it.
    if (!finished.settled) return { ...serviceFailure(finished.error, renderId), sub };
    const announced = finished.record?.eventPutAt !== undefined;
    const logMessage = !finished.endedNow ? 'Render completion already recorded' : announced ? 'Render completion recorded and announced' : 'Render completion recorded';
    return { status: 200, logMessage, renderId, sub, body: { message: 'Recorded' } };
  } catch (error) {
    return { ...serviceFailure(error, renderId), sub };
  }
}

/** A refused webhook learns nothing of why: the reason goes to the log only. */
function unauthorizedWebhook(refusal: WebhookRefusal): Outcome {
  return { status: 401, logMessage: 'Webhook refused', reason: refusal, body: { message: 'Unauthorized' } };
}
