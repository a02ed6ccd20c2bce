/**
 * The bundled dispatcher (assets/render-handler/dispatcher.mjs, staged with Remotion's client as
 * the construct stages it) in Lambda environments that the test kills: the dispatcher dies after
 * Remotion accepted a start and before its record write. Run `npx projen bundle` first.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { START_UNKNOWN_REASON } from '../../../../src/render-function/runtime/queue/sweep';
import { DEFAULT_RENDER_DEADLINE_SECONDS } from '../../../../src/render-function/runtime/records/limits';
import { LambdaEnvironments } from '../../../lambda-environments';
import { SqsEventSource } from '../../../moto/sqs-event-source';
import { stagedAssetInRepository } from '../bundle-harness';
import { BUDGET, QueueWorld } from './queue-world';

const ALICE = 'user-alice';
const ID = '00000000-0000-4000-8000-000000000001';

const world = QueueWorld.forTestFile();
let environments: LambdaEnvironments | undefined;
let dispatcherUrl: string;

beforeAll(() => {
  dispatcherUrl = pathToFileURL(path.join(path.dirname(stagedAssetInRepository()), 'dispatcher.mjs')).href;
});

afterEach(async () => {
  await world.stopDispatcher();
  await environments?.close();
  environments = undefined;
});

/** Queues one render, and kills the dispatcher that starts it once Remotion accepted the start; waits for the redelivery. */
async function killedAfterRemotionAccepted(): Promise<SqsEventSource> {
  // The bundle runs on the real clock.
  world.clock = Date.now();
  await world.enqueue(ALICE, ID);
  const running = new LambdaEnvironments(dispatcherUrl, world.bundleEnvironment());
  environments = running;
  let kills = 0;
  world.fake.onStartAccepted(async () => {
    if (kills++ === 0) await running.killBusy();
  });
  world.source = await SqsEventSource.start({
    motoUrl: world.moto.url, queueUrl: world.queue.queueUrl, handler: (event) => running.invoke(event), maxConcurrency: 2,
  });
  await world.source.waitFor(() => world.source!.invocations.length === 2 && world.source!.inFlight === 0, 20_000);
  return world.source;
}

describe('a dispatcher killed after Remotion accepted the start and before its record write', () => {
  it('is redelivered and never starts the render again; the webhook with our id resolves it', async () => {
    const source = await killedAfterRemotionAccepted();

    // THEN the killed invocation failed, the redelivery was acknowledged, and Remotion started one render
    expect(source.invocations.map((invocation) => invocation.outcome)).toEqual(['failed', 'succeeded']);
    expect(world.fake.invocationsOfType('start')).toHaveLength(1);
    expect(await world.record(ALICE, ID)).toMatchObject({ status: 'STARTING', budgetUnits: 6 });
    expect(await world.budgetUsed()).toBe(6);
    // WHEN Remotion's webhook, carrying our id, arrives
    const [remotionRenderId] = world.fake.rendersInProgress;
    await world.deliverWebhook(world.fake.completeRender(remotionRenderId));
    // THEN the render succeeded under Remotion's id, its units are back, and one event was put
    expect(await world.record(ALICE, ID)).toMatchObject({ status: 'SUCCEEDED', remotionRenderId });
    expect(await world.holds().read(BUDGET)).toEqual({ used: 0, holds: {} });
    expect(world.eventsPut()).toEqual([['Remotion Render Succeeded', ID]]);
  }, 40_000);

  it('without a webhook, is failed by the sweeper at its deadline ("start outcome unknown"), with its units back and one event', async () => {
    await killedAfterRemotionAccepted();
    const claimedAt = Date.parse((await world.record(ALICE, ID))!.startedAt!);
    world.clock = claimedAt + DEFAULT_RENDER_DEADLINE_SECONDS * 1000;

    await world.sweeper()();

    expect(world.fake.invocationsOfType('start')).toHaveLength(1);
    expect(await world.record(ALICE, ID)).toMatchObject({ status: 'FAILED', errors: [START_UNKNOWN_REASON] });
    expect(await world.holds().read(BUDGET)).toEqual({ used: 0, holds: {} });
    expect(world.eventsPut()).toEqual([['Remotion Render Failed', ID]]);
  }, 40_000);
});
