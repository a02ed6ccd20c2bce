import type { RenderHandlerConfig } from '../config';
import { readRenderProgress } from '../progress';
import { withDeadline } from '../promises';
import type { RenderRecord } from '../records/record';
import { finishedRecordBody, planRecordOutputLink, recordProgress } from '../records/records';
import { isRenderOwnedBy, isUnknownRenderError, planOutputLink, type OutputLinkPlan } from '../remotion-input';
import { parseRenderStatusRequest, type RenderApiEvent } from '../request';
import { releaseRunningSlot, type RemotionClient, type RouteResources } from '../resources';
import { clientErrors, renderStatusBody, type OutputLink } from '../responses';
import { rejected, serviceFailure, timeLeft, type Outcome, type RequestInfo } from './outcome';

/**
 * `GET /renders/{renderId}`: a finished render's answer from its record (no Remotion call), else
 * Remotion's progress of a render the caller owns (from the bucket when the function name allows
 * it, see `readRenderProgress`), which also completes the record.
 */
export async function getRender(
  event: RenderApiEvent,
  renderIdInPath: string | undefined,
  request: RequestInfo,
  resources: RouteResources,
): Promise<Outcome> {
  const settings = resources.config();
  const parsed = parseRenderStatusRequest(renderIdInPath, event.queryStringParameters, settings);
  if (!parsed.ok) return rejected(parsed.error);
  const { renderId } = parsed.value;
  const { sub } = request;
  let running: RenderRecord | undefined;
  try {
    const fromRecord = await readFinishedRecord(renderId, request, resources);
    if (fromRecord.outcome !== undefined) return fromRecord.outcome;
    running = fromRecord.running;
  } catch (error) {
    return serviceFailure(error, renderId);
  }
  const waitMs = timeLeft(request);

  const read = async () => {
    const client = await resources.remotionClient(waitMs);
    const { progress } = await readRenderProgress(client, settings, parsed.value);
    if (!isRenderOwnedBy(progress, sub)) return undefined;
    const output = await outputLink(planOutputLink(progress, settings), async () => client, resources.now);
    const body = renderStatusBody({ ...progress, renderId }, output);
    if (resources.recordsConfig() === undefined) return body;
    // The record catches up on the next read when this write fails; the caller still gets the status.
    const status = await resources.recordStore()
      .then((store) => recordProgress(store, sub, renderId, progress, resources.now()))
      .catch(() => undefined);
    if (status !== undefined && status !== 'RENDERING') await releaseRunningSlot(resources, sub, running);
    return status === undefined ? body : { ...body, status };
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

/** A finished render's answer from its record, or the running render's record to ask Remotion about. */
async function readFinishedRecord(
  renderId: string,
  request: RequestInfo,
  resources: RouteResources,
): Promise<{ outcome?: Outcome; running?: RenderRecord }> {
  if (resources.recordsConfig() === undefined) return {};
  const settings = resources.config();
  const record = await withDeadline(resources.recordStore().then((store) => store.get(request.sub, renderId)), request.waitMs);
  if (record === undefined) return {};
  if (record.status === 'RENDERING') return { running: record };
  const output = await outputLink(recordOutputPlan(record, settings), () => resources.remotionClient(timeLeft(request)), resources.now);
  return { outcome: { status: 200, logMessage: 'Render status read from its record', renderId, body: finishedRecordBody(record, output) } };
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
