/**
 * The completion webhook end to end in the handler: the real `@remotion/lambda/client` starting
 * renders on the fake Remotion function, the webhook signed by Remotion's own signer, and moto on
 * loopback for DynamoDB (records, limits), Secrets Manager (the completion secret) and
 * EventBridge (a rule on the default bus that feeds an SQS queue, read back by the test).
 */
import { Template } from 'aws-cdk-lib/assertions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import * as aws4fetch from 'aws4fetch';
import { AuthenticatedRenderApi } from '../../../../src/api';
import { RemotionSite } from '../../../../src/remotion-lambda';
import { RENDER_ENV, RENDER_EVENT_SOURCE } from '../../../../src/render-function/contract';
import type { RequestLogRecord } from '../../../../src/render-function/runtime/log';
import { createEventPutter } from '../../../../src/render-function/runtime/records/events';
import { MAX_WEBHOOK_BODY_BYTES } from '../../../../src/render-function/runtime/records/webhook';
import { createRenderApiHandler, type RemotionClient } from '../../../../src/render-function/runtime/render-api';
import { createSecretReader } from '../../../../src/render-function/runtime/secrets';
import { captureEvents, captureMatching, motoJson } from '../../../moto/json-api';
import { MotoServer } from '../../../moto/moto-server';
import { allItems, createRecordsTable } from '../../../moto/records-table';
import { FAKE_REMOTION_BUCKET, FakeLambda } from '../fake-lambda';
import { calculateSignature, remotionWebhookPayload, signedRemotionWebhook } from '../remotion-webhook';
import { useRecordsServers } from './aws-environment';
import { newStack } from '../../../util';
import { API_DOMAIN, apiEvent, callerOf, CALLER_SUB, constructEnvironment, getRenderEvent, REMOTION_FUNCTION_NAME, SERVE_URL, startRenderEvent } from '../handler-events';

const TABLE = 'render-records';
/** The ARN moto gives the table; the construct hands the handler its table's ARN the same way. */
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:123456789012:table/${TABLE}`;
const SECRET_NAME = 'completion-webhook';
const SECRET_VALUE = 'k7Qw2Vx9Lm4Pz8Rt1Yb6Nc3Hd5Fg0Ja2Sx7Ue4Wi9Oq1Zr6';
const DEFAULT_BUS_ARN = 'arn:aws:events:us-east-1:123456789012:event-bus/default';
const T0 = Date.parse('2026-03-01T10:00:00.000Z');


let fake: FakeLambda;
let moto: MotoServer;
let secretArn: string;
let readEvents: () => Promise<Record<string, unknown>[]>;
useRecordsServers(TABLE, { name: SECRET_NAME, value: SECRET_VALUE }, (servers) => ({ fake, moto, secretArn, readEvents } = servers));

const loadRemotionClient = async (): Promise<RemotionClient> => jest.requireActual('@remotion/lambda/client');

function coldStart(envOverrides: Record<string, string | undefined> = {}) {
  const logs: RequestLogRecord[] = [];
  let clock = T0;
  const secretReads: string[] = [];
  const readSecret = createSecretReader(async () => aws4fetch);
  const handler = createRenderApiHandler({
    env: constructEnvironment({
      [RENDER_ENV.RECORDS_TABLE_NAME]: TABLE,
      [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: '1',
      [RENDER_ENV.LIMIT_RENDER_DEADLINE_SECONDS]: '180',
      [RENDER_ENV.COMPLETION_SECRET_ARN]: secretArn,
      [RENDER_ENV.EVENT_BUS]: DEFAULT_BUS_ARN,
      [RENDER_ENV.RECORDS_TABLE_ARN]: TABLE_ARN,
      ...envOverrides,
    }),
    loadRemotionClient,
    readSecretString: async (id, signal) => {
      secretReads.push(id);
      return readSecret(id, signal);
    },
    loadDynamoDb: async () => ({ client: jest.requireActual('@aws-sdk/client-dynamodb'), lib: jest.requireActual('@aws-sdk/lib-dynamodb') }),
    putEvent: createEventPutter(async () => aws4fetch),
    writeLog: (record) => logs.push(record),
    now: () => (clock += 1000),
  });
  const call = callerOf(handler);
  return { call, logs, secretReads };
}

type Call = ReturnType<typeof coldStart>['call'];

async function startRender(call: Call): Promise<string> {
  const { response, body } = await call(startRenderEvent({ composition: 'Intro' }));
  expect(response.statusCode).toBe(202);
  return String(body.renderId);
}

/** What Remotion's function sends when a render ends (serverless `handlers/launch.js`). */
function payload(type: 'success' | 'error' | 'timeout', renderId: string, sub = CALLER_SUB): Record<string, unknown> {
  const outputUrl = `https://s3.us-east-1.amazonaws.com/${FAKE_REMOTION_BUCKET}/renders/${renderId}/video.mp4`;
  return remotionWebhookPayload(type, { renderId, bucketName: FAKE_REMOTION_BUCKET, customData: { ownerSub: sub }, outputUrl });
}

