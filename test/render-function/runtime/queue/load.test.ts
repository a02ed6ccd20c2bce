/**
 * The bounded load test of issue 20: a budget of 60 units, 20 users × 10 renders, concurrency 5
 * (6 units a render, so 10 renders at once), the dispatcher behind the SQS event source harness
 * with the construct's batch size and visibility timeout and maxConcurrency 5, Remotion's real
 * client against the fake, each render completed by its signed webhook through the real API
 * handler a moment after it started.
 *
 * Renders are queued through the real `POST /renders` of the API handler, in this process (not in
 * 4 bundle processes like the records load test): the enqueue path is a few DynamoDB and SQS calls,
 * so moto, not the handler, is the bottleneck; the test is about the dispatcher; and it runs in
 * `.ci/run` on 2 shared cores.
 *
 * It runs on the real clock with the contract's backoff (SQS's visibility timeout cannot be
 * faked): a render deferred often waits up to 120 s, so the test takes a minute or two.
 *
 * The queue has the construct's visibility timeout (the dispatcher's 60 s timeout × 6), not the
 * 2 s of the fault tests: on a busy machine a batch takes longer than 2 s at moto, so its messages
 * came back while still being handled; a copy that found the render STARTING (claimed, before
 * the full budget undid the claim) was acknowledged, and the first copy's deferral then named a
 * deleted message, so the render stayed QUEUED for good.
 */
import { API_CALL_TIMEOUT_MS, QueueWorld } from './queue-world';
import { RENDER_ID_METADATA_KEY } from '../../../../src/render-function/contract';
import type { DispatchLogRecord } from '../../../../src/render-function/runtime/queue/dispatch';
import { callerOf, startRenderEvent } from '../handler-events';

const USERS = 20;
const RENDERS_PER_USER = 10;
const BUDGET_UNITS = 60;
const CONCURRENCY = 5;
/** The construct's: RemotionRenderQueue's dispatcher timeout (60 s) × its visibility factor (6). */
const CONSTRUCT_VISIBILITY_SECONDS = 360;
/** The construct's SQS event source batch size. */
const CONSTRUCT_BATCH_SIZE = 5;
const DISPATCHER_MAX_CONCURRENCY = 5;
/** How long a render runs at the fake before the test completes it. */
const RENDER_MS = 300;

const world = QueueWorld.forTestFile();

const user = (u: number) => `load-user-${String(u).padStart(2, '0')}`;

/**
 * Queues one render through the API handler's POST /renders; returns the HTTP status and our id.
 * The handler waits the construct's default (API_CALL_TIMEOUT_MS). One single-threaded moto
 * answers in seconds on a busy machine, where DynamoDB and SQS answer in milliseconds: 200
 * requests at once got 502s from it within 25 s, so the tests keep 20 in flight at a time.
 */
async function postRender(call: ReturnType<typeof callerOf>, sub: string, n: number): Promise<{ sub: string; status: number; renderId?: string }> {
  const { response, body } = await call(startRenderEvent({ composition: 'Intro', inputProps: { title: `${sub}-${n}` } }, { sub }));
  return { sub, status: response.statusCode ?? 0, renderId: typeof body.renderId === 'string' ? body.renderId : undefined };
}

