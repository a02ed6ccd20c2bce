import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { buildQueue, idOf } from './build';
import { RemotionRenderFunction } from '../../src/render-function';
import { RemotionRenderQueue } from '../../src/render-queue';
import { RemotionRenderRecords } from '../../src/render-records';
import { CLI_SITE, FlatStatement, newStack, renderSettings, statementsOfHandler, TEST_ENV } from '../util';

const FUNCTION_ARN = `arn:aws:lambda:us-east-1:111122223333:function:${CLI_SITE.remotionFunctionName}`;
const BUS_ARN = 'arn:aws:events:us-east-1:111122223333:event-bus/default';
/** The region's Remotion bucket: the CLI site names no bucket. */
const BUCKET = 'arn:aws:s3:::remotionlambda-useast1-*';
const CONSUME = ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

const allow = (Action: string[], Resource: string[], Sid?: string): FlatStatement => ({ ...(Sid ? { Sid } : {}), Effect: 'Allow', Action, Resource });

/** The ids of what the statements name, as `flatten` writes them. */
function refs(built: ReturnType<typeof buildQueue>) {
  const { stack, records, queue } = built;
  return {
    table: `\${${idOf(stack, records.table)}.Arn}`,
    secret: `\${${idOf(stack, records.completionSecret)}}`,
    queue: `\${${idOf(stack, queue.queue)}.Arn}`,
    dispatcherLogs: `\${${idOf(stack, queue.dispatcherLogGroup)}.Arn}`,
    sweeperLogs: `\${${idOf(stack, queue.sweeperLogGroup)}.Arn}`,
  };
}

describe('the dispatcher role', () => {
  const built = buildQueue();
  const r = refs(built);

  it('gets the render handler\'s RENDER_ONLY policy: invoke exactly the Remotion function, read only outputs', () => {
    expect(statementsOfHandler(built.template, 'dispatcher.handler', 'AWS::IAM::ManagedPolicy')).toEqual([
      allow(['lambda:InvokeFunction'], [FUNCTION_ARN], 'RemotionInvokeRenderFunction'),
      allow(['s3:GetObject'], [`${BUCKET}/renders/*/renders-by-user/*`], 'RemotionReadRenderObjects'),
    ]);
    expect(statementsOfHandler(built.template, 'dispatcher.handler', 'AWS::IAM::ManagedPolicy'))
      .toEqual(statementsOfHandler(built.template, 'index.handler', 'AWS::IAM::ManagedPolicy'));
  });

  it('may write its own logs, get, put and update records, put events, read the completion secret and consume the queue, nothing more', () => {
    expect(statementsOfHandler(built.template, 'dispatcher.handler')).toEqual([
      allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [r.dispatcherLogs], 'WriteOwnFunctionLogs'),
      allow(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [r.table]),
      allow(['events:PutEvents'], [BUS_ARN]),
      allow(['secretsmanager:GetSecretValue'], [r.secret]),
      allow(CONSUME, [r.queue]),
    ]);
  });

  it('is a role of its own, not the API handler\'s', () => {
    expect(built.queue.dispatcherRole).not.toBe(built.renderFunction.role);
    expect(built.queue.sweeperRole).not.toBe(built.queue.dispatcherRole);
  });
});

describe('the sweeper role', () => {
  it('may write its own logs, get and update records, query the active index, put events and invoke the Remotion function for progress, nothing more', () => {
    const built = buildQueue();
    const r = refs(built);
    expect(statementsOfHandler(built.template, 'sweeper.handler')).toEqual([
      allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [r.sweeperLogs], 'WriteOwnFunctionLogs'),
      allow(['dynamodb:GetItem', 'dynamodb:UpdateItem'], [r.table]),
      allow(['dynamodb:Query'], [`${r.table}/index/active`]),
      allow(['events:PutEvents'], [BUS_ARN]),
      allow(['lambda:InvokeFunction'], [FUNCTION_ARN], 'InvokeRemotionRenderFunction'),
    ]);
    expect(statementsOfHandler(built.template, 'sweeper.handler', 'AWS::IAM::ManagedPolicy')).toEqual([]);
  });

  it('reads the progress files of a bucket known at synth instead of invoking the Remotion function', () => {
    const built = buildQueue({}, {}, { bucketName: 'my-render-bucket' });
    const statements = statementsOfHandler(built.template, 'sweeper.handler');
    expect(statements.filter((s) => s.Action.some((a) => /^(s3|lambda):/.test(a)))).toEqual([
      allow(['s3:GetObject'], ['arn:aws:s3:::my-render-bucket/renders/*/progress.json'], 'ReadRemotionProgressFiles'),
    ]);
  });
});

