import { SERVICE_FAILURE_MESSAGE } from '../../../../src/render-function/runtime/responses';
import { listRenders } from '../../../../src/render-function/runtime/routes/list';
import { apiEvent, CALLER_SUB, OTHER_SUB } from '../handler-events';
import { fakeResources, RECORDS_ENV, REMOTION_BUCKET, requestInfo, startedRecord, T0 } from './fake-resources';

function listEvent(query?: Record<string, string>) {
  return apiEvent({ routeKey: 'GET /renders', method: 'GET', rawPath: '/renders', queryStringParameters: query });
}

describe('the list route', () => {
  it('lists the caller\'s own renders, newest first, with a token for the next page', async () => {
    const { resources, store } = fakeResources(RECORDS_ENV);
    await store.put(startedRecord(CALLER_SUB, 'r1'));
    await store.put(startedRecord(CALLER_SUB, 'r2', { minutes: 1 }));
    await store.put(startedRecord(OTHER_SUB, 'r3', { minutes: 2 }));
    const outcome = await listRenders(listEvent({ limit: '1' }), requestInfo(), resources);
    expect(outcome).toEqual({
      status: 200,
      logMessage: 'Renders listed',
      body: {
        renders: [{
          renderId: 'r2',
          status: 'RENDERING',
          composition: 'Intro',
          codec: 'h264',
          bucketName: REMOTION_BUCKET,
          outputKey: 'renders/r2/clip.mp4',
          createdAt: new Date(T0 + 60_000).toISOString(),
        }],
        nextToken: Buffer.from(JSON.stringify(['RENDER#r2', new Date(T0 + 60_000).toISOString()]), 'utf8').toString('base64url'),
      },
    });
  });

  it('is not found without records', async () => {
    const { resources } = fakeResources();
    const outcome = await listRenders(listEvent(), requestInfo(), resources);
    expect(outcome).toEqual({ status: 404, logMessage: 'Request rejected', reason: 'No such route', renderId: undefined, body: { message: 'No such route' } });
  });

  it('refuses a limit out of range with 400', async () => {
    const { resources } = fakeResources(RECORDS_ENV);
    const outcome = await listRenders(listEvent({ limit: '101' }), requestInfo(), resources);
    expect(outcome.status).toBe(400);
    expect(outcome.body).toEqual({ message: 'Invalid request parameters', errors: [{ field: 'limit', message: 'must be an integer from 1 to 100' }] });
  });

  it('answers 502 when the records cannot be read', async () => {
    const { resources, store } = fakeResources(RECORDS_ENV);
    store.failure = new Error('table unreachable');
    const outcome = await listRenders(listEvent(), requestInfo(), resources);
    expect(outcome).toEqual({ status: 502, logMessage: 'Rendering service failed', renderId: undefined, error: store.failure, body: { message: SERVICE_FAILURE_MESSAGE } });
  });
});
