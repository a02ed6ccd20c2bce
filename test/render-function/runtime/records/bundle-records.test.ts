/**
 * The built handler asset with records on, as Lambda runs it: a separate `node` process imports
 * the bundle, which leaves the DynamoDB clients external (Lambda's runtime has them; here they
 * resolve from node_modules), and talks to the fake Remotion and to moto on loopback.
 */
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { REMOTION_CLIENT_FILE, RENDER_ENV, RENDER_EVENT_SOURCE, RENDER_METRICS } from '../../../../src/render-function/contract';
import { captureEvents, motoJson } from '../../../moto/json-api';
import { MotoServer } from '../../../moto/moto-server';
import { allItems, createRecordsTable } from '../../../moto/records-table';
import { sourcesNewerThanAsset } from '../asset-freshness';
import { stagedAssetInRepository } from '../bundle-harness';
import { extractMetrics, parseEmfLines, tally } from '../emf';
import { FakeLambda } from '../fake-lambda';
import { apiEvent, CALLER_SUB, getRenderEvent, startRenderEvent } from '../handler-events';
import { recordsBundleEnvironment } from './aws-environment';

const TABLE = 'bundle-records';
const MARKER = '@@bundle-result@@';
const CHILD_SCRIPT = `
const { handler } = await import(process.env.BUNDLE_URL);
const results = [];
for (const event of JSON.parse(process.env.TEST_EVENTS)) results.push(await handler(event, { awsRequestId: 'lambda-request-1' }));
process.stdout.write('\\n${MARKER}' + JSON.stringify(results));
`;

let fake: FakeLambda;
let moto: MotoServer;
const originalEnv = process.env;

beforeAll(async () => {
  const stale = await sourcesNewerThanAsset();
  if (stale.length > 0) throw new Error(`The handler bundle is older than ${stale.join(', ')}. Rebuild it with \`npx projen bundle:render-handler\`.`);
  [fake, moto] = await Promise.all([FakeLambda.start(), MotoServer.start()]);
  process.env = { ...originalEnv, ...moto.sdkEnvironment() };
  await createRecordsTable(TABLE);
}, 30_000);

afterAll(async () => {
  process.env = originalEnv;
  await Promise.all([fake?.close(), moto?.stop()]);
});

async function runBundle(
  events: APIGatewayProxyEventV2WithJWTAuthorizer[],
  overrides: Record<string, string> = {},
  bundleUrl = pathToFileURL(stagedAssetInRepository()).href,
): Promise<APIGatewayProxyStructuredResultV2[]> {
  return (await runBundleWithOutput(events, overrides, bundleUrl)).results;
}

/** Runs the events in one process; also hands back what the process printed before its results. */
async function runBundleWithOutput(
  events: APIGatewayProxyEventV2WithJWTAuthorizer[],
  overrides: Record<string, string> = {},
  bundleUrl = pathToFileURL(stagedAssetInRepository()).href,
): Promise<{ results: APIGatewayProxyStructuredResultV2[]; stdout: string }> {
  const env: Record<string, string | undefined> = {
    ...recordsBundleEnvironment(moto, fake, {
      [RENDER_ENV.RECORDS_TABLE_NAME]: TABLE,
      [RENDER_ENV.RECORDS_RETENTION_SECONDS]: '86400',
      [RENDER_ENV.IDEMPOTENCY_ENABLED]: 'true',
      ...overrides,
    }),
    BUNDLE_URL: bundleUrl,
    TEST_EVENTS: JSON.stringify(events),
  };
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', CHILD_SCRIPT], { env, timeout: 20_000 });
  const marker = stdout.lastIndexOf(MARKER);
  if (marker < 0) throw new Error(`The bundle printed no result:\n${stdout}`);
  return { results: JSON.parse(stdout.slice(marker + MARKER.length)) as APIGatewayProxyStructuredResultV2[], stdout: stdout.slice(0, marker) };
}

it('records a started render in DynamoDB and lists it, through the runtime\'s (external) SDK clients', async () => {
  const [started, listed] = await runBundle([
    startRenderEvent({ composition: 'Intro' }),
    apiEvent({ routeKey: 'GET /renders', method: 'GET', rawPath: '/renders' }),
  ]);

  expect(started.statusCode).toBe(202);
  const { renderId } = JSON.parse(String(started.body)) as { renderId: string };
  expect(await allItems(TABLE)).toEqual([expect.objectContaining({ pk: `USER#${CALLER_SUB}`, renderId, status: 'RENDERING' })]);
  expect(listed.statusCode).toBe(200);
  expect(JSON.parse(String(listed.body))).toMatchObject({ renders: [{ renderId, status: 'RENDERING', composition: 'Intro' }] });
});

it('replays the first answer for a repeated Idempotency-Key through the bundled Powertools utility', async () => {
  const keyed = startRenderEvent({ composition: 'Outro' });
  keyed.headers = { ...keyed.headers, 'idempotency-key': 'bundle-key-1' };
  const startsBefore = fake.invocationsOfType('start').length;

  const [first, again] = await runBundle([keyed, keyed]);

  expect(first.statusCode).toBe(202);
  expect(again.statusCode).toBe(202);
  expect(JSON.parse(String(again.body)).renderId).toBe(JSON.parse(String(first.body)).renderId);
  expect(fake.invocationsOfType('start').length - startsBefore).toBe(1);
});

