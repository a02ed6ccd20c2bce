/**
 * The handler's render records end to end: the real `@remotion/lambda/client` talking to the fake
 * Remotion function, and the real AWS SDK DynamoDB client talking to moto on loopback.
 */
import * as dynamodbModule from '@aws-sdk/client-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import * as aws4fetch from 'aws4fetch';
import { RENDER_ENV } from '../../../../src/render-function/contract';
import type { RequestLogRecord } from '../../../../src/render-function/runtime/log';
import { createRenderApiHandler, type RemotionClient } from '../../../../src/render-function/runtime/render-api';
import { createSecretReader } from '../../../../src/render-function/runtime/secrets';
import { MotoServer } from '../../../moto/moto-server';
import { allItems, createRecordsTable } from '../../../moto/records-table';
import { FAKE_REMOTION_BUCKET, FakeLambda } from '../fake-lambda';
import { recordsTestEnvironment } from './aws-environment';
import { apiEvent, callerOf, CALLER_SUB, constructEnvironment, getRenderEvent, OTHER_SUB, startRenderEvent } from '../handler-events';

const TABLE = 'render-records';
const RETENTION_SECONDS = 7 * 24 * 3600;
const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const LEAKS = /arn:aws|123456789012|stack|\/var\/task|ResourceNotFound|render-records/i;

let fake: FakeLambda;
let moto: MotoServer;
const originalEnv = process.env;

beforeAll(async () => {
  [fake, moto] = await Promise.all([FakeLambda.start(), MotoServer.start()]);
  process.env = recordsTestEnvironment(originalEnv, moto, fake);
}, 30_000);

beforeEach(async () => {
  fake.reset();
  await moto.reset();
  await createRecordsTable(TABLE);
});

afterAll(async () => {
  await Promise.all([fake.close(), moto?.stop()]);
  process.env = originalEnv;
});

const loadRemotionClient = jest.fn(async (): Promise<RemotionClient> => jest.requireActual('@remotion/lambda/client'));

/** A fresh handler with records on, its DynamoDB client `dynamoDbClient`; its clock moves one second per reading, so records sort by start. */
function coldStart(envOverrides: Record<string, string | undefined> = {}, dynamoDbClient: typeof DynamoDBClient = DynamoDBClient) {
  const logs: RequestLogRecord[] = [];
  let clock = T0;
  let ids = 0;
  const handler = createRenderApiHandler({
    env: constructEnvironment({
      [RENDER_ENV.RECORDS_TABLE_NAME]: TABLE,
      [RENDER_ENV.RECORDS_RETENTION_SECONDS]: String(RETENTION_SECONDS),
      [RENDER_ENV.IDEMPOTENCY_ENABLED]: 'true',
      ...envOverrides,
    }),
    loadRemotionClient,
    readSecretString: createSecretReader(async () => aws4fetch),
    loadDynamoDb: async () => ({ client: { ...dynamodbModule, DynamoDBClient: dynamoDbClient }, lib: jest.requireActual('@aws-sdk/lib-dynamodb') }),
    loadIdempotency: async () => ({
      idempotency: jest.requireActual('@aws-lambda-powertools/idempotency'),
      dynamodb: jest.requireActual('@aws-lambda-powertools/idempotency/dynamodb'),
    }),
    writeLog: (record) => logs.push(record),
    now: () => (clock += 1000),
    randomId: () => `b3c1e7a2-5d4f-4e6a-9b8c-${String(++ids).padStart(12, '0')}`,
  });
  const call = callerOf(handler);
  const advance = (ms: number) => {
    clock += ms;
  };
  return { call, logs, advance };
}

type Call = ReturnType<typeof coldStart>['call'];

async function startRender(call: Call, sub = CALLER_SUB, composition = 'Intro'): Promise<string> {
  const { response, body } = await call(startRenderEvent({ composition }, { sub }));
  expect(response.statusCode).toBe(202);
  return String(body.renderId);
}

function listEvent(sub: string, query?: Record<string, string>) {
  return apiEvent({ routeKey: 'GET /renders', method: 'GET', rawPath: '/renders', sub, queryStringParameters: query });
}

