import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AuthenticatedRenderApi, AuthenticatedRenderApiProps } from '../../src/api';
import { RemotionRenderMonitoring, RemotionRenderMonitoringProps } from '../../src/monitoring';
import { flatten, newStack, renderSettings, TEST_ENV } from '../util';

/** A default API (with `apiProps`) and its monitoring (with `props`, and what `extra` makes in the stack). */
function build(
  props: Partial<RemotionRenderMonitoringProps> = {}, apiProps: Partial<AuthenticatedRenderApiProps> = {},
  extra?: (stack: Stack) => Partial<RemotionRenderMonitoringProps>,
) {
  const stack = newStack({ env: TEST_ENV });
  const api = new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack), ...apiProps });
  const monitoring = new RemotionRenderMonitoring(stack, 'Monitoring', { api, ...props, ...extra?.(stack) });
  return { stack, api, monitoring, template: Template.fromStack(stack) };
}

const idOf = (stack: Stack, construct: Construct) => stack.getLogicalId((construct.node.defaultChild ?? construct) as never);

/** The alarm of `monitoring` with construct id `id`, as the template has it. */
function alarmNamed(stack: Stack, template: Template, monitoring: RemotionRenderMonitoring, id: string): Record<string, any> {
  const alarm = monitoring.alarms.find((a) => (a as unknown as Construct).node.id === id);
  expect(alarm).toBeDefined();
  return template.toJSON().Resources[idOf(stack, alarm as unknown as Construct)].Properties;
}