it('writes its metrics as valid EMF through the bundled Powertools utility: a start, and a replay of it', async () => {
  const keyed = startRenderEvent({ composition: 'Outro' });
  keyed.headers = { ...keyed.headers, 'idempotency-key': 'bundle-metrics-key' };
  const service = 'bundle-render-api';

  const { results, stdout } = await runBundleWithOutput([keyed, keyed], {
    [RENDER_ENV.METRICS_SERVICE]: service, [RENDER_ENV.METRICS_NAMESPACE]: RENDER_METRICS.namespace,
  });

  expect(results.map((result) => result.statusCode)).toEqual([202, 202]);
  const metrics = parseEmfLines(stdout).flatMap(extractMetrics);
  const sum = (name: string) => tally(metrics, name, { service }).sum;
  const counted = [RENDER_METRICS.rendersAccepted, RENDER_METRICS.rendersStarted, RENDER_METRICS.idempotentReplays];
  expect(counted.map((spec) => sum(spec.name))).toEqual([1, 1, 1]);
  expect(new Set(metrics.map((metric) => metric.namespace))).toEqual(new Set([RENDER_METRICS.namespace]));
});

it('receives a signed completion webhook: records it and puts the event with its bundled signer (no EventBridge SDK)', async () => {
  const secretValue = 'bundle-completion-secret-0123456789abcdef';
  const { ARN: secretArn } = await motoJson(moto.url, 'secretsmanager', 'CreateSecret', { Name: 'bundle-completion', SecretString: secretValue }) as { ARN: string };
  const readEvents = await captureEvents(moto.url, RENDER_EVENT_SOURCE);
  const overrides = {
    [RENDER_ENV.COMPLETION_SECRET_ARN]: secretArn,
    [RENDER_ENV.EVENT_BUS]: 'arn:aws:events:us-east-1:123456789012:event-bus/default',
    [RENDER_ENV.RECORDS_TABLE_ARN]: `arn:aws:dynamodb:us-east-1:123456789012:table/${TABLE}`,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.url,
  };
  const [started] = await runBundle([startRenderEvent({ composition: 'Intro' })], overrides);
  const { renderId } = JSON.parse(String(started.body)) as { renderId: string };
  expect(fake.invocationsOfType('start').at(-1)!.payload.webhook).toMatchObject({ secret: secretValue, customData: { ownerSub: CALLER_SUB } });

  const body = JSON.stringify({ type: 'timeout', renderId, expectedBucketOwner: '123456789012', bucketName: 'b', customData: { ownerSub: CALLER_SUB } });
  const webhook = apiEvent({ routeKey: 'POST /webhooks/remotion', method: 'POST', rawPath: '/webhooks/remotion', body, sub: null });
  webhook.headers = { 'content-type': 'application/json', 'x-remotion-signature': `sha512=${createHmac('sha512', secretValue).update(body).digest('hex')}` };
  const [received] = await runBundle([webhook], overrides);

  expect(received.statusCode).toBe(200);
  expect((await allItems(TABLE)).find((item) => item.renderId === renderId)).toMatchObject({ status: 'TIMED_OUT' });
  expect((await readEvents()).map((event) => [event['detail-type'], event.resources]))
    .toEqual([['Remotion Render Timed Out', [`arn:aws:dynamodb:us-east-1:123456789012:table/${TABLE}`]]]);
});

it('queues a render with the bundled handler and the runtime\'s (external) SQS client, never reading Remotion\'s client: it is not even in the asset', async () => {
  const staged = path.dirname(stagedAssetInRepository());
  const withoutClient = path.join(path.dirname(staged), `${path.basename(staged)}-without-remotion-client`);
  fs.rmSync(withoutClient, { recursive: true, force: true });
  fs.cpSync(staged, withoutClient, { recursive: true });
  fs.rmSync(path.join(withoutClient, REMOTION_CLIENT_FILE));
  const { QueueUrl } = await motoJson(moto.url, 'sqs', 'CreateQueue', { QueueName: 'bundle-render-queue' }) as { QueueUrl: string };
  const queue = {
    [RENDER_ENV.QUEUE_URL]: QueueUrl,
    [RENDER_ENV.QUEUE_MAX_QUEUED_PER_USER]: '20',
    [RENDER_ENV.QUEUE_MAX_AGE_SECONDS]: '3600',
    [RENDER_ENV.QUEUE_RENDER_CONCURRENCY]: '5',
    [RENDER_ENV.BUDGET_MAX_LAMBDAS]: '60',
  };
  const startsBefore = fake.invocationsOfType('start').length;

  const [queued] = await runBundle([startRenderEvent({ composition: 'Intro' })], queue, pathToFileURL(path.join(withoutClient, 'index.mjs')).href);
  const { renderId } = JSON.parse(String(queued.body)) as { renderId: string };
  const [status, cancelled] = await runBundle([
    getRenderEvent(renderId),
    apiEvent({ routeKey: 'DELETE /renders/{renderId}', method: 'DELETE', rawPath: `/renders/${renderId}`, pathParameters: { renderId } }),
  ], queue, pathToFileURL(path.join(withoutClient, 'index.mjs')).href);

  expect([queued.statusCode, status.statusCode, cancelled.statusCode]).toEqual([202, 200, 200]);
  expect(JSON.parse(String(status.body))).toMatchObject({ renderId, status: 'QUEUED' });
  expect(JSON.parse(String(cancelled.body))).toMatchObject({ renderId, status: 'CANCELLED' });
  const { Messages } = await motoJson(moto.url, 'sqs', 'ReceiveMessage', { QueueUrl, MaxNumberOfMessages: 10 }) as { Messages?: { Body: string }[] };
  expect((Messages ?? []).map((message) => JSON.parse(message.Body).renderId)).toEqual([renderId]);
  expect(fake.invocationsOfType('start').length).toBe(startsBefore);
});
