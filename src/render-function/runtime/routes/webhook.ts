import { withAbortableDeadline, withDeadline } from '../promises';
import {
  completionFromWebhook,
  MAX_WEBHOOK_BODY_BYTES,
  parseCompletionWebhook,
  renderFinishedEvent,
  verifyWebhookSignature,
  webhookBodyBytes,
  type WebhookRefusal,
} from '../records/webhook';
import type { RenderApiEvent } from '../request';
import { releaseRunningSlot, type RouteResources } from '../resources';
import { clientErrors } from '../responses';
import { MIN_RECORD_WRITE_MS, rejected, serviceFailure, startWait, timeLeft, type Outcome, type RenderApiContext, type RequestStart } from './outcome';

/**
 * `POST /webhooks/remotion`, Remotion's completion webhook: no JWT, so everything rests on the
 * signature. Anything not signed with the completion secret, too large, or for a render without a
 * record gets a bare 401. A verified one completes the record (first writer wins), frees the
 * caller's running slot and puts the render's one event; a repeat finds the event claimed and
 * answers 200.
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
    const store = await resources.recordStore();
    const record = await withDeadline(store.get(sub, renderId), request.waitMs);
    if (record === undefined) return { ...unauthorizedWebhook('unknownRender'), renderId, sub };
    if (record.status === 'RENDERING') {
      await withDeadline(store.complete(sub, renderId, completionFromWebhook(webhook, resources.now())), timeLeft(request));
    }
    await releaseRunningSlot(resources, sub, record, timeLeft(request));
    const events = records.events;
    const put = resources.putEvent;
    if (events === undefined || put === undefined) {
      return { status: 200, logMessage: 'Render completion recorded', renderId, sub, body: { message: 'Recorded' } };
    }
    const claimed = await withDeadline(store.claimEvent(sub, renderId, resources.now()), timeLeft(request));
    if (claimed === undefined) {
      return { status: 200, logMessage: 'Render completion already recorded', renderId, sub, body: { message: 'Recorded' } };
    }
    try {
      const entry = renderFinishedEvent(claimed, events.eventBus, events.tableArn);
      await withAbortableDeadline((signal) => put(entry, signal), Math.max(timeLeft(request), MIN_RECORD_WRITE_MS));
    } catch (error) {
      // Not put: take the claim back, and answer 502 so that Remotion's retry puts it.
      await store.releaseEventClaim(sub, renderId).catch(() => undefined);
      return { ...serviceFailure(error, renderId), sub };
    }
    return { status: 200, logMessage: 'Render completion recorded and announced', renderId, sub, body: { message: 'Recorded' } };
  } catch (error) {
    return { ...serviceFailure(error, renderId), sub };
  }
}

/** A refused webhook learns nothing of why: the reason goes to the log only. */
function unauthorizedWebhook(refusal: WebhookRefusal): Outcome {
  return { status: 401, logMessage: 'Webhook refused', reason: refusal, body: { message: 'Unauthorized' } };
}
