import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AuthenticatedRenderApi, AuthenticatedRenderApiProps } from '../../src/api';
import { RemotionRenderFunction } from '../../src/render-function';
import { RECORDS_TABLE, RENDER_ENV } from '../../src/render-function/contract';
import { RemotionRenderRecords } from '../../src/render-records';
import { newStack, renderSettings, statementsOfHandler, TEST_ENV } from '../util';

const ENV = TEST_ENV;

function build(props: Partial<AuthenticatedRenderApiProps> = {}) {
  const stack = newStack({ env: ENV });
  const api = new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack), ...props } as AuthenticatedRenderApiProps);
  return { stack, api, template: Template.fromStack(stack) };
}

function handlerEnvironment(template: Template): Record<string, unknown> {
  const functions = template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } });
  const [handler] = Object.values(functions);
  return handler.Properties.Environment.Variables;
}

/** Every statement that names a DynamoDB action. */
function dynamoStatements(template: Template) {
  return statementsOfHandler(template, 'index.handler').filter((statement) => statement.Action.some((action) => action.startsWith('dynamodb:')));
}

describe('render records with defaults', () => {
  const { stack, api, template } = build();
  const tableId = stack.getLogicalId(api.records!.table.node.defaultChild as dynamodb.CfnTable);

  it('creates one table keyed by the contract, on demand, with PITR, encryption and TTL on expiresAt', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: RECORDS_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: RECORDS_TABLE.sortKey, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: RECORDS_TABLE.ttl, Enabled: true },
    });
  });

  it('has the creation-time index that the newest-first listing queries', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      LocalSecondaryIndexes: [{
        IndexName: RECORDS_TABLE.byCreatedAtIndex,
        KeySchema: [
          { AttributeName: RECORDS_TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: RECORDS_TABLE.createdAt, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      }],
      AttributeDefinitions: Match.arrayWith([{ AttributeName: RECORDS_TABLE.createdAt, AttributeType: 'S' }]),
    });
  });

  it('has the sparse active index that the render queue\'s sweeper queries: activeShard and checkAt, keys only', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [{
        IndexName: RECORDS_TABLE.activeIndex,
        KeySchema: [
          { AttributeName: RECORDS_TABLE.activeShard, KeyType: 'HASH' },
          { AttributeName: RECORDS_TABLE.checkAt, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      }],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: RECORDS_TABLE.activeShard, AttributeType: 'S' },
        { AttributeName: RECORDS_TABLE.checkAt, AttributeType: 'S' },
      ]),
    });
  });

  it('retains the table when it leaves the stack', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('tells the handler the table name, a 90 day retention and that idempotency is on', () => {
    const env = handlerEnvironment(template);
    expect(env[RENDER_ENV.IDEMPOTENCY_ENABLED]).toBe('true');
    expect(env[RENDER_ENV.RECORDS_TABLE_NAME]).toEqual({ Ref: tableId });
    expect(env[RENDER_ENV.RECORDS_RETENTION_SECONDS]).toBe(String(90 * 24 * 3600));
  });

  it('grants exactly GetItem, PutItem, UpdateItem, DeleteItem on the table and Query on its index, nothing else of DynamoDB', () => {
    expect(dynamoStatements(template)).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        Resource: [`\${${tableId}.Arn}`],
      },
      { Effect: 'Allow', Action: ['dynamodb:Query'], Resource: [`\${${tableId}.Arn}/index/${RECORDS_TABLE.byCreatedAtIndex}`] },
    ]);
  });

  it('routes GET /renders to the handler behind the JWT authorizer', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /renders', AuthorizationType: 'JWT', AuthorizerId: Match.anyValue() });
  });
});