/** The webhook request as API Gateway hands it to the function: no JWT, Remotion's headers. */
function webhookEvent(body: string, headers: Record<string, string>): APIGatewayProxyEventV2WithJWTAuthorizer {
  const event = apiEvent({ routeKey: 'POST /webhooks/remotion', method: 'POST', rawPath: '/webhooks/remotion', body, sub: null });
  return { ...event, headers: { 'content-type': 'application/json', ...headers } };
}

function signedWebhook(body: Record<string, unknown>, secret = SECRET_VALUE) {
  const signed = signedRemotionWebhook(body, secret);
  return webhookEvent(signed.body, signed.headers);
}

const recordOf = async (renderId: string) => (await allItems(TABLE)).find((item) => item.renderId === renderId);

describe('renders started with records carry this API\'s completion webhook', () => {
  it('points Remotion at POST /webhooks/remotion of the same API, signed with the completion secret, the owner in customData', async () => {
    const { call } = coldStart();
    await startRender(call);
    const [start] = fake.invocationsOfType('start');
    expect(start.payload.webhook).toEqual({
      url: `https://${API_DOMAIN}/webhooks/remotion`,
      secret: SECRET_VALUE,
      customData: { ownerSub: CALLER_SUB },
    });
  });

  it('leaves a user\'s own webhookUrl in charge and reads no completion secret for it', async () => {
    fake.putSecret('user-webhook-secret', 'user-secret-value');
    const { call, secretReads } = coldStart({
      [RENDER_ENV.WEBHOOK_URL]: 'https://hooks.example.com/remotion',
      [RENDER_ENV.WEBHOOK_SECRET_ARN]: 'user-webhook-secret',
    });
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = fake.url;
    try {
      await startRender(call);
    } finally {
      process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = moto.url;
    }
    const [start] = fake.invocationsOfType('start');
    expect(start.payload.webhook).toEqual({ url: 'https://hooks.example.com/remotion', secret: 'user-secret-value' });
    expect(secretReads).toEqual(['user-webhook-secret']);
  });
});

