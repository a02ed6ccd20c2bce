/**
 * The API handler's routes with the render queue on, end to end: moto on loopback for DynamoDB
 * (records, holds, limits, idempotency), SQS (the render queue), Secrets Manager (the completion
 * secret) and EventBridge (a rule feeding a queue the test reads); the real `@remotion/lambda/client`
 * (newest and floor) against the fake Remotion for status reads and cancels.
 *
 * The dispatcher is not part of these tests: `startAsTheDispatcherWould` moves a queued render on
 * with the records' own operations (claim, budget, Remotion's real start, mark rendering), so the
 * routes meet the records a dispatcher leaves.
 */
import { createHash } from 'node:crypto';
import * as dynamodbModule from '@aws-sdk/client-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as sqsModule from '@aws-sdk/client-sqs';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import * as lib from '@aws-sdk/lib-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import * as aws4fetch from 'aws4fetch';
import { RENDER_ENV, RENDER_ROUTES, routeKeyOf, type QueuedRenderMessage } from '../../../../src/render-function/contract';
import { loadConfig } from '../../../../src/render-function/runtime/config';
import type { RequestLogRecord } from '../../../../src/render-function/runtime/log';
import { createEventPutter } from '../../../../src/render-function/runtime/records/events';
import { budgetKey, createCountedHolds, queuedKey } from '../../../../src/render-function/runtime/records/holds';
import { createRecordStore } from '../../../../src/render-function/runtime/records/store';
import { completionCustomData } from '../../../../src/render-function/runtime/records/webhook';
import { renderMediaInput } from '../../../../src/render-function/runtime/remotion-input';
import { createRenderApiHandler, type RemotionClient } from '../../../../src/render-function/runtime/render-api';
import { FIRST_CANCELLING_REMOTION } from '../../../../src/render-function/runtime/routes/cancel';
import { createSecretReader } from '../../../../src/render-function/runtime/secrets';
import { MotoServer } from '../../../moto/moto-server';
import { allItems } from '../../../moto/records-table';
import { FLOOR_REMOTION_VERSION, INSTALLED_REMOTION_VERSION } from '../../../remotion-versions';
import { FAKE_REMOTION_BUCKET, FakeLambda } from '../fake-lambda';
import { apiEvent, callerOf, CALLER_SUB, constructEnvironment, getRenderEvent, OTHER_SUB, REMOTION_FUNCTION_NAME, startRenderEvent } from '../handler-events';
import { remotionWebhookPayload, signedRemotionWebhook } from '../remotion-webhook';
import { useRecordsServers } from './aws-environment';

