import { RENDER_ENV } from '../../../../src/render-function/contract';
import type { RenderRecord } from '../../../../src/render-function/runtime/records/record';
import { SERVICE_FAILURE_MESSAGE } from '../../../../src/render-function/runtime/responses';
import { getRender } from '../../../../src/render-function/runtime/routes/get';
import { CALLER_SUB, getRenderEvent, OTHER_SUB, REMOTION_FUNCTION_NAME } from '../handler-events';
import { fakeResources, RECORDS_ENV, REMOTION_BUCKET, requestInfo, startedRecord, T0 } from './fake-resources';

const QUERY = { queryStringParameters: { bucketName: REMOTION_BUCKET } };
const EXPIRES_AT = new Date(T0 + 900 * 1000).toISOString();

function record(overrides: Partial<RenderRecord> = {}): RenderRecord {
  return { ...startedRecord(CALLER_SUB, 'r1', { slot: true }), ...overrides };
}

/** The answer for r1 once it succeeded, from its record or from Remotion. */
const SUCCEEDED_BODY = {
  renderId: 'r1',
  done: true,
  overallProgress: 1,
  fatalErrorEncountered: false,
  errors: [],
  status: 'SUCCEEDED',
  outputUrl: `https://signed.example/${REMOTION_BUCKET}/renders/r1/clip.mp4?expires=900`,
  outputUrlExpiresAt: EXPIRES_AT,
};

const DONE = {
  done: true,
  overallProgress: 1,
  fatalErrorEncountered: false,
  errors: [],
  outBucket: REMOTION_BUCKET,
  outKey: 'renders/r1/clip.mp4',
  renderMetadata: { privacy: 'private', metadata: { ownerSub: CALLER_SUB } },
};

describe('the get route', () => {
  it('answers a finished render from its record with a presigned link, and asks Remotion nothing', async () => {
    const { resources, store, remotion } = fakeResources(RECORDS_ENV);
    await store.put(record({ status: 'SUCCEEDED', finishedAt: new Date(T0).toISOString(), errors: [] }));
    const outcome = await getRender(getRenderEvent('r1', QUERY), 'r1', requestInfo(), resources);
    expect(outcome).toEqual({ status: 200, logMessage: 'Render status read from its record', renderId: 'r1', body: SUCCEEDED_BODY });
    expect(remotion.progressReads).toEqual([]);
  });

  it('links a public record\'s output by its S3 URL', async () => {
    const { resources, store } = fakeResources(RECORDS_ENV);
    await store.put(record({ status: 'SUCCEEDED', privacy: 'public' }));
    const outcome = await getRender(getRenderEvent('r1', QUERY), 'r1', requestInfo(), resources);
    expect(outcome.body.outputUrl).toBe(`https://s3.us-east-1.amazonaws.com/${REMOTION_BUCKET}/renders/r1/clip.mp4`);
    expect(outcome.body.outputUrlExpiresAt).toBeUndefined();
  });

  it('asks Remotion about a running render, completes its record and frees its running slot', async () => {
    const { resources, store, limits, remotion } = fakeResources({ ...RECORDS_ENV, [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: '1' });
    await store.put(record());
    remotion.progress = DONE;
    const outcome = await getRender(getRenderEvent('r1', QUERY), 'r1', requestInfo(), resources);
    expect(outcome).toEqual({ status: 200, logMessage: 'Render status read', renderId: 'r1', body: SUCCEEDED_BODY });
    expect(store.records.get(`${CALLER_SUB}#r1`)?.status).toBe('SUCCEEDED');
    expect(limits.released).toEqual([{ sub: CALLER_SUB, slots: { holder: 'holder-1', running: 0 }, which: 'running' }]);
  });

  it('reads Remotion without records, and frees no slot', async () => {
    const { resources, limits, remotion } = fakeResources();
    const outcome = await getRender(getRenderEvent('r1', QUERY), 'r1', requestInfo(), resources);
    expect(outcome.body).toEqual({ renderId: 'r1', done: false, overallProgress: 0.5, fatalErrorEncountered: false, errors: [] });
    expect(remotion.progressReads).toEqual([{ region: 'us-east-1', functionName: REMOTION_FUNCTION_NAME, bucketName: REMOTION_BUCKET, renderId: 'r1' }]);
    expect(limits.released).toEqual([]);
  });

  it('reads a running render\'s progress from the bucket when the construct allows it', async () => {
    const { resources, remotion } = fakeResources({ [RENDER_ENV.PROGRESS_FROM_BUCKET]: 'true' });
    const outcome = await getRender(getRenderEvent('r1', QUERY), 'r1', requestInfo(), resources);
    expect(outcome.body).toEqual({ renderId: 'r1', done: false, overallProgress: 0.5, fatalErrorEncountered: false, errors: [] });
    expect(remotion.progressReads).toEqual([{
      region: 'us-east-1', functionName: REMOTION_FUNCTION_NAME, bucketName: REMOTION_BUCKET, renderId: 'r1', skipLambdaInvocation: true,
    }]);
  });

  it('answers 404 for a render another caller started', async () => {
    const { resources, remotion } = fakeResources();
    remotion.progress = { ...DONE, renderMetadata: { metadata: { ownerSub: OTHER_SUB } } };
    const outcome = await getRender(getRenderEvent('r1', QUERY), 'r1', requestInfo(), resources);
    expect(outcome).toEqual({ status: 404, logMessage: 'Request rejected', reason: 'No such render', renderId: 'r1', body: { message: 'No such render' } });
  });

  it('refuses a render id that neither Remotion nor the queue could have made with 400', async () => {
    const { resources } = fakeResources();
    const outcome = await getRender(getRenderEvent('a-b', QUERY), 'a-b', requestInfo(), resources);
    expect(outcome.status).toBe(400);
    expect(outcome.body).toEqual({ message: 'Invalid request parameters', errors: [{ field: 'renderId', message: 'must be 1 to 32 letters or digits, or a UUID' }] });
  });

  it('answers 502 when the records cannot be read', async () => {
    const { resources, store } = fakeResources(RECORDS_ENV);
    store.failure = new Error('table unreachable');
    const outcome = await getRender(getRenderEvent('r1', QUERY), 'r1', requestInfo(), resources);
    expect(outcome).toEqual({ status: 502, logMessage: 'Rendering service failed', renderId: 'r1', error: store.failure, body: { message: SERVICE_FAILURE_MESSAGE } });
  });
});