describe('RemotionRenderMonitoring of a default API', () => {
  const { stack, api, monitoring, template } = build();
  const topicAction = [{ Ref: idOf(stack, monitoring.alarmTopic as sns.Topic) }];
  const service = api.renderFunction.metricsService;
  const queue = api.renderQueue!;
  const alarm = (id: string) => alarmNamed(stack, template, monitoring, id);
  const single = (props: Record<string, any>) => ({ ...props, AlarmActions: topicAction });

  it('creates the twelve recommended alarms, all in `alarms`, each notifying the alarm topic', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 12);
    expect(monitoring.alarms).toHaveLength(12);
    for (const props of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(props.Properties.AlarmActions).toEqual(topicAction);
      expect(props.Properties.AlarmDescription).toEqual(expect.any(String));
    }
  });

  it('alarms when more than 5% of the API\'s requests answer 5xx in 2 of 3 five-minute periods, and not when there are none', () => {
    const props = alarm('ApiServerErrorRateAlarm');
    expect(props).toMatchObject(single({
      Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 3, DatapointsToAlarm: 2, TreatMissingData: 'notBreaching',
    }));
    const apiId = { Ref: idOf(stack, api.httpApi) };
    expect(props.Metrics).toEqual([
      { Expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)', Id: 'expr_1', Label: 'API 5xx (% of requests)', ReturnData: true },
      { Id: 'errors', MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: [{ Name: 'ApiId', Value: apiId }] }, Period: 300, Stat: 'Sum' }, ReturnData: false },
      { Id: 'requests', MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Count', Dimensions: [{ Name: 'ApiId', Value: apiId }] }, Period: 300, Stat: 'SampleCount' }, ReturnData: false },
    ]);
  });

  it.each([
    ['Handler', () => api.renderFunction.function],
    ['Dispatcher', () => queue.dispatcher],
    ['Sweeper', () => queue.sweeper],
  ])('alarms on any error or throttle of the %s function in 5 minutes', (name, fn) => {
    const functionName = { Ref: idOf(stack, fn() as unknown as Construct) };
    for (const metric of ['Errors', 'Throttles']) {
      expect(alarm(`${name}${metric}Alarm`)).toEqual(expect.objectContaining(single({
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: functionName }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      })));
    }
  });

  it('alarms as soon as the dead-letter queue holds a message', () => {
    expect(alarm('DeadLetterQueueAlarm')).toEqual(expect.objectContaining(single({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf(stack, queue.deadLetterQueue), 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    })));
  });

  it('alarms when the oldest queued render is older than half the queue\'s maximum age', () => {
    expect(alarm('QueuedRenderAgeAlarm')).toEqual(expect.objectContaining(single({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf(stack, queue.queue), 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 1800,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    })));
  });

  it('alarms when the budget is more than 90% in use for three five-minute periods in a row, keeping its state while the gauges are silent', () => {
    const props = alarm('BudgetSaturationAlarm');
    expect(props).toMatchObject(single({
      Threshold: 90, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 3, DatapointsToAlarm: 3, TreatMissingData: 'ignore',
    }));
    const gauge = (name: string) => ({ Metric: { Namespace: 'RemotionConstructs', MetricName: name, Dimensions: [{ Name: 'service', Value: service }] }, Period: 300, Stat: 'Maximum', Unit: 'Count' });
    expect(props.Metrics).toEqual([
      { Expression: '100 * inUse / size', Id: 'expr_1', Label: 'Budget in use (%)', ReturnData: true },
      { Id: 'inUse', MetricStat: gauge('BudgetUnitsInUse'), ReturnData: false },
      { Id: 'size', MetricStat: gauge('BudgetSize'), ReturnData: false },
    ]);
  });

  it('alarms when more than 10% of finished renders failed or timed out in 2 of 3 five-minute periods', () => {
    const props = alarm('FailedRenderRateAlarm');
    expect(props).toMatchObject(single({
      Threshold: 10, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 3, DatapointsToAlarm: 2, TreatMissingData: 'notBreaching',
    }));
    const failures = 'FILL(failed, 0) + FILL(timedOut, 0)';
    const count = (name: string) => ({ Metric: { Namespace: 'RemotionConstructs', MetricName: name, Dimensions: [{ Name: 'service', Value: service }] }, Period: 300, Stat: 'Sum', Unit: 'Count' });
    expect(props.Metrics).toEqual([
      { Expression: `IF(${failures} + FILL(succeeded, 0) > 0, 100 * (${failures}) / (${failures} + FILL(succeeded, 0)), 0)`, Id: 'expr_1', Label: 'Failed or timed out (% of finished renders)', ReturnData: true },
      { Id: 'failed', MetricStat: count('RendersFailed'), ReturnData: false },
      { Id: 'timedOut', MetricStat: count('RendersTimedOut'), ReturnData: false },
      { Id: 'succeeded', MetricStat: count('RendersSucceeded'), ReturnData: false },
    ]);
  });

  it('alarms on a burst of 20 webhook refusals in 5 minutes', () => {
    expect(alarm('WebhookRefusalsAlarm')).toEqual(expect.objectContaining(single({
      Namespace: 'RemotionConstructs',
      MetricName: 'WebhookRefusals',
      Dimensions: [{ Name: 'service', Value: service }],
      Unit: 'Count',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 20,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    })));
  });

  it('has no cost alarm unless a daily cost threshold is given', () => {
    expect(monitoring.alarms.map((a) => (a as unknown as Construct).node.id)).not.toContain('DailyCostAlarm');
  });

  it('creates an alarm topic encrypted with a rotated key of its own that CloudWatch may use, and that refuses requests without TLS', () => {
    const keyId = idOf(stack, monitoring.node.findChild('AlarmTopicKey'));
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      PendingWindowInDays: 7,
      KeyPolicy: { Statement: Match.arrayWith([{ Sid: 'LetCloudWatchAlarmsEncrypt', Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*' }]) },
    });
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    expect(policies).toHaveLength(1);
    expect(flatten(policies[0].Properties.PolicyDocument.Statement)).toEqual([
      {
        Sid: 'AllowPublishThroughSSLOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: `\${${idOf(stack, monitoring.alarmTopic as sns.Topic)}}`,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'LetThisAccountsAlarmsPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: `\${${idOf(stack, monitoring.alarmTopic as sns.Topic)}}`,
        Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:*' } },
      },
    ]);
  });

  it('puts every widget on its dashboard, alarm status first, in the order of widgets()', () => {
    const body = JSON.parse(flatten(template.findResources('AWS::CloudWatch::Dashboard')[idOf(stack, monitoring.dashboard)].Properties.DashboardBody) as string);
    const titles = body.widgets.map((w: any) => w.properties.title);
    expect(titles).toEqual([
      'Alarms', 'Renders by outcome', 'Queue wait and render time (ms)', 'Budget: units in use and size', 'Queue: waiting renders and oldest age (s)',
      'Dead-letter queue', 'API: 5xx and latency (ms)', 'Functions: errors and throttles', '429s by limit', 'Webhook 401s', 'Render cost (USD)',
    ]);
    expect(monitoring.widgets()).toHaveLength(titles.length);
    expect(body.widgets[0].properties.alarms).toHaveLength(12);
  });

  it('graphs renders by every outcome, and queue wait and render time at p50 and p95', () => {
    const body = JSON.parse(flatten(template.findResources('AWS::CloudWatch::Dashboard')[idOf(stack, monitoring.dashboard)].Properties.DashboardBody) as string);
    const metricsOf = (title: string) => body.widgets.find((w: any) => w.properties.title === title).properties.metrics;
    expect(metricsOf('Renders by outcome').map((m: any[]) => m[1])).toEqual([
      'RendersAccepted', 'RendersStarted', 'RendersSucceeded', 'RendersFailed', 'RendersTimedOut', 'RendersCancelled',
    ]);
    for (const m of metricsOf('Renders by outcome')) {
      expect(m.slice(0, 4)).toEqual(['RemotionConstructs', m[1], 'service', service]);
    }
    expect(metricsOf('Queue wait and render time (ms)').map((m: any[]) => [m[1], m[4].stat])).toEqual([
      ['QueueWait', 'p50'], ['QueueWait', 'p95'], ['RenderTime', 'p50'], ['RenderTime', 'p95'],
    ]);
    // Dimensions as name/value pairs in any order.
    const dimensionsOf = (m: any[]) => Object.fromEntries([[m[2], m[3]], [m[4], m[5]]]);
    expect(metricsOf('429s by limit').map((m: any[]) => [m[1], dimensionsOf(m)])).toEqual([
      ['LimitRefusals', { service, limit: 'queued' }],
      ['LimitRefusals', { service, limit: 'starts' }],
      ['LimitRefusals', { service, limit: 'inProgress' }],
    ]);
    expect(metricsOf('Budget: units in use and size').map((m: any[]) => m[1])).toEqual(['BudgetUnitsInUse', 'BudgetSize']);
    expect(metricsOf('Functions: errors and throttles')).toHaveLength(6);
  });
});