describe('POST /webhooks/remotion', () => {
  it('records a verified success, puts one Succeeded event with owner, render, bucket, output and cost, and answers 200', async () => {
    const { call } = coldStart();
    const renderId = await startRender(call);

    const { response, body } = await call(signedWebhook(payload('success', renderId)));

    expect(response.statusCode).toBe(200);
    expect(body).toEqual({ message: 'Recorded', requestId: 'api-request-1' });
    expect(await recordOf(renderId)).toMatchObject({ status: 'SUCCEEDED', finishedAt: expect.any(String), cost: 0.0042, costCurrency: 'USD', errors: [] });
    const events = await readEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      'source': RENDER_EVENT_SOURCE,
      'detail-type': 'Remotion Render Succeeded',
      'resources': [TABLE_ARN],
      'detail': {
        status: 'SUCCEEDED',
        renderId,
        ownerSub: CALLER_SUB,
        bucketName: FAKE_REMOTION_BUCKET,
        outputKey: `renders/${renderId}/renders-by-user/${CALLER_SUB}/video.mp4`,
        cost: 0.0042,
        costCurrency: 'USD',
      },
    });
  });

  it('records the webhook call the fake Remotion returns when a test completes the render, and the fake frees its Lambdas', async () => {
    const { call } = coldStart();
    const renderId = await startRender(call);
    expect(fake.lambdasInUse).toBeGreaterThan(0);

    const webhook = fake.completeRender(renderId, 'error')!;
    const { response } = await call(webhookEvent(webhook.body, webhook.headers));

    expect(webhook.url).toBe(`https://${API_DOMAIN}/webhooks/remotion`);
    expect(response.statusCode).toBe(200);
    expect(await recordOf(renderId)).toMatchObject({ status: 'FAILED' });
    expect(fake.lambdasInUse).toBe(0);
  });

  it('is idempotent: a repeated webhook answers 200, changes nothing and puts no second event', async () => {
    const { call } = coldStart();
    const renderId = await startRender(call);
    await call(signedWebhook(payload('success', renderId)));
    const recorded = await recordOf(renderId);
    await readEvents();

    const repeat = await call(signedWebhook(payload('error', renderId)));

    expect(repeat.response.statusCode).toBe(200);
    expect(await recordOf(renderId)).toEqual(recorded);
    expect(await readEvents()).toEqual([]);
  });

  it.each([
    ['error', 'FAILED', 'Remotion Render Failed'],
    ['timeout', 'TIMED_OUT', 'Remotion Render Timed Out'],
  ] as const)('records a %s as %s with sanitized errors and puts a "%s" event', async (type, status, detailType) => {
    const { call } = coldStart();
    const renderId = await startRender(call);
    expect((await call(signedWebhook(payload(type, renderId)))).response.statusCode).toBe(200);
    const record = await recordOf(renderId);
    expect(record).toMatchObject({ status, errors: type === 'error' ? ['Composition crashed in [redacted]'] : [] });
    expect(JSON.stringify(record)).not.toMatch(/\/var\/task|arn:aws:lambda/);
    const events = await readEvents();
    expect(events.map((event) => event['detail-type'])).toEqual([detailType]);
  });

  it('frees the owner\'s running slot, so a user at the limit may start again', async () => {
    const { call } = coldStart();
    const renderId = await startRender(call);
    expect((await call(startRenderEvent({ composition: 'Intro' }))).response.statusCode).toBe(429);

    await call(signedWebhook(payload('success', renderId)));

    expect((await call(startRenderEvent({ composition: 'Intro' }))).response.statusCode).toBe(202);
  });

  it('still puts the one event when a status read recorded the completion first', async () => {
    const { call } = coldStart();
    const renderId = await startRender(call);
    fake.updateRender(renderId, { done: true });
    await call(getRenderEvent(renderId, { queryStringParameters: { bucketName: FAKE_REMOTION_BUCKET } }));
    expect(await recordOf(renderId)).toMatchObject({ status: 'SUCCEEDED' });

    expect((await call(signedWebhook(payload('success', renderId)))).response.statusCode).toBe(200);
    expect((await call(signedWebhook(payload('success', renderId)))).response.statusCode).toBe(200);

    expect((await readEvents()).map((event) => event['detail-type'])).toEqual(['Remotion Render Succeeded']);
  });

  describe('refuses with a bare 401, changing nothing and putting no event', () => {
    const cases: ReadonlyArray<readonly [string, (renderId: string) => APIGatewayProxyEventV2WithJWTAuthorizer]> = [
      ['an unsigned webhook', (renderId) => webhookEvent(JSON.stringify(payload('success', renderId)), {})],
      ['one signed with another secret', (renderId) => signedWebhook(payload('success', renderId), 'not-the-secret')],
      ['one whose body changed after signing', (renderId) => {
        const signed = signedWebhook(payload('success', renderId));
        return { ...signed, body: signed.body!.replace('0.0042', '0.0001') };
      }],
      ['one over the body cap', (renderId) => signedWebhook({ ...payload('success', renderId), padding: 'x'.repeat(MAX_WEBHOOK_BODY_BYTES) })],
      ['a replay for a render that has no record', () => signedWebhook(payload('success', 'unknown0000'))],
      ['a render of another owner named in customData', (renderId) => signedWebhook(payload('success', renderId, '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'))],
    ];

    it.each(cases)('%s', async (_case, makeEvent) => {
      const { call, logs } = coldStart();
      const renderId = await startRender(call);

      const { response, body } = await call(makeEvent(renderId));

      expect(response.statusCode).toBe(401);
      expect(body).toEqual({ message: 'Unauthorized', requestId: 'api-request-1' });
      expect(await recordOf(renderId)).toMatchObject({ status: 'RENDERING' });
      expect(await readEvents()).toEqual([]);
      expect(logs.at(-1)).toMatchObject({ route: 'POST /webhooks/remotion', status: 401, level: 'warn' });
    });
  });

  it('answers 401 to a body of 5,000 nested arrays with a made-up signature, and logs it at warn level, not as an error', async () => {
    const { call, logs } = coldStart();
    const renderId = await startRender(call);
    const deep = `{"type":"success","renderId":"${renderId}","deep":${'['.repeat(5000)}${']'.repeat(5000)}}`;

    const { response, body } = await call(webhookEvent(deep, { 'x-remotion-signature': `sha512=${'0'.repeat(128)}` }));

    expect(response.statusCode).toBe(401);
    expect(body).toEqual({ message: 'Unauthorized', requestId: 'api-request-1' });
    expect(logs.at(-1)).toMatchObject({ status: 401, level: 'warn', reason: 'badSignature' });
    expect(logs.filter((log) => log.level === 'error')).toEqual([]);
  });

  it('records a correctly signed completion that carries 5,000 nested arrays, without a RangeError', async () => {
    const { call, logs } = coldStart();
    const renderId = await startRender(call);
    // Built as text: JSON.stringify itself throws a RangeError at this depth.
    const json = `${JSON.stringify(payload('success', renderId)).slice(0, -1)},"deep":${'['.repeat(5000)}${']'.repeat(5000)}}`;

    const { response } = await call(webhookEvent(json, { 'x-remotion-signature': calculateSignature(json, SECRET_VALUE) }));

    expect(response.statusCode).toBe(200);
    expect(await recordOf(renderId)).toMatchObject({ status: 'SUCCEEDED' });
    expect(logs.filter((log) => log.level === 'error')).toEqual([]);
  });

  it('verifies a base64-encoded body on its decoded bytes and records it', async () => {
    const { call } = coldStart();
    const renderId = await startRender(call);
    const signed = signedWebhook(payload('timeout', renderId));

    const { response } = await call({ ...signed, body: Buffer.from(signed.body!, 'utf8').toString('base64'), isBase64Encoded: true });

    expect(response.statusCode).toBe(200);
    expect(await recordOf(renderId)).toMatchObject({ status: 'TIMED_OUT' });
  });

  it('answers 502 with a request id when EventBridge fails, and puts the event on Remotion\'s retry', async () => {
    const { call } = coldStart({ [RENDER_ENV.EVENT_BUS]: 'arn:aws:events:us-east-1:123456789012:event-bus/not-yet' });
    const renderId = await startRender(call);

    const failed = await call(signedWebhook(payload('success', renderId)));
    expect(failed.response.statusCode).toBe(502);
    expect(failed.body).toEqual({ message: expect.any(String), requestId: 'api-request-1' });
    expect(await recordOf(renderId)).not.toHaveProperty('eventPutAt');

    await motoJson(moto.url, 'events', 'CreateEventBus', { Name: 'not-yet' });
    const readLater = await captureEvents(moto.url, RENDER_EVENT_SOURCE, 'not-yet');
    const retried = await call(signedWebhook(payload('success', renderId)));
    expect(retried.response.statusCode).toBe(200);
    expect((await readLater()).map((event) => event['detail-type'])).toEqual(['Remotion Render Succeeded']);
  });

  it('answers 500 and names the missing variable when the bus is set without the records table\'s ARN', async () => {
    const { call, logs } = coldStart({ [RENDER_ENV.RECORDS_TABLE_ARN]: undefined });
    const { response } = await call(signedWebhook(payload('success', 'abc')));
    expect(response.statusCode).toBe(500);
    expect(JSON.stringify(logs.at(-1))).toContain(RENDER_ENV.RECORDS_TABLE_ARN);
  });

  it('is not a route without records', async () => {
    const { call } = coldStart({ [RENDER_ENV.RECORDS_TABLE_NAME]: undefined });
    const { response } = await call(signedWebhook(payload('success', 'abc')));
    expect(response.statusCode).toBe(404);
  });
});