const statusOf = (renderId: string, sub = CALLER_SUB) =>
  getRenderEvent(renderId, { sub, queryStringParameters: { bucketName: FAKE_REMOTION_BUCKET } });

describe('POST /renders with records', () => {
  it('writes one RENDERING record with owner, render, bucket, composition, codec, output location, times and TTL', async () => {
    const { call } = coldStart();

    const renderId = await startRender(call);

    const items = await allItems(TABLE);
    expect(items).toHaveLength(1);
    const [record] = items;
    expect(record).toEqual({
      pk: `USER#${CALLER_SUB}`,
      sk: `RENDER#${renderId}`,
      ownerSub: CALLER_SUB,
      renderId,
      remotionRenderId: renderId,
      bucketName: FAKE_REMOTION_BUCKET,
      composition: 'Intro',
      codec: 'h264',
      privacy: 'private',
      outputKey: `renders/${renderId}/renders-by-user/${CALLER_SUB}/video.mp4`,
      createdAt: expect.stringMatching(/^2026-03-01T10:00:\d{2}\.000Z$/),
      status: 'RENDERING',
      expiresAt: Math.floor(Date.parse(String(record.createdAt)) / 1000) + RETENTION_SECONDS,
    });
  });

  it('records the full key under the caller\'s folder when the bucket is configured', async () => {
    const { call } = coldStart({ [RENDER_ENV.BUCKET_NAME]: 'my-render-bucket' });

    await startRender(call);

    const [record] = await allItems(TABLE);
    expect(record).toMatchObject({
      bucketName: 'my-render-bucket',
      outputKey: `renders-by-user/${CALLER_SUB}/b3c1e7a2-5d4f-4e6a-9b8c-000000000001/video.mp4`,
    });
  });

  it('still answers 202 when the record cannot be written, and logs an error naming the render', async () => {
    const { call, logs } = coldStart({ [RENDER_ENV.RECORDS_TABLE_NAME]: 'no-such-table' });

    const { response, body } = await call(startRenderEvent({ composition: 'Intro' }));

    expect(response.statusCode).toBe(202);
    expect(fake.invocationsOfType('start')).toHaveLength(1);
    expect(JSON.stringify(body)).not.toMatch(LEAKS);
    expect(logs).toEqual([expect.objectContaining({
      level: 'error',
      status: 202,
      renderId: body.renderId,
      message: 'Render started, but its record could not be written',
      error: expect.objectContaining({ name: 'ResourceNotFoundException' }),
    })]);
  });
});

