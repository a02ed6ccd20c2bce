/**
 * The counted holds (render budget, queued places) against moto's DynamoDB, served one request at
 * a time as DynamoDB applies conditional writes: concurrent reservations never pass the maximum.
 */
import * as lib from '@aws-sdk/lib-dynamodb';
import { budgetKey, createCountedHolds, queuedKey } from '../../../../src/render-function/runtime/records/holds';
import { MotoServer } from '../../../moto/moto-server';
import { createRecordsTable, motoDocumentClient } from '../../../moto/records-table';

const TABLE = 'render-records';
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

const holds = () => createCountedHolds(TABLE, motoDocumentClient(), lib);
const BUDGET = budgetKey('remotion-render-4-0-527-mem2048mb-disk2048mb-120sec');

describe('createCountedHolds', () => {
  it('tells the budget\'s units in use after each reservation, refused reservation and release, and nothing of a queued place', async () => {
    const told: number[] = [];
    const budget = createCountedHolds(TABLE, motoDocumentClient(), lib, (used) => told.push(used));
    await budget.reserve(BUDGET, 'a', 6, 12);
    await budget.reserve(BUDGET, 'b', 6, 12);
    await budget.reserve(BUDGET, 'c', 6, 12);
    await budget.release(BUDGET, 'a', 6);
    await budget.release(BUDGET, 'a', 6);
    await budget.reserve(queuedKey('user-alice'), 'a', 1, 20);
    await budget.release(queuedKey('user-alice'), 'a', 1);

    // The repeated release freed nothing, so it tells nothing.
    expect(told).toEqual([6, 12, 12, 6]);
  });

  it('reserves units up to the maximum and refuses the reservation that would pass it', async () => {
    const budget = holds();
    expect(await budget.reserve(BUDGET, 'a', 6, 15)).toBe('reserved');
    expect(await budget.reserve(BUDGET, 'b', 6, 15)).toBe('reserved');
    expect(await budget.reserve(BUDGET, 'c', 6, 15)).toBe('full');
    expect(await budget.read(BUDGET)).toEqual({ used: 12, holds: { a: 6, b: 6 } });
  });

  it('counts a holder once: a second reservation by the same holder is "held" and takes nothing', async () => {
    const budget = holds();
    await budget.reserve(BUDGET, 'a', 6, 60);
    expect(await budget.reserve(BUDGET, 'a', 6, 60)).toBe('held');
    expect(await budget.read(BUDGET)).toEqual({ used: 6, holds: { a: 6 } });
  });

  it('releases a holder\'s units once, however often the release is repeated', async () => {
    const budget = holds();
    await budget.reserve(BUDGET, 'a', 6, 60);
    await budget.reserve(BUDGET, 'b', 6, 60);
    expect(await budget.release(BUDGET, 'a', 6)).toBe(true);
    expect(await budget.release(BUDGET, 'a', 6)).toBe(false);
    expect(await budget.release(BUDGET, 'nobody', 6)).toBe(false);
    expect(await budget.read(BUDGET)).toEqual({ used: 6, holds: { b: 6 } });
  });

  it('refuses a reservation larger than the maximum without writing anything', async () => {
    const budget = holds();
    expect(await budget.reserve(BUDGET, 'a', 61, 60)).toBe('full');
    expect(await budget.read(BUDGET)).toBeUndefined();
  });

  it('keeps each counter apart: the budget and a user\'s queued places', async () => {
    const counters = holds();
    await counters.reserve(BUDGET, 'a', 6, 60);
    await counters.reserve(queuedKey('user-1'), 'a', 1, 2);
    await counters.reserve(queuedKey('user-1'), 'b', 1, 2);
    expect(await counters.reserve(queuedKey('user-1'), 'c', 1, 2)).toBe('full');
    expect(await counters.reserve(queuedKey('user-2'), 'c', 1, 2)).toBe('reserved');
    expect(await counters.read(BUDGET)).toEqual({ used: 6, holds: { a: 6 } });
  });

  it('never passes the maximum when 30 holders reserve at once, and hands out exactly what fits', async () => {
    // GIVEN a budget of 60 units and 30 renders of 6 units each, all at once, from separate clients
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, index) => holds().reserve(BUDGET, `r${index}`, 6, 60)));
    // THEN exactly 10 got their units, and the counter agrees with the holds
    expect(outcomes.filter((outcome) => outcome === 'reserved')).toHaveLength(10);
    const state = await holds().read(BUDGET);
    expect(state?.used).toBe(60);
    expect(Object.values(state?.holds ?? {}).reduce((sum, units) => sum + units, 0)).toBe(60);
  });
});
