/**
 * The bounded load test of issue 20: a budget of 60 units, 20 users × 10 renders, concurrency 5
 * (6 units a render, so 10 renders at once), the dispatcher behind the SQS event source harness
 * with maxConcurrency 5, Remotion's real client against the fake, each render completed by its
 * signed webhook a moment after it started. Renders are queued as POST /renders queues them (the
 * QUEUED record and the contract's message, `QueueWorld.enqueue`): the queue-aware route is not on
 * main yet, so the "no 5xx" part of the issue is not exercised here.
 *
 * It runs on the real clock with the contract's backoff (SQS's visibility timeout cannot be
 * faked): a render deferred often waits up to 120 s, so the test takes minutes.
 */
import { QueueWorld } from './queue-world';
import { RENDER_ID_METADATA_KEY } from '../../../../src/render-function/contract';

const USERS = 20;
const RENDERS_PER_USER = 10;
const BUDGET_UNITS = 60;
const CONCURRENCY = 5;
/** How long a render runs at the fake before the test completes it. */
const RENDER_MS = 300;

const world = QueueWorld.forTestFile();

const user = (u: number) => `load-user-${String(u).padStart(2, '0')}`;
const renderId = (u: number, r: number) => `00000000-0000-4000-8000-${String(u).padStart(6, '0')}${String(r).padStart(6, '0')}`;

it('never holds more than the budget at Remotion, and ends every render once, with one start and one event each', async () => {
  world.realClock = true;
  const startedAt = Date.now();
  // GIVEN 19 users' renders queued, then a late user's
  for (let u = 0; u < USERS; u++) {
    await Promise.all(Array.from({ length: RENDERS_PER_USER }, (_, r) => world.enqueue(user(u), renderId(u, r))));
  }
  // WHEN the dispatcher runs, and each render completes RENDER_MS after Remotion started it
  const source = await world.startDispatcher({ budget: BUDGET_UNITS, concurrency: CONCURRENCY }, 5);
  const firstSeen = new Map<string, number>();
  let peakAtFake = 0;
  let completed = 0;
  while (completed < USERS * RENDERS_PER_USER) {
    peakAtFake = Math.max(peakAtFake, world.fake.lambdasInUse);
    const now = Date.now();
    for (const id of world.fake.rendersInProgress) {
      if (!firstSeen.has(id)) firstSeen.set(id, now);
      if (now - firstSeen.get(id)! >= RENDER_MS) {
        await world.deliverWebhook(world.fake.completeRender(id));
        completed++;
      }
    }
    if (now - startedAt > 480_000) throw new Error(`Only ${completed} renders completed in time`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await source.waitFor(() => source.inFlight === 0);
  const elapsedMs = Date.now() - startedAt;

  // THEN
  const starts = world.fake.invocationsOfType('start');
  const startedIds = starts.map((start) => ((start.payload.webhook as { customData: Record<string, string> }).customData[RENDER_ID_METADATA_KEY]));
  const statuses = new Map<string, number>();
  for (let u = 0; u < USERS; u++) {
    for (let r = 0; r < RENDERS_PER_USER; r++) {
      const status = (await world.record(user(u), renderId(u, r)))?.status ?? 'MISSING';
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  }
  const outcomes = new Map<string, number>();
  for (const line of world.dispatchLog) outcomes.set(line.outcome, (outcomes.get(line.outcome) ?? 0) + 1);
  const lateUser = user(USERS - 1);
  const lateFirstStart = world.dispatchLog.filter((line) => line.sub === lateUser && line.outcome === 'started').map((line) => line.waitedMs!).sort((a, b) => a - b)[0];
  console.log([
    `load: ${USERS} users × ${RENDERS_PER_USER} renders, budget ${BUDGET_UNITS} units, concurrency ${CONCURRENCY}, in ${(elapsedMs / 1000).toFixed(1)} s`,
    `peak Lambdas at the fake: ${world.fake.peakLambdasInUse} (sampled ${peakAtFake}); starts: ${starts.length}; throttled: ${world.fake.throttledInvocations.length}`,
    `final statuses: ${JSON.stringify(Object.fromEntries(statuses))}; events: ${world.events.length}`,
    `dispatch outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}; deliveries: ${source.deliveries().length}`,
    `fairness: the late user's (${RENDERS_PER_USER * (USERS - 1)} renders queued before theirs) first render waited ${lateFirstStart} ms`,
  ].join('\n'));

  expect(world.fake.peakLambdasInUse).toBeLessThanOrEqual(BUDGET_UNITS);
  expect(statuses).toEqual(new Map([['SUCCEEDED', USERS * RENDERS_PER_USER]]));
  expect(starts).toHaveLength(USERS * RENDERS_PER_USER);
  expect(new Set(startedIds).size).toBe(USERS * RENDERS_PER_USER);
  expect(new Set(world.eventsPut().map(([, id]) => id)).size).toBe(USERS * RENDERS_PER_USER);
  expect(world.events).toHaveLength(USERS * RENDERS_PER_USER);
  expect(await world.budgetUsed()).toBe(0);
}, 540_000);
