import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { RECORDS_TABLE } from '../../src/render-function/contract';

/** A DynamoDB client for moto (region and endpoint come from the environment the test set). */
export function motoDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}));
}

/** Creates the records table with the key schema of the construct's table (test/render-records asserts that one). */
export async function createRecordsTable(tableName: string): Promise<void> {
  await new DynamoDBClient({}).send(new CreateTableCommand({
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: RECORDS_TABLE.partitionKey, AttributeType: 'S' },
      { AttributeName: RECORDS_TABLE.sortKey, AttributeType: 'S' },
      { AttributeName: RECORDS_TABLE.createdAt, AttributeType: 'S' },
      { AttributeName: RECORDS_TABLE.activeShard, AttributeType: 'S' },
      { AttributeName: RECORDS_TABLE.checkAt, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: RECORDS_TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: RECORDS_TABLE.sortKey, KeyType: 'RANGE' },
    ],
    LocalSecondaryIndexes: [{
      IndexName: RECORDS_TABLE.byCreatedAtIndex,
      KeySchema: [
        { AttributeName: RECORDS_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: RECORDS_TABLE.createdAt, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    }],
    GlobalSecondaryIndexes: [{
      IndexName: RECORDS_TABLE.activeIndex,
      KeySchema: [
        { AttributeName: RECORDS_TABLE.activeShard, KeyType: 'HASH' },
        { AttributeName: RECORDS_TABLE.checkAt, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    }],
  }));
}

/** Every item of the table: tests only, the handler never scans. */
export async function allItems(tableName: string): Promise<Record<string, unknown>[]> {
  const { Items } = await motoDocumentClient().send(new ScanCommand({ TableName: tableName }));
  return Items ?? [];
}
