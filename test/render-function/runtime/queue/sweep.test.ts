/**
 * The sweeper, and the faults only it (or the webhook) resolves: a lost webhook, a late answer, a
 * start whose outcome stays unknown. Real components: moto, the SQS event source harness, the
 * dispatcher and the sweeper as their entries make them, Remotion's real client against the fake.
 */
import { BUDGET, EVENT_BUS, MAX_QUEUE_AGE_SECONDS, QueueWorld, TABLE_ARN, type QueueSettings } from './queue-world';
import { FIRST_PROGRESS_CHECK_MS } from '../../../../src/render-function/runtime/queue/dispatch';
import { MAX_PROGRESS_CHECK_MS, START_UNKNOWN_REASON, UNREADABLE_PAST_DEADLINE_REASON } from '../../../../src/render-function/runtime/queue/sweep';
import { finishRender } from '../../../../src/render-function/runtime/records/finish';
import { DEFAULT_RENDER_DEADLINE_SECONDS } from '../../../../src/render-function/runtime/records/limits';
import { sendMessage } from '../../../moto/sqs-event-source';

const ALICE = 'user-alice';
const ID = '00000000-0000-4000-8000-000000000001';

const world = QueueWorld.forTestFile();

/** Queues one render and lets the dispatcher handle its message once. */
async function dispatchOne(settings: QueueSettings = {}): Promise<void> {
  const message = await world.enqueue(ALICE, ID);
  const source = await world.startDispatcher(settings);
  await source.waitFor(() => world.dispatchLog.length === 1, 15_000);
  expect(message.renderId).toBe(ID);
}

const sweepOutcomes = () => world.sweepLog.filter((line) => line.message === 'Render swept').map((line) => line.outcome);

describe('a render whose webhook was lost', () => {
  it('is completed by the sweeper from its progress: SUCCEEDED, its units freed, one event', async () => {
    await dispatchOne();
    const [remotionRenderId] = world.fake.rendersInProgress;
    world.fake.completeRender(remotionRenderId);
    world.clock += FIRST_PROGRESS_CHECK_MS;

    await world.sweeper()();
    await world.sweeper()();

    expect(sweepOutcomes()).toEqual(['completed']);
    expect(await world.record(ALICE, ID)).toMatchObject({ status: 'SUCCEEDED', remotionRenderId });
    expect(await world.holds().read(BUDGET)).toEqual({ used: 0, holds: {} });
    expect(world.eventsPut()).toEqual([['Remotion Render Succeeded', ID]]);
    // Read from the bucket: no invocation of Remotion's function used the budget.
    expect(world.fake.invocationsOfType('status')).toHaveLength(0);
  }, 30_000);

  it('is looked at again later, less often the longer it runs, while it still renders', async () => {
    await dispatchOne();
    world.clock += FIRST_PROGRESS_CHECK_MS;
    await world.sweeper()();
    const first = Date.parse((await world.record(ALICE, ID))!.checkAt!) - world.clock;
    world.clock += 60 * 60_000;
    await world.sweeper()();
    const second = Date.parse((await world.record(ALICE, ID))!.checkAt!) - world.clock;

    expect(sweepOutcomes()).toEqual(['rendering', 'rendering']);
    expect([first, second]).toEqual([FIRST_PROGRESS_CHECK_MS, MAX_PROGRESS_CHECK_MS]);
    expect(world.events).toEqual([]);
  }, 30_000);
});

describe('a render whose progress cannot be read', () => {
  it('stays RENDERING until Remotion\'s timeout has passed, then ends TIMED_OUT with its units freed and one event', async () => {
    await dispatchOne();
    // Neither the bucket nor Remotion's function can tell its progress any more.
    world.fake.denyS3Reads();
    world.fake.failWith('service-error');
    world.clock += FIRST_PROGRESS_CHECK_MS;
    await world.sweeper()();
    expect(sweepOutcomes()).toEqual(['failed']);
    expect(await world.record(ALICE, ID)).toMatchObject({ status: 'RENDERING' });

    world.clock += DEFAULT_RENDER_DEADLINE_SECONDS * 1000;
    await world.sweeper()();

    expect(sweepOutcomes()).toEqual(['failed', 'completed']);
    expect(await world.record(ALICE, ID)).toMatchObject({ status: 'TIMED_OUT', errors: [UNREADABLE_PAST_DEADLINE_REASON] });
    expect(await world.holds().read(BUDGET)).toEqual({ used: 0, holds: {} });
    expect(world.eventsPut()).toEqual([['Remotion Render Timed Out', ID]]);
  }, 30_000);
});