describe('RemotionRenderMonitoring options', () => {
  it('uses a given topic for every alarm and creates neither a topic nor a key', () => {
    const { stack, monitoring, template } = build({}, {}, (s) => ({ alarmTopic: sns.Topic.fromTopicArn(s, 'Pager', 'arn:aws:sns:us-east-1:111122223333:pager') }));
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(stack.resolve(monitoring.alarmTopic.topicArn)).toBe('arn:aws:sns:us-east-1:111122223333:pager');
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual(['arn:aws:sns:us-east-1:111122223333:pager']);
    }
  });

  it('encrypts the created topic with a given key and lets CloudWatch use it', () => {
    let key: kms.Key | undefined;
    const { stack, template } = build({}, {}, (s) => {
      key = new kms.Key(s, 'MyKey');
      return { alarmTopicKey: key };
    });
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [idOf(stack, key!), 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'LetCloudWatchAlarmsEncrypt' })]) } });
  });

  it('adds a daily cost alarm over 24 hours when a threshold is given', () => {
    const { stack, api, monitoring, template } = build({ dailyCostThreshold: 50 });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 13);
    expect(alarmNamed(stack, template, monitoring, 'DailyCostAlarm')).toEqual(expect.objectContaining({
      Namespace: 'RemotionConstructs',
      MetricName: 'RenderCost',
      Dimensions: [{ Name: 'service', Value: api.renderFunction.metricsService }],
      Unit: 'None',
      Statistic: 'Sum',
      Period: 86400,
      Threshold: 50,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    }));
  });

  it('takes every threshold from its prop', () => {
    const { stack, template, monitoring } = build({
      apiServerErrorRateThreshold: 2,
      functionErrorsThreshold: 3,
      functionThrottlesThreshold: 4,
      deadLetterMessagesThreshold: 5,
      queuedRenderAgeThreshold: Duration.minutes(10),
      budgetUtilizationThreshold: 80,
      budgetSaturationDuration: Duration.minutes(30),
      failedRenderRateThreshold: 25,
      webhookRefusalsThreshold: 100,
    });
    const thresholds = Object.fromEntries(monitoring.alarms.map((a) => {
      const id = (a as unknown as Construct).node.id;
      const props = alarmNamed(stack, template, monitoring, id);
      return [id, [props.Threshold, props.EvaluationPeriods]];
    }));
    expect(thresholds).toEqual({
      ApiServerErrorRateAlarm: [2, 3],
      HandlerErrorsAlarm: [3, 1],
      HandlerThrottlesAlarm: [4, 1],
      DispatcherErrorsAlarm: [3, 1],
      DispatcherThrottlesAlarm: [4, 1],
      SweeperErrorsAlarm: [3, 1],
      SweeperThrottlesAlarm: [4, 1],
      DeadLetterQueueAlarm: [5, 1],
      QueuedRenderAgeAlarm: [600, 1],
      BudgetSaturationAlarm: [80, 6],
      WebhookRefusalsAlarm: [100, 1],
      FailedRenderRateAlarm: [25, 3],
    });
  });

  it('creates no queue, budget, dispatcher, sweeper or webhook alarm, nor their widgets, for an API without records', () => {
    const { template, monitoring } = build({}, { recordsEnabled: false });
    expect(monitoring.alarms.map((a) => (a as unknown as Construct).node.id)).toEqual([
      'ApiServerErrorRateAlarm', 'HandlerErrorsAlarm', 'HandlerThrottlesAlarm', 'FailedRenderRateAlarm',
    ]);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    expect(monitoring.widgets().map((w) => (w as cloudwatch.GraphWidget).toJson()[0].properties.title)).toEqual([
      'Alarms', 'Renders by outcome', 'Queue wait and render time (ms)', 'API: 5xx and latency (ms)', 'Functions: errors and throttles', '429s by limit', 'Render cost (USD)',
    ]);
  });

  it('alarms at half of an odd queue age, in whole seconds', () => {
    const { stack, template, monitoring } = build({}, { queue: { maxQueueAge: Duration.seconds(61) } });
    expect(alarmNamed(stack, template, monitoring, 'QueuedRenderAgeAlarm').Threshold).toBe(30);
  });

  it('puts its widgets on a dashboard of the user\'s own', () => {
    const stack = newStack({ env: TEST_ENV });
    const api = new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack) });
    const monitoring = new RemotionRenderMonitoring(stack, 'Monitoring', { api });
    const mine = new cloudwatch.Dashboard(stack, 'Mine');
    mine.addWidgets(...monitoring.widgets());
    const template = Template.fromStack(stack);
    const body = JSON.parse(flatten(template.toJSON().Resources[idOf(stack, mine)].Properties.DashboardBody) as string);
    expect(body.widgets).toHaveLength(11);
  });
});

