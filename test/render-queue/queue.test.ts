import { CfnParameter, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { buildQueue, functionWithHandler, idOf } from './build';
import { RemotionRenderFunction } from '../../src/render-function';
import { maxReceiveCountFor, RENDER_ENV } from '../../src/render-function/contract';
import { RemotionRenderQueue, RemotionRenderQueueOptions } from '../../src/render-queue';
import { RemotionRenderRecords } from '../../src/render-records';
import { newStack, renderSettings, TEST_ENV } from '../util';

describe('RemotionRenderQueue with defaults', () => {
  const { stack, renderFunction, records, queue, template } = buildQueue();
  const queueId = idOf(stack, queue.queue);
  const dlqId = idOf(stack, queue.deadLetterQueue);

  it('encrypts the queue and its dead-letter queue with SQS-managed keys', () => {
    template.resourceCountIs('AWS::SQS::Queue', 2);
    for (const id of [queueId, dlqId]) {
      expect(template.toJSON().Resources[id].Properties.SqsManagedSseEnabled).toBe(true);
      expect(template.toJSON().Resources[id].Properties.KmsMasterKeyId).toBeUndefined();
    }
  });

  it('refuses every request to either queue that does not use TLS', () => {
    for (const id of [queueId, dlqId]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: [{
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: { 'Fn::GetAtt': [id, 'Arn'] },
          }],
        },
      });
    }
  });

  it('keeps messages for the queue age plus an hour, hides a received one for six dispatcher timeouts, and redrives after the contract\'s receive count', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 3600 + 3600,
      VisibilityTimeout: 6 * 60,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: maxReceiveCountFor(3600) },
    });
  });

  it('keeps dead letters for 14 days, with no redrive of their own', () => {
    const dlq = template.toJSON().Resources[dlqId].Properties;
    expect(dlq.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    expect(dlq.RedrivePolicy).toBeUndefined();
  });

  it('feeds the dispatcher from the queue in batches of 5, at most 5 at once, reporting failed items one by one', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: idOf(stack, queue.dispatcher) },
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it('runs the dispatcher from the render handler\'s asset on the same runtime, arm64 and JSON logs, for at most 60 s with 512 MiB', () => {
    const dispatcher = functionWithHandler(template, 'dispatcher.handler');
    const handler = functionWithHandler(template, 'index.handler');
    expect(dispatcher).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 60,
      MemorySize: 512,
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN', LogGroup: { Ref: idOf(stack, queue.dispatcherLogGroup) } },
      Role: { 'Fn::GetAtt': [idOf(stack, queue.dispatcherRole), 'Arn'] },
    });
    expect(dispatcher.Code).toEqual(handler.Code);
  });

  it('runs the sweeper from the same asset for at most 60 s, with its own log group and role', () => {
    const sweeper = functionWithHandler(template, 'sweeper.handler');
    expect(sweeper).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 60,
      MemorySize: 512,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: idOf(stack, queue.sweeperLogGroup) } },
      Role: { 'Fn::GetAtt': [idOf(stack, queue.sweeperRole), 'Arn'] },
    });
    expect(sweeper.Code).toEqual(functionWithHandler(template, 'index.handler').Code);
  });

  it('runs the sweeper every 2 minutes without retries', () => {
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(2 minutes)',
      State: 'ENABLED',
      Targets: [{ Arn: { 'Fn::GetAtt': [idOf(stack, queue.sweeper), 'Arn'] }, Id: Match.anyValue(), RetryPolicy: { MaximumRetryAttempts: 0 } }],
    });
  });

  it('keeps the logs of the dispatcher and the sweeper for three months, each in a group of its own', () => {
    const groups = template.toJSON().Resources;
    for (const group of [queue.dispatcherLogGroup, queue.sweeperLogGroup]) {
      expect(groups[idOf(stack, group)].Properties.RetentionInDays).toBe(90);
    }
    expect(idOf(stack, queue.dispatcherLogGroup)).not.toBe(idOf(stack, queue.sweeperLogGroup));
  });

  it('gives the dispatcher and the sweeper every variable of the render handler, queue variables included', () => {
    const handlerEnv = functionWithHandler(template, 'index.handler').Environment.Variables;
    expect(handlerEnv).toMatchObject({
      [RENDER_ENV.QUEUE_URL]: { Ref: queueId },
      [RENDER_ENV.QUEUE_MAX_QUEUED_PER_USER]: '20',
      [RENDER_ENV.QUEUE_MAX_AGE_SECONDS]: '3600',
      [RENDER_ENV.QUEUE_RENDER_CONCURRENCY]: '20',
      [RENDER_ENV.BUDGET_MAX_LAMBDAS]: '800',
      [RENDER_ENV.RECORDS_TABLE_NAME]: { Ref: idOf(stack, records.table) },
    });
    expect(functionWithHandler(template, 'dispatcher.handler').Environment.Variables).toEqual(handlerEnv);
    expect(functionWithHandler(template, 'sweeper.handler').Environment.Variables).toEqual(handlerEnv);
  });

  it('hands out a copy of the runtime environment, which a caller cannot change', () => {
    const copy = renderFunction._runtimeEnvironment();
    copy[RENDER_ENV.QUEUE_URL] = 'changed';
    expect(renderFunction._runtimeEnvironment()[RENDER_ENV.QUEUE_URL]).not.toBe('changed');
  });

  it('exposes the settings it resolved: 800 units, 20 renderers and so 21 units per render, 20 queued per user, 1 hour', () => {
    expect(queue.maxConcurrentLambdas).toBe(800);
    expect(queue.concurrencyPerRender).toBe(20);
    expect(queue.unitsPerRender).toBe(21);
    expect(queue.maxQueuedPerUser).toBe(20);
    expect(queue.maxQueueAge.toSeconds()).toBe(3600);
  });
});

