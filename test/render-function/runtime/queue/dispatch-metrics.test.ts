/**
 * The metrics of the dispatcher and the sweeper, read from their stdout as CloudWatch would:
 * every line checked against the EMF specification, then counted against a scripted sequence of
 * renders (started, deferred for the budget, succeeded, failed, timed out, expired) with real
 * components: moto, the SQS event source, Remotion's real client against the fake Remotion.
 */
import { QueueWorld } from './queue-world';
import { RENDER_METRICS } from '../../../../src/render-function/contract';
import { FIRST_PROGRESS_CHECK_MS } from '../../../../src/render-function/runtime/queue/dispatch';
import { EmfCapture, tally } from '../emf';

const SERVICE = 'render-api-queue-tests';
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const OWNERS = ['user-alice', 'user-bob', 'user-carol', 'user-dave'];

const world = QueueWorld.forTestFile();
const emf = new EmfCapture();
beforeEach(() => {
  world.metricsService = SERVICE;
  emf.clear();
  emf.start();
});
afterEach(() => emf.stop());

const total = (name: string) => tally(emf.metrics(), name, { service: SERVICE });
const outcomes = () => world.dispatchLog.map((line) => line.outcome);
const sweptOutcomes = () => world.sweepLog.filter((line) => line.message === 'Render swept').map((line) => line.outcome);

it('counts starts, deferrals, each kind of end, the queue wait and the budget, as valid EMF with only the contract\'s dimensions', async () => {
  // GIVEN a budget of two renders (2 × 6 units) and three queued renders: two start, one waits for the budget
  const settings = { budget: 12 };
  for (const n of [1, 2, 3]) await world.enqueue(OWNERS[n - 1], id(n));
  let dispatcher = await world.startDispatcher(settings);
  await dispatcher.waitFor(() => world.fake.rendersInProgress.length === 2 && outcomes().includes('deferredBudget'), 20_000);
  await world.stopDispatcher();
  // WHEN one succeeds, and the sweeper finds its end from its progress while the other still renders
  world.fake.completeRender(world.fake.rendersInProgress[0], 'success');
  world.clock += FIRST_PROGRESS_CHECK_MS;
  await world.sweeper(settings)();
  expect(sweptOutcomes().sort()).toEqual(['completed', 'rendering']);
  // AND the third starts in the room it left; both run past Remotion's timeout, while a fourth waits past maxQueueAge
  dispatcher = await world.startDispatcher(settings);
  await dispatcher.waitFor(() => outcomes().filter((outcome) => outcome === 'started').length === 3, 20_000);
  await world.stopDispatcher();
  await world.enqueue(OWNERS[3], id(4));
  world.clock = Date.now() + 24 * 3600_000;
  await world.sweeper(settings)();

  expect(sweptOutcomes().slice(2).sort()).toEqual(['completed', 'completed', 'expired']);
  const ends = await Promise.all([1, 2, 3, 4].map(async (n) => world.record(OWNERS[n - 1], id(n))));
  expect(ends.map((record) => record?.status).sort()).toEqual(['FAILED', 'SUCCEEDED', 'TIMED_OUT', 'TIMED_OUT']);

  // THEN every render is counted once, by whoever noticed it
  expect(total(RENDER_METRICS.rendersStarted.name).sum).toBe(3);
  expect(total(RENDER_METRICS.rendersSucceeded.name).sum).toBe(1);
  expect(total(RENDER_METRICS.rendersFailed.name).sum).toBe(1);
  expect(total(RENDER_METRICS.rendersTimedOut.name).sum).toBe(2);
  expect(total(RENDER_METRICS.rendersCancelled.name).count).toBe(0);
  // AND the queue wait of each start, and the render time of each render that started
  const waits = total(RENDER_METRICS.queueWait.name).values;
  expect(waits).toHaveLength(3);
  expect(waits).toEqual(world.dispatchLog.filter((line) => line.outcome === 'started').map((line) => line.waitedMs));
  expect(total(RENDER_METRICS.renderTime.name).count).toBe(3);
  expect(total(RENDER_METRICS.renderCost.name).count).toBe(ends.filter((record) => record?.cost !== undefined).length);

  // AND the deferrals, as a total and by reason, as many as the dispatcher logged
  const deferredForBudget = outcomes().filter((outcome) => outcome === 'deferredBudget').length;
  expect(deferredForBudget).toBeGreaterThan(0);
  expect(total(RENDER_METRICS.startsDeferred.name).sum).toBe(deferredForBudget);
  expect(tally(emf.metrics(), RENDER_METRICS.startsDeferred.name, { service: SERVICE, reason: 'budget' }).sum).toBe(deferredForBudget);

  // AND the budget gauges after every reservation, refusal and release: never above the budget, full at its peak, empty at the end
  const used = total(RENDER_METRICS.budgetUnitsInUse.name).values;
  const size = total(RENDER_METRICS.budgetSize.name).values;
  expect(size.length).toBe(used.length);
  expect(new Set(size)).toEqual(new Set([12]));
  // 3 reservations, 3 releases and at least one refusal (the expired render held no units)
  expect(used.length).toBeGreaterThanOrEqual(7);
  expect(Math.max(...used)).toBe(12);
  expect(used[used.length - 1]).toBe(0);

  // AND only the contract's names, units and dimensions: never an id or a user
  const allowed = new Map<string, { unit: string; dimension?: string; values?: readonly string[] }>(
    Object.values(RENDER_METRICS).filter((spec): spec is Exclude<typeof spec, string> => typeof spec === 'object').map((spec) => [spec.name, spec]),
  );
  for (const metric of emf.metrics()) {
    const spec = allowed.get(metric.name);
    expect(metric).toMatchObject({ namespace: RENDER_METRICS.namespace, unit: spec?.unit });
    const { service, ...second } = metric.dimensions;
    expect(service).toBe(SERVICE);
    for (const [name, value] of Object.entries(second)) {
      expect(name).toBe(spec?.dimension);
      expect(spec?.values).toContain(value);
    }
  }
}, 60_000);
