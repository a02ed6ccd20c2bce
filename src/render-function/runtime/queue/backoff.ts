import { QUEUE_BACKOFF } from '../../contract';

/**
 * How long a deferred message stays invisible, in whole seconds: "equal jitter", half of
 * `min(cap, base · 2^(receiveCount − 1))` fixed and half random, so that renders deferred
 * together (a full budget, a throttle) do not all come back at the same moment.
 */
export function backoffSeconds(receiveCount: number, random: () => number = Math.random): number {
  const attempt = Number.isSafeInteger(receiveCount) && receiveCount > 0 ? receiveCount : 1;
  const ceiling = Math.min(QUEUE_BACKOFF.capSeconds, QUEUE_BACKOFF.baseSeconds * 2 ** Math.min(attempt - 1, 30));
  const half = ceiling / 2;
  return Math.max(1, Math.round(half + random() * half));
}