describe('RemotionRenderQueue options', () => {
  it('passes the budget, the renderers per render, the queued limit and the queue age to the handler', () => {
    const { template } = buildQueue({ maxConcurrentLambdas: 60, concurrencyPerRender: 5, maxQueuedPerUser: 3, maxQueueAge: Duration.minutes(30) });
    expect(functionWithHandler(template, 'index.handler').Environment.Variables).toMatchObject({
      [RENDER_ENV.QUEUE_MAX_QUEUED_PER_USER]: '3',
      [RENDER_ENV.QUEUE_MAX_AGE_SECONDS]: '1800',
      [RENDER_ENV.QUEUE_RENDER_CONCURRENCY]: '5',
      [RENDER_ENV.BUDGET_MAX_LAMBDAS]: '60',
    });
  });

  it('sizes retention and receive count from maxQueueAge', () => {
    const { template } = buildQueue({ maxQueueAge: Duration.hours(12) });
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 13 * 3600,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: maxReceiveCountFor(12 * 3600) }),
    });
  });

  it('sets the dispatcher\'s maximum concurrency and the sweep interval given', () => {
    const { template } = buildQueue({ dispatcherConcurrency: 2, sweepInterval: Duration.minutes(10) });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 2 } });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(10 minutes)' });
  });

  it('keeps the functions\' logs for the retention given', () => {
    const { stack, queue, template } = buildQueue({ logRetention: logs.RetentionDays.ONE_WEEK });
    const groups = template.toJSON().Resources;
    expect(groups[idOf(stack, queue.dispatcherLogGroup)].Properties.RetentionInDays).toBe(7);
    expect(groups[idOf(stack, queue.sweeperLogGroup)].Properties.RetentionInDays).toBe(7);
  });

  it('encrypts both queues with a given KMS key instead of SQS-managed keys', () => {
    const stack = newStack({ env: TEST_ENV });
    const encryptionKey = new kms.Key(stack, 'Key');
    const renderFunction = new RemotionRenderFunction(stack, 'Fn', renderSettings(stack));
    const records = new RemotionRenderRecords(stack, 'Records', { renderFunction });
    new RemotionRenderQueue(stack, 'Queue', { renderFunction, records, encryptionKey });
    const queues = Object.values(Template.fromStack(stack).findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(2);
    for (const queue of queues) {
      expect(queue.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [idOf(stack, encryptionKey), 'Arn'] });
      expect(queue.Properties.SqsManagedSseEnabled).toBeUndefined();
    }
  });
});

