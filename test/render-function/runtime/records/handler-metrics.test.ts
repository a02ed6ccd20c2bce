/**
 * The API handler's metrics, read from its stdout as CloudWatch would (every line checked against
 * the EMF specification), for a scripted sequence of requests with the render queue on: accepted,
 * replayed, refused for a full queue, cancelled, a forged webhook, and a request refused during
 * validation. moto for DynamoDB, SQS and Secrets Manager; Powertools' real Metrics.
 */
import * as dynamodbModule from '@aws-sdk/client-dynamodb';
import * as sqsModule from '@aws-sdk/client-sqs';
import * as lib from '@aws-sdk/lib-dynamodb';
import * as aws4fetch from 'aws4fetch';
import { RENDER_ENV, RENDER_METRICS, RENDER_ROUTES, routeKeyOf } from '../../../../src/render-function/contract';
import type { MetricsModule } from '../../../../src/render-function/runtime/metrics';
import { createRenderApiHandler } from '../../../../src/render-function/runtime/render-api';
import { createSecretReader } from '../../../../src/render-function/runtime/secrets';
import { EmfCapture, tally } from '../emf';
import { FakeLambda } from '../fake-lambda';
import { apiEvent, callerOf, CALLER_SUB, constructEnvironment, startRenderEvent } from '../handler-events';
import { useRecordsServers } from './aws-environment';

const TABLE = 'render-records';
const SERVICE = 'render-api-handler-tests';
const MAX_QUEUED = 2;

let fake: FakeLambda;
let secretArn: string;
useRecordsServers(TABLE, { name: 'completion-webhook', value: 'k7Qw2Vx9Lm4Pz8Rt1Yb6Nc3Hd5Fg0Ja2Sx7Ue4Wi9Oq1Zr6' }, (servers) => ({ fake, secretArn } = servers));

const emf = new EmfCapture();
beforeEach(() => {
  emf.clear();
  emf.start();
});
afterEach(() => emf.stop());

