/**
 * The Lambda environments harness running a bundled handler in `node` processes, fed by the SQS
 * event source harness over moto: the way the render queue's dispatcher bundle will be tested.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { LambdaEnvironments } from './lambda-environments';
import { MotoServer } from './moto/moto-server';
import { createQueueWithDlq, queueDepth, type QueueWithDlq, sendMessage, SqsEventSource } from './moto/sqs-event-source';
import { NEWEST_DIR } from './remotion-versions';
import { FakeLambda } from './render-function/runtime/fake-lambda';
import { REMOTION_FUNCTION_NAME, SERVE_URL } from './render-function/runtime/handler-events';

/** A bundle as projen's esbuild writes one: an ES module exporting `handler`. */
const BUNDLE = `
export const handler = async (event) => {
  if (event.Records.some((record) => record.body === 'throw')) throw new TypeError('thrown by the bundle');
  if (event.Records.some((record) => record.body === 'hang')) await new Promise(() => setInterval(() => undefined, 1000));
  return { batchItemFailures: event.Records.filter((record) => record.body === 'fail').map((record) => ({ itemIdentifier: record.messageId })), pid: process.pid };
};
`;

/**
 * A naive dispatcher: starts one render per message with Remotion's client and keeps no record,
 * so a redelivered message starts a second render.
 */
const NAIVE_DISPATCHER = `
const imported = await import(process.env.REMOTION_CLIENT_URL);
const client = imported.default ?? imported;
export const handler = async (event) => {
  for (const record of event.Records) {
    await client.renderMediaOnLambda({
      region: 'us-east-1', functionName: process.env.FUNCTION_NAME, serveUrl: process.env.SERVE_URL,
      composition: 'Intro', codec: 'h264', concurrency: 2, inputProps: { messageId: record.messageId },
    });
  }
};
`;

let moto: MotoServer;
let bundleDir: string;
let bundleUrl: string;
let queue: QueueWithDlq;
let environments: LambdaEnvironments;
let source: SqsEventSource | undefined;

beforeAll(async () => {
  moto = await MotoServer.start();
  bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-environments-'));
  fs.writeFileSync(path.join(bundleDir, 'index.mjs'), BUNDLE);
  fs.writeFileSync(path.join(bundleDir, 'dispatcher.mjs'), NAIVE_DISPATCHER);
  bundleUrl = pathToFileURL(path.join(bundleDir, 'index.mjs')).href;
}, 30_000);

beforeEach(async () => {
  await moto.reset();
  queue = await createQueueWithDlq(moto.url, 'dispatch', { visibilityTimeoutSeconds: 1, maxReceiveCount: 3 });
  environments = new LambdaEnvironments(bundleUrl, { PATH: process.env.PATH, HOME: process.env.HOME });
});

afterEach(async () => {
  // Stopped first, so it starts nothing more; closed before it is awaited, so no hanging invocation holds it.
  const stopping = source?.stop();
  source = undefined;
  await environments.close();
  await stopping;
});

afterAll(async () => {
  await moto?.stop();
  fs.rmSync(bundleDir, { recursive: true, force: true });
});

async function startSource(maxConcurrency = 2): Promise<SqsEventSource> {
  source = await SqsEventSource.start({
    motoUrl: moto.url,
    queueUrl: queue.queueUrl,
    batchSize: 1,
    maxConcurrency,
    handler: (event: SQSEvent) => environments.invoke<SQSBatchResponse>(event),
  });
  return source;
}

it('answers with what the bundle\'s handler returned, and reuses an idle environment', async () => {
  const event = { Records: [{ messageId: 'm1', body: 'fail' }, { messageId: 'm2', body: 'ok' }] };

  const first = await environments.invoke<{ batchItemFailures: unknown[]; pid: number }>(event);
  const second = await environments.invoke<{ pid: number }>(event);

  expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  expect(second.pid).toBe(first.pid);
  expect(environments.coldStarts).toBe(1);
});

it('rejects with the error the bundle threw', async () => {
  await expect(environments.invoke({ Records: [{ messageId: 'm1', body: 'throw' }] })).rejects.toThrow(expect.objectContaining({
    name: 'TypeError', message: 'thrown by the bundle',
  }));
});

