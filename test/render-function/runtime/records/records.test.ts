import { RENDER_ENV } from '../../../../src/render-function/contract';
import { DEFAULT_LIMIT_WINDOW_SECONDS, DEFAULT_RENDER_DEADLINE_SECONDS } from '../../../../src/render-function/runtime/records/limits';
import { newQueuedRecord } from '../../../../src/render-function/runtime/records/record';
import {
  DEFAULT_RECORDS_RETENTION_SECONDS,
  finishedRecordBody,
  listRendersBody,
  loadRecordsConfig,
  planRecordOutputLink,
  waitingRecordBody,
} from '../../../../src/render-function/runtime/records/records';
import { CALLER_SUB } from '../handler-events';
import { FakeRecordStore, REMOTION_BUCKET, startedRecord, T0 } from '../routes/fake-resources';

const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/render-records';

describe('loadRecordsConfig', () => {
  it('is undefined without a table name: records are off', () => {
    expect(loadRecordsConfig({})).toBeUndefined();
    expect(loadRecordsConfig({ [RENDER_ENV.RECORDS_TABLE_NAME]: ' ' })).toBeUndefined();
  });

  it('fills in the defaults for a table alone', () => {
    expect(loadRecordsConfig({ [RENDER_ENV.RECORDS_TABLE_NAME]: 'render-records' })).toEqual({
      tableName: 'render-records',
      retentionSeconds: DEFAULT_RECORDS_RETENTION_SECONDS,
      idempotency: false,
      limits: {
        maxInProgress: undefined,
        maxStarts: undefined,
        windowSeconds: DEFAULT_LIMIT_WINDOW_SECONDS,
        renderDeadlineSeconds: DEFAULT_RENDER_DEADLINE_SECONDS,
      },
      completionSecretArn: undefined,
      events: undefined,
    });
  });

  it('reads every setting the construct writes', () => {
    expect(loadRecordsConfig({
      [RENDER_ENV.RECORDS_TABLE_NAME]: 'render-records',
      [RENDER_ENV.RECORDS_RETENTION_SECONDS]: '86400',
      [RENDER_ENV.IDEMPOTENCY_ENABLED]: 'true',
      [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: '2',
      [RENDER_ENV.LIMIT_MAX_STARTS]: '10',
      [RENDER_ENV.LIMIT_WINDOW_SECONDS]: '600',
      [RENDER_ENV.LIMIT_RENDER_DEADLINE_SECONDS]: '180',
      [RENDER_ENV.COMPLETION_SECRET_ARN]: 'arn:secret',
      [RENDER_ENV.EVENT_BUS]: 'default',
      [RENDER_ENV.RECORDS_TABLE_ARN]: TABLE_ARN,
    })).toEqual({
      tableName: 'render-records',
      retentionSeconds: 86400,
      idempotency: true,
      limits: { maxInProgress: 2, maxStarts: 10, windowSeconds: 600, renderDeadlineSeconds: 180 },
      completionSecretArn: 'arn:secret',
      events: { eventBus: 'default', tableArn: TABLE_ARN },
    });
  });

  it('refuses a retention that is not a positive integer, naming the variable', () => {
    expect(() => loadRecordsConfig({ [RENDER_ENV.RECORDS_TABLE_NAME]: 't', [RENDER_ENV.RECORDS_RETENTION_SECONDS]: '1.5' }))
      .toThrow(`${RENDER_ENV.RECORDS_RETENTION_SECONDS} must be a positive integer of seconds`);
  });

  it('refuses an event bus without the table ARN the events name', () => {
    expect(() => loadRecordsConfig({ [RENDER_ENV.RECORDS_TABLE_NAME]: 't', [RENDER_ENV.EVENT_BUS]: 'default' }))
      .toThrow(`${RENDER_ENV.RECORDS_TABLE_ARN} must be set with ${RENDER_ENV.EVENT_BUS}: the events name the records table`);
  });
});

describe('listRendersBody', () => {
  it('shows a render RENDERING past the deadline as TIMED_OUT, and gives no token on the last page', async () => {
    const store = new FakeRecordStore();
    await store.put(startedRecord(CALLER_SUB, 'r1'));
    const body = await listRendersBody(store, CALLER_SUB, { limit: 20 }, T0 + 61_000, 60_000);
    expect(body).toEqual({
      renders: [{
        renderId: 'r1',
        status: 'TIMED_OUT',
        composition: 'Intro',
        codec: 'h264',
        bucketName: REMOTION_BUCKET,
        outputKey: 'renders/r1/clip.mp4',
        createdAt: new Date(T0).toISOString(),
      }],
    });
  });
});

describe('planRecordOutputLink', () => {
  it('links nothing before success', () => {
    expect(planRecordOutputLink({ ...startedRecord(CALLER_SUB, 'r1'), status: 'FAILED' }, 'us-east-1')).toEqual({ kind: 'none' });
  });

  it('links public output by the URL Remotion reports for it', () => {
    expect(planRecordOutputLink({ ...startedRecord(CALLER_SUB, 'r1'), status: 'SUCCEEDED', privacy: 'public' }, 'eu-west-1'))
      .toEqual({ kind: 'public', url: `https://s3.eu-west-1.amazonaws.com/${REMOTION_BUCKET}/renders/r1/clip.mp4` });
  });

  it('presigns private output', () => {
    expect(planRecordOutputLink({ ...startedRecord(CALLER_SUB, 'r1'), status: 'SUCCEEDED' }, 'us-east-1'))
      .toEqual({ kind: 'presigned', bucketName: REMOTION_BUCKET, objectKey: 'renders/r1/clip.mp4' });
  });
});

describe('finishedRecordBody', () => {
  it('answers a failed render with its errors as fatal and no link', () => {
    const record = { ...startedRecord(CALLER_SUB, 'r1'), status: 'FAILED' as const, errors: ['Composition crashed'] };
    expect(finishedRecordBody(record)).toEqual({
      renderId: 'r1',
      done: true,
      overallProgress: 0,
      fatalErrorEncountered: true,
      errors: [{ message: 'Composition crashed', chunk: null, isFatal: true }],
      status: 'FAILED',
    });
  });

  it('answers a succeeded render with its link and cost', () => {
    const record = { ...startedRecord(CALLER_SUB, 'r1'), status: 'SUCCEEDED' as const, cost: 0.5, costCurrency: 'USD' };
    expect(finishedRecordBody(record, { url: 'https://signed.example/x', expiresAt: '2026-03-01T10:15:00.000Z' })).toEqual({
      renderId: 'r1',
      done: true,
      overallProgress: 1,
      fatalErrorEncountered: false,
      errors: [],
      status: 'SUCCEEDED',
      outputUrl: 'https://signed.example/x',
      outputUrlExpiresAt: '2026-03-01T10:15:00.000Z',
      cost: 0.5,
      costCurrency: 'USD',
    });
  });
});

describe('waitingRecordBody', () => {
  it('answers a queued render as QUEUED and a starting one as RENDERING, both at no progress and not done', () => {
    const queued = newQueuedRecord({
      sub: CALLER_SUB,
      renderId: 'b3c1e7a2-5d4f-4e6a-9b8c-000000000001',
      composition: 'Intro',
      codec: 'h264',
      privacy: 'private',
      now: T0,
      retentionSeconds: 60,
      queuedHold: true,
      checkAt: T0 + 3_600_000,
    });
    const expected = { renderId: queued.renderId, done: false, overallProgress: 0, fatalErrorEncountered: false, errors: [] };
    expect(waitingRecordBody(queued)).toEqual({ ...expected, status: 'QUEUED' });
    expect(waitingRecordBody({ ...queued, status: 'STARTING' })).toEqual({ ...expected, status: 'RENDERING' });
  });
});
