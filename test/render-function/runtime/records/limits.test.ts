import * as lib from '@aws-sdk/lib-dynamodb';
import { RENDER_ENV } from '../../../../src/render-function/contract';
import { createLimits, limitMessage, loadLimitsConfig, type LimitsConfig } from '../../../../src/render-function/runtime/records/limits';
import { CALLER_SUB } from '../handler-events';
import { conditionFailed, RecordingDocuments } from './recording-documents';
import { T0 } from '../routes/fake-resources';

const TABLE = 'render-records';
const PARTITION = `USER#${CALLER_SUB}`;

function limitsOver(config: Partial<LimitsConfig>) {
  const documents = new RecordingDocuments();
  const limits = createLimits({ windowSeconds: 3600, renderDeadlineSeconds: 960, ...config }, TABLE, documents.client, lib);
  return { documents, limits };
}

/** The slot keys the requests named, in order. */
const slotKeys = (documents: RecordingDocuments) =>
  documents.sent.map(({ command, input }) => `${command} ${String(((input.Item ?? input.Key) as Record<string, unknown>).sk)}`);

describe('loadLimitsConfig', () => {
  it('has no limits, an hour\'s window and Remotion\'s longest run plus a margin by default', () => {
    expect(loadLimitsConfig({})).toEqual({ maxInProgress: undefined, maxStarts: undefined, windowSeconds: 3600, renderDeadlineSeconds: 960 });
  });

  it('reads 0 as no limit', () => {
    expect(loadLimitsConfig({ [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: '0', [RENDER_ENV.LIMIT_MAX_STARTS]: '3' }).maxInProgress).toBeUndefined();
  });

  it('refuses a value that is not a positive integer, naming the variable', () => {
    expect(() => loadLimitsConfig({ [RENDER_ENV.LIMIT_MAX_STARTS]: '-2' }))
      .toThrow(`${RENDER_ENV.LIMIT_MAX_STARTS} must be a positive integer, or 0 for no limit`);
  });
});

describe('createLimits', () => {
  beforeEach(() => jest.spyOn(Math, 'random').mockReturnValue(0));
  afterEach(() => jest.restoreAllMocks());

  it('takes a running slot with a conditional write that succeeds only on a free or expired slot', async () => {
    const { documents, limits } = limitsOver({ maxInProgress: 2 });
    expect(await limits.acquire(CALLER_SUB, 'holder-1', T0)).toEqual({ ok: true, slots: { holder: 'holder-1', running: 0 } });
    const until = T0 + 960 * 1000;
    expect(documents.sent).toEqual([{
      command: 'PutCommand',
      input: {
        TableName: TABLE,
        Item: { pk: PARTITION, sk: 'LIMIT#RUN#0', holder: 'holder-1', until, expiresAt: Math.ceil(until / 1000) + 86_400 },
        ConditionExpression: 'attribute_not_exists(#pk) OR #until < :now',
        ExpressionAttributeNames: { '#pk': 'pk', '#until': 'until' },
        ExpressionAttributeValues: { ':now': T0 },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    }]);
  });

  it('tries the next slot when one is held, and refuses with the earliest time one frees up when all are', async () => {
    const { documents, limits } = limitsOver({ maxInProgress: 2 });
    documents.answers.push(conditionFailed({ until: { N: String(T0 + 30_000) } }), conditionFailed({ until: { N: String(T0 + 10_500) } }));
    expect(await limits.acquire(CALLER_SUB, 'holder-1', T0)).toEqual({ ok: false, limit: 'inProgress', max: 2, retryAfterSeconds: 11 });
    expect(slotKeys(documents)).toEqual(['PutCommand LIMIT#RUN#0', 'PutCommand LIMIT#RUN#1']);
  });

  it('gives the running slot back when the start limit refuses', async () => {
    const { documents, limits } = limitsOver({ maxInProgress: 1, maxStarts: 1 });
    documents.answers.push({}, conditionFailed({ until: { N: String(T0 + 60_000) } }));
    expect(await limits.acquire(CALLER_SUB, 'holder-1', T0)).toEqual({ ok: false, limit: 'starts', max: 1, retryAfterSeconds: 60 });
    expect(slotKeys(documents)).toEqual(['PutCommand LIMIT#RUN#0', 'PutCommand LIMIT#START#0', 'UpdateCommand LIMIT#RUN#0']);
  });

  it('takes only the start slot when asked for the start alone, leaving the running slot to the dispatcher', async () => {
    const { documents, limits } = limitsOver({ maxInProgress: 1, maxStarts: 1 });
    expect(await limits.acquire(CALLER_SUB, 'holder-1', T0, 'start')).toEqual({ ok: true, slots: { holder: 'holder-1', running: undefined, start: 0 } });
    expect(slotKeys(documents)).toEqual(['PutCommand LIMIT#START#0']);
  });

  it('frees only slots its holder still holds, the start slot only when asked for all', async () => {
    const { documents, limits } = limitsOver({ maxInProgress: 1, maxStarts: 1 });
    documents.answers.push(conditionFailed());
    await limits.release(CALLER_SUB, { holder: 'holder-1', running: 0, start: 0 }, 'running');
    await limits.release(CALLER_SUB, { holder: 'holder-1', running: 0, start: 0 }, 'all');
    expect(slotKeys(documents)).toEqual(['UpdateCommand LIMIT#RUN#0', 'UpdateCommand LIMIT#RUN#0', 'UpdateCommand LIMIT#START#0']);
    expect(documents.sent[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: PARTITION, sk: 'LIMIT#RUN#0' },
      UpdateExpression: 'SET #until = :zero',
      ConditionExpression: 'holder = :holder',
      ExpressionAttributeNames: { '#until': 'until' },
      ExpressionAttributeValues: { ':zero': 0, ':holder': 'holder-1' },
    });
  });

  it('passes on a failure that is not a held slot', async () => {
    const { documents, limits } = limitsOver({ maxInProgress: 1 });
    documents.answers.push(new Error('throttled'));
    await expect(limits.acquire(CALLER_SUB, 'holder-1', T0)).rejects.toThrow('throttled');
  });
});

describe('limitMessage', () => {
  it('names the limit and, for starts, the window in minutes', () => {
    expect(limitMessage('inProgress', 2, 3600)).toBe('You have 2 renders in progress, the most allowed; start another when one has finished');
    expect(limitMessage('starts', 10, 3600)).toBe('You started 10 renders in the last 60 minutes, the most allowed; try again later');
  });
});
