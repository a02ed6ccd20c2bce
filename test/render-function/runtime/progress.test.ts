import { constructEnvironment, REMOTION_FUNCTION_NAME } from './handler-events';
import { RENDER_ENV } from '../../../src/render-function/contract';
import { loadConfig } from '../../../src/render-function/runtime/config';
import { isRefusedProgressRead, readRenderProgress } from '../../../src/render-function/runtime/progress';
import type { RemotionClient } from '../../../src/render-function/runtime/resources';

const RENDER = { renderId: 'abcdef1234', bucketName: 'remotionlambda-useast1-abcdef1234' };
const RUNNING = { done: false, overallProgress: 0.3, fatalErrorEncountered: false, errors: [] };

/** An S3 error the way the SDK raises it. */
function s3Error(name: string, httpStatusCode: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });
}

/** Records each `getRenderProgress` input and answers from the bucket with `fromBucket`, by invocation with `RUNNING`. */
function client(fromBucket: () => unknown) {
  const inputs: Array<Parameters<RemotionClient['getRenderProgress']>[0]> = [];
  const getRenderProgress = (async (input) => {
    inputs.push(input);
    return (input.skipLambdaInvocation ? fromBucket() : RUNNING) as never;
  }) as RemotionClient['getRenderProgress'];
  return { inputs, client: { getRenderProgress } };
}

const BASE_INPUT = { region: 'us-east-1', functionName: REMOTION_FUNCTION_NAME, ...RENDER };

describe('readRenderProgress', () => {
  it('reads from the bucket alone when the function name allows it', async () => {
    const { inputs, client: remotion } = client(() => RUNNING);
    const config = loadConfig(constructEnvironment({ [RENDER_ENV.PROGRESS_FROM_BUCKET]: 'true' }));
    expect(await readRenderProgress(remotion, config, RENDER)).toEqual({ progress: RUNNING, source: 'bucket' });
    expect(inputs).toEqual([{ ...BASE_INPUT, skipLambdaInvocation: true }]);
  });

  it('invokes the render function when the construct did not allow bucket reads', async () => {
    const { inputs, client: remotion } = client(() => RUNNING);
    expect(await readRenderProgress(remotion, loadConfig(constructEnvironment()), RENDER)).toEqual({ progress: RUNNING, source: 'invocation' });
    expect(inputs).toEqual([BASE_INPUT]);
  });

  it.each([
    ['a progress file that is missing', s3Error('NoSuchKey', 404)],
    ['a progress file the role may not read', s3Error('AccessDenied', 403)],
  ])('falls back to the invocation for %s', async (_, error) => {
    const { inputs, client: remotion } = client(() => {
      throw error;
    });
    const config = loadConfig(constructEnvironment({ [RENDER_ENV.PROGRESS_FROM_BUCKET]: 'true' }));
    expect(await readRenderProgress(remotion, config, RENDER)).toEqual({ progress: RUNNING, source: 'invocation' });
    expect(inputs).toEqual([{ ...BASE_INPUT, skipLambdaInvocation: true }, BASE_INPUT]);
  });

  it('passes any other failure of the bucket read on, without invoking', async () => {
    const failure = s3Error('SlowDown', 503);
    const { inputs, client: remotion } = client(() => {
      throw failure;
    });
    const config = loadConfig(constructEnvironment({ [RENDER_ENV.PROGRESS_FROM_BUCKET]: 'true' }));
    await expect(readRenderProgress(remotion, config, RENDER)).rejects.toBe(failure);
    expect(inputs).toHaveLength(1);
  });

  it('refuses a bucket answer that is not what Remotion documents', async () => {
    const { client: remotion } = client(() => ({ done: 'yes' }));
    const config = loadConfig(constructEnvironment({ [RENDER_ENV.PROGRESS_FROM_BUCKET]: 'true' }));
    await expect(readRenderProgress(remotion, config, RENDER)).rejects.toThrow(/^Remotion's progress answer is not what its client documents/);
  });
});

describe('isRefusedProgressRead', () => {
  it.each([
    [s3Error('NoSuchKey', 404), true],
    [s3Error('AccessDenied', 403), true],
    [s3Error('AccessDenied', 400), false],
    [s3Error('NoSuchBucket', 404), false],
    [new Error('No render with ID "x" found'), false],
    ['AccessDenied', false],
  ])('%p -> %p', (error, refused) => {
    expect(isRefusedProgressRead(error)).toBe(refused);
  });
});