const TABLE = 'render-records';
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:123456789012:table/${TABLE}`;
const DEFAULT_BUS_ARN = 'arn:aws:events:us-east-1:123456789012:event-bus/default';
const SECRET_VALUE = 'k7Qw2Vx9Lm4Pz8Rt1Yb6Nc3Hd5Fg0Ja2Sx7Ue4Wi9Oq1Zr6';
const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const MAX_QUEUED = 20;
const MAX_QUEUE_AGE_SECONDS = 3600;
const RENDER_CONCURRENCY = 5;
const BUDGET = 60;
const UNITS = 1 + RENDER_CONCURRENCY;
const FLOOR_FUNCTION_NAME = `remotion-render-${FLOOR_REMOTION_VERSION.replace(/\./g, '-')}-mem2048mb-disk2048mb-120sec`;

let fake: FakeLambda;
let moto: MotoServer;
let queueUrl: string;
let secretArn: string;
let readEvents: () => Promise<Record<string, unknown>[]>;
useRecordsServers(TABLE, { name: 'completion-webhook', value: SECRET_VALUE }, (servers) => ({ fake, moto, secretArn, readEvents } = servers));

beforeEach(async () => {
  ({ QueueUrl: queueUrl } = await new SQSClient({}).send(new CreateQueueCommand({ QueueName: 'render-queue' })) as { QueueUrl: string });
});

const newestClient = (): RemotionClient => jest.requireActual('@remotion/lambda/client');
const floorClient = (): RemotionClient => jest.requireActual('remotion-lambda-floor/client');

/** A fresh handler with the queue on; `remotion` picks the Remotion client it loads. */
function coldStart(options: { env?: Record<string, string | undefined>; remotion?: () => RemotionClient } = {}) {
  const logs: RequestLogRecord[] = [];
  const secretReads: string[] = [];
  let clock = T0;
  let ids = 0;
  const readSecret = createSecretReader(async () => aws4fetch);
  const loadRemotionClient = jest.fn(async () => (options.remotion ?? newestClient)());
  const env = constructEnvironment({
    [RENDER_ENV.RECORDS_TABLE_NAME]: TABLE,
    [RENDER_ENV.RECORDS_RETENTION_SECONDS]: '604800',
    [RENDER_ENV.IDEMPOTENCY_ENABLED]: 'true',
    [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: '2',
    [RENDER_ENV.COMPLETION_SECRET_ARN]: secretArn,
    [RENDER_ENV.EVENT_BUS]: DEFAULT_BUS_ARN,
    [RENDER_ENV.RECORDS_TABLE_ARN]: TABLE_ARN,
    [RENDER_ENV.QUEUE_URL]: queueUrl,
    [RENDER_ENV.QUEUE_MAX_QUEUED_PER_USER]: String(MAX_QUEUED),
    [RENDER_ENV.QUEUE_MAX_AGE_SECONDS]: String(MAX_QUEUE_AGE_SECONDS),
    [RENDER_ENV.QUEUE_RENDER_CONCURRENCY]: String(RENDER_CONCURRENCY),
    [RENDER_ENV.BUDGET_MAX_LAMBDAS]: String(BUDGET),
    ...options.env,
  });
  const handler = createRenderApiHandler({
    env,
    loadRemotionClient,
    readSecretString: async (id, signal) => {
      secretReads.push(id);
      return readSecret(id, signal);
    },
    loadDynamoDb: async () => ({ client: { ...dynamodbModule, DynamoDBClient }, lib }),
    loadSqs: async () => sqsModule,
    loadIdempotency: async () => ({
      idempotency: jest.requireActual('@aws-lambda-powertools/idempotency'),
      dynamodb: jest.requireActual('@aws-lambda-powertools/idempotency/dynamodb'),
    }),
    putEvent: createEventPutter(async () => aws4fetch),
    writeLog: (record) => logs.push(record),
    now: () => (clock += 1000),
    randomId: () => `b3c1e7a2-5d4f-4e6a-9b8c-${String(++ids).padStart(12, '0')}`,
  });
  const call = callerOf(handler);
  return { call, logs, secretReads, loadRemotionClient, env, now: () => clock };
}

type Handler = ReturnType<typeof coldStart>;

async function queueRender(call: Handler['call'], sub = CALLER_SUB, headers: Record<string, string> = {}): Promise<string> {
  const event = startRenderEvent({ composition: 'Intro', inputProps: { title: 'Hi' } }, { sub });
  const { response, body } = await call({ ...event, headers: { ...event.headers, ...headers } });
  expect(response.statusCode).toBe(202);
  return String(body.renderId);
}

function deleteEvent(renderId: string, sub = CALLER_SUB): APIGatewayProxyEventV2WithJWTAuthorizer {
  const route = RENDER_ROUTES.cancelRender;
  return apiEvent({ routeKey: routeKeyOf(route), method: route.method, rawPath: `/renders/${renderId}`, pathParameters: { renderId }, sub });
}

/** Every message waiting in the render queue, with its system attributes; the messages stay in flight. */
async function queuedMessages(): Promise<Array<{ body: QueuedRenderMessage; groupId?: string }>> {
  const { Messages } = await new SQSClient({}).send(new ReceiveMessageCommand({
    QueueUrl: queueUrl,
    MaxNumberOfMessages: 10,
    MessageSystemAttributeNames: ['All'],
    VisibilityTimeout: 60,
  }));
  return (Messages ?? []).map((message) => ({ body: JSON.parse(message.Body!) as QueuedRenderMessage, groupId: message.Attributes?.MessageGroupId }));
}

const documents = () => DynamoDBDocumentClient.from(new DynamoDBClient({}));
const store = () => createRecordStore(TABLE, documents(), lib);
const holds = () => createCountedHolds(TABLE, documents(), lib);
const recordOf = (renderId: string, sub = CALLER_SUB) => store().get(sub, renderId);

/** The dispatcher's claim, alone: the record is STARTING, holding its budget units. */
async function claimAsTheDispatcherWould(renderId: string, sub = CALLER_SUB): Promise<void> {
  expect(await holds().reserve(budgetKey(REMOTION_FUNCTION_NAME), renderId, UNITS, BUDGET)).toBe('reserved');
  expect(await store().claimStart(sub, renderId, {
    attempt: 'attempt-1',
    now: T0,
    checkAt: T0 + 960_000,
    budgetPk: budgetKey(REMOTION_FUNCTION_NAME).pk,
    budgetUnits: UNITS,
  })).toBe(true);
}

/**
 * What the dispatcher does with a queued render (see docs/design/render-queue.md): claim it, hold
 * its units, start it on Remotion with our id in the webhook's customData, record Remotion's id,
 * free the queued place. Returns Remotion's id.
 */
async function startAsTheDispatcherWould(
  handler: Handler,
  renderId: string,
  options: { client?: RemotionClient; enableCancellation?: boolean; sub?: string } = {},
): Promise<string> {
  const sub = options.sub ?? CALLER_SUB;
  const message = (await queuedMessages()).find((candidate) => candidate.body.renderId === renderId)!.body;
  await claimAsTheDispatcherWould(renderId, sub);
  const input = renderMediaInput({
    config: loadConfig(handler.env),
    request: message.request,
    sub,
    uniqueId: message.uniqueId,
    completionWebhook: { url: message.completionWebhookUrl!, secret: SECRET_VALUE, customData: completionCustomData(sub, renderId) },
  });
  const client = options.client ?? newestClient();
  const started = await client.renderMediaOnLambda({ ...input, ...(options.enableCancellation && { enableCancellation: true }) });
  expect(await store().markRendering(sub, renderId, 'attempt-1', { remotionRenderId: started.renderId, bucketName: started.bucketName, checkAt: T0 + 960_000 })).toBe(true);
  await holds().release(queuedKey(sub), renderId, 1);
  return started.renderId;
}

describe('POST /renders with the queue', () => {
  it('writes one QUEUED record and sends one message of the contract\'s shape, without loading Remotion or reading a secret', async () => {
    const handler = coldStart();

    const { response, body } = await handler.call(startRenderEvent({ composition: 'Intro', inputProps: { title: 'Hi' } }));

    expect(response.statusCode).toBe(202);
    const renderId = 'b3c1e7a2-5d4f-4e6a-9b8c-000000000001';
    expect(body).toEqual({ renderId, status: 'QUEUED', statusUrl: `https://abc123.execute-api.us-east-1.amazonaws.com/renders/${renderId}`, requestId: 'api-request-1' });
    const records = (await allItems(TABLE)).filter((item) => String(item.sk).startsWith('RENDER#'));
    expect(records).toEqual([{
      pk: `USER#${CALLER_SUB}`,
      sk: `RENDER#${renderId}`,
      ownerSub: CALLER_SUB,
      renderId,
      composition: 'Intro',
      codec: 'h264',
      privacy: 'private',
      createdAt: expect.stringMatching(/^2026-03-01T10:00:\d{2}\.000Z$/),
      status: 'QUEUED',
      expiresAt: expect.any(Number),
      queuedHold: true,
      activeShard: 'ACTIVE',
      checkAt: new Date(Date.parse(String(records[0].createdAt)) + MAX_QUEUE_AGE_SECONDS * 1000).toISOString(),
    }]);
    const messages = await queuedMessages();
    expect(messages).toEqual([{
      body: {
        v: 1,
        renderId,
        sub: CALLER_SUB,
        request: { composition: 'Intro', codec: 'h264', inputProps: { title: 'Hi' }, outName: 'video.mp4' },
        uniqueId: renderId,
        completionWebhookUrl: 'https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/remotion',
        queuedAt: Date.parse(String(records[0].createdAt)),
      },
      groupId: createHash('sha256').update(CALLER_SUB).digest('hex'),
    }]);
    expect(await holds().read(queuedKey(CALLER_SUB))).toEqual({ used: 1, holds: { [renderId]: 1 } });
    expect(handler.loadRemotionClient).not.toHaveBeenCalled();
    expect(handler.secretReads).toEqual([]);
    expect(fake.invocations).toEqual([]);
  });

  it('plans the output key in the configured bucket under our id', async () => {
    const handler = coldStart({ env: { [RENDER_ENV.BUCKET_NAME]: 'my-render-bucket' } });

    const renderId = await queueRender(handler.call);

    expect(await recordOf(renderId)).toMatchObject({ bucketName: 'my-render-bucket', outputKey: `renders-by-user/${CALLER_SUB}/${renderId}/video.mp4` });
  });

  it('takes no running slot: more renders than maxRendersInProgress wait in the queue', async () => {
    const handler = coldStart();

    for (let i = 0; i < 3; i++) await queueRender(handler.call);

    expect((await allItems(TABLE)).filter((item) => String(item.sk).startsWith('LIMIT#RUN'))).toEqual([]);
  });

  it(`refuses the ${MAX_QUEUED + 1}st render of one user with a 429 that names their own queue, and still takes another user's`, async () => {
    const handler = coldStart();
    for (let i = 0; i < MAX_QUEUED; i++) await queueRender(handler.call);

    const { response, body } = await handler.call(startRenderEvent({ composition: 'Intro' }));

    expect(response.statusCode).toBe(429);
    expect(response.headers).toMatchObject({ 'retry-after': '30' });
    expect(body.message).toBe(`Your render queue is full: ${MAX_QUEUED} of your renders are waiting to start, the most allowed; queue another once one has started`);
    await queueRender(handler.call, OTHER_SUB);
    expect((await holds().read(queuedKey(CALLER_SUB)))?.used).toBe(MAX_QUEUED);
    const messages: unknown[] = [];
    for (let batch = await queuedMessages(); batch.length > 0; batch = await queuedMessages()) messages.push(...batch);
    expect(messages).toHaveLength(MAX_QUEUED + 1);
  }, 60_000);

  it('answers a repeated Idempotency-Key with the first 202 and sends no second message', async () => {
    const handler = coldStart();
    const event = startRenderEvent({ composition: 'Intro' });
    const keyed = { ...event, headers: { ...event.headers, 'idempotency-key': 'order-42' } };

    const first = await handler.call(keyed);
    const replay = await handler.call(keyed);

    expect(first.response.statusCode).toBe(202);
    expect(replay.response.statusCode).toBe(202);
    expect({ ...replay.body, requestId: undefined }).toEqual({ ...first.body, requestId: undefined });
    expect(await queuedMessages()).toHaveLength(1);
    expect((await holds().read(queuedKey(CALLER_SUB)))?.used).toBe(1);
  });

  it('ends the record FAILED, frees the place and answers 502 with the request id when the queue does not take the message', async () => {
    const handler = coldStart({ env: { [RENDER_ENV.QUEUE_URL]: `${moto.url}/123456789012/no-such-queue` } });

    const { response, body } = await handler.call(startRenderEvent({ composition: 'Intro' }));

    expect(response.statusCode).toBe(502);
    expect(body).toEqual({ message: 'The rendering service failed; try again later', requestId: 'api-request-1' });
    const renderId = 'b3c1e7a2-5d4f-4e6a-9b8c-000000000001';
    expect(await recordOf(renderId)).toMatchObject({ status: 'FAILED', errors: ['The render could not be queued; start it again'] });
    expect(await holds().read(queuedKey(CALLER_SUB))).toEqual({ used: 0, holds: {} });
    const events = await readEvents();
    expect(events.map((event) => [event['detail-type'], (event.detail as { renderId: string }).renderId])).toEqual([['Remotion Render Failed', renderId]]);
    expect(handler.logs[0]).toMatchObject({ status: 502, renderId, reason: 'The render could not be queued; start it again' });
  });
});