/** Completes each render RENDER_MS after the fake first saw it, by its webhook, until `until` holds. */
async function completeRendersUntil(until: () => boolean, limitMs: number): Promise<number> {
  const firstSeen = new Map<string, number>();
  const startedAt = Date.now();
  let completed = 0;
  while (!until()) {
    const now = Date.now();
    for (const id of world.fake.rendersInProgress) {
      if (!firstSeen.has(id)) firstSeen.set(id, now);
      if (now - firstSeen.get(id)! >= RENDER_MS) {
        await world.deliverWebhook(world.fake.completeRender(id));
        completed++;
      }
    }
    if (now - startedAt > limitMs) throw new Error(`Only ${completed} renders completed in ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return completed;
}

const countBy = <T>(values: T[]) =>
  Object.fromEntries([...values.reduce((counts, value) => counts.set(value, (counts.get(value) ?? 0) + 1), new Map<T, number>())]);
const firstStartWait = (log: DispatchLogRecord[], sub: string) =>
  Math.min(...log.filter((line) => line.sub === sub && line.outcome === 'started').map((line) => line.waitedMs!));

beforeEach(async () => {
  world.realClock = true;
  await world.useQueue(CONSTRUCT_VISIBILITY_SECONDS);
});

it('never holds more than the budget at Remotion, answers no 5xx, and ends every render once, with one start and one event each', async () => {
  const startedAt = Date.now();
  const settings = { budget: BUDGET_UNITS, concurrency: CONCURRENCY };
  // GIVEN the dispatcher running
  const source = await world.startDispatcher(settings, DISPATCHER_MAX_CONCURRENCY, CONSTRUCT_BATCH_SIZE);
  // WHEN 20 users at once each POST 10 renders, one after another, and each render completes RENDER_MS after Remotion started it
  const call = callerOf(world.api({ ...settings, callTimeoutMs: API_CALL_TIMEOUT_MS }));
  const answers = (await Promise.all(Array.from({ length: USERS }, async (_, u) => {
    const sent = [];
    for (let r = 0; r < RENDERS_PER_USER; r++) sent.push(await postRender(call, user(u), r));
    return sent;
  }))).flat();
  const acceptedAnswers = answers.filter((answer) => answer.status === 202);
  const accepted = acceptedAnswers.map((answer) => answer.renderId!);
  const completed = await completeRendersUntil(() => world.events.length >= accepted.length, 420_000);
  await source.waitFor(() => source.inFlight === 0);
  const elapsedMs = Date.now() - startedAt;

  // THEN
  const starts = world.fake.invocationsOfType('start');
  const startedIds = starts.map((start) => ((start.payload.webhook as { customData: Record<string, string> }).customData[RENDER_ID_METADATA_KEY]));
  const records = await Promise.all(acceptedAnswers.map(async (answer) => world.record(answer.sub, answer.renderId!)));
  const statuses = countBy(records.map((record) => record?.status ?? 'MISSING'));
  console.log([
    `load: ${USERS} users × ${RENDERS_PER_USER} renders, budget ${BUDGET_UNITS} units, concurrency ${CONCURRENCY}, in ${(elapsedMs / 1000).toFixed(1)} s`,
    `POST /renders answers: ${JSON.stringify(countBy(answers.map((answer) => answer.status)))}`,
    `peak Lambdas at the fake: ${world.fake.peakLambdasInUse}; starts: ${starts.length}; completed by webhook: ${completed}; throttled: ${world.fake.throttledInvocations.length}`,
    `final statuses: ${JSON.stringify(statuses)}; events: ${world.events.length}`,
    `dispatch outcomes: ${JSON.stringify(countBy(world.dispatchLog.map((line) => line.outcome)))}; deliveries: ${source.deliveries().length}`,
    `fairness: the last user's first render waited ${firstStartWait(world.dispatchLog, user(USERS - 1))} ms`,
  ].join('\n'));

  expect(answers.filter((answer) => answer.status >= 500)).toEqual([]);
  expect(accepted).toHaveLength(USERS * RENDERS_PER_USER);
  expect(world.fake.peakLambdasInUse).toBeLessThanOrEqual(BUDGET_UNITS);
  expect(statuses).toEqual({ SUCCEEDED: USERS * RENDERS_PER_USER });
  expect(starts).toHaveLength(USERS * RENDERS_PER_USER);
  expect(new Set(startedIds)).toEqual(new Set(accepted));
  expect(world.events).toHaveLength(USERS * RENDERS_PER_USER);
  expect(new Set(world.eventsPut().map(([, id]) => id))).toEqual(new Set(accepted));
  expect(await world.budgetUsed()).toBe(0);
}, 480_000);

/**
 * Moto ignores SQS fair queues' message groups, so this measures our own scheme alone: the heavy
 * user's renders over maxRendersInProgress are deferred with growing backoff, and the late user's
 * message is received once the heavy user's have been pushed out of its way. In AWS, the fair
 * queue (message group per owner) serves the late user's group ahead of the heavy backlog.
 */
it('starts a late user\'s first render while a user with 200 queued renders still waits, and prints how long it waited', async () => {
  const HEAVY = 'heavy-user';
  const LATE = 'late-user';
  const HEAVY_RENDERS = 200;
  const MAX_IN_PROGRESS = 3;
  const settings = { budget: BUDGET_UNITS, concurrency: CONCURRENCY, maxInProgress: MAX_IN_PROGRESS, maxQueuedPerUser: HEAVY_RENDERS };
  // GIVEN a user with 200 renders queued, then a late user's one
  const call = callerOf(world.api({ ...settings, callTimeoutMs: API_CALL_TIMEOUT_MS }));
  // 20 requests in flight at a time, as in the first test.
  const heavy = (await Promise.all(Array.from({ length: USERS }, async (_, lane) => {
    const sent = [];
    for (let r = lane; r < HEAVY_RENDERS; r += USERS) sent.push(await postRender(call, HEAVY, r));
    return sent;
  }))).flat();
  const late = await postRender(call, LATE, 0);
  // WHEN the dispatcher runs, and renders complete RENDER_MS after they started
  const source = await world.startDispatcher(settings, DISPATCHER_MAX_CONCURRENCY, CONSTRUCT_BATCH_SIZE);
  // Moto hands out the oldest visible messages first: the late message waits until backoff has pushed the heavy user's away.
  await completeRendersUntil(() => world.dispatchLog.some((line) => line.sub === LATE && line.outcome === 'started'), 300_000);
  const heavyStarted = world.dispatchLog.filter((line) => line.sub === HEAVY && line.outcome === 'started').length;
  await source.stop();

  // THEN
  const lateWaitedMs = firstStartWait(world.dispatchLog, LATE);
  console.log([
    `fairness: a late user's first render waited ${lateWaitedMs} ms behind a user with ${HEAVY_RENDERS} queued (maxRendersInProgress ${MAX_IN_PROGRESS});`,
    `the heavy user had ${heavyStarted} started by then; dispatch outcomes: ${JSON.stringify(countBy(world.dispatchLog.map((line) => line.outcome)))}`,
  ].join('\n'));
  expect([...heavy.map((answer) => answer.status), late.status]).toEqual(Array(HEAVY_RENDERS + 1).fill(202));
  expect(heavyStarted).toBeLessThan(HEAVY_RENDERS);
  expect(world.fake.peakLambdasInUse).toBeLessThanOrEqual(BUDGET_UNITS);
}, 360_000);
