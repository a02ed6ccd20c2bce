/**
 * The dispatcher with real components: moto's DynamoDB and SQS behind the SQS event source
 * harness, Remotion's real client against the fake Remotion, the clock injected.
 */
import { BUDGET, MAX_QUEUE_AGE_SECONDS, QueueWorld, type QueueSettings } from './queue-world';
import { RENDER_ID_METADATA_KEY } from '../../../../src/render-function/contract';
import { queuedKey } from '../../../../src/render-function/runtime/records/holds';
import { motoJson } from '../../../moto/json-api';
import { FAKE_REMOTION_BUCKET } from '../fake-lambda';

const ALICE = 'user-alice';
const BOB = 'user-bob';
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const world = QueueWorld.forTestFile();

const startDispatcher = (settings?: QueueSettings) => world.startDispatcher(settings);

const outcomes = () => world.dispatchLog.map((line) => line.outcome);
const startsAtFake = () => world.fake.invocationsOfType('start');

describe('a queued render', () => {
  it('starts once with the queue\'s concurrency and our id in the webhook, and holds 1 + concurrency units', async () => {
    await world.enqueue(ALICE, id(1));
    const dispatcher = await startDispatcher();
    await dispatcher.waitFor(() => world.dispatchLog.length === 1);

    const [start] = startsAtFake();
    const customData = { ownerSub: ALICE, [RENDER_ID_METADATA_KEY]: id(1) };
    expect(start.payload).toMatchObject({ concurrency: 5, framesPerLambda: null, webhook: { customData } });
    const remotionRenderId = world.fake.rendersInProgress[0];
    expect(await world.record(ALICE, id(1))).toMatchObject({
      status: 'RENDERING', remotionRenderId, bucketName: FAKE_REMOTION_BUCKET, outputKey: `renders/${remotionRenderId}/renders-by-user/${ALICE}/out.mp4`, budgetUnits: 6,
    });
    expect(await world.holds().read(BUDGET)).toEqual({ used: 6, holds: { [id(1)]: 6 } });
    expect(await world.holds().read(queuedKey(ALICE))).toEqual({ used: 0, holds: {} });
    expect(world.fake.lambdasInUse).toBe(6);
    expect(world.dispatchLog[0]).toMatchObject({ outcome: 'started', renderId: id(1), remotionRenderId, units: 6, waitedMs: 0, level: 'info' });
  });

  it('is started once when SQS delivers its message twice', async () => {
    // GIVEN a dispatcher that gets the same message again while it is starting it
    await world.enqueue(ALICE, id(1));
    const dispatcher = await startDispatcher();
    world.fake.onStartAccepted(async () => {
      await dispatcher.redeliver(dispatcher.deliveries()[0]);
      await dispatcher.waitFor(() => world.dispatchLog.length === 1);
    });
    // WHEN both deliveries are handled
    await dispatcher.waitFor(() => world.dispatchLog.length === 2);
    // THEN Remotion started it once, and the duplicate was acknowledged without a start
    expect(dispatcher.deliveries()).toHaveLength(2);
    expect(startsAtFake()).toHaveLength(1);
    expect(outcomes()).toEqual(['alreadyStarted', 'started']);
    expect(await world.budgetUsed()).toBe(6);
  });

  it('waits out Lambda\'s throttling of its first starts and starts once, with no error and no units left held', async () => {
    world.fake.throttleStarts(2);
    await world.enqueue(ALICE, id(1));
    const dispatcher = await startDispatcher();
    await dispatcher.waitFor(() => outcomes().includes('started'), 30_000);

    expect(outcomes()).toEqual(['deferredThrottled', 'deferredThrottled', 'started']);
    expect(world.fake.throttledInvocations).toHaveLength(2);
    expect(startsAtFake()).toHaveLength(1);
    expect(await world.holds().read(BUDGET)).toEqual({ used: 6, holds: { [id(1)]: 6 } });
    expect(await world.record(ALICE, id(1))).toMatchObject({ status: 'RENDERING' });
    expect(world.events).toEqual([]);
  }, 40_000);

  it('ends FAILED with its event, and never starts, once it waited longer than maxQueueAge', async () => {
    await world.enqueue(ALICE, id(1));
    world.clock += MAX_QUEUE_AGE_SECONDS * 1000 + 1;
    const dispatcher = await startDispatcher();
    await dispatcher.waitFor(() => world.dispatchLog.length === 1);

    expect(outcomes()).toEqual(['expired']);
    expect(await world.record(ALICE, id(1))).toMatchObject({ status: 'FAILED', errors: ['Waited longer than 60 minutes in the queue'] });
    expect(world.eventsPut()).toEqual([['Remotion Render Failed', id(1)]]);
    expect(startsAtFake()).toHaveLength(0);
    expect(await world.holds().read(queuedKey(ALICE))).toEqual({ used: 0, holds: {} });
  });

  it('ends FAILED with Lambda\'s sanitized reason when Lambda refuses the start for good', async () => {
    world.fake.addRoute((request, _body, response) => {
      if (!/\/invocations$/.test(request.url ?? '')) return false;
      response.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
      response.end(JSON.stringify({ Type: 'User', message: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:remotion-render' }));
      return true;
    });
    await world.enqueue(ALICE, id(1));
    const dispatcher = await startDispatcher();
    await dispatcher.waitFor(() => world.dispatchLog.length === 1);

    expect(outcomes()).toEqual(['refused']);
    expect(await world.record(ALICE, id(1))).toMatchObject({ status: 'FAILED', errors: ['Function not found: [redacted]'] });
    expect(world.eventsPut()).toEqual([['Remotion Render Failed', id(1)]]);
    expect(await world.holds().read(BUDGET)).toEqual({ used: 0, holds: {} });
  });
});

describe('the budget', () => {
  it('is never exceeded at Remotion: renders over it wait, and all of them start once room comes back', async () => {
    // GIVEN a budget of two renders (2 × 6 units) and four queued renders
    const settings = { budget: 12 };
    for (const n of [1, 2, 3, 4]) await world.enqueue(n % 2 ? ALICE : BOB, id(n));
    const dispatcher = await startDispatcher(settings);
    await dispatcher.waitFor(() => world.fake.rendersInProgress.length === 2 && outcomes().includes('deferredBudget'), 20_000);
    // WHEN each running render completes (its webhook frees its units)
    const finished: string[] = [];
    while (finished.length < 4) {
      await dispatcher.waitFor(() => world.fake.rendersInProgress.length > 0, 30_000);
      const [next] = world.fake.rendersInProgress;
      await world.deliverWebhook(world.fake.completeRender(next));
      finished.push(next);
    }
    // THEN no more than the budget ran at once, none failed, and each started once
    expect(world.fake.peakLambdasInUse).toBe(12);
    expect(startsAtFake()).toHaveLength(4);
    for (const n of [1, 2, 3, 4]) expect((await world.record(n % 2 ? ALICE : BOB, id(n)))?.status).toBe('SUCCEEDED');
    expect(world.eventsPut().map(([type]) => type)).toEqual(Array(4).fill('Remotion Render Succeeded'));
    expect(await world.holds().read(BUDGET)).toEqual({ used: 0, holds: {} });
  }, 60_000);

  it('lets an owner at maxRendersInProgress wait while another owner\'s render starts', async () => {
    await world.enqueue(ALICE, id(1));
    await world.enqueue(ALICE, id(2));
    await world.enqueue(BOB, id(3));
    const dispatcher = await startDispatcher({ maxInProgress: 1 });
    await dispatcher.waitFor(() => outcomes().filter((o) => o === 'started').length === 2 && outcomes().includes('deferredRunning'), 20_000);

    const statuses = await Promise.all([world.record(ALICE, id(1)), world.record(ALICE, id(2)), world.record(BOB, id(3))]);
    expect(statuses.map((record) => record?.status).sort()).toEqual(['QUEUED', 'RENDERING', 'RENDERING']);
    expect((await world.record(BOB, id(3)))?.status).toBe('RENDERING');
  }, 30_000);
});

describe('a message that is not a queued render', () => {
  it('reaches the dead-letter queue after maxReceiveCount receives, and nothing starts', async () => {
    await world.enqueue(ALICE, id(1), '{"v":2,"renderId":"x"}');
    const dispatcher = await startDispatcher();
    const dlq = async () => {
      const { Messages } = await motoJson(world.moto.url, 'sqs', 'ReceiveMessage', { QueueUrl: world.queue.dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 0 }) as { Messages?: { Body: string }[] };
      return (Messages ?? []).map((message) => message.Body);
    };
    await dispatcher.waitFor(async () => (await dlq()).length === 1, 30_000);

    expect(await dlq()).toEqual(['{"v":2,"renderId":"x"}']);
    expect(new Set(outcomes())).toEqual(new Set(['poison']));
    expect(world.dispatchLog[0]).toMatchObject({ level: 'error', deferSeconds: 0 });
    expect(startsAtFake()).toHaveLength(0);
    expect((await world.record(ALICE, id(1)))?.status).toBe('QUEUED');
  }, 40_000);
});
