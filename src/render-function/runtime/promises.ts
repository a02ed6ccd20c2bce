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
 * Runs `load` once and shares its promise, as a value read once per cold start should be.
 * A failure is not kept: the next caller tries again, so one network blip does not break the
 * execution environment for its whole life.
 */
export function cacheUntilFailure<T>(load: () => Promise<T>): () => Promise<T> {
  let cached: Promise<T> | undefined;
  return () => {
    if (cached === undefined) {
      const attempt = load();
      cached = attempt;
      attempt.catch(() => {
        if (cached === attempt) cached = undefined;
      });
    }
    return cached;
  };
}
