import type { RenderHandlerConfig } from '../config';
import { withDeadline } from '../promises';
import { finishRender } from '../records/finish';
import { isFinal, type FinalStatus, type RenderRecord, type RenderRecordStatus } from '../records/record';
import { parseRenderId } from '../request';
import type { RemotionClient, RouteResources } from '../resources';
import { clientErrors } from '../responses';
import { finishDependencies } from './finishing';
import { rejected, serviceFailure, timeLeft, type Outcome, type RequestInfo } from './outcome';

/**
 * The first Remotion version whose client has `cancelRenderOnLambda` (and whose renders honour
 * `enableCancellation`): 4.0.515. Found by bisecting `npm view @remotion/lambda-client versions`
 * with `npm pack` and a grep of each tarball: 4.0.508 has no `cancelRenderOnLambda`, 4.0.515 has.
 */
export const FIRST_CANCELLING_REMOTION = '4.0.515';

/** Remotion's client from 4.0.515 on: it writes `renders/<id>/cancel.json` in the render's bucket. */
interface CancellingClient {
  readonly cancelRenderOnLambda: (input: { region: string; bucketName: string; renderId: string }) => Promise<void>;
}

function canCancel(client: RemotionClient): client is RemotionClient & CancellingClient {
  return typeof (client as Partial<CancellingClient>).cancelRenderOnLambda === 'function';
}

/**
 * The Remotion version of the deployed render function, from its name when it follows Remotion's
 * convention (`remotion-render-4-0-365-mem...`). Remotion refuses a client and a function of
 * different versions, so it is the installed client's version too.
 */
export function remotionVersionOfFunction(functionName: string): string | undefined {
  const match = /^remotion-render-(\d+)-(\d+)-(\d+)-/.exec(functionName);
  return match === null ? undefined : `${match[1]}.${match[2]}.${match[3]}`;
}

/** Remotion's refusal to cancel a render that was started without `enableCancellation`. */
export function isCancellationNotEnabledError(error: unknown): boolean {
  return error instanceof Error && /not started with enableCancellation/.test(error.message);
}

export const cancelMessages = {
  starting: 'The render is starting; try again in a few seconds',
  finished: (status: FinalStatus) => `The render has already ended: it is ${status}`,
  notEnabled: 'The render was started before cancelling was on; it runs to its end',
  tooOld: (installed: string | undefined) =>
    `Cancelling a running render needs Remotion ${FIRST_CANCELLING_REMOTION} or newer (cancelRenderOnLambda); this API runs Remotion ${installed ?? 'of an unknown version'}`,
} as const;

function conflict(message: string, renderId: string): Outcome {
  return { status: 409, logMessage: 'Request rejected', reason: message, renderId, body: { message } };
}

const cancelled = (renderId: string): Outcome =>
  ({ status: 200, logMessage: 'Render cancelled', renderId, body: { renderId, status: 'CANCELLED' } });

/**
 * `DELETE /renders/{renderId}`, owner only: the record is looked up in the caller's partition, so
 * anyone else's render (and an unknown id) is not found. A queued render ends `CANCELLED` at once
 * and never starts (the dispatcher finds it final and acks its message); a running one is
 * cancelled through Remotion's `cancelRenderOnLambda` where the installed Remotion has it. Every
 * cancel ends through `finishRender`: its holds released and one `Remotion Render Cancelled` event.
 */
export async function cancelRender(renderIdInPath: string | undefined, request: RequestInfo, resources: RouteResources): Promise<Outcome> {
  if (resources.recordsConfig() === undefined) return rejected(clientErrors.routeNotFound());
  const id = parseRenderId(renderIdInPath);
  if (!id.ok) return rejected(id.error);
  const renderId = id.value;
  const { sub } = request;
  try {
    const finishing = await finishDependencies(resources, request);
    const record = await withDeadline(finishing.store.get(sub, renderId), request.waitMs);
    if (record === undefined) return rejected(clientErrors.renderNotFound(), renderId);
    const end = (from: readonly RenderRecordStatus[]) => withDeadline(
      finishRender(finishing, sub, renderId, { status: 'CANCELLED', finishedAt: new Date(resources.now()).toISOString(), errors: [] }, from),
      timeLeft(request),
    );
    if (record.status === 'QUEUED') {
      const finished = await end(['QUEUED']);
      // The dispatcher claimed it in between: answer for what it is now.
      return finished.endedNow ? cancelled(renderId) : refusal(finished.record ?? record, renderId);
    }
    if (record.status !== 'RENDERING') return refusal(record, renderId);
    const client = await resources.remotionClient(timeLeft(request));
    if (!canCancel(client)) return conflict(cancelMessages.tooOld(remotionVersionOfFunction(resources.config().functionName)), renderId);
    try {
      await withDeadline(client.cancelRenderOnLambda(cancelInput(record, resources.config())), timeLeft(request));
    } catch (error) {
      if (isCancellationNotEnabledError(error)) return conflict(cancelMessages.notEnabled, renderId);
      throw error;
    }
    const finished = await end(['RENDERING']);
    return finished.endedNow ? cancelled(renderId) : refusal(finished.record ?? record, renderId);
  } catch (error) {
    return serviceFailure(error, renderId);
  }
}

/** The 409 of a render that cannot be cancelled as it stands. */
function refusal(record: RenderRecord, renderId: string): Outcome {
  if (isFinal(record.status)) return conflict(cancelMessages.finished(record.status), renderId);
  return conflict(cancelMessages.starting, renderId);
}

function cancelInput(record: RenderRecord, settings: Pick<RenderHandlerConfig, 'region'>): { region: string; bucketName: string; renderId: string } {
  if (record.bucketName === undefined) throw new Error(`The running render ${record.renderId} has no bucket in its record`);
  return { region: settings.region, bucketName: record.bucketName, renderId: record.remotionRenderId ?? record.renderId };
}
