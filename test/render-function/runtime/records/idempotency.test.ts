import * as idempotency from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, type IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  createIdempotentStart,
  IDEMPOTENCY_PARTITION,
  idempotencyKeyOf,
  idempotencyRefusals,
  type IdempotencyModules,
  type StartAnswer,
} from '../../../../src/render-function/runtime/records/idempotency';
import type { StartRenderRequest } from '../../../../src/render-function/runtime/request';
import { CALLER_SUB, OTHER_SUB } from '../handler-events';

const REQUEST: StartRenderRequest = { composition: 'Intro', inputProps: {}, codec: 'h264', outName: 'video.mp4' };
const STARTED: StartAnswer = { status: 202, body: { renderId: 'r1' }, renderId: 'r1' };

/**
 * Powertools' own extension point for a store: keeps its records in a map, and remembers the
 * options it was made with (those the DynamoDB layer would get).
 */
class InMemoryPersistenceLayer extends BasePersistenceLayer {
  static readonly made: Array<Record<string, unknown>> = [];
  readonly records = new Map<string, IdempotencyRecord>();

  constructor(options: Record<string, unknown>) {
    super();
    InMemoryPersistenceLayer.made.push(options);
  }

  protected async _getRecord(key: string): Promise<IdempotencyRecord> {
    const record = this.records.get(key);
    if (record === undefined) throw new idempotency.IdempotencyItemNotFoundError();
    return record;
  }

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.records.get(record.idempotencyKey);
    if (existing !== undefined && !existing.isExpired()) throw new idempotency.IdempotencyItemAlreadyExistsError('Taken', existing);
    this.records.set(record.idempotencyKey, record);
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    this.records.set(record.idempotencyKey, record);
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.records.delete(record.idempotencyKey);
  }
}

const client = new DynamoDBClient({ region: 'us-east-1' });

function idempotentStart() {
  const modules = { idempotency, dynamodb: { DynamoDBPersistenceLayer: InMemoryPersistenceLayer } } as unknown as IdempotencyModules;
  return createIdempotentStart({ tableName: 'render-records', client, modules, inProgressMs: 5000 });
}

describe('idempotencyKeyOf', () => {
  it('is nothing without the header, and the key with a valid one', () => {
    expect(idempotencyKeyOf({})).toEqual({});
    expect(idempotencyKeyOf({ 'idempotency-key': 'order-1234:v2' })).toEqual({ key: 'order-1234:v2' });
  });

  it.each([['empty', ''], ['with a space', 'has space'], ['129 characters long', 'a'.repeat(129)]])('refuses a key that is %s with 400, naming the header', (_, key) => {
    expect(idempotencyKeyOf({ 'idempotency-key': key })).toEqual({
      refusal: {
        status: 400,
        message: 'Invalid Idempotency-Key header',
        errors: [{ field: 'Idempotency-Key', message: 'must be 1 to 128 characters from A-Z a-z 0-9 . _ : -' }],
      },
    });
  });
});

describe('createIdempotentStart', () => {
  it('keeps its items in the records table\'s own keys and partition, through the client it is given', () => {
    InMemoryPersistenceLayer.made.length = 0;
    idempotentStart();
    expect(InMemoryPersistenceLayer.made).toEqual([{
      tableName: 'render-records',
      awsSdkV3Client: client,
      keyAttr: 'pk',
      sortKeyAttr: 'sk',
      staticPkValue: IDEMPOTENCY_PARTITION,
      expiryAttr: 'expiresAt',
    }]);
  });

  it('starts once per user and key, and replays the first answer to a repeat', async () => {
    const start = idempotentStart();
    const starts: string[] = [];
    const run = async () => (starts.push(CALLER_SUB), STARTED);
    expect(await start(CALLER_SUB, 'k1', REQUEST, run)).toEqual({ kind: 'answered', answer: STARTED, replayed: false });
    expect(await start(CALLER_SUB, 'k1', REQUEST, run)).toEqual({ kind: 'answered', answer: STARTED, replayed: true });
    expect(starts).toEqual([CALLER_SUB]);
  });

  it('keeps keys apart per user', async () => {
    const start = idempotentStart();
    await start(CALLER_SUB, 'k1', REQUEST, async () => STARTED);
    expect(await start(OTHER_SUB, 'k1', REQUEST, async () => STARTED)).toEqual({ kind: 'answered', answer: STARTED, replayed: false });
  });

  it('refuses a repeated key with another request with 422', async () => {
    const start = idempotentStart();
    await start(CALLER_SUB, 'k1', REQUEST, async () => STARTED);
    expect(await start(CALLER_SUB, 'k1', { ...REQUEST, composition: 'Outro' }, async () => STARTED))
      .toEqual({ kind: 'refused', refusal: idempotencyRefusals.differentBody() });
  });

  it('refuses a repeated key with 409 while the first request runs', async () => {
    const start = idempotentStart();
    let repeat: Awaited<ReturnType<typeof start>> | undefined;
    await start(CALLER_SUB, 'k1', REQUEST, async () => {
      repeat = await start(CALLER_SUB, 'k1', REQUEST, async () => STARTED);
      return STARTED;
    });
    expect(repeat).toEqual({ kind: 'refused', refusal: idempotencyRefusals.inProgress() });
  });

  it('keeps no answer that started nothing, so the key can be used again', async () => {
    const start = idempotentStart();
    const limited: StartAnswer = { status: 429, body: { message: 'Too many' } };
    const first = await start(CALLER_SUB, 'k1', REQUEST, async () => limited);
    expect(first).toEqual({ kind: 'failed', answer: limited, error: expect.objectContaining({ name: 'UncachedAnswer' }) });
    expect(await start(CALLER_SUB, 'k1', REQUEST, async () => STARTED)).toEqual({ kind: 'answered', answer: STARTED, replayed: false });
  });
});