describe('a completion secret that cannot be read yet', () => {
  const LATER = 'completion-webhook-later';
  const createLater = () => motoJson(moto.url, 'secretsmanager', 'CreateSecret', { Name: LATER, SecretString: SECRET_VALUE });

  it('fails that webhook with 502 and is read again for Remotion\'s retry, which is recorded', async () => {
    // GIVEN a render with a record, and a cold handler whose completion secret does not exist yet
    const renderId = await startRender(coldStart().call);
    const { call, secretReads } = coldStart({ [RENDER_ENV.COMPLETION_SECRET_ARN]: LATER });

    // WHEN the webhook comes before the secret, and again after it
    const failed = await call(signedWebhook(payload('success', renderId)));
    await createLater();
    const retried = await call(signedWebhook(payload('success', renderId)));

    // THEN the failed read was not kept: the retry read the secret and recorded the completion
    expect(failed.response.statusCode).toBe(502);
    expect(retried.response.statusCode).toBe(200);
    expect(secretReads).toEqual([LATER, LATER]);
    expect(await recordOf(renderId)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('fails that start with 502 and is read again for the next start, which carries it', async () => {
    const { call, secretReads } = coldStart({ [RENDER_ENV.COMPLETION_SECRET_ARN]: LATER });

    const failed = await call(startRenderEvent({ composition: 'Intro' }));
    await createLater();
    const retried = await call(startRenderEvent({ composition: 'Intro' }));

    expect(failed.response.statusCode).toBe(502);
    expect(retried.response.statusCode).toBe(202);
    expect(secretReads).toEqual([LATER, LATER]);
    expect(fake.invocationsOfType('start').map((start) => (start.payload.webhook as { secret?: string }).secret)).toEqual([SECRET_VALUE]);
  });
});

describe('a repeated completion webhook and the running slots', () => {
  it('frees only the slot its render held: a repeat after the next render took the slot leaves that one taken', async () => {
    // GIVEN a user at a limit of 1 whose first render completed, so a second render took the slot
    const { call } = coldStart();
    const first = await startRender(call);
    expect((await call(signedWebhook(payload('success', first)))).response.statusCode).toBe(200);
    await startRender(call);

    // WHEN Remotion sends the first render's webhook again
    expect((await call(signedWebhook(payload('success', first)))).response.statusCode).toBe(200);

    // THEN the second render still holds the one slot
    const { response, body } = await call(startRenderEvent({ composition: 'Intro' }));
    expect(response.statusCode).toBe(429);
    expect(body.message).toMatch(/1 renders in progress/);
  });
});

/**
 * The event patterns of two APIs' `onRenderFinished` rules, as the construct synthesizes them for
 * one stack, with each table's ARN (a `Fn::GetAtt` in the template) replaced by the given one.
 */
function synthesizedPatterns(tableArns: readonly [string, string]): Record<string, unknown>[] {
  const stack = newStack({ env: { account: '123456789012', region: 'us-east-1' } });
  const site = RemotionSite.fromSiteAttributes(stack, 'Site', { serveUrl: SERVE_URL, remotionFunctionName: REMOTION_FUNCTION_NAME });
  const render = { site, compositions: ['Intro'] };
  const apis = ['First', 'Second'].map((id) => new AuthenticatedRenderApi(stack, id, { render }));
  const rules = apis.map((api) => api.onRenderFinished('Finished'));
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Properties: { EventPattern: unknown } }>;
  return rules.map((rule, i) => {
    const tableId = stack.getLogicalId(apis[i].records!.table.node.defaultChild as dynamodb.CfnTable);
    const pattern = JSON.stringify(resources[stack.getLogicalId(rule.node.defaultChild as events.CfnRule)].Properties.EventPattern);
    return JSON.parse(pattern.replaceAll(JSON.stringify({ 'Fn::GetAtt': [tableId, 'Arn'] }), JSON.stringify(tableArns[i])));
  });
}

describe('two APIs on one bus', () => {
  const OTHER_TABLE = 'render-records-other';
  const OTHER_TABLE_ARN = `arn:aws:dynamodb:us-east-1:123456789012:table/${OTHER_TABLE}`;

  it('each API\'s onRenderFinished rule, with the pattern the construct synthesizes, receives that API\'s events only', async () => {
    // GIVEN two APIs with their own tables, and their two synthesized rules on the default bus
    await createRecordsTable(OTHER_TABLE);
    const patterns = synthesizedPatterns([TABLE_ARN, OTHER_TABLE_ARN]);
    expect(patterns.map((pattern) => pattern.resources)).toEqual([[TABLE_ARN], [OTHER_TABLE_ARN]]);
    const [readFirst, readSecond] = await Promise.all(patterns.map((pattern) => captureMatching(moto.url, pattern)));
    const first = coldStart();
    const second = coldStart({ [RENDER_ENV.RECORDS_TABLE_NAME]: OTHER_TABLE, [RENDER_ENV.RECORDS_TABLE_ARN]: OTHER_TABLE_ARN });
    const firstRender = await startRender(first.call);
    const secondRender = await startRender(second.call);

    // WHEN each render's webhook reaches its own API
    expect((await first.call(signedWebhook(payload('success', firstRender)))).response.statusCode).toBe(200);
    expect((await second.call(signedWebhook(payload('error', secondRender)))).response.statusCode).toBe(200);

    // THEN each rule got its own API's one event, while a rule on the source alone got both
    const [firstEvents, secondEvents, all] = await Promise.all([readFirst(), readSecond(), readEvents()]);
    const seen = (received: Record<string, unknown>[]) => received.map((event) => [event.resources, (event.detail as { renderId: string }).renderId]);
    expect(seen(firstEvents)).toEqual([[[TABLE_ARN], firstRender]]);
    expect(seen(secondEvents)).toEqual([[[OTHER_TABLE_ARN], secondRender]]);
    expect(all).toHaveLength(2);
  });
});