describe('GET /renders/{renderId} with the queue', () => {
  it('answers a queued render from its record, with no Remotion call', async () => {
    const handler = coldStart();
    const renderId = await queueRender(handler.call);

    const { response, body } = await handler.call(getRenderEvent(renderId));

    expect(response.statusCode).toBe(200);
    expect(body).toEqual({ renderId, status: 'QUEUED', done: false, overallProgress: 0, fatalErrorEncountered: false, errors: [], requestId: 'api-request-1' });
    expect(handler.loadRemotionClient).not.toHaveBeenCalled();
  });

  it('answers 404 for someone else\'s queued render, without asking Remotion', async () => {
    const handler = coldStart();
    const renderId = await queueRender(handler.call);

    const { response, body } = await handler.call(getRenderEvent(renderId, { sub: OTHER_SUB }));

    expect([response.statusCode, body.message]).toEqual([404, 'No such render']);
    expect(handler.loadRemotionClient).not.toHaveBeenCalled();
  });

  it('answers a starting render as RENDERING at no progress, with no Remotion call', async () => {
    const handler = coldStart();
    const renderId = await queueRender(handler.call);
    await claimAsTheDispatcherWould(renderId);

    const { body } = await handler.call(getRenderEvent(renderId));

    expect(body).toMatchObject({ renderId, status: 'RENDERING', done: false, overallProgress: 0 });
    expect(handler.loadRemotionClient).not.toHaveBeenCalled();
  });

  it('reads a running render\'s progress by Remotion\'s id in the record\'s bucket and answers with our id', async () => {
    const handler = coldStart({ env: { [RENDER_ENV.PROGRESS_FROM_BUCKET]: 'true' } });
    const renderId = await queueRender(handler.call);
    const remotionRenderId = await startAsTheDispatcherWould(handler, renderId);
    fake.s3Requests.length = 0;

    const { response, body } = await handler.call(getRenderEvent(renderId));

    expect(response.statusCode).toBe(200);
    expect(body).toMatchObject({ renderId, status: 'RENDERING', done: false });
    expect(JSON.stringify(body)).not.toContain(remotionRenderId);
    expect(fake.s3Requests).toEqual([{ method: 'GET', bucket: FAKE_REMOTION_BUCKET, key: `renders/${remotionRenderId}/progress.json` }]);
  });

  it('ends a render whose progress shows the end: SUCCEEDED, its units and place released, one event', async () => {
    const handler = coldStart();
    const renderId = await queueRender(handler.call);
    const remotionRenderId = await startAsTheDispatcherWould(handler, renderId);
    fake.completeRender(remotionRenderId);

    const first = await handler.call(getRenderEvent(renderId));
    const second = await handler.call(getRenderEvent(renderId));

    expect(first.body).toMatchObject({ renderId, status: 'SUCCEEDED', done: true });
    expect(second.body).toMatchObject({ renderId, status: 'SUCCEEDED', done: true });
    expect(await recordOf(renderId)).toMatchObject({ status: 'SUCCEEDED', remotionRenderId });
    expect(await holds().read(budgetKey(REMOTION_FUNCTION_NAME))).toEqual({ used: 0, holds: {} });
    expect((await readEvents()).map((event) => event['detail-type'])).toEqual(['Remotion Render Succeeded']);
  });
});

