import { cacheUntilFailure, DeadlineExceededError, withAbortableDeadline, withDeadline } from '../../../src/render-function/runtime/promises';

describe('withDeadline', () => {
  it('settles like the work when it is on time', async () => {
    await expect(withDeadline(Promise.resolve('done'), 1000)).resolves.toBe('done');
    await expect(withDeadline(Promise.reject(new Error('failed')), 1000)).rejects.toThrow('failed');
  });

  it('rejects with DeadlineExceededError when the work is late, and observes its late failure', async () => {
    let failLate: (error: Error) => void = () => undefined;
    const late = new Promise<never>((_, reject) => { failLate = reject; });

    await expect(withDeadline(late, 10)).rejects.toEqual(new DeadlineExceededError(10));
    failLate(new Error('late failure'));
    await new Promise((resolve) => setImmediate(resolve));
  });
});

describe('cacheUntilFailure', () => {
  it('runs the loader once and shares its promise', async () => {
    const load = jest.fn(async () => 'value');
    const cached = cacheUntilFailure(load);

    await expect(Promise.all([cached(), cached()])).resolves.toEqual(['value', 'value']);
    await cached();

    expect(load).toHaveBeenCalledTimes(1);
  });

  it('tries again after a failure', async () => {
    const load = jest.fn<Promise<string>, []>()
      .mockRejectedValueOnce(new Error('network blip'))
      .mockResolvedValueOnce('value');
    const cached = cacheUntilFailure(load);

    await expect(cached()).rejects.toThrow('network blip');
    await expect(cached()).resolves.toBe('value');
    await expect(cached()).resolves.toBe('value');
    expect(load).toHaveBeenCalledTimes(2);
  });
});

describe('withAbortableDeadline', () => {
  it('aborts the work\'s signal and rejects at the deadline, even when the work ignores the signal', async () => {
    let seen: AbortSignal | undefined;
    const never = (signal: AbortSignal) => {
      seen = signal;
      return new Promise<string>(() => undefined);
    };

    await expect(withAbortableDeadline(never, 20)).rejects.toEqual(new DeadlineExceededError(20));
    expect(seen?.aborted).toBe(true);
  });

  it('settles like the work when it is in time, leaving the signal alone', async () => {
    let seen: AbortSignal | undefined;
    await expect(withAbortableDeadline(async (signal) => {
      seen = signal;
      return 'done';
    }, 1000)).resolves.toBe('done');
    expect(seen?.aborted).toBe(false);
  });
});

describe('cacheUntilFailure with a hung load', () => {
  it('forgets a load that timed out, so the next caller loads again', async () => {
    const load = jest.fn<Promise<string>, [number]>()
      .mockImplementationOnce((waitMs) => withAbortableDeadline(() => new Promise<string>(() => undefined), waitMs))
      .mockResolvedValueOnce('value');
    const cached = cacheUntilFailure(load);

    await expect(cached(20)).rejects.toBeInstanceOf(DeadlineExceededError);
    await expect(cached(20)).resolves.toBe('value');
    await expect(cached(20)).resolves.toBe('value');
    expect(load).toHaveBeenCalledTimes(2);
  });
});
