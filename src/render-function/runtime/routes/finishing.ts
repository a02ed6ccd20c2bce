import { withAbortableDeadline } from '../promises';
import type { FinishDependencies } from '../records/finish';
import type { RouteResources } from '../resources';
import { MIN_RECORD_WRITE_MS, timeLeft, type RequestInfo } from './outcome';

/**
 * What `finishRender` needs, from the routes' resources (records on). The holds and the limits
 * are made without any call to AWS, so they are always handed over: a record names what it holds,
 * and only that is released. The event put is aborted at the request's deadline, with the least
 * time a finished render's event gets.
 */
export async function finishDependencies(resources: RouteResources, request: Pick<RequestInfo, 'waitUntil'>): Promise<FinishDependencies> {
  const records = resources.recordsConfig();
  if (records === undefined) throw new Error('Renders are finished through their records, and records are off');
  const [store, holds, limits] = await Promise.all([resources.recordStore(), resources.holds(), resources.limits()]);
  const put = resources.putEvent;
  return {
    store,
    holds,
    limits,
    events: records.events,
    putEvent: put && ((entry) => withAbortableDeadline((signal) => put(entry, signal), Math.max(timeLeft(request), MIN_RECORD_WRITE_MS))),
    now: resources.now,
    metrics: resources.metrics,
  };
}
