import { createHmac } from 'node:crypto';
import { RENDER_ENV } from '../../../../src/render-function/contract';
import { SERVICE_FAILURE_MESSAGE } from '../../../../src/render-function/runtime/responses';
import { receiveCompletion } from '../../../../src/render-function/runtime/routes/webhook';
import { apiEvent, CALLER_SUB } from '../handler-events';
import { fakeResources, RECORDS_ENV, startedRecord, T0 } from './fake-resources';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:completion';
const SECRET = 'completion-secret';
const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/render-records';
const WEBHOOK_ENV = {
  ...RECORDS_ENV,
  [RENDER_ENV.COMPLETION_SECRET_ARN]: SECRET_ARN,
  [RENDER_ENV.EVENT_BUS]: 'default',
  [RENDER_ENV.RECORDS_TABLE_ARN]: TABLE_ARN,
  [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: '1',
};
const START = { requestId: 'api-request-1', startedAt: T0 };

function webhookEvent(body: Record<string, unknown>, secret = SECRET) {
  const json = JSON.stringify(body);
  const event = apiEvent({ routeKey: 'POST /webhooks/remotion', method: 'POST', rawPath: '/webhooks/remotion', body: json, sub: null });
  const signature = `sha512=${createHmac('sha512', secret).update(json).digest('hex')}`;
  return { ...event, headers: { 'content-type': 'application/json', 'x-remotion-signature': signature } };
}

const SUCCESS = { type: 'success', renderId: 'r1', lambdaErrors: [], customData: { ownerSub: CALLER_SUB } };

function setUp(env: Record<string, string> = WEBHOOK_ENV, options: { putEvent?: boolean } = {}) {
  const fakes = fakeResources(env, { secrets: { [SECRET_ARN]: SECRET }, ...options });
  return { ...fakes, ready: fakes.store.put(startedRecord(CALLER_SUB, 'r1', { slot: true })) };
}

describe('the completion webhook route', () => {
  it('completes the record, frees the running slot and puts the render\'s one event', async () => {
    const { resources, store, limits, events, ready } = setUp();
    await ready;
    const outcome = await receiveCompletion(webhookEvent(SUCCESS), undefined, START, resources);
    expect(outcome).toEqual({ status: 200, logMessage: 'Render completion recorded and announced', renderId: 'r1', sub: CALLER_SUB, body: { message: 'Recorded' } });
    expect(store.records.get(`${CALLER_SUB}#r1`)).toMatchObject({ status: 'SUCCEEDED', finishedAt: new Date(T0).toISOString(), eventPutAt: new Date(T0).toISOString() });
    expect(limits.released).toEqual([{ sub: CALLER_SUB, slots: { holder: 'holder-1', running: 0 }, which: 'running' }]);
    expect(events.map((event) => [event.DetailType, event.EventBusName, event.Resources])).toEqual([['Remotion Render Succeeded', 'default', [TABLE_ARN]]]);
  });

  it('answers a repeat with 200 and puts no second event', async () => {
    const { resources, events, ready } = setUp();
    await ready;
    await receiveCompletion(webhookEvent(SUCCESS), undefined, START, resources);
    const repeat = await receiveCompletion(webhookEvent(SUCCESS), undefined, START, resources);
    expect(repeat).toEqual({ status: 200, logMessage: 'Render completion already recorded', renderId: 'r1', sub: CALLER_SUB, body: { message: 'Recorded' } });
    expect(events).toHaveLength(1);
  });

  it('records the completion without an event when the handler cannot put events', async () => {
    const { resources, events, ready } = setUp(WEBHOOK_ENV, { putEvent: false });
    await ready;
    const outcome = await receiveCompletion(webhookEvent(SUCCESS), undefined, START, resources);
    expect(outcome).toEqual({ status: 200, logMessage: 'Render completion recorded', renderId: 'r1', sub: CALLER_SUB, body: { message: 'Recorded' } });
    expect(events).toEqual([]);
  });

  it('refuses a body signed with another secret with a bare 401, and touches no record', async () => {
    const { resources, store, ready } = setUp();
    await ready;
    const outcome = await receiveCompletion(webhookEvent(SUCCESS, 'not-the-secret'), undefined, START, resources);
    expect(outcome).toEqual({ status: 401, logMessage: 'Webhook refused', reason: 'badSignature', body: { message: 'Unauthorized' } });
    expect(store.records.get(`${CALLER_SUB}#r1`)?.status).toBe('RENDERING');
  });

  it('refuses a signed webhook for a render without a record with a bare 401', async () => {
    const { resources, ready } = setUp();
    await ready;
    const outcome = await receiveCompletion(webhookEvent({ ...SUCCESS, renderId: 'r2' }), undefined, START, resources);
    expect(outcome).toEqual({ status: 401, logMessage: 'Webhook refused', reason: 'unknownRender', renderId: 'r2', sub: CALLER_SUB, body: { message: 'Unauthorized' } });
  });

  it('is not found without a completion secret', async () => {
    const { resources } = setUp(RECORDS_ENV);
    const outcome = await receiveCompletion(webhookEvent(SUCCESS), undefined, START, resources);
    expect(outcome).toEqual({ status: 404, logMessage: 'Request rejected', reason: 'No such route', renderId: undefined, body: { message: 'No such route' } });
  });

  it('takes the event claim back and answers 502 when the event cannot be put, so Remotion\'s retry puts it', async () => {
    const { resources, store, ready } = setUp();
    await ready;
    const failure = new Error('EventBridge unreachable');
    const outcome = await receiveCompletion(webhookEvent(SUCCESS), undefined, START, {
      ...resources,
      putEvent: async () => {
        throw failure;
      },
    });
    expect(outcome).toEqual({ status: 502, logMessage: 'Rendering service failed', renderId: 'r1', sub: CALLER_SUB, error: failure, body: { message: SERVICE_FAILURE_MESSAGE } });
    expect(store.records.get(`${CALLER_SUB}#r1`)?.eventPutAt).toBeUndefined();
  });
});