describe('render records settings', () => {
  it('applies the removal policy and retention given', () => {
    const { template } = build({ records: { removalPolicy: RemovalPolicy.DESTROY, retention: Duration.days(7) } });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    expect(handlerEnvironment(template)[RENDER_ENV.RECORDS_RETENTION_SECONDS]).toBe(String(7 * 24 * 3600));
  });

  it('uses a table brought by the user, creating none, and grants on that table only', () => {
    const stack = newStack({ env: ENV });
    const table = dynamodb.Table.fromTableName(stack, 'Existing', 'my-render-records');
    new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack), records: { table } });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(handlerEnvironment(template)[RENDER_ENV.RECORDS_TABLE_NAME]).toBe('my-render-records');
    const tableArn = '${AWS::Partition}:dynamodb:us-east-1:111122223333:table/my-render-records'.replace('${AWS::Partition}', 'arn:aws');
    expect(dynamoStatements(template)).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], Resource: [tableArn] },
      { Effect: 'Allow', Action: ['dynamodb:Query'], Resource: [`${tableArn}/index/${RECORDS_TABLE.byCreatedAtIndex}`] },
    ]);
  });

  it('turns off completely: no table, no listing route, no table variables, no DynamoDB permission', () => {
    const { api, template } = build({ recordsEnabled: false });
    expect(api.records).toBeUndefined();
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    const keys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey).sort();
    expect(keys).toEqual(['GET /renders/{renderId}', 'POST /renders']);
    expect(handlerEnvironment(template)).not.toHaveProperty(RENDER_ENV.RECORDS_TABLE_NAME);
    expect(dynamoStatements(template)).toEqual([]);
  });

  it('sets per-user limits of 3 in progress and 20 starts per hour by default, with Remotion\'s 120 s timeout plus a minute as deadline', () => {
    const env = handlerEnvironment(build().template);
    expect(env).toMatchObject({
      [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: '3',
      [RENDER_ENV.LIMIT_MAX_STARTS]: '20',
      [RENDER_ENV.LIMIT_WINDOW_SECONDS]: '3600',
      [RENDER_ENV.LIMIT_RENDER_DEADLINE_SECONDS]: '180',
    });
  });

  it('turns each limit off with 0 and takes the window given', () => {
    const records = { maxRendersInProgress: 0, maxStartsPerWindow: 5, startWindow: Duration.minutes(10) };
    const env = handlerEnvironment(build({ records }).template);
    expect(env).toMatchObject({ [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: '0', [RENDER_ENV.LIMIT_MAX_STARTS]: '5', [RENDER_ENV.LIMIT_WINDOW_SECONDS]: '600' });
  });

  it('refuses limits that are not whole numbers from 0 to 1000, and a window outside 1 minute to 1 day', () => {
    expect(() => build({ records: { maxRendersInProgress: -1 } })).toThrow(/maxRendersInProgress must be an integer between 0 and 1000/);
    expect(() => build({ records: { maxStartsPerWindow: 2.5 } })).toThrow(/maxStartsPerWindow must be an integer/);
    expect(() => build({ records: { startWindow: Duration.seconds(10) } })).toThrow(/startWindow must be between 1 minute and 1 day/);
  });

  it('leaves out DeleteItem and the idempotency switch when idempotency is off', () => {
    const { template } = build({ records: { idempotency: false } });
    expect(handlerEnvironment(template)).not.toHaveProperty(RENDER_ENV.IDEMPOTENCY_ENABLED);
    expect(dynamoStatements(template)[0].Action).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
  });

  it('refuses settings that recordsEnabled: false would ignore, naming them', () => {
    expect(() => build({ recordsEnabled: false, records: { retention: Duration.days(3) } }))
      .toThrow('records was given with recordsEnabled: false, so its settings would be ignored; leave it out.');
  });

  it('refuses a retention outside 1 day to 10 years', () => {
    expect(() => build({ records: { retention: Duration.hours(1) } })).toThrow(/retention must be between 1 day and 3650 days/);
    expect(() => build({ records: { retention: Duration.days(4000) } })).toThrow(/retention must be between/);
  });

  it('refuses removalPolicy with a table brought by the user', () => {
    const stack = newStack({ env: ENV });
    const table = dynamodb.Table.fromTableName(stack, 'Existing', 'my-render-records');
    expect(() => new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack), records: { table, removalPolicy: RemovalPolicy.DESTROY } }))
      .toThrow(/removalPolicy applies to the created table only/);
  });

  it('can be added to a RemotionRenderFunction on its own', () => {
    const stack = newStack({ env: ENV });
    const renderFunction = new RemotionRenderFunction(stack, 'Fn', renderSettings(stack));
    const records = new RemotionRenderRecords(stack, 'Records', { renderFunction });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    const tableId = stack.getLogicalId(records.table.node.defaultChild as dynamodb.CfnTable);
    expect(handlerEnvironment(template)[RENDER_ENV.RECORDS_TABLE_NAME]).toEqual({ Ref: tableId });
  });
});

/** Every statement that names a KMS action. */
function kmsStatements(template: Template) {
  return statementsOfHandler(template, 'index.handler').filter((statement) => statement.Action.some((action) => action.startsWith('kms:')));
}

describe('render records in a table encrypted with a customer-managed key', () => {
  const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1b2c3d4e-5f60-4718-9a0b-1c2d3e4f5a6b';
  const ENCRYPT_DECRYPT = ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];

  it('lets the handler encrypt and decrypt with the key of a table brought by the user, and only with it', () => {
    const stack = newStack({ env: ENV });
    const table = dynamodb.Table.fromTableAttributes(stack, 'Existing', {
      tableName: 'my-render-records',
      encryptionKey: kms.Key.fromKeyArn(stack, 'Key', KEY_ARN),
    });
    new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack), records: { table } });

    expect(kmsStatements(Template.fromStack(stack))).toEqual([{ Effect: 'Allow', Action: ENCRYPT_DECRYPT, Resource: [KEY_ARN] }]);
  });

  it('grants the same on a key made in the user\'s stack beside the table', () => {
    const stack = newStack({ env: ENV });
    const key = new kms.Key(stack, 'Key');
    const table = new dynamodb.Table(stack, 'Existing', {
      partitionKey: { name: RECORDS_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: RECORDS_TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
    });
    new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack), records: { table } });

    const keyId = stack.getLogicalId(key.node.defaultChild as kms.CfnKey);
    expect(kmsStatements(Template.fromStack(stack))).toEqual([{ Effect: 'Allow', Action: ENCRYPT_DECRYPT, Resource: [`\${${keyId}.Arn}`] }]);
  });

  it('grants no KMS action for the created table, which AWS-managed encryption covers', () => {
    const { template } = build();

    expect(kmsStatements(template)).toEqual([]);
  });
});
