/**
 * The queued render's life in its record (claim, release, rendering) and the one way it ends
 * (`finishRender`), against moto's DynamoDB.
 */
import * as lib from '@aws-sdk/lib-dynamodb';
import { finishRender, settleRender, type FinishDependencies } from '../../../../src/render-function/runtime/records/finish';
import { budgetKey, createCountedHolds, queuedKey } from '../../../../src/render-function/runtime/records/holds';
import { newQueuedRecord, type RecordCompletion } from '../../../../src/render-function/runtime/records/record';
import { createRecordStore, SETTLE_GRACE_MS } from '../../../../src/render-function/runtime/records/store';
import type { EventEntry } from '../../../../src/render-function/runtime/records/webhook';
import { MotoServer } from '../../../moto/moto-server';
import { createRecordsTable, motoDocumentClient } from '../../../moto/records-table';

const TABLE = 'render-records';
const SUB = 'user-1';
const ID = '3f6c1a52-8d0e-4a57-9a61-2f1d2b9a7c10';
const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const BUDGET = budgetKey('remotion-render-4-0-527-mem2048mb-disk2048mb-120sec');
const EVENTS = { eventBus: 'arn:aws:events:us-east-1:111111111111:event-bus/default', tableArn: 'arn:aws:dynamodb:us-east-1:111111111111:table/render-records' };

let moto: MotoServer;
const originalEnv = process.env;

beforeAll(async () => {
  moto = await MotoServer.start();
  process.env = { ...originalEnv, ...moto.sdkEnvironment() };
});

beforeEach(async () => {
  await moto.reset();
  await createRecordsTable(TABLE);
});

afterAll(async () => {
  await moto?.stop();
  process.env = originalEnv;
});

function world() {
  const client = motoDocumentClient();
  const store = createRecordStore(TABLE, client, lib);
  const holds = createCountedHolds(TABLE, client, lib);
  const events: EventEntry[] = [];
  let failPuts = 0;
  const dependencies: FinishDependencies = {
    store,
    holds,
    events: EVENTS,
    putEvent: async (entry) => {
      if (failPuts > 0) {
        failPuts--;
        throw new Error('EventBridge answered 500');
      }
      events.push(entry);
    },
    now: () => T0 + 60_000,
  };
  return { store, holds, events, dependencies, failNextPuts: (count: number) => { failPuts = count; } };
}

async function queue(w: ReturnType<typeof world>, renderId = ID) {
  await w.holds.reserve(queuedKey(SUB), renderId, 1, 20);
  await w.store.put(newQueuedRecord({
    sub: SUB,
    renderId,
    composition: 'Main',
    codec: 'h264',
    privacy: 'private',
    now: T0,
    retentionSeconds: 86_400,
    queuedHold: true,
    checkAt: T0 + 3_600_000,
  }));
}

const claim = (attempt: string) => ({ attempt, now: T0 + 1000, checkAt: T0 + 961_000, budgetPk: BUDGET.pk, budgetUnits: 6 });
const failed = (message: string): RecordCompletion => ({ status: 'FAILED', finishedAt: new Date(T0 + 60_000).toISOString(), errors: [message] });

describe('a queued render\'s record', () => {
  it('is claimed for a start once: a second claim, by any attempt, finds it no longer QUEUED', async () => {
    const w = world();
    await queue(w);
    expect(await w.store.claimStart(SUB, ID, claim('a1'))).toBe(true);
    expect(await w.store.claimStart(SUB, ID, claim('a2'))).toBe(false);
    expect(await w.store.get(SUB, ID)).toMatchObject({ status: 'STARTING', startAttempt: 'a1', budgetUnits: 6, budgetPk: BUDGET.pk });
  });

  it('goes back to QUEUED only for the attempt that claimed it', async () => {
    const w = world();
    await queue(w);
    await w.store.claimStart(SUB, ID, claim('a1'));
    expect(await w.store.releaseStart(SUB, ID, 'a2', T0)).toBe(false);
    expect(await w.store.releaseStart(SUB, ID, 'a1', T0 + 5000)).toBe(true);
    const record = await w.store.get(SUB, ID);
    expect(record?.status).toBe('QUEUED');
    expect(record).not.toHaveProperty('startAttempt');
    expect(record).not.toHaveProperty('budgetUnits');
  });

  it('becomes RENDERING with Remotion\'s id only while its attempt still holds the claim', async () => {
    const w = world();
    await queue(w);
    await w.store.claimStart(SUB, ID, claim('a1'));
    const started = { remotionRenderId: 'abcdef1234', bucketName: 'remotionlambda-useast1-abc', outputKey: 'renders/abcdef1234/out.mp4', checkAt: T0 + 120_000 };
    expect(await w.store.markRendering(SUB, ID, 'a2', started)).toBe(false);
    expect(await w.store.markRendering(SUB, ID, 'a1', started)).toBe(true);
    expect(await w.store.get(SUB, ID)).toMatchObject({ status: 'RENDERING', remotionRenderId: 'abcdef1234', outputKey: 'renders/abcdef1234/out.mp4' });
  });

  it('is listed as due once its check time has come, and not before', async () => {
    const w = world();
    await queue(w);
    expect(await w.store.listDue(T0 + 3_599_000, 10)).toEqual([]);
    expect(await w.store.listDue(T0 + 3_600_000, 10)).toEqual([{ sub: SUB, renderId: ID }]);
  });
});