describe('the API handler role with the queue', () => {
  it('adds exactly SendMessage on the queue and what Remotion\'s cancel needs: read progress files, write cancel markers', () => {
    const withQueue = buildQueue();
    const r = refs(withQueue);
    const stack = newStack({ env: TEST_ENV });
    const renderFunction = new RemotionRenderFunction(stack, 'Fn', renderSettings(stack));
    new RemotionRenderRecords(stack, 'Records', { renderFunction });
    const before = statementsOfHandler(Template.fromStack(stack), 'index.handler');
    const after = statementsOfHandler(withQueue.template, 'index.handler');
    // Same construct paths in both stacks, so the same logical ids: what was there stays as it was.
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length)).toEqual([
      allow(['s3:GetObject'], [`${BUCKET}/renders/*/progress.json`], 'CancelReadRemotionProgressFiles'),
      allow(['s3:PutObject'], [`${BUCKET}/renders/*/cancel.json`], 'CancelWriteRemotionCancelMarkers'),
      allow(['sqs:SendMessage'], [r.queue]),
    ]);
  });

  it('reads progress files through its RENDER_ONLY policy already when status reads skip the invocation, so the cancel adds only the marker', () => {
    const built = buildQueue({}, {}, { bucketName: 'my-render-bucket' });
    const s3 = statementsOfHandler(built.template, 'index.handler').filter((s) => s.Action.some((a) => a.startsWith('s3:')));
    expect(s3).toEqual([allow(['s3:PutObject'], ['arn:aws:s3:::my-render-bucket/renders/*/cancel.json'], 'CancelWriteRemotionCancelMarkers')]);
    expect(statementsOfHandler(built.template, 'index.handler', 'AWS::IAM::ManagedPolicy')).toContainEqual(
      allow(['s3:GetObject'], ['arn:aws:s3:::my-render-bucket/renders-by-user/*', 'arn:aws:s3:::my-render-bucket/renders/*/progress.json'], 'RemotionReadRenderObjects'));
  });
});

describe('with an access key pair in Secrets Manager', () => {
  const stack = newStack({ env: TEST_ENV });
  const credentialsSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Keys',
    'arn:aws:secretsmanager:us-east-1:111122223333:secret:remotion-keys-AbCdEf');
  const renderFunction = new RemotionRenderFunction(stack, 'Fn', { ...renderSettings(stack), credentialsSecret });
  const records = new RemotionRenderRecords(stack, 'Records', { renderFunction });
  new RemotionRenderQueue(stack, 'Queue', { renderFunction, records });
  const template = Template.fromStack(stack);
  const keysStatement = allow(['secretsmanager:GetSecretValue'], [credentialsSecret.secretArn]);

  it('gives the dispatcher a plain role that reads the keys, with no Remotion permissions of its own', () => {
    expect(statementsOfHandler(template, 'dispatcher.handler', 'AWS::IAM::ManagedPolicy')).toEqual([]);
    const statements = statementsOfHandler(template, 'dispatcher.handler');
    expect(statements).toContainEqual(keysStatement);
    expect(statements.filter((s) => s.Action.some((a) => /^(s3|lambda):/.test(a)))).toEqual([]);
  });

  it('gives the sweeper the keys instead of any S3 or Lambda permission', () => {
    const statements = statementsOfHandler(template, 'sweeper.handler');
    expect(statements).toContainEqual(keysStatement);
    expect(statements.filter((s) => s.Action.some((a) => /^(s3|lambda):/.test(a)))).toEqual([]);
  });

  it('adds no S3 permission for the cancel to the API handler: the keys carry it', () => {
    expect(statementsOfHandler(template, 'index.handler').filter((s) => s.Action.some((a) => a.startsWith('s3:')))).toEqual([]);
  });
});

describe('with a webhook secret of the user', () => {
  it('lets the dispatcher read it, as the API handler does, since the dispatcher starts the renders that carry it', () => {
    const stack = newStack({ env: TEST_ENV });
    const webhookSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Hook',
      'arn:aws:secretsmanager:us-east-1:111122223333:secret:remotion-hook-AbCdEf');
    const renderFunction = new RemotionRenderFunction(stack, 'Fn', { ...renderSettings(stack), webhookUrl: 'https://example.com/hook', webhookSecret });
    const records = new RemotionRenderRecords(stack, 'Records', { renderFunction });
    new RemotionRenderQueue(stack, 'Queue', { renderFunction, records });
    const template = Template.fromStack(stack);
    const statement = allow(['secretsmanager:GetSecretValue'], [webhookSecret.secretArn]);
    expect(statementsOfHandler(template, 'dispatcher.handler')).toContainEqual(statement);
    expect(statementsOfHandler(template, 'sweeper.handler')).not.toContainEqual(statement);
  });
});

describe('with a records table encrypted with a customer-managed key', () => {
  it('lets the dispatcher and the sweeper use the table\'s key, and only it', () => {
    const stack = newStack({ env: TEST_ENV });
    const keyArn = 'arn:aws:kms:us-east-1:111122223333:key/1b2c3d4e-5f60-4718-9a0b-1c2d3e4f5a6b';
    const table = dynamodb.Table.fromTableAttributes(stack, 'Existing', { tableName: 'my-render-records', encryptionKey: kms.Key.fromKeyArn(stack, 'Key', keyArn) });
    const renderFunction = new RemotionRenderFunction(stack, 'Fn', renderSettings(stack));
    const records = new RemotionRenderRecords(stack, 'Records', { renderFunction, table });
    new RemotionRenderQueue(stack, 'Queue', { renderFunction, records });
    const template = Template.fromStack(stack);
    for (const handler of ['dispatcher.handler', 'sweeper.handler']) {
      expect(statementsOfHandler(template, handler).filter((s) => s.Action.some((a) => a.startsWith('kms:'))))
        .toEqual([allow(['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'], [keyArn])]);
    }
  });
});
