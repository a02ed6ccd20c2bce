/** Raised when a call to Remotion or AWS takes longer than the handler may wait. */
export class DeadlineExceededError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`No answer within ${timeoutMs} ms`);
    this.name = 'DeadlineExceededError';
  }
}

/**
 * Settles like `work`, or rejects with `DeadlineExceededError` after `timeoutMs`. The work itself
 * keeps running (the SDK call cannot be cancelled from here); its late rejection is observed by
 * `Promise.race`, so it never becomes an unhandled rejection.
 */
export async function withDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `work` with a signal that is aborted after `timeoutMs`, and rejects with
 * `DeadlineExceededError` at that moment, whether or not the work heeds the signal. Work that
 * passes the signal to `fetch` stops its request there, so nothing is left waiting.
 */
export async function withAbortableDeadline<T>(work: (signal: AbortSignal) => Promise<T>, timeoutMs: number): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineExceededError(timeoutMs)), timeoutMs);
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  try {
    return await Promise.race([work(controller.signal), aborted]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Keeps the value of the first `load` that succeeds, as a value read once per cold start should
 * be. Only a success is kept: a load that fails (or is aborted at its deadline) is forgotten, and
 * the next caller starts a fresh one, so one hung or failed read never poisons the execution
 * environment. Callers that arrive while a load is running share it. `argument` is what the
 * first caller of a load passes (its deadline).
 */
export function cacheUntilFailure<T, A = void>(load: (argument: A) => Promise<T>): (argument: A) => Promise<T> {
  let cached: Promise<T> | undefined;
  return (argument) => {
    if (cached === undefined) {
      const attempt = load(argument);
      cached = attempt;
      attempt.catch(() => {
        if (cached === attempt) cached = undefined;
      });
    }
    return cached;
  };
}
