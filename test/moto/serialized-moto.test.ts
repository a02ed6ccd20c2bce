/**
 * The tests' moto is honest about conditional writes: of many concurrent conditional PutItems on
 * one key, exactly one succeeds, as in DynamoDB. The load test's limits rely on it.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { MotoServer } from './moto-server';
import { createRecordsTable } from './records-table';
import { RECORDS_TABLE } from '../../src/render-function/contract';

const TABLE = 'serialized-moto';
const TRIALS = 30;
const WRITERS = 8;
/**
 * The limits' slot condition, padded: moto parses the condition between reading the item and
 * writing it, so a longer condition widens that window. Against moto's threaded `moto_server`
 * this probe then finds several winners in about half of the trials (1 in 150 without padding).
 */
const CONDITION = ['attribute_not_exists(#pk)', ...Array<string>(39).fill('#until < :now')].join(' OR ');

let moto: MotoServer;
const originalEnv = process.env;

beforeAll(async () => {
  moto = await MotoServer.start();
  process.env = { ...originalEnv, ...moto.sdkEnvironment() };
  await createRecordsTable(TABLE);
}, 30_000);

afterAll(async () => {
  process.env = originalEnv;
  await moto?.stop();
});

it('lets exactly one of many concurrent conditional writes on one key succeed, in every trial', async () => {
  const client = new DynamoDBClient({ maxAttempts: 1 });
  const winnersPerTrial: number[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    // All writers in flight at once, each on its own connection.
    const outcomes = await Promise.allSettled(Array.from({ length: WRITERS }, (_, writer) => client.send(new PutItemCommand({
      TableName: TABLE,
      Item: { [RECORDS_TABLE.partitionKey]: { S: `OWNER#trial-${trial}` }, [RECORDS_TABLE.sortKey]: { S: 'LIMIT#RUN#0' }, holder: { S: `writer-${writer}` }, until: { N: String(Date.now() + 900_000) } },
      ConditionExpression: CONDITION,
      ExpressionAttributeNames: { '#pk': RECORDS_TABLE.partitionKey, '#until': 'until' },
      ExpressionAttributeValues: { ':now': { N: String(Date.now()) } },
    }))));
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect((outcome.reason as Error).name).toBe('ConditionalCheckFailedException');
    }
    winnersPerTrial.push(outcomes.filter((outcome) => outcome.status === 'fulfilled').length);
  }
  expect(winnersPerTrial).toEqual(Array<number>(TRIALS).fill(1));
}, 60_000);
