import { withDeadline } from '../promises';
import { limitMessage, type HeldSlots } from '../records/limits';
import type { RouteResources } from '../resources';
import { serviceFailure, type Outcome, type RequestInfo } from './outcome';

/** A 429 with `Retry-After`. */
export function tooManyRequests(message: string, retryAfterSeconds: number): Outcome {
  return { status: 429, logMessage: 'Request rejected', reason: message, body: { message }, headers: { 'retry-after': String(retryAfterSeconds) } };
}

/**
 * Takes the caller's slots (when limits are on): the slots, a 429, or a 502 when the table failed.
 * `'start'` takes the start slot alone: a queued render's running slot is the dispatcher's.
 */
export async function takeSlots(
  request: RequestInfo,
  holder: string,
  resources: RouteResources,
  which: 'all' | 'start' = 'all',
): Promise<{ slots?: HeldSlots; refusal?: Outcome }> {
  const limitsConfig = resources.recordsConfig()?.limits;
  const counted = which === 'all' ? limitsConfig?.maxInProgress ?? limitsConfig?.maxStarts : limitsConfig?.maxStarts;
  if (limitsConfig === undefined || counted === undefined) return {};
  try {
    const taken = await withDeadline(resources.limits().then((l) => l.acquire(request.sub, holder, resources.now(), which)), request.waitMs);
    if (taken.ok) return { slots: taken.slots };
    resources.metrics?.add('limitRefusals', 1, taken.limit);
    return { refusal: tooManyRequests(limitMessage(taken.limit, taken.max, limitsConfig.windowSeconds), taken.retryAfterSeconds) };
  } catch (error) {
    return { refusal: serviceFailure(error) };
  }
}

/** Gives back every slot a start took that never happened; a failed release only delays a slot. */
export async function giveBackSlots(resources: RouteResources, sub: string, slots: HeldSlots | undefined): Promise<void> {
  if (slots === undefined) return;
  await resources.limits().then((l) => l.release(sub, slots, 'all')).catch(() => undefined);
}
