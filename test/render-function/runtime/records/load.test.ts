/**
 * A bounded load test: 20 users, each sending 10 concurrent POST /renders with a mix of repeated
 * and fresh Idempotency-Keys, against the fake Remotion and moto on loopback, with the per-user
 * limit of renders in progress on. 200 requests in total, once; prints the counts.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import * as aws4fetch from 'aws4fetch';
import { RENDER_ENV } from '../../../../src/render-function/contract';
import { createRenderApiHandler, type RemotionClient } from '../../../../src/render-function/runtime/render-api';
import { createSecretReader } from '../../../../src/render-function/runtime/secrets';
import { MotoServer } from '../../../moto/moto-server';
import { allItems, createRecordsTable } from '../../../moto/records-table';
import { FakeLambda } from '../fake-lambda';
import { recordsTestEnvironment } from './aws-environment';
import { constructEnvironment, responseJson, startRenderEvent } from '../handler-events';

const TABLE = 'load-records';
const USERS = 20;
const REQUESTS_PER_USER = 10;
const MAX_IN_PROGRESS = 3;
/** Per user: three keys sent more than once, four sent once. */
const KEYS = ['A', 'A', 'A', 'B', 'B', 'C', 'fresh-1', 'fresh-2', 'fresh-3', 'fresh-4'];

let fake: FakeLambda;
let moto: MotoServer;
const originalEnv = process.env;

beforeAll(async () => {
  [fake, moto] = await Promise.all([FakeLambda.start(), MotoServer.start()]);
  process.env = recordsTestEnvironment(originalEnv, moto, fake);
  await createRecordsTable(TABLE);
}, 30_000);

afterAll(async () => {
  await Promise.all([fake?.close(), moto?.stop()]);
  process.env = originalEnv;
});

it('starts exactly one render per accepted key, never more in progress than the limit, and loses or duplicates no record', async () => {
  const handler = createRenderApiHandler({
    env: constructEnvironment({
      [RENDER_ENV.RECORDS_TABLE_NAME]: TABLE,
      [RENDER_ENV.IDEMPOTENCY_ENABLED]: 'true',
      [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: String(MAX_IN_PROGRESS),
      [RENDER_ENV.LIMIT_MAX_STARTS]: '0',
      [RENDER_ENV.LIMIT_RENDER_DEADLINE_SECONDS]: '900',
      [RENDER_ENV.CALL_TIMEOUT_MS]: '20000',
    }),
    loadRemotionClient: async (): Promise<RemotionClient> => jest.requireActual('@remotion/lambda/client'),
    readSecretString: createSecretReader(async () => aws4fetch),
    loadDynamoDb: async () => ({ client: jest.requireActual('@aws-sdk/client-dynamodb'), lib: jest.requireActual('@aws-sdk/lib-dynamodb') }),
    loadIdempotency: async () => ({
      idempotency: jest.requireActual('@aws-lambda-powertools/idempotency'),
      dynamodb: jest.requireActual('@aws-lambda-powertools/idempotency/dynamodb'),
    }),
    writeLog: () => undefined,
  });

  // GIVEN 20 users, each with 10 requests whose keys repeat in part
  const requests: Array<{ sub: string; key: string; event: APIGatewayProxyEventV2WithJWTAuthorizer }> = [];
  for (let user = 0; user < USERS; user++) {
    const sub = `load-user-${String(user).padStart(2, '0')}`;
    for (const key of KEYS) {
      const event = startRenderEvent({ composition: 'Intro', inputProps: { key } }, { sub, requestId: `${sub}-${key}` });
      requests.push({ sub, key, event: { ...event, headers: { ...event.headers, 'idempotency-key': key } } });
    }
  }

  // WHEN they are all sent at once
  const startedAt = Date.now();
  const results = await Promise.all(requests.map(async (request) => {
    const response = await handler(request.event, { awsRequestId: 'load' });
    return { ...request, status: response.statusCode ?? 0, headers: response.headers ?? {}, body: responseJson(response) };
  }));
  const elapsedMs = Date.now() - startedAt;

  // THEN
  const count = (status: number) => results.filter((result) => result.status === status).length;
  const starts = fake.invocationsOfType('start');
  const records = (await allItems(TABLE)).filter((item) => String(item.sk).startsWith('RENDER#'));
  console.log([
    `load: ${requests.length} requests (${USERS} users x ${REQUESTS_PER_USER}) in ${elapsedMs} ms`,
    `202 ${count(202)}, 409 ${count(409)}, 429 ${count(429)}, other ${results.length - count(202) - count(409) - count(429)}`,
    `renders started ${starts.length}, records ${records.length}`,
  ].join('\n'));

  expect(results.every((result) => [202, 409, 429].includes(result.status))).toBe(true);
  for (const result of results.filter((r) => r.status === 429)) expect(result.headers['retry-after']).toMatch(/^\d+$/);

  for (let user = 0; user < USERS; user++) {
    const sub = `load-user-${String(user).padStart(2, '0')}`;
    const mine = results.filter((result) => result.sub === sub);
    const started = starts.filter((invocation) => (invocation.payload.metadata as Record<string, string>).ownerSub === sub);
    // Never more in progress than the limit (none finishes during the test).
    expect(started.length).toBeLessThanOrEqual(MAX_IN_PROGRESS);
    expect(started.length).toBeGreaterThanOrEqual(1);
    // Exactly one render per key that was accepted; all of that key's 202s carry it.
    for (const key of new Set(KEYS)) {
      const accepted = mine.filter((result) => result.key === key && result.status === 202);
      expect(new Set(accepted.map((result) => result.body.renderId)).size).toBeLessThanOrEqual(1);
      const startsForKey = started.filter((invocation) => JSON.stringify(invocation.payload.inputProps).includes(`\\"key\\":\\"${key}\\"`));
      expect(startsForKey.length).toBe(accepted.length > 0 ? 1 : 0);
    }
  }
  // No lost and no duplicated record: one per started render, for exactly the renders answered 202.
  const acceptedIds = new Set(results.filter((result) => result.status === 202).map((result) => String(result.body.renderId)));
  expect(records).toHaveLength(starts.length);
  expect(new Set(records.map((record) => String(record.renderId)))).toEqual(acceptedIds);
}, 120_000);
