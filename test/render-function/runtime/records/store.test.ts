import * as lib from '@aws-sdk/lib-dynamodb';
import { createRecordStore } from '../../../../src/render-function/runtime/records/store';
import { CALLER_SUB } from '../handler-events';
import { conditionFailed, RecordingDocuments } from './recording-documents';
import { startedRecord, T0 } from '../routes/fake-resources';

const TABLE = 'render-records';
const KEY = { pk: `USER#${CALLER_SUB}`, sk: 'RENDER#r1' };
const COMPLETION = { status: 'SUCCEEDED' as const, finishedAt: new Date(T0).toISOString(), errors: [] };

function storeOver() {
  const documents = new RecordingDocuments();
  return { documents, store: createRecordStore(TABLE, documents.client, lib) };
}

describe('createRecordStore', () => {
  it('puts a new record only where none is', async () => {
    const { documents, store } = storeOver();
    const record = startedRecord(CALLER_SUB, 'r1');
    await store.put(record);
    expect(documents.sent).toEqual([{
      command: 'PutCommand',
      input: { TableName: TABLE, Item: { ...record }, ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': 'pk' } },
    }]);
  });

  it('reads one record strongly consistently, undefined when there is none', async () => {
    const { documents, store } = storeOver();
    const record = startedRecord(CALLER_SUB, 'r1');
    documents.answers.push({ Item: record }, {});
    expect(await store.get(CALLER_SUB, 'r1')).toEqual(record);
    expect(await store.get(CALLER_SUB, 'r1')).toBeUndefined();
    expect(documents.sent[0]).toEqual({ command: 'GetCommand', input: { TableName: TABLE, Key: KEY, ConsistentRead: true } });
  });

  it('completes only an unfinished record, with the output key and cost when known, and looks at it again a minute later', async () => {
    const { documents, store } = storeOver();
    await store.complete(CALLER_SUB, 'r1', { ...COMPLETION, outputKey: 'renders/r1/out.mp4', cost: 0.5, costCurrency: 'EUR' });
    expect(documents.sent).toEqual([{
      command: 'UpdateCommand',
      input: {
        TableName: TABLE,
        Key: KEY,
        UpdateExpression: 'SET #status = :status, finishedAt = :finishedAt, #errors = :errors, outputKey = :outputKey, #cost = :cost, costCurrency = :currency, #checkAt = :settleBy',
        ConditionExpression: '#status IN (:from0, :from1, :from2)',
        ExpressionAttributeNames: { '#status': 'status', '#errors': 'errors', '#cost': 'cost', '#checkAt': 'checkAt' },
        ExpressionAttributeValues: {
          ':status': 'SUCCEEDED',
          ':from0': 'QUEUED',
          ':from1': 'STARTING',
          ':from2': 'RENDERING',
          ':finishedAt': COMPLETION.finishedAt,
          ':errors': [],
          ':outputKey': 'renders/r1/out.mp4',
          ':cost': 0.5,
          ':currency': 'EUR',
          ':settleBy': new Date(T0 + 60_000).toISOString(),
        },
        ReturnValues: 'ALL_NEW',
      },
    }]);
  });

  it('completes only from the statuses asked for, and records Remotion\'s id only where none is', async () => {
    const { documents, store } = storeOver();
    await store.complete(CALLER_SUB, 'r1', { ...COMPLETION, status: 'CANCELLED', remotionRenderId: 'abcdefghij' }, ['QUEUED']);
    expect(documents.sent[0].input).toMatchObject({
      UpdateExpression: 'SET #status = :status, finishedAt = :finishedAt, #errors = :errors, remotionRenderId = if_not_exists(remotionRenderId, :remotionRenderId), #checkAt = :settleBy',
      ConditionExpression: '#status IN (:from0)',
      ExpressionAttributeValues: expect.objectContaining({ ':from0': 'QUEUED', ':remotionRenderId': 'abcdefghij', ':status': 'CANCELLED' }),
    });
  });

  it('leaves a completion recorded first as it is, and passes on any other failure', async () => {
    const { documents, store } = storeOver();
    documents.answers.push(conditionFailed(), new Error('throttled'));
    await expect(store.complete(CALLER_SUB, 'r1', COMPLETION)).resolves.toBeUndefined();
    await expect(store.complete(CALLER_SUB, 'r1', COMPLETION)).rejects.toThrow('throttled');
  });

  it('claims a finished record\'s event once: the record as it now stands, or undefined when claimed already', async () => {
    const { documents, store } = storeOver();
    const claimed = { ...startedRecord(CALLER_SUB, 'r1'), status: 'SUCCEEDED', eventPutAt: new Date(T0).toISOString() };
    documents.answers.push({ Attributes: claimed }, conditionFailed());
    expect(await store.claimEvent(CALLER_SUB, 'r1', T0)).toEqual(claimed);
    expect(await store.claimEvent(CALLER_SUB, 'r1', T0)).toBeUndefined();
    expect(documents.sent[0].input).toEqual({
      TableName: TABLE,
      Key: KEY,
      UpdateExpression: 'SET eventPutAt = :now',
      ConditionExpression: 'attribute_exists(#pk) AND #status IN (:final0, :final1, :final2, :final3) AND attribute_not_exists(eventPutAt)',
      ExpressionAttributeNames: { '#pk': 'pk', '#status': 'status' },
      ExpressionAttributeValues: {
        ':now': new Date(T0).toISOString(),
        ':final0': 'SUCCEEDED',
        ':final1': 'FAILED',
        ':final2': 'TIMED_OUT',
        ':final3': 'CANCELLED',
      },
      ReturnValues: 'ALL_NEW',
    });
  });

  it('takes an event claim back on an existing record only', async () => {
    const { documents, store } = storeOver();
    await store.releaseEventClaim(CALLER_SUB, 'r1');
    expect(documents.sent).toEqual([{
      command: 'UpdateCommand',
      input: { TableName: TABLE, Key: KEY, UpdateExpression: 'REMOVE eventPutAt', ConditionExpression: 'attribute_exists(#pk)', ExpressionAttributeNames: { '#pk': 'pk' } },
    }]);
  });

  it('lists the caller\'s partition newest first on the creation-time index, from where the last page ended', async () => {
    const { documents, store } = storeOver();
    const startKey = { pk: `USER#${CALLER_SUB}`, sk: 'RENDER#r0', createdAt: new Date(T0).toISOString() };
    documents.answers.push({ Items: [startedRecord(CALLER_SUB, 'r1')], LastEvaluatedKey: { sk: 'RENDER#r1' } });
    expect(await store.list(CALLER_SUB, 1, startKey)).toEqual({ records: [startedRecord(CALLER_SUB, 'r1')], lastEvaluatedKey: { sk: 'RENDER#r1' } });
    expect(documents.sent[0]).toEqual({
      command: 'QueryCommand',
      input: {
        TableName: TABLE,
        IndexName: 'byCreatedAt',
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'pk' },
        ExpressionAttributeValues: { ':pk': `USER#${CALLER_SUB}` },
        ScanIndexForward: false,
        Limit: 1,
        ExclusiveStartKey: startKey,
      },
    });
  });
});