describe('GET /renders', () => {
  it('lists only the caller\'s own renders, newest first', async () => {
    const { call } = coldStart();
    const first = await startRender(call, CALLER_SUB, 'Intro');
    await startRender(call, OTHER_SUB);
    const second = await startRender(call, CALLER_SUB, 'Outro');

    const { response, body } = await call(listEvent(CALLER_SUB));

    expect(response.statusCode).toBe(200);
    expect(body).toEqual({
      renders: [
        expect.objectContaining({ renderId: second, composition: 'Outro', status: 'RENDERING', codec: 'h264', bucketName: FAKE_REMOTION_BUCKET }),
        expect.objectContaining({ renderId: first, composition: 'Intro', status: 'RENDERING' }),
      ],
      requestId: 'api-request-1',
    });
    const listed = (body.renders as Record<string, unknown>[])[0];
    expect(Object.keys(listed).sort()).toEqual(['bucketName', 'codec', 'composition', 'createdAt', 'outputKey', 'renderId', 'status']);
  });

  it('pages through every render exactly once with limit and nextToken', async () => {
    const { call } = coldStart();
    const started: string[] = [];
    for (let i = 0; i < 5; i++) started.push(await startRender(call));

    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const { response, body } = await call(listEvent(CALLER_SUB, { limit: '2', ...(nextToken && { nextToken }) }));
      expect(response.statusCode).toBe(200);
      const renders = body.renders as Array<{ renderId: string }>;
      expect(renders.length).toBeLessThanOrEqual(2);
      seen.push(...renders.map((render) => render.renderId));
      nextToken = body.nextToken as string | undefined;
      pages++;
    } while (nextToken !== undefined && pages < 10);

    expect(seen).toEqual([...started].reverse());
  });

  it('reads only the caller\'s partition with a token taken from another user', async () => {
    // GIVEN the caller's render is older than the other user's, so it lies after the token's position
    const { call } = coldStart();
    const mine = await startRender(call, CALLER_SUB);
    for (let i = 0; i < 3; i++) await startRender(call, OTHER_SUB);
    const othersPage = await call(listEvent(OTHER_SUB, { limit: '1' }));
    const token = String(othersPage.body.nextToken);

    // WHEN the caller sends the other user's token
    const { response, body } = await call(listEvent(CALLER_SUB, { nextToken: token }));

    // THEN the page comes from the caller's own partition
    expect(response.statusCode).toBe(200);
    expect((body.renders as Array<{ renderId: string }>).map((render) => render.renderId)).toEqual([mine]);
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ nextToken: 'not-a-token' }, 'nextToken'],
    [{ nextToken: Buffer.from(JSON.stringify(['USER#someone-else', '2026-03-01T10:00:00.000Z'])).toString('base64url') }, 'nextToken'],
  ])('answers 400 naming the field for %j', async (query, field) => {
    const { call } = coldStart();

    const { response, body } = await call(listEvent(CALLER_SUB, query));

    expect(response.statusCode).toBe(400);
    expect(body).toMatchObject({ errors: [expect.objectContaining({ field })] });
  });

  it('shows a render whose completion was lost as TIMED_OUT once past Remotion\'s timeout', async () => {
    const { call, advance } = coldStart({ [RENDER_ENV.LIMIT_RENDER_DEADLINE_SECONDS]: '180' });
    const renderId = await startRender(call);

    const before = await call(listEvent(CALLER_SUB));
    advance(181_000);
    const after = await call(listEvent(CALLER_SUB));

    expect(before.body.renders).toEqual([expect.objectContaining({ renderId, status: 'RENDERING' })]);
    expect(after.body.renders).toEqual([expect.objectContaining({ renderId, status: 'TIMED_OUT' })]);
  });

  it('answers 502 without details when the table cannot be read', async () => {
    const { call, logs } = coldStart({ [RENDER_ENV.RECORDS_TABLE_NAME]: 'no-such-table' });

    const { response, body } = await call(listEvent(CALLER_SUB));

    expect(response.statusCode).toBe(502);
    expect(body).toEqual({ message: 'The rendering service failed; try again later', requestId: 'api-request-1' });
    expect(logs[0]).toMatchObject({ level: 'error', status: 502 });
  });

  it('is no route when records are off', async () => {
    const { call } = coldStart({ [RENDER_ENV.RECORDS_TABLE_NAME]: undefined });

    const { response, body } = await call(listEvent(CALLER_SUB));

    expect(response.statusCode).toBe(404);
    expect(body).toMatchObject({ message: 'No such route' });
  });
});