describe('DELETE /renders/{renderId}', () => {
  it('cancels a queued render: CANCELLED, its place released, one event, and the dispatcher can no longer claim it', async () => {
    const handler = coldStart();
    const renderId = await queueRender(handler.call);

    const { response, body } = await handler.call(deleteEvent(renderId));

    expect(response.statusCode).toBe(200);
    expect(body).toEqual({ renderId, status: 'CANCELLED', requestId: 'api-request-1' });
    expect(await recordOf(renderId)).toMatchObject({ status: 'CANCELLED' });
    expect(await holds().read(queuedKey(CALLER_SUB))).toEqual({ used: 0, holds: {} });
    const events = await readEvents();
    expect(events.map((event) => [event['detail-type'], (event.detail as { renderId: string }).renderId])).toEqual([['Remotion Render Cancelled', renderId]]);
    expect(await store().claimStart(CALLER_SUB, renderId, { attempt: 'late', now: T0, checkAt: T0, budgetPk: 'BUDGET#x', budgetUnits: UNITS })).toBe(false);
    expect(handler.loadRemotionClient).not.toHaveBeenCalled();
  });

  it(`cancels a running render on Remotion ${INSTALLED_REMOTION_VERSION}: the cancel marker at Remotion, CANCELLED, units released, one event`, async () => {
    const handler = coldStart();
    const renderId = await queueRender(handler.call);
    const remotionRenderId = await startAsTheDispatcherWould(handler, renderId, { enableCancellation: true });
    expect(fake.lambdasInUse).toBeGreaterThan(0);

    const { response, body } = await handler.call(deleteEvent(renderId));

    expect(response.statusCode).toBe(200);
    expect(body).toEqual({ renderId, status: 'CANCELLED', requestId: 'api-request-1' });
    expect(fake.cancelMarkers.map(({ bucket, key }) => ({ bucket, key }))).toEqual([{ bucket: FAKE_REMOTION_BUCKET, key: `renders/${remotionRenderId}/cancel.json` }]);
    expect(fake.lambdasInUse).toBe(0);
    expect(await recordOf(renderId)).toMatchObject({ status: 'CANCELLED' });
    expect(await holds().read(budgetKey(REMOTION_FUNCTION_NAME))).toEqual({ used: 0, holds: {} });
    expect((await readEvents()).map((event) => event['detail-type'])).toEqual(['Remotion Render Cancelled']);
  });

  it(`refuses a running render on Remotion ${FLOOR_REMOTION_VERSION} with a 409 naming ${FIRST_CANCELLING_REMOTION} and the installed version`, async () => {
    const handler = coldStart({ remotion: floorClient, env: { [RENDER_ENV.FUNCTION_NAME]: FLOOR_FUNCTION_NAME } });
    const renderId = await queueRender(handler.call);
    await startAsTheDispatcherWould(handler, renderId, { client: floorClient() });

    const { response, body } = await handler.call(deleteEvent(renderId));

    expect(response.statusCode).toBe(409);
    expect(body.message).toBe(`Cancelling a running render needs Remotion ${FIRST_CANCELLING_REMOTION} or newer (cancelRenderOnLambda); this API runs Remotion ${FLOOR_REMOTION_VERSION}`);
    expect(await recordOf(renderId)).toMatchObject({ status: 'RENDERING' });
    expect(fake.cancelMarkers).toEqual([]);
    expect(await readEvents()).toEqual([]);
  });

  it('refuses a running render started without enableCancellation with a 409 that says so, and leaves it running', async () => {
    const handler = coldStart();
    const renderId = await queueRender(handler.call);
    await startAsTheDispatcherWould(handler, renderId);

    const { response, body } = await handler.call(deleteEvent(renderId));

    expect(response.statusCode).toBe(409);
    expect(body.message).toBe('The render was started before cancelling was on; it runs to its end');
    expect(await recordOf(renderId)).toMatchObject({ status: 'RENDERING' });
    expect(fake.cancelMarkers).toEqual([]);
  });

  it('refuses a starting render with a 409 to try again, and a finished one with a 409 naming its status', async () => {
    const handler = coldStart();
    const starting = await queueRender(handler.call);
    await claimAsTheDispatcherWould(starting);
    const cancelledAlready = await queueRender(handler.call);
    await handler.call(deleteEvent(cancelledAlready));

    const toStarting = await handler.call(deleteEvent(starting));
    const toCancelled = await handler.call(deleteEvent(cancelledAlready));

    expect([toStarting.response.statusCode, toStarting.body.message]).toEqual([409, 'The render is starting; try again in a few seconds']);
    expect([toCancelled.response.statusCode, toCancelled.body.message]).toEqual([409, 'The render has already ended: it is CANCELLED']);
  });

  it('answers 404 for someone else\'s render and for an unknown id, and leaves the render queued', async () => {
    const handler = coldStart();
    const renderId = await queueRender(handler.call);

    const byOther = await handler.call(deleteEvent(renderId, OTHER_SUB));
    const unknown = await handler.call(deleteEvent('b3c1e7a2-5d4f-4e6a-9b8c-999999999999'));

    expect([byOther.response.statusCode, byOther.body.message]).toEqual([404, 'No such render']);
    expect([unknown.response.statusCode, unknown.body.message]).toEqual([404, 'No such render']);
    expect(await recordOf(renderId)).toMatchObject({ status: 'QUEUED' });
  });
});