describe('a start answered after the dispatcher\'s wait', () => {
  const lateAnswer = async () => {
    world.fake.answerStartsAfter(1500);
    await dispatchOne({ callTimeoutMs: 300 });
    expect(world.dispatchLog[0]).toMatchObject({ outcome: 'startUnknown', level: 'warn' });
    expect(await world.record(ALICE, ID)).toMatchObject({ status: 'STARTING' });
  };

  it('is never started again, and its webhook with our id resolves it: SUCCEEDED with Remotion\'s id, units freed, one event', async () => {
    await lateAnswer();
    // WHEN the message comes again (SQS's at-least-once delivery)
    await sendMessage(world.moto.url, world.queue.queueUrl, JSON.stringify(JSON.parse(world.source!.deliveries()[0].body)));
    await world.source!.waitFor(() => world.dispatchLog.length === 2);
    expect(world.dispatchLog[1].outcome).toBe('alreadyStarted');
    // AND Remotion's webhook arrives
    const [remotionRenderId] = world.fake.rendersInProgress;
    const answer = await world.deliverWebhook(world.fake.completeRender(remotionRenderId));

    expect(answer).toEqual({ status: 200, logMessage: 'Render completion recorded and announced' });
    expect(world.fake.invocationsOfType('start')).toHaveLength(1);
    expect(await world.record(ALICE, ID)).toMatchObject({ status: 'SUCCEEDED', remotionRenderId });
    expect(await world.holds().read(BUDGET)).toEqual({ used: 0, holds: {} });
    expect(world.eventsPut()).toEqual([['Remotion Render Succeeded', ID]]);
  }, 30_000);

  it('without a webhook, ends FAILED ("start outcome unknown") at its deadline, with its units freed and one event', async () => {
    await lateAnswer();
    world.clock += DEFAULT_RENDER_DEADLINE_SECONDS * 1000 - 1;
    await world.sweeper()();
    expect(sweepOutcomes()).toEqual([]);
    world.clock += 1;
    await world.sweeper()();

    expect(sweepOutcomes()).toEqual(['startUnknownFailed']);
    expect(await world.record(ALICE, ID)).toMatchObject({ status: 'FAILED', errors: [START_UNKNOWN_REASON] });
    expect(await world.holds().read(BUDGET)).toEqual({ used: 0, holds: {} });
    expect(world.eventsPut()).toEqual([['Remotion Render Failed', ID]]);
  }, 30_000);
});

describe('a queued render the dispatcher has not seen', () => {
  it('ends FAILED with its event once it waited longer than maxQueueAge', async () => {
    await world.enqueue(ALICE, ID);
    world.clock += MAX_QUEUE_AGE_SECONDS * 1000 + 1;
    await world.sweeper()();

    expect(sweepOutcomes()).toEqual(['expired']);
    expect(await world.record(ALICE, ID)).toMatchObject({ status: 'FAILED', errors: ['Waited longer than 60 minutes in the queue'] });
    expect(world.eventsPut()).toEqual([['Remotion Render Failed', ID]]);
  });

  it('is left alone before it is due', async () => {
    await world.enqueue(ALICE, ID);
    world.clock += MAX_QUEUE_AGE_SECONDS * 1000 - 1;
    await world.sweeper()();
    expect(sweepOutcomes()).toEqual([]);
    expect((await world.record(ALICE, ID))?.status).toBe('QUEUED');
  });
});

it('settles a finished render whose event could not be put: the event once, then out of the index', async () => {
  await world.enqueue(ALICE, ID);
  const failing = {
    store: world.store(),
    holds: world.holds(),
    events: { eventBus: EVENT_BUS, tableArn: TABLE_ARN },
    now: () => world.clock,
    putEvent: async () => { throw new Error('EventBridge answered 500'); },
  };
  const ended = await finishRender(failing, ALICE, ID, { status: 'CANCELLED', finishedAt: new Date(world.clock).toISOString(), errors: [] }, ['QUEUED']);
  expect(ended).toMatchObject({ endedNow: true, settled: false });
  world.clock += 2 * 60_000;

  await world.sweeper()();
  await world.sweeper()();

  expect(sweepOutcomes()).toEqual(['settled']);
  expect(world.eventsPut()).toEqual([['Remotion Render Cancelled', ID]]);
  expect(world.sweepLog.at(-1)).toMatchObject({ message: 'Sweep done', due: 0, counts: {}, outOfTime: false });
});