it('starts one environment per invocation in flight', async () => {
  const events = [1, 2, 3].map((i) => ({ Records: [{ messageId: `m${i}`, body: 'ok' }] }));

  const answers = await Promise.all(events.map((event) => environments.invoke<{ pid: number }>(event)));

  expect(new Set(answers.map((answer) => answer.pid)).size).toBe(3);
  expect(environments.coldStarts).toBe(3);
});

it('runs the bundle behind the SQS event source, with its partial batch responses honoured', async () => {
  await sendMessage(moto.url, queue.queueUrl, 'ok');
  await sendMessage(moto.url, queue.queueUrl, 'fail');
  const eventSource = await startSource();

  await eventSource.waitFor(() => eventSource.invocations.length === 2 && eventSource.inFlight === 0);

  expect(eventSource.invocations.map((invocation) => `${invocation.event.Records[0].body}:${invocation.outcome}`).sort()).toEqual(['fail:failed', 'ok:succeeded']);
  expect(await queueDepth(moto.url, queue.queueUrl)).toEqual({ visible: 0, inFlight: 1 });
});

it('re-delivers the batch of an environment killed mid-invocation to a fresh environment', async () => {
  // GIVEN a message whose first handling hangs
  const messageId = await sendMessage(moto.url, queue.queueUrl, 'hang');
  const eventSource = await startSource(1);
  await eventSource.waitFor(() => environments.handling === 1);
  const [killedPid] = environments.pids;

  // WHEN its environment is killed
  await environments.killBusy();

  // THEN the invocation failed, and the message came back after the visibility timeout to a new environment
  await eventSource.waitFor(() => eventSource.deliveries().length === 2);
  expect(eventSource.invocations[0].outcome).toBe('failed');
  expect((eventSource.invocations[0].error as Error).message).toMatch(/^The Lambda environment ended during the invocation \(SIGKILL\)/);
  expect(eventSource.deliveries().map((record) => `${record.messageId}:${record.attributes.ApproximateReceiveCount}`)).toEqual([`${messageId}:1`, `${messageId}:2`]);
  await eventSource.waitFor(() => environments.handling === 1);
  expect(environments.pids).toHaveLength(1);
  expect(environments.pids).not.toContain(killedPid);
  expect(environments.coldStarts).toBe(2);
});

it('leaves no process alive after close()', async () => {
  await Promise.all([1, 2].map((i) => environments.invoke({ Records: [{ messageId: `m${i}`, body: 'ok' }] })));
  const pids = environments.pids;

  await environments.close();

  expect(pids).toHaveLength(2);
  expect(environments.pids).toEqual([]);
  for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
});

describe('with the fake Remotion', () => {
  let fake: FakeLambda;

  beforeAll(async () => {
    fake = await FakeLambda.start();
  });

  afterEach(() => fake.reset());

  afterAll(async () => {
    await fake.close();
  });

  it('kills a dispatcher between Remotion\'s acceptance and its answer, and the redelivered message starts a second render', async () => {
    // GIVEN a naive dispatcher bundle behind the event source, and a fake whose first start kills it
    environments = new LambdaEnvironments(pathToFileURL(path.join(bundleDir, 'dispatcher.mjs')).href, {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...fake.sdkEnvironment(),
      REMOTION_CLIENT_URL: pathToFileURL(path.join(NEWEST_DIR, 'dist', 'client.js')).href,
      FUNCTION_NAME: REMOTION_FUNCTION_NAME,
      SERVE_URL,
    });
    let kills = 0;
    fake.onStartAccepted(async () => {
      if (kills++ === 0) await environments.killBusy();
    });
    const messageId = await sendMessage(moto.url, queue.queueUrl, 'render');
    const eventSource = await startSource(1);

    // WHEN the message is delivered until a dispatcher survives
    await eventSource.waitFor(() => eventSource.invocations.length === 2 && eventSource.inFlight === 0, 15_000);

    // THEN the killed invocation failed after Remotion accepted: two renders for one message
    expect(eventSource.invocations.map((invocation) => invocation.outcome)).toEqual(['failed', 'succeeded']);
    expect(fake.invocationsOfType('start').map((start) => JSON.stringify(start.payload.inputProps))).toEqual([
      JSON.stringify({ type: 'payload', payload: JSON.stringify({ messageId }) }),
      JSON.stringify({ type: 'payload', payload: JSON.stringify({ messageId }) }),
    ]);
    expect(fake.lambdasInUse).toBe(2 * (1 + 2));
  }, 30_000);
});