describe('GET /renders/{renderId} with records', () => {
  it('asks Remotion while the render runs, records the completion it sees, then answers from the record alone', async () => {
    const { call } = coldStart();
    const renderId = await startRender(call);

    const running = await call(statusOf(renderId));
    expect(running.body).toMatchObject({ renderId, done: false, status: 'RENDERING' });

    fake.updateRender(renderId, { done: true });
    const finishing = await call(statusOf(renderId));
    expect(finishing.body).toMatchObject({ done: true, status: 'SUCCEEDED' });
    const [record] = await allItems(TABLE);
    expect(record).toMatchObject({
      status: 'SUCCEEDED',
      finishedAt: expect.any(String),
      cost: 0.001,
      costCurrency: 'USD',
      errors: [],
      outputKey: `renders/${renderId}/renders-by-user/${CALLER_SUB}/video.mp4`,
    });

    const progressCalls = fake.invocationsOfType('status').length;
    const fromRecord = await call(statusOf(renderId));
    expect(fake.invocationsOfType('status')).toHaveLength(progressCalls);
    expect(fromRecord.response.statusCode).toBe(200);
    expect(fromRecord.body).toMatchObject({ renderId, done: true, overallProgress: 1, status: 'SUCCEEDED', cost: 0.001, errors: [] });
    const outputUrl = new URL(String(fromRecord.body.outputUrl));
    expect(outputUrl.pathname).toContain(`renders/${renderId}/renders-by-user/${CALLER_SUB}/video.mp4`);
    expect(outputUrl.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('records the completion that a read from the bucket sees and frees the running slot, with no Lambda invocation', async () => {
    const { call } = coldStart({ [RENDER_ENV.PROGRESS_FROM_BUCKET]: 'true', [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: '1' });
    const renderId = await startRender(call);
    fake.updateRender(renderId, { done: true });

    const finishing = await call(statusOf(renderId));
    const next = await call(startRenderEvent({ composition: 'Intro' }));

    expect(finishing.body).toMatchObject({ renderId, done: true, overallProgress: 1, status: 'SUCCEEDED' });
    expect(fake.invocationsOfType('status')).toEqual([]);
    expect(fake.s3Requests).toEqual([{ method: 'GET', bucket: FAKE_REMOTION_BUCKET, key: `renders/${renderId}/progress.json` }]);
    expect((await allItems(TABLE)).find((item) => item.renderId === renderId)).toMatchObject({
      status: 'SUCCEEDED', cost: 0.001, costCurrency: 'USD', errors: [], outputKey: `renders/${renderId}/renders-by-user/${CALLER_SUB}/video.mp4`,
    });
    expect(next.response.statusCode).toBe(202);
  });

  it('records a fatal error as FAILED with sanitized messages', async () => {
    const { call } = coldStart();
    const renderId = await startRender(call);
    fake.updateRender(renderId, {
      fatalErrorEncountered: true,
      errors: [{
        type: 'renderer',
        name: 'Error',
        message: 'Chunk 3 failed in arn:aws:lambda:us-east-1:123456789012:function:x\n    at render (/var/task/index.js:1:1)',
        stack: 'Error: at /var/task/index.js',
        frame: 75,
        chunk: 3,
        isFatal: true,
        attempt: 2,
        willRetry: false,
        totalAttempts: 2,
        tmpDir: null,
        s3Location: '',
        explanation: null,
      }],
    });

    await call(statusOf(renderId));
    const { body } = await call(statusOf(renderId));

    expect(body).toMatchObject({ status: 'FAILED', done: true, fatalErrorEncountered: true, errors: [{ message: 'Chunk 3 failed in [redacted]', isFatal: true }] });
    expect(JSON.stringify(await allItems(TABLE))).not.toMatch(/arn:aws|123456789012|var\/task/);
  });

  it('answers 404 to another user, before and after the render finished', async () => {
    const { call } = coldStart();
    const renderId = await startRender(call);

    const before = await call(statusOf(renderId, OTHER_SUB));
    fake.updateRender(renderId, { done: true });
    await call(statusOf(renderId));
    const after = await call(statusOf(renderId, OTHER_SUB));

    expect(before.response.statusCode).toBe(404);
    expect(after.response.statusCode).toBe(404);
    expect(after.body).toEqual({ message: 'No such render', requestId: 'api-request-1' });
  });
});

function withKey(event: APIGatewayProxyEventV2WithJWTAuthorizer, key: string): APIGatewayProxyEventV2WithJWTAuthorizer {
  return { ...event, headers: { ...event.headers, 'idempotency-key': key } };
}

const renderItems = async () => (await allItems(TABLE)).filter((item) => String(item.sk).startsWith('RENDER#'));

describe('POST /renders with an Idempotency-Key', () => {
  it('replays the first answer for the same key and body, starting nothing more', async () => {
    const { call, logs } = coldStart();
    const event = withKey(startRenderEvent({ composition: 'Intro', inputProps: { title: 'Hi' } }), 'order-1234:v1');

    const first = await call(event);
    const again = await call(event);

    expect(first.response.statusCode).toBe(202);
    expect(again.response.statusCode).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(fake.invocationsOfType('start')).toHaveLength(1);
    expect(await renderItems()).toHaveLength(1);
    expect(logs[1]).toMatchObject({ level: 'info', status: 202, message: 'First answer replayed for a repeated Idempotency-Key' });
  });

  it('treats the same request in another JSON layout as the same body', async () => {
    const { call } = coldStart();

    const first = await call(withKey(startRenderEvent('{"composition":"Intro","codec":"h264"}'), 'k1'));
    const again = await call(withKey(startRenderEvent('{ "codec": "h264", "composition": "Intro" }'), 'k1'));

    expect(again.body.renderId).toBe(first.body.renderId);
    expect(fake.invocationsOfType('start')).toHaveLength(1);
  });

  it('answers 422 naming the header for the same key with a different body, starting nothing', async () => {
    const { call } = coldStart();
    await call(withKey(startRenderEvent({ composition: 'Intro' }), 'k1'));

    const { response, body } = await call(withKey(startRenderEvent({ composition: 'Outro' }), 'k1'));

    expect(response.statusCode).toBe(422);
    expect(body).toMatchObject({ message: 'This Idempotency-Key was used with a different request body', errors: [{ field: 'Idempotency-Key' }] });
    expect(fake.invocationsOfType('start')).toHaveLength(1);
  });

  it('scopes keys per user: another user\'s same key starts their own render', async () => {
    const { call } = coldStart();

    const mine = await call(withKey(startRenderEvent({ composition: 'Intro' }), 'shared-key'));
    const theirs = await call(withKey(startRenderEvent({ composition: 'Intro' }, { sub: OTHER_SUB }), 'shared-key'));

    expect(theirs.response.statusCode).toBe(202);
    expect(theirs.body.renderId).not.toBe(mine.body.renderId);
    expect(fake.invocationsOfType('start')).toHaveLength(2);
  });

  it('starts once for concurrent requests with one key: the others get the same answer or 409', async () => {
    const { call } = coldStart();
    const event = withKey(startRenderEvent({ composition: 'Intro' }), 'concurrent-key');

    const results = await Promise.all(Array.from({ length: 5 }, () => call(event)));

    expect(fake.invocationsOfType('start')).toHaveLength(1);
    const accepted = results.filter((result) => result.response.statusCode === 202);
    const conflicts = results.filter((result) => result.response.statusCode === 409);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(accepted.length + conflicts.length).toBe(5);
    expect(new Set(accepted.map((result) => result.body.renderId)).size).toBe(1);
    for (const conflict of conflicts) expect(conflict.body).toMatchObject({ errors: [{ field: 'Idempotency-Key' }] });
    expect(await renderItems()).toHaveLength(1);
  });

  it('frees the key when the start failed, so a retry starts the render', async () => {
    const { call } = coldStart();
    const event = withKey(startRenderEvent({ composition: 'Intro' }), 'retry-key');
    fake.failWith('service-error');
    const failed = await call(event);
    fake.reset();

    const retried = await call(event);

    expect(failed.response.statusCode).toBe(502);
    expect(retried.response.statusCode).toBe(202);
    expect(fake.invocationsOfType('start')).toHaveLength(1);
  });

  it.each(['', 'a'.repeat(129), 'spaces are not allowed', 'ключ'])('answers 400 for the key %j, starting nothing', async (key) => {
    const { call } = coldStart();

    const { response, body } = await call(withKey(startRenderEvent({ composition: 'Intro' }), key));

    expect(response.statusCode).toBe(400);
    expect(body).toMatchObject({ errors: [{ field: 'Idempotency-Key' }] });
    expect(fake.invocations).toHaveLength(0);
  });

  it('ignores the header when idempotency is off', async () => {
    const { call } = coldStart({ [RENDER_ENV.IDEMPOTENCY_ENABLED]: undefined });
    const event = withKey(startRenderEvent({ composition: 'Intro' }), 'k1');

    await call(event);
    await call(event);

    expect(fake.invocationsOfType('start')).toHaveLength(2);
  });
});

describe('per-user limits', () => {
  const limited = (overrides: Record<string, string> = {}) => coldStart({
    [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: '2',
    [RENDER_ENV.LIMIT_MAX_STARTS]: '0',
    [RENDER_ENV.LIMIT_WINDOW_SECONDS]: '3600',
    [RENDER_ENV.LIMIT_RENDER_DEADLINE_SECONDS]: '180',
    ...overrides,
  });

  it('answers 429 with Retry-After past the renders in progress, starting nothing', async () => {
    const { call } = limited();
    await startRender(call);
    await startRender(call);

    const { response, body } = await call(startRenderEvent({ composition: 'Intro' }));

    expect(response.statusCode).toBe(429);
    expect(Number(response.headers?.['retry-after'])).toBeGreaterThan(0);
    expect(Number(response.headers?.['retry-after'])).toBeLessThanOrEqual(180);
    expect(body.message).toMatch(/2 renders in progress/);
    expect(fake.invocationsOfType('start')).toHaveLength(2);
    expect(await renderItems()).toHaveLength(2);
  });

  it('counts each user on their own', async () => {
    const { call } = limited();
    await startRender(call);
    await startRender(call);

    const other = await call(startRenderEvent({ composition: 'Intro' }, { sub: OTHER_SUB }));

    expect(other.response.statusCode).toBe(202);
  });

  it('frees a slot once a status read records the render finished', async () => {
    const { call } = limited();
    const first = await startRender(call);
    await startRender(call);
    fake.updateRender(first, { done: true });
    await call(statusOf(first));

    const { response } = await call(startRenderEvent({ composition: 'Intro' }));

    expect(response.statusCode).toBe(202);
  });

  it('frees a slot once the render is past its deadline, even with its completion lost', async () => {
    const { call, advance } = limited();
    await startRender(call);
    await startRender(call);
    expect((await call(startRenderEvent({ composition: 'Intro' }))).response.statusCode).toBe(429);

    advance(181_000);
    const { response } = await call(startRenderEvent({ composition: 'Intro' }));

    expect(response.statusCode).toBe(202);
  });

  it('limits starts per rolling window even when none is in progress', async () => {
    const { call, advance } = limited({ [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: '0', [RENDER_ENV.LIMIT_MAX_STARTS]: '2', [RENDER_ENV.LIMIT_WINDOW_SECONDS]: '600' });
    await startRender(call);
    await startRender(call);

    const refused = await call(startRenderEvent({ composition: 'Intro' }));
    advance(601_000);
    const later = await call(startRenderEvent({ composition: 'Intro' }));

    expect(refused.response.statusCode).toBe(429);
    expect(Number(refused.response.headers?.['retry-after'])).toBeLessThanOrEqual(600);
    expect(refused.body.message).toMatch(/started 2 renders in the last 10 minutes/);
    expect(later.response.statusCode).toBe(202);
  });

  it('does not count a start that Remotion refused', async () => {
    const { call } = limited();
    fake.failWith('service-error');
    await call(startRenderEvent({ composition: 'Intro' }));
    await call(startRenderEvent({ composition: 'Intro' }));
    fake.reset();

    await startRender(call);
    await startRender(call);
  });

  it('holds under concurrency: 10 simultaneous starts of one user start exactly the limit', async () => {
    const { call } = limited({ [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: '3' });

    const results = await Promise.all(Array.from({ length: 10 }, () => call(startRenderEvent({ composition: 'Intro' }))));

    const statuses = results.map((result) => result.response.statusCode).sort();
    expect(statuses).toEqual([...Array(3).fill(202), ...Array(7).fill(429)]);
    expect(fake.invocationsOfType('start')).toHaveLength(3);
    for (const result of results.filter((r) => r.response.statusCode === 429)) expect(result.response.headers?.['retry-after']).toMatch(/^\d+$/);
  });

  it('does not keep a 429 for an Idempotency-Key: the same key starts once a slot is free', async () => {
    const { call, advance } = limited({ [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: '1' });
    await startRender(call);
    const event = withKey(startRenderEvent({ composition: 'Outro' }), 'limited-key');

    const refused = await call(event);
    advance(181_000);
    const retried = await call(event);

    expect(refused.response.statusCode).toBe(429);
    expect(retried.response.statusCode).toBe(202);
  });
});

/** A DynamoDB request as the handler's real client puts it on the wire. */
interface SentRequest {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

/** The real DynamoDB client with a middleware that notes the body of every request it sends (moto still answers). */
function recordingDynamoDbClient(sent: SentRequest[]): typeof DynamoDBClient {
  return class RecordingDynamoDBClient extends DynamoDBClient {
    constructor(...config: ConstructorParameters<typeof DynamoDBClient>) {
      super(...config);
      this.middlewareStack.add((next, context) => async (args) => {
        const body = (args.request as { body?: unknown }).body;
        sent.push({ command: String(context.commandName), input: JSON.parse(String(body)) as Record<string, unknown> });
        return next(args);
      }, { step: 'build', name: 'recordSentRequests' });
    }
  };
}

describe('GET /renders with another user\'s token, as DynamoDB is asked', () => {
  it('starts the query at the token\'s position in the caller\'s own partition, never the partition the token came from', async () => {
    // GIVEN a token from a page of the other user's renders (moto would ignore a foreign partition in the start key)
    const sent: SentRequest[] = [];
    const { call } = coldStart({}, recordingDynamoDbClient(sent));
    await startRender(call, CALLER_SUB);
    for (let i = 0; i < 3; i++) await startRender(call, OTHER_SUB);
    const othersPage = await call(listEvent(OTHER_SUB, { limit: '1' }));
    const [othersNewest] = othersPage.body.renders as Array<{ renderId: string; createdAt: string }>;
    sent.length = 0;

    // WHEN the caller sends it
    const { response } = await call(listEvent(CALLER_SUB, { nextToken: String(othersPage.body.nextToken) }));

    // THEN the one query reads the caller's partition and starts there
    expect(response.statusCode).toBe(200);
    expect(sent.map((request) => request.command)).toEqual(['QueryCommand']);
    expect(sent[0].input).toMatchObject({
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: `USER#${CALLER_SUB}` } },
    });
    expect(sent[0].input.ExclusiveStartKey).toEqual({
      pk: { S: `USER#${CALLER_SUB}` },
      sk: { S: `RENDER#${othersNewest.renderId}` },
      createdAt: { S: othersNewest.createdAt },
    });
  });
});

describe('per-user limits with both limits on', () => {
  const bothOn = () => coldStart({
    [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: '2',
    [RENDER_ENV.LIMIT_MAX_STARTS]: '3',
    [RENDER_ENV.LIMIT_WINDOW_SECONDS]: '3600',
    [RENDER_ENV.LIMIT_RENDER_DEADLINE_SECONDS]: '180',
  });

  /** Lets the fake finish the render and a status read record it, which frees its running slot. */
  async function finish(call: Call, renderId: string) {
    fake.updateRender(renderId, { done: true });
    expect((await call(statusOf(renderId))).body).toMatchObject({ status: 'SUCCEEDED' });
  }

  it('counts finished renders against the starts per window, not only those in progress', async () => {
    // GIVEN three starts in the window, two of them finished: one render in progress of the two allowed
    const { call } = bothOn();
    const first = await startRender(call);
    const second = await startRender(call);
    await finish(call, first);
    await startRender(call);
    await finish(call, second);

    // WHEN a fourth start comes within the hour
    const { response, body } = await call(startRenderEvent({ composition: 'Intro' }));

    // THEN the start limit refuses it
    expect(response.statusCode).toBe(429);
    expect(body.message).toMatch(/started 3 renders in the last 60 minutes/);
    expect(fake.invocationsOfType('start')).toHaveLength(3);
  });
});

describe('per-user limits when a completion comes late', () => {
  it('frees only the slot the render held: a render past its deadline that completes late leaves the next render\'s slot taken', async () => {
    // GIVEN a user at a limit of 1 whose first render passed its deadline, so a second render took over the slot
    const { call, advance } = coldStart({
      [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: '1',
      [RENDER_ENV.LIMIT_MAX_STARTS]: '0',
      [RENDER_ENV.LIMIT_RENDER_DEADLINE_SECONDS]: '180',
    });
    const late = await startRender(call);
    advance(181_000);
    await startRender(call);

    // WHEN the first render's completion is recorded after all
    fake.updateRender(late, { done: true });
    expect((await call(statusOf(late))).body).toMatchObject({ status: 'SUCCEEDED' });

    // THEN the second render still holds the one slot
    const { response, body } = await call(startRenderEvent({ composition: 'Intro' }));
    expect(response.statusCode).toBe(429);
    expect(body.message).toMatch(/1 renders in progress/);
  });
});