describe('finishRender', () => {
  it('ends a render once: final status, its holds back, one event, and out of the active index', async () => {
    // GIVEN a render that holds its owner's queued place and budget units
    const w = world();
    await queue(w);
    await w.store.claimStart(SUB, ID, claim('a1'));
    await w.holds.reserve(BUDGET, ID, 6, 60);
    // WHEN it fails, and then something else notices the same end
    const first = await finishRender(w.dependencies, SUB, ID, failed('Waited longer than 60 minutes in the queue'));
    const second = await finishRender(w.dependencies, SUB, ID, { ...failed('another'), status: 'TIMED_OUT' });
    // THEN the first writer's end stands, everything is released, and there is exactly one event
    expect(first).toMatchObject({ endedNow: true, settled: true });
    expect(second).toMatchObject({ endedNow: false, settled: true });
    expect(await w.store.get(SUB, ID)).toMatchObject({ status: 'FAILED', errors: ['Waited longer than 60 minutes in the queue'] });
    expect(await w.holds.read(BUDGET)).toEqual({ used: 0, holds: {} });
    expect(await w.holds.read(queuedKey(SUB))).toEqual({ used: 0, holds: {} });
    expect(w.events.map((event) => [event.DetailType, JSON.parse(event.Detail).renderId])).toEqual([['Remotion Render Failed', ID]]);
    expect(await w.store.listDue(T0 + 10 * 3_600_000, 10)).toEqual([]);
  });

  it('changes nothing when the record is not in one of the statuses it may end from', async () => {
    const w = world();
    await queue(w);
    await w.store.claimStart(SUB, ID, claim('a1'));
    const cancelled = await finishRender(w.dependencies, SUB, ID, { ...failed('x'), status: 'CANCELLED' }, ['QUEUED']);
    expect(cancelled).toMatchObject({ endedNow: false, settled: false, record: { status: 'STARTING' } });
    expect(w.events).toEqual([]);
  });

  it('keeps a render whose event could not be put in the active index, and puts the event on the next try', async () => {
    const w = world();
    await queue(w);
    w.failNextPuts(1);
    const first = await finishRender(w.dependencies, SUB, ID, { ...failed('x'), status: 'CANCELLED' }, ['QUEUED']);
    expect(first).toMatchObject({ endedNow: true, settled: false });
    expect(await w.store.listDue(T0 + 60_000 + SETTLE_GRACE_MS, 10)).toEqual([{ sub: SUB, renderId: ID }]);
    // WHEN the sweeper settles it later
    const again = await settleRender(w.dependencies, (await w.store.get(SUB, ID))!);
    expect(again.settled).toBe(true);
    expect(w.events.map((event) => event.DetailType)).toEqual(['Remotion Render Cancelled']);
    expect(await w.store.listDue(T0 + 10 * 3_600_000, 10)).toEqual([]);
  });

  it('learns Remotion\'s id from the completion of a start whose answer was lost', async () => {
    const w = world();
    await queue(w);
    await w.store.claimStart(SUB, ID, claim('a1'));
    await finishRender(w.dependencies, SUB, ID, { status: 'SUCCEEDED', finishedAt: new Date(T0).toISOString(), errors: [], remotionRenderId: 'abcdef1234' });
    expect(await w.store.get(SUB, ID)).toMatchObject({ status: 'SUCCEEDED', remotionRenderId: 'abcdef1234' });
    expect(JSON.parse(w.events[0].Detail)).toMatchObject({ renderId: ID, remotionRenderId: 'abcdef1234', status: 'SUCCEEDED' });
  });
});