describe('the completion webhook of a queued render', () => {
  it('finds the record by our id: SUCCEEDED with Remotion\'s id, units released, one event; a repeat puts none', async () => {
    const handler = coldStart();
    const renderId = await queueRender(handler.call);
    const remotionRenderId = await startAsTheDispatcherWould(handler, renderId);
    const webhook = fake.completeRender(remotionRenderId)!;
    const event = apiEvent({ routeKey: 'POST /webhooks/remotion', method: 'POST', rawPath: '/webhooks/remotion', body: webhook.body, sub: null });
    const delivery = { ...event, headers: { 'content-type': 'application/json', ...webhook.headers } };

    const first = await handler.call(delivery);
    const repeat = await handler.call(delivery);

    expect(JSON.parse(webhook.body)).toMatchObject({ renderId: remotionRenderId, customData: { ownerSub: CALLER_SUB, renderId } });
    expect([first.response.statusCode, repeat.response.statusCode]).toEqual([200, 200]);
    expect(await recordOf(renderId)).toMatchObject({ status: 'SUCCEEDED', remotionRenderId });
    expect(await holds().read(budgetKey(REMOTION_FUNCTION_NAME))).toEqual({ used: 0, holds: {} });
    const events = await readEvents();
    expect(events.map((e) => [e['detail-type'], (e.detail as { renderId: string; remotionRenderId: string })])).toEqual([
      ['Remotion Render Succeeded', expect.objectContaining({ renderId, remotionRenderId })],
    ]);
  });

  it('resolves a starting render whose start answer was lost, recording Remotion\'s id from the webhook', async () => {
    const handler = coldStart();
    const renderId = await queueRender(handler.call);
    await claimAsTheDispatcherWould(renderId);
    const signed = signedRemotionWebhook(remotionWebhookPayload('success', {
      renderId: 'abcdefghij',
      bucketName: FAKE_REMOTION_BUCKET,
      customData: completionCustomData(CALLER_SUB, renderId),
      outputUrl: `https://s3.us-east-1.amazonaws.com/${FAKE_REMOTION_BUCKET}/renders/abcdefghij/video.mp4`,
    }), SECRET_VALUE);
    const event = apiEvent({ routeKey: 'POST /webhooks/remotion', method: 'POST', rawPath: '/webhooks/remotion', body: signed.body, sub: null });

    const { response } = await handler.call({ ...event, headers: { 'content-type': 'application/json', ...signed.headers } });

    expect(response.statusCode).toBe(200);
    expect(await recordOf(renderId)).toMatchObject({ status: 'SUCCEEDED', remotionRenderId: 'abcdefghij' });
    expect(await holds().read(budgetKey(REMOTION_FUNCTION_NAME))).toEqual({ used: 0, holds: {} });
  });
});

describe('GET /renders with the queue', () => {
  it('lists queued and cancelled renders as such, and a starting one as RENDERING', async () => {
    const handler = coldStart();
    const queued = await queueRender(handler.call);
    const starting = await queueRender(handler.call);
    await claimAsTheDispatcherWould(starting);
    const cancelled = await queueRender(handler.call);
    await handler.call(deleteEvent(cancelled));

    const { body } = await handler.call(apiEvent({ routeKey: 'GET /renders', method: 'GET', rawPath: '/renders' }));

    expect((body.renders as Array<{ renderId: string; status: string }>).map(({ renderId, status }) => [renderId, status])).toEqual([
      [cancelled, 'CANCELLED'],
      [starting, 'RENDERING'],
      [queued, 'QUEUED'],
    ]);
  });
});
