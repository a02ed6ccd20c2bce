import { withDeadline } from '../promises';
import { parseListRendersRequest } from '../records/list-request';
import { listRendersBody } from '../records/records';
import type { RenderApiEvent } from '../request';
import type { RouteResources } from '../resources';
import { clientErrors } from '../responses';
import { rejected, serviceFailure, type Outcome, type RequestInfo } from './outcome';

/** `GET /renders`: the caller's records, newest first, a page at a time; not found without records. */
export async function listRenders(event: RenderApiEvent, request: RequestInfo, resources: RouteResources): Promise<Outcome> {
  const records = resources.recordsConfig();
  if (records === undefined) return rejected(clientErrors.routeNotFound());
  const parsed = parseListRendersRequest(event.queryStringParameters, request.sub);
  if (!parsed.ok) return rejected(parsed.error);
  try {
    const store = await resources.recordStore();
    const deadlineMs = records.limits.renderDeadlineSeconds * 1000;
    const body = await withDeadline(listRendersBody(store, request.sub, parsed.value, resources.now(), deadlineMs), request.waitMs);
    return { status: 200, logMessage: 'Renders listed', body };
  } catch (error) {
    return serviceFailure(error);
  }
}
