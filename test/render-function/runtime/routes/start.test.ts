import { RENDER_ENV } from '../../../../src/render-function/contract';
import { startRender } from '../../../../src/render-function/runtime/routes/start';
import { API_DOMAIN, CALLER_SUB, startRenderEvent } from '../handler-events';
import { fakeResources, RECORDS_ENV, REMOTION_BUCKET, requestInfo, T0 } from './fake-resources';

const BODY = { composition: 'Intro', outName: 'clip.mp4' };
const STARTED_BODY = { renderId: 'r1', bucketName: REMOTION_BUCKET, statusUrl: `https://${API_DOMAIN}/renders/r1?bucketName=${REMOTION_BUCKET}` };
const LIMITED_ENV = { ...RECORDS_ENV, [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: '1' };

describe('the start route', () => {
  it('starts the render on Remotion under the caller\'s folder and answers 202 with the status URL', async () => {
    const { resources, remotion } = fakeResources();
    const outcome = await startRender(startRenderEvent(BODY), requestInfo(), resources);
    expect(outcome).toEqual({ status: 202, logMessage: 'Render started', renderId: 'r1', body: STARTED_BODY });
    expect(remotion.starts).toHaveLength(1);
    expect(remotion.starts[0]).toMatchObject({ composition: 'Intro', codec: 'h264', outName: `renders-by-user/${CALLER_SUB}/clip.mp4`, metadata: { ownerSub: CALLER_SUB } });
  });

  it('refuses a composition that is not allowed with 403 and calls no Remotion', async () => {
    const { resources, remotion } = fakeResources();
    const outcome = await startRender(startRenderEvent({ composition: 'Secret' }), requestInfo(), resources);
    expect(outcome).toEqual({
      status: 403,
      logMessage: 'Request rejected',
      reason: 'This composition may not be rendered',
      renderId: undefined,
      body: { message: 'This composition may not be rendered', errors: [{ field: 'composition', message: 'is not in the list of allowed compositions' }] },
    });
    expect(remotion.starts).toEqual([]);
  });

  it('answers 502 and starts nothing when no time is left to hear Remotion', async () => {
    const { resources, remotion } = fakeResources();
    const outcome = await startRender(startRenderEvent(BODY), requestInfo(CALLER_SUB, 0), resources);
    expect(outcome.status).toBe(502);
    expect(outcome.logMessage).toBe('Rendering service failed');
    expect(remotion.starts).toEqual([]);
  });

  it('records the started render with the running slot it took', async () => {
    const { resources, store, limits } = fakeResources(LIMITED_ENV);
    const outcome = await startRender(startRenderEvent(BODY), requestInfo(), resources);
    expect(outcome).toEqual({ status: 202, logMessage: 'Render started', renderId: 'r1', body: STARTED_BODY });
    expect(limits.acquired).toEqual([{ sub: CALLER_SUB, holder: 'unique-1' }]);
    expect(store.records.get(`${CALLER_SUB}#r1`)).toMatchObject({
      status: 'RENDERING',
      composition: 'Intro',
      outputKey: `renders/r1/renders-by-user/${CALLER_SUB}/clip.mp4`,
      createdAt: new Date(T0).toISOString(),
      limitHolder: 'unique-1',
      runSlot: 0,
    });
  });

  it('answers 429 with retry-after when the caller holds every slot, and starts nothing', async () => {
    const { resources, limits, remotion } = fakeResources(LIMITED_ENV);
    limits.outcome = () => ({ ok: false, limit: 'inProgress', max: 1, retryAfterSeconds: 42 });
    const outcome = await startRender(startRenderEvent(BODY), requestInfo(), resources);
    const message = 'You have 1 renders in progress, the most allowed; start another when one has finished';
    expect(outcome).toEqual({ status: 429, logMessage: 'Request rejected', reason: message, body: { message }, headers: { 'retry-after': '42' } });
    expect(remotion.starts).toEqual([]);
  });

  it('frees every slot it took when Remotion refuses the start', async () => {
    const { resources, limits, remotion } = fakeResources(LIMITED_ENV);
    remotion.startAnswer = async () => {
      throw new Error('Remotion is down');
    };
    const outcome = await startRender(startRenderEvent(BODY), requestInfo(), resources);
    expect(outcome.status).toBe(502);
    expect(limits.released).toEqual([{ sub: CALLER_SUB, slots: { holder: 'unique-1', running: 0, start: 0 }, which: 'all' }]);
  });

  it('answers 202 but logs an error when the started render\'s record cannot be written', async () => {
    const { resources, store } = fakeResources(RECORDS_ENV);
    store.failure = new Error('table unreachable');
    const outcome = await startRender(startRenderEvent(BODY), requestInfo(), resources);
    expect(outcome).toEqual({
      status: 202,
      logMessage: 'Render started, but its record could not be written',
      level: 'error',
      renderId: 'r1',
      body: STARTED_BODY,
      error: store.failure,
    });
  });

  it('gives the render this API\'s completion webhook under the mapping key the start came through', async () => {
    const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:completion';
    const { resources, remotion } = fakeResources({ ...RECORDS_ENV, [RENDER_ENV.COMPLETION_SECRET_ARN]: secretArn }, { secrets: { [secretArn]: 'completion-secret' } });
    const outcome = await startRender(startRenderEvent(BODY, { rawPath: '/video/renders' }), requestInfo(), resources);
    expect(outcome.body.statusUrl).toBe(`https://${API_DOMAIN}/video/renders/r1?bucketName=${REMOTION_BUCKET}`);
    expect(remotion.starts[0].webhook).toEqual({
      url: `https://${API_DOMAIN}/video/webhooks/remotion`,
      secret: 'completion-secret',
      customData: { ownerSub: CALLER_SUB },
    });
  });
});
