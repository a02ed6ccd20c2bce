import { completionFromProgress, MAX_RECORDED_ERRORS } from '../../../../src/render-function/runtime/records/record';

const NOW = Date.parse('2026-03-01T10:00:00.000Z');
const COSTS = { accruedSoFar: 0.0042, displayCost: '$0.0042', currency: 'USD', disclaimer: '' };

function progress(overrides: Partial<Parameters<typeof completionFromProgress>[0]> = {}): Parameters<typeof completionFromProgress>[0] {
  return { done: false, fatalErrorEncountered: false, errors: [], outKey: null, costs: COSTS, timeoutTimestamp: NOW + 60_000, ...overrides };
}

const error = (message: string) => ({
  type: 'renderer' as const,
  name: 'Error',
  message,
  stack: '',
  frame: null,
  chunk: 1,
  isFatal: true,
  attempt: 1,
  willRetry: false,
  totalAttempts: 1,
  tmpDir: null,
  s3Location: '',
  explanation: null,
});

describe('completionFromProgress', () => {
  it('is undefined while the render runs within Remotion\'s timeout', () => {
    expect(completionFromProgress(progress(), NOW)).toBeUndefined();
  });

  it('is SUCCEEDED with the output key and cost once done', () => {
    expect(completionFromProgress(progress({ done: true, outKey: 'renders/abc/video.mp4' }), NOW)).toEqual({
      status: 'SUCCEEDED', finishedAt: '2026-03-01T10:00:00.000Z', errors: [], outputKey: 'renders/abc/video.mp4', cost: 0.0042, costCurrency: 'USD',
    });
  });

  it('is FAILED on a fatal error, even when Remotion also says done', () => {
    expect(completionFromProgress(progress({ done: true, fatalErrorEncountered: true }), NOW)?.status).toBe('FAILED');
  });

  it('is TIMED_OUT once past Remotion\'s own timeout without being done, so a lost completion ends', () => {
    expect(completionFromProgress(progress({ timeoutTimestamp: NOW - 1 }), NOW)?.status).toBe('TIMED_OUT');
  });

  it('keeps at most a few errors, each sanitized', () => {
    const errors = Array.from({ length: 8 }, (_, i) => error(`Chunk ${i} failed in arn:aws:lambda:us-east-1:123456789012:function:x\n at /var/task`));
    const completion = completionFromProgress(progress({ fatalErrorEncountered: true, errors }), NOW);
    expect(completion?.errors).toHaveLength(MAX_RECORDED_ERRORS);
    expect(completion?.errors[0]).toBe('Chunk 0 failed in [redacted]');
  });
});
