import type { RenderHandlerConfig } from '../config';
import { readRenderProgress } from '../progress';
import { withDeadline } from '../promises';
import { finishRender } from '../records/finish';
import { completionFromProgress, isFinal, type RenderRecord } from '../records/record';
import { finishedRecordBody, planRecordOutputLink, waitingRecordBody } from '../records/records';
import { isRenderOwnedBy, isUnknownRenderError, planOutputLink, type OutputLinkPlan } from '../remotion-input';
import { isOurRenderId, parseRenderId, parseRenderStatusRequest, type RenderApiEvent, type RenderStatusRequest } from '../request';
import type { RemotionClient, RouteResources } from '../resources';
import { clientErrors, renderStatusBody, type OutputLink } from '../responses';
import { finishDependencies } from './finishing';
import { rejected, serviceFailure, timeLeft, type Outcome, type RequestInfo } from './outcome';

/**
 * `GET /renders/{renderId}`, by the id `POST /renders` answered. With a record: a queued or starting
 * render's answer from it (no Remotion call), a finished render's too, and a running one's from
 * Remotion's progress of Remotion's id in the record's bucket (from the bucket alone when the
 * function name allows it, see `readRenderProgress`); a progress that shows the end ends the
 * render through `finishRender` (its holds released, its one event put). Without a record (records
 * off, renders from before the queue): Remotion's progress of a render the caller owns.
 */
export async function getRender(
  event: RenderApiEvent,
  renderIdInPath: string | undefined,
  request: RequestInfo,
  resources: RouteResources,
): Promise<Outcome> {
  const settings = resources.config();
  const id = parseRenderId(renderIdInPath);
  if (!id.ok) return rejected(id.error);
  const renderId = id.value;
  let record: RenderRecord | undefined;
  try {
    record = await readRecord(renderId, request, resources);
    if (record !== undefined && record.status !== 'RENDERING') return await answerFromRecord(record, request, resources);
  } catch (error) {
    return serviceFailure(error, renderId);
  }
  // Only a record knows our ids: without one in the caller's partition there is nothing to ask Remotion.
  if (record === undefined && isOurRenderId(renderId)) return rejected(clientErrors.renderNotFound(), renderId);
  let target: RenderStatusRequest;
  if (record?.bucketName !== undefined) {
    target = { renderId: record.remotionRenderId ?? record.renderId, bucketName: record.bucketName };
  } else {
    const parsed = parseRenderStatusRequest(renderId, event.queryStringParameters, settings);
    if (!parsed.ok) return rejected(parsed.error);
    target = parsed.value;
  }
  const waitMs = timeLeft(request);
  const { sub } = request;

  const read = async () => {
    const client = await resources.remotionClient(waitMs);
    const { progress } = await readRenderProgress(client, settings, target);
    // A record in the caller's partition proves the render is theirs; without one, Remotion's metadata must.
    if (record === undefined && !isRenderOwnedBy(progress, sub)) return undefined;
    const output = await outputLink(planOutputLink(progress, settings), async () => client, resources.now);
    // Our id, never Remotion's: the caller knows the render by the id it was answered.
    const body = renderStatusBody({ ...progress, renderId }, output);
    if (resources.recordsConfig() === undefined) return body;
    const completion = completionFromProgress(progress, resources.now());
    if (completion === undefined) return { ...body, status: 'RENDERING' };
    if (record === undefined) return { ...body, status: completion.status };
    // The record catches up on the next read (or the sweeper's) when this fails; the caller still gets the status.
    const finished = await finishDependencies(resources, request)
      .then((finishing) => finishRender(finishing, sub, renderId, { ...completion, remotionRenderId: target.renderId }, ['RENDERING']))
      .catch(() => undefined);
    const status = finished?.record !== undefined && isFinal(finished.record.status) ? finished.record.status : completion.status;
    return { ...body, status };
  };
  try {
    const body = await withDeadline(read(), waitMs);
    if (body === undefined) return rejected(clientErrors.renderNotFound(), renderId);
    return { status: 200, logMessage: 'Render status read', renderId, body };
  } catch (error) {
    if (isUnknownRenderError(error)) return rejected(clientErrors.renderNotFound(), renderId);
    return serviceFailure(error, renderId);
  }
}

/** The caller's record of the render, or undefined (none, or records off). */
async function readRecord(renderId: string, request: RequestInfo, resources: RouteResources): Promise<RenderRecord | undefined> {
  if (resources.recordsConfig() === undefined) return undefined;
  return withDeadline(resources.recordStore().then((store) => store.get(request.sub, renderId)), request.waitMs);
}

/** The answer of a render that waits (queued, starting) or has finished, from its record alone. */
async function answerFromRecord(record: RenderRecord, request: RequestInfo, resources: RouteResources): Promise<Outcome> {
  const { renderId } = record;
  if (!isFinal(record.status)) {
    return { status: 200, logMessage: 'Render status read from its record', renderId, body: waitingRecordBody(record) };
  }
  const output = await outputLink(recordOutputPlan(record, resources.config()), () => resources.remotionClient(timeLeft(request)), resources.now);
  return { status: 200, logMessage: 'Render status read from its record', renderId, body: finishedRecordBody(record, output) };
}

/** A finished record's link, planned like one from Remotion's progress. */
function recordOutputPlan(record: RenderRecord, settings: Pick<RenderHandlerConfig, 'region' | 'presignExpiresSeconds'>): OutputLinkPlan {
  const plan = planRecordOutputLink(record, settings.region);
  if (plan.kind !== 'presigned') return plan;
  return {
    kind: 'presigned',
    input: {
      region: settings.region as Parameters<RemotionClient['presignUrl']>[0]['region'],
      bucketName: plan.bucketName,
      objectKey: plan.objectKey,
      expiresInSeconds: settings.presignExpiresSeconds,
    },
  };
}

/**
 * The output link of a plan: none, the public URL, or one presigned by Remotion's client (signing
 * is local: the client computes the URL without calling AWS), with when it expires.
 */
async function outputLink(plan: OutputLinkPlan, client: () => Promise<RemotionClient>, now: () => number): Promise<OutputLink | undefined> {
  if (plan.kind === 'none') return undefined;
  if (plan.kind === 'public') return { url: plan.url };
  const remotion = await client();
  const expiresAt = new Date(now() + plan.input.expiresInSeconds * 1000).toISOString();
  return { url: await remotion.presignUrl(plan.input), expiresAt };
}