/** A fresh handler with the render queue on, or (`direct`) starting renders at once with at most one in progress per user. */
async function coldStart(mode: 'queued' | 'direct' = 'queued') {
  const { QueueUrl } = await new sqsModule.SQSClient({}).send(new sqsModule.CreateQueueCommand({ QueueName: 'render-queue' }));
  const queue = mode === 'direct' ? { [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: '1' } : {
    [RENDER_ENV.QUEUE_URL]: QueueUrl,
    [RENDER_ENV.QUEUE_MAX_QUEUED_PER_USER]: String(MAX_QUEUED),
    [RENDER_ENV.QUEUE_MAX_AGE_SECONDS]: '3600',
    [RENDER_ENV.QUEUE_RENDER_CONCURRENCY]: '5',
    [RENDER_ENV.BUDGET_MAX_LAMBDAS]: '60',
  };
  const loadMetrics = jest.fn(async () => jest.requireActual<MetricsModule>('@aws-lambda-powertools/metrics'));
  const handler = createRenderApiHandler({
    env: constructEnvironment({
      [RENDER_ENV.RECORDS_TABLE_NAME]: TABLE,
      [RENDER_ENV.RECORDS_RETENTION_SECONDS]: '604800',
      [RENDER_ENV.IDEMPOTENCY_ENABLED]: 'true',
      [RENDER_ENV.COMPLETION_SECRET_ARN]: secretArn,
      ...queue,
      [RENDER_ENV.METRICS_SERVICE]: SERVICE,
      [RENDER_ENV.METRICS_NAMESPACE]: RENDER_METRICS.namespace,
    }),
    loadRemotionClient: async () => jest.requireActual('@remotion/lambda/client'),
    readSecretString: createSecretReader(async () => aws4fetch),
    loadDynamoDb: async () => ({ client: dynamodbModule, lib }),
    loadSqs: async () => sqsModule,
    loadIdempotency: async () => ({
      idempotency: jest.requireActual('@aws-lambda-powertools/idempotency'),
      dynamodb: jest.requireActual('@aws-lambda-powertools/idempotency/dynamodb'),
    }),
    loadMetrics,
    writeLog: () => undefined,
  });
  return { call: callerOf(handler), loadMetrics };
}

const total = (name: string) => tally(emf.metrics(), name, { service: SERVICE }).sum;

it('loads no metrics module and writes no line for a request refused during validation', async () => {
  const { call, loadMetrics } = await coldStart();

  const { response } = await call(startRenderEvent({ composition: '' }));

  expect(response.statusCode).toBe(400);
  expect(loadMetrics).not.toHaveBeenCalled();
  expect(emf.lines()).toEqual([]);
});

it('counts accepted renders, a replay, a full queue\'s 429 by its limit, a cancel and a forged webhook, once each, as valid EMF', async () => {
  // GIVEN a caller who queues two renders (the first again with the same Idempotency-Key), then a third over the queue's limit
  const { call, loadMetrics } = await coldStart();
  const keyed = startRenderEvent({ composition: 'Intro' });
  const withKey = { ...keyed, headers: { ...keyed.headers, 'idempotency-key': 'order-42' } };
  const statuses: number[] = [];
  for (const event of [withKey, withKey, startRenderEvent({ composition: 'Intro' }), startRenderEvent({ composition: 'Intro' })]) {
    statuses.push((await call(event)).response.statusCode ?? 0);
  }
  // AND cancels the first, and someone posts an unsigned completion webhook
  const first = (await call(withKey)).body.renderId as string;
  const cancel = RENDER_ROUTES.cancelRender;
  const cancelled = await call(apiEvent({
    routeKey: routeKeyOf(cancel), method: cancel.method, rawPath: `/renders/${first}`, pathParameters: { renderId: first }, sub: CALLER_SUB,
  }));
  const webhook = apiEvent({ routeKey: 'POST /webhooks/remotion', method: 'POST', rawPath: '/webhooks/remotion', body: '{"type":"success"}', sub: null });
  const forged = await call({ ...webhook, headers: { 'content-type': 'application/json' } });

  expect(statuses).toEqual([202, 202, 202, 429]);
  expect([cancelled.response.statusCode, forged.response.statusCode]).toEqual([200, 401]);
  // THEN each is counted once, in the totals the alarms read
  expect(total(RENDER_METRICS.rendersAccepted.name)).toBe(2);
  expect(total(RENDER_METRICS.idempotentReplays.name)).toBe(2);
  expect(total(RENDER_METRICS.limitRefusals.name)).toBe(1);
  expect(total(RENDER_METRICS.rendersCancelled.name)).toBe(1);
  expect(total(RENDER_METRICS.webhookRefusals.name)).toBe(1);
  // AND the 429 by its limit too; a queued render has not started, so no start and no render time
  expect(tally(emf.metrics(), RENDER_METRICS.limitRefusals.name, { service: SERVICE, limit: 'queued' }).sum).toBe(1);
  expect(total(RENDER_METRICS.rendersStarted.name)).toBe(0);
  expect(tally(emf.metrics(), RENDER_METRICS.renderTime.name, { service: SERVICE }).count).toBe(0);
  // AND Powertools was loaded once for the whole sequence; each invocation wrote one totals line, the 429 one more with its limit
  expect(loadMetrics).toHaveBeenCalledTimes(1);
  expect(emf.lines()).toHaveLength(8);
  expect(fake.invocationsOfType('start')).toHaveLength(0);
}, 60_000);

it('counts a direct start as accepted and started, and a 429 of maxRendersInProgress by its limit', async () => {
  const { call } = await coldStart('direct');

  const first = await call(startRenderEvent({ composition: 'Intro' }));
  const second = await call(startRenderEvent({ composition: 'Intro' }));

  expect([first.response.statusCode, second.response.statusCode]).toEqual([202, 429]);
  expect(total(RENDER_METRICS.rendersAccepted.name)).toBe(1);
  expect(total(RENDER_METRICS.rendersStarted.name)).toBe(1);
  expect(total(RENDER_METRICS.limitRefusals.name)).toBe(1);
  expect(tally(emf.metrics(), RENDER_METRICS.limitRefusals.name, { service: SERVICE, limit: 'inProgress' }).sum).toBe(1);
  expect(fake.invocationsOfType('start')).toHaveLength(1);
});
