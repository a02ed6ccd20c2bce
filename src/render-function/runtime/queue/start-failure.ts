/**
 * What a failed `renderMediaOnLambda` means for the render, from the error Remotion's client
 * throws (it passes the Lambda client's errors through, one attempt per start):
 *
 * - `throttled`: Lambda refused the invocation for concurrency (429 `TooManyRequestsException`,
 *   "Rate Exceeded", `ConcurrentInvocationLimitExceeded`): nothing started, try again later;
 * - `refused`: Lambda answered with another 4xx (function not found, access denied, invalid
 *   parameter): nothing started, and trying again would fail the same way;
 * - `unknown`: anything else (a 5xx, the network, no answer in time, an error of Remotion's
 *   function or of its answer): the render may run, so it must never be started again.
 */
export type StartFailure = 'throttled' | 'refused' | 'unknown';

const THROTTLE_NAMES = new Set(['TooManyRequestsException', 'ConcurrentInvocationLimitExceeded', 'ThrottlingException']);

export function classifyStartFailure(error: unknown): StartFailure {
  if (typeof error !== 'object' || error === null) return 'unknown';
  const fields = error as { name?: unknown; message?: unknown; Reason?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const status = fields.$metadata?.httpStatusCode;
  if (
    status === 429
    || (typeof fields.name === 'string' && THROTTLE_NAMES.has(fields.name))
    || fields.Reason === 'ConcurrentInvocationLimitExceeded'
    || (typeof fields.message === 'string' && /Rate Exceeded|ConcurrentInvocationLimitExceeded/i.test(fields.message))
  ) {
    return 'throttled';
  }
  // Only an answer of the Lambda service itself proves the invocation never ran.
  if (typeof status === 'number' && status >= 400 && status < 500) return 'refused';
  return 'unknown';
}