describe('RemotionRenderQueue validation', () => {
  it.each<[string, RemotionRenderQueueOptions, RegExp]>([
    ['maxConcurrentLambdas 1', { maxConcurrentLambdas: 1 }, /maxConcurrentLambdas must be an integer between 2 and 10000; got 1/],
    ['maxConcurrentLambdas 10_001', { maxConcurrentLambdas: 10_001 }, /maxConcurrentLambdas must be an integer between 2 and 10000/],
    ['maxConcurrentLambdas 100.5', { maxConcurrentLambdas: 100.5 }, /maxConcurrentLambdas must be an integer/],
    ['concurrencyPerRender 0', { concurrencyPerRender: 0 }, /concurrencyPerRender must be an integer between 1 and 200; got 0/],
    ['concurrencyPerRender 201', { concurrencyPerRender: 201 }, /concurrencyPerRender must be an integer between 1 and 200/],
    ['maxQueuedPerUser 0', { maxQueuedPerUser: 0 }, /maxQueuedPerUser must be an integer between 1 and 1000/],
    ['maxQueuedPerUser 1001', { maxQueuedPerUser: 1001 }, /maxQueuedPerUser must be an integer between 1 and 1000/],
    ['maxQueueAge Duration.seconds(59)', { maxQueueAge: Duration.seconds(59) }, /maxQueueAge must be between 1 minute and 12 hours/],
    ['maxQueueAge Duration.hours(13)', { maxQueueAge: Duration.hours(13) }, /maxQueueAge must be between 1 minute and 12 hours/],
    ['dispatcherConcurrency 1', { dispatcherConcurrency: 1 }, /dispatcherConcurrency must be an integer between 2 and 1000/],
    ['dispatcherConcurrency 1001', { dispatcherConcurrency: 1001 }, /dispatcherConcurrency must be an integer between 2 and 1000/],
    ['sweepInterval Duration.seconds(30)', { sweepInterval: Duration.seconds(30) }, /sweepInterval must be between 1 minute and 1 hour/],
    ['sweepInterval Duration.minutes(61)', { sweepInterval: Duration.minutes(61) }, /sweepInterval must be between 1 minute and 1 hour/],
    ['sweepInterval Duration.seconds(90)', { sweepInterval: Duration.seconds(90) }, /sweepInterval must be whole minutes/],
  ])('rejects %s with a message naming the prop', (_label, options, message) => {
    expect(() => buildQueue(options)).toThrow(message);
  });

  it('rejects a render that could never fit in the budget, naming both props', () => {
    expect(() => buildQueue({ maxConcurrentLambdas: 20, concurrencyPerRender: 20 }))
      .toThrow(/concurrencyPerRender 20 makes each render hold 21 units .* more than maxConcurrentLambdas 20/);
  });

  it('accepts a render that fills the budget exactly', () => {
    expect(buildQueue({ maxConcurrentLambdas: 21, concurrencyPerRender: 20 }).queue.unitsPerRender).toBe(21);
  });

  it('accepts a budget that is a token, checked at deploy time instead', () => {
    const stack = newStack({ env: TEST_ENV });
    const budget = new CfnParameter(stack, 'Budget', { type: 'Number' }).valueAsNumber;
    const renderFunction = new RemotionRenderFunction(stack, 'Fn', renderSettings(stack));
    const records = new RemotionRenderRecords(stack, 'Records', { renderFunction });
    expect(() => new RemotionRenderQueue(stack, 'Queue', { renderFunction, records, maxConcurrentLambdas: budget })).not.toThrow();
  });

  it('rejects framesPerLambda on the render function, naming it and the queue: Remotion refuses it with concurrency', () => {
    expect(() => buildQueue({}, { framesPerLambda: 20 })).toThrow(/framesPerLambda cannot be combined with the render queue \(queue\)/);
  });
});
