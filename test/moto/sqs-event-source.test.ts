/**
 * The SQS event source test harness against moto's SQS: it must behave as Lambda's event source
 * mapping does, or the render queue's tests would prove nothing.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { motoJson } from './json-api';
import { MotoServer } from './moto-server';
import { createQueueWithDlq, queueDepth, type QueueWithDlq, sendMessage, type SqsBatchHandler, SqsEventSource, type SqsEventSourceOptions } from './sqs-event-source';

const VISIBILITY_SECONDS = 1;
const MAX_RECEIVE_COUNT = 3;

let moto: MotoServer;
let queue: QueueWithDlq;
let source: SqsEventSource | undefined;

beforeAll(async () => {
  moto = await MotoServer.start();
}, 30_000);

beforeEach(async () => {
  await moto.reset();
  queue = await createQueueWithDlq(moto.url, 'renders', { visibilityTimeoutSeconds: VISIBILITY_SECONDS, maxReceiveCount: MAX_RECEIVE_COUNT });
});

afterEach(async () => {
  await source?.stop();
  source = undefined;
});

afterAll(async () => {
  await moto?.stop();
});

async function startSource(handler: SqsBatchHandler, options: Partial<SqsEventSourceOptions> = {}): Promise<SqsEventSource> {
  source = await SqsEventSource.start({ motoUrl: moto.url, queueUrl: queue.queueUrl, handler, ...options });
  return source;
}

const receiveCounts = (records: SQSRecord[]) => records.map((record) => record.attributes.ApproximateReceiveCount);
const deliveriesOf = (messageId: string) => source!.deliveries().filter((record) => record.messageId === messageId);
const bodies = (event: SQSEvent) => event.Records.map((record) => record.body);

async function dlqBodies(): Promise<string[]> {
  const { Messages } = await motoJson(moto.url, 'sqs', 'ReceiveMessage', { QueueUrl: queue.dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }) as { Messages?: { Body: string }[] };
  return (Messages ?? []).map((message) => message.Body);
}

it('invokes the handler with the SQSEvent that Lambda sends', async () => {
  const messageId = await sendMessage(moto.url, queue.queueUrl, '{"renderId":"r1"}', { ownerSub: 'user-1' });
  const events: SQSEvent[] = [];
  const eventSource = await startSource(async (event) => {
    events.push(event);
  });
  await eventSource.waitFor(() => events.length === 1);

  expect(events[0].Records).toEqual([{
    messageId,
    receiptHandle: expect.stringMatching(/.+/),
    body: '{"renderId":"r1"}',
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: expect.stringMatching(/^\d{13}$/),
      SenderId: expect.stringMatching(/.+/),
      ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
    },
    messageAttributes: { ownerSub: { dataType: 'String', stringValue: 'user-1', stringListValues: [], binaryListValues: [] } },
    md5OfBody: expect.stringMatching(/^[0-9a-f]{32}$/),
    md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:renders',
    awsRegion: 'us-east-1',
  }]);
});

it('passes a fair queue\'s message group on as the record\'s MessageGroupId attribute', async () => {
  await sendMessage(moto.url, queue.queueUrl, 'fair', {}, 'owner-7');
  const eventSource = await startSource(async () => undefined);
  await eventSource.waitFor(() => eventSource.invocations.length === 1);

  expect(eventSource.deliveries()[0].attributes.MessageGroupId).toBe('owner-7');
});

it('deletes a message the handler succeeded with, so it is never delivered again', async () => {
  await sendMessage(moto.url, queue.queueUrl, 'once');
  const eventSource = await startSource(async () => ({ batchItemFailures: [] }));
  await eventSource.waitFor(() => eventSource.invocations.length === 1 && eventSource.inFlight === 0);
  await new Promise((resolve) => setTimeout(resolve, VISIBILITY_SECONDS * 1000 + 300));

  expect(eventSource.invocations.map((invocation) => invocation.outcome)).toEqual(['succeeded']);
  expect(await queueDepth(moto.url, queue.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
});

it('collects messages into one batch within the batching window, up to the batch size', async () => {
  for (const body of ['a', 'b', 'c']) await sendMessage(moto.url, queue.queueUrl, body);
  const eventSource = await startSource(async () => undefined, { batchSize: 2, maximumBatchingWindowMs: 300, maxConcurrency: 2 });
  await eventSource.waitFor(() => eventSource.invocations.length === 2);

  expect(eventSource.invocations.map((invocation) => invocation.event.Records.length)).toEqual([2, 1]);
  expect(eventSource.invocations.flatMap((invocation) => bodies(invocation.event)).sort()).toEqual(['a', 'b', 'c']);
});

it('re-delivers only the message a partial batch response names, after the visibility timeout', async () => {
  // GIVEN three messages in one batch; the handler fails 'b' once
  for (const body of ['a', 'b', 'c']) await sendMessage(moto.url, queue.queueUrl, body);
  const invokedAt: number[] = [];
  const eventSource = await startSource(async (event): Promise<SQSBatchResponse> => {
    invokedAt.push(Date.now());
    const failing = event.Records.filter((record) => record.body === 'b' && record.attributes.ApproximateReceiveCount === '1');
    return { batchItemFailures: failing.map((record) => ({ itemIdentifier: record.messageId })) };
  }, { maximumBatchingWindowMs: 300 });

  // WHEN it is handled
  await eventSource.waitFor(() => eventSource.invocations.length === 2 && eventSource.inFlight === 0);

  // THEN only 'b' comes back, once the visibility timeout passed, and the queue is empty
  const [first, second] = eventSource.invocations;
  expect(bodies(first.event).sort()).toEqual(['a', 'b', 'c']);
  expect(first.outcome).toBe('partial');
  expect(bodies(second.event)).toEqual(['b']);
  expect(receiveCounts(second.event.Records)).toEqual(['2']);
  expect(second.outcome).toBe('succeeded');
  expect(invokedAt[1] - invokedAt[0]).toBeGreaterThanOrEqual(VISIBILITY_SECONDS * 1000 - 50);
  expect(await queueDepth(moto.url, queue.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
});

it('re-delivers the whole batch when the handler throws', async () => {
  const ids = [await sendMessage(moto.url, queue.queueUrl, 'a'), await sendMessage(moto.url, queue.queueUrl, 'b')];
  let calls = 0;
  const eventSource = await startSource(async () => {
    calls += 1;
    if (calls === 1) throw new Error('the dispatcher crashed');
  }, { maximumBatchingWindowMs: 300 });
  await eventSource.waitFor(() => eventSource.deliveries().length === 4 && eventSource.inFlight === 0);

  const [first, ...later] = eventSource.invocations;
  expect(first.outcome).toBe('failed');
  expect((first.error as Error).message).toBe('the dispatcher crashed');
  expect(first.event.Records.map((record) => record.messageId).sort()).toEqual([...ids].sort());
  expect(later.flatMap((invocation) => invocation.event.Records).map((record) => `${record.messageId}:${record.attributes.ApproximateReceiveCount}`).sort())
    .toEqual(ids.map((id) => `${id}:2`).sort());
});

it('fails the whole batch when the response names a message that is not in it', async () => {
  await sendMessage(moto.url, queue.queueUrl, 'a');
  const eventSource = await startSource(async () => ({ batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] }));
  await eventSource.waitFor(() => eventSource.invocations.length === 1 && eventSource.inFlight === 0);

  expect(eventSource.invocations[0].outcome).toBe('failed');
  expect(await queueDepth(moto.url, queue.queueUrl)).toEqual({ visible: 0, inFlight: 1 });
});

it('increments ApproximateReceiveCount on every delivery', async () => {
  const messageId = await sendMessage(moto.url, queue.queueUrl, 'flaky');
  const eventSource = await startSource(async (event) => {
    if (event.Records[0].attributes.ApproximateReceiveCount !== '3') throw new Error('not yet');
  });
  await eventSource.waitFor(() => eventSource.invocations.length === 3 && eventSource.inFlight === 0);

  expect(receiveCounts(deliveriesOf(messageId))).toEqual(['1', '2', '3']);
  expect(eventSource.invocations.map((invocation) => invocation.outcome)).toEqual(['failed', 'failed', 'succeeded']);
});

it('moves a message that failed maxReceiveCount times to the dead-letter queue, through SQS\'s own RedrivePolicy', async () => {
  const messageId = await sendMessage(moto.url, queue.queueUrl, 'poison');
  const eventSource = await startSource(async () => {
    throw new Error('poison');
  });
  await eventSource.waitFor(async () => (await queueDepth(moto.url, queue.dlqUrl)).visible === 1, 15_000);

  expect(receiveCounts(deliveriesOf(messageId))).toEqual(['1', '2', '3']);
  expect(await queueDepth(moto.url, queue.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  expect(await dlqBodies()).toEqual(['poison']);
}, 20_000);

it('never has more than maxConcurrency invocations in flight', async () => {
  // GIVEN 12 messages, one per batch, and a handler that counts itself in flight
  for (let i = 0; i < 12; i++) await sendMessage(moto.url, queue.queueUrl, `m${i}`);
  let inFlight = 0;
  let peak = 0;
  const eventSource = await startSource(async () => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 100));
    inFlight -= 1;
  }, { batchSize: 1, maxConcurrency: 3 });

  // WHEN all are handled
  await eventSource.waitFor(() => eventSource.invocations.length === 12 && eventSource.inFlight === 0);

  // THEN three ran at once at most, and no message was delivered twice
  expect(peak).toBe(3);
  expect(eventSource.peakInFlight).toBe(3);
  expect(new Set(eventSource.deliveries().map((record) => record.body)).size).toBe(12);
});

it('delivers a message twice, the second time while the first is still handled, when redeliver() makes it visible', async () => {
  // GIVEN a handler that, on the first delivery, forces a redelivery and waits for it
  const messageId = await sendMessage(moto.url, queue.queueUrl, 'twice');
  let duplicateSeenWhileFirstRan = false;
  const eventSource = await startSource(async (event) => {
    const [record] = event.Records;
    if (record.attributes.ApproximateReceiveCount === '1') {
      await source!.redeliver(record);
      await source!.waitFor(() => deliveriesOf(messageId).length === 2);
      duplicateSeenWhileFirstRan = true;
    }
  }, { maxConcurrency: 2 });

  // WHEN both deliveries end
  await eventSource.waitFor(() => eventSource.invocations.length === 2 && eventSource.inFlight === 0);

  // THEN the same message was in two overlapping invocations
  expect(duplicateSeenWhileFirstRan).toBe(true);
  expect(receiveCounts(deliveriesOf(messageId))).toEqual(['1', '2']);
  expect(eventSource.peakInFlight).toBe(2);
});

it('stops receiving on stop() and waits for the invocation in flight', async () => {
  await sendMessage(moto.url, queue.queueUrl, 'slow');
  let finished = false;
  const eventSource = await startSource(async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    finished = true;
  });
  await eventSource.waitFor(() => eventSource.inFlight === 1);
  await eventSource.stop();
  await sendMessage(moto.url, queue.queueUrl, 'after stop');
  await new Promise((resolve) => setTimeout(resolve, 100));

  expect(finished).toBe(true);
  expect(eventSource.invocations).toHaveLength(1);
  expect(await queueDepth(moto.url, queue.queueUrl)).toEqual({ visible: 1, inFlight: 0 });
});