describe('RemotionRenderMonitoring validation', () => {
  it.each([
    [{ apiServerErrorRateThreshold: 0 }, /apiServerErrorRateThreshold must be a positive percentage; got 0/],
    [{ budgetUtilizationThreshold: 100 }, /budgetUtilizationThreshold must be a percentage below 100; got 100/],
    [{ failedRenderRateThreshold: -1 }, /failedRenderRateThreshold must be a positive percentage/],
    [{ functionErrorsThreshold: 0.5 }, /functionErrorsThreshold must be an integer of at least 1; got 0.5/],
    [{ webhookRefusalsThreshold: 0 }, /webhookRefusalsThreshold must be an integer of at least 1/],
    [{ dailyCostThreshold: 0 }, /dailyCostThreshold must be a positive amount of USD/],
    [{ budgetSaturationDuration: Duration.minutes(7) }, /budgetSaturationDuration must be a multiple of 5 minutes/],
    [{ budgetSaturationDuration: Duration.minutes(1) }, /budgetSaturationDuration must be between 5 minutes and 1 day/],
    [{ queuedRenderAgeThreshold: Duration.hours(1) }, /queuedRenderAgeThreshold \(1 hour\) must be shorter than the queue's maxQueueAge \(1 hour\)/],
  ] as Array<[Partial<RemotionRenderMonitoringProps>, RegExp]>)('refuses %p, naming the prop', (props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});
