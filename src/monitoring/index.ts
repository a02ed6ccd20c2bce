import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AuthenticatedRenderApi, RemotionRenderLimit } from '../api';
import { checkDuration, checkInteger, checkPositive } from '../private/validate';

/**
 * Properties of a `RemotionRenderMonitoring`. Every threshold has a default meant to page an
 * on-call engineer only for something to act on; each doc says what to do when its alarm fires.
 */
export interface RemotionRenderMonitoringProps {
  /** The render API to watch: its HTTP API, its functions, and its render queue when it has one. */
  readonly api: AuthenticatedRenderApi;

  /**
   * The SNS topic every alarm notifies. CloudWatch must be allowed to publish to it, and, when it
   * is encrypted, to use its key (`kms:Decrypt`, `kms:GenerateDataKey*` for `cloudwatch.amazonaws.com`):
   * a topic encrypted with the AWS-managed key `alias/aws/sns` never gets an alarm's message.
   *
   * @default - a topic encrypted with `alarmTopicKey`, that takes only TLS requests and lets
   *   this account's CloudWatch alarms publish
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * The KMS key that encrypts the created alarm topic. Its key policy must let
   * `cloudwatch.amazonaws.com` use it; this construct adds that statement to a key of the same
   * app, and cannot to an imported one. Ignored with `alarmTopic`.
   *
   * @default - a key with rotation, that lets CloudWatch encrypt alarm messages; deleted (after
   *   7 days) with the stack, since it only protects messages in flight
   */
  readonly alarmTopicKey?: kms.IKey;

  /**
   * Name of the dashboard.
   *
   * @default - a name that CloudFormation generates
   */
  readonly dashboardName?: string;

  /**
   * Alarm when more than this percentage of the API's requests answer 5xx in 2 of 3 five-minute
   * periods. Runbook: read the handler's log group for errors (a 502 is usually Remotion's start
   * failing or timing out; check the Remotion function's region, version and quota).
   *
   * @default 5
   */
  readonly apiServerErrorRateThreshold?: number;

  /**
   * Alarm when the handler, the dispatcher or the sweeper fails this many invocations (a crash or
   * a timeout) in 5 minutes. Runbook: open the function's log group at the alarm's time and look
   * for the error; a timeout of the dispatcher or sweeper usually means DynamoDB or Remotion is slow.
   *
   * @default 1
   */
  readonly functionErrorsThreshold?: number;

  /**
   * Alarm when Lambda throttles the handler, the dispatcher or the sweeper this many times in 5
   * minutes. Runbook: the account's concurrent executions are exhausted; lower the render
   * budget (`maxConcurrentLambdas`) or raise the quota in Service Quotas.
   *
   * @default 1
   */
  readonly functionThrottlesThreshold?: number;

  /**
   * Alarm when the render queue's dead-letter queue holds this many messages. Runbook: a message
   * the dispatcher failed on repeatedly (malformed, or a persistent error); read the dispatcher's
   * log for its render id, fix the cause, then redrive or delete the message.
   *
   * @default 1
   */
  readonly deadLetterMessagesThreshold?: number;

  /**
   * Alarm when the oldest message in the render queue is older than this. Runbook: renders are
   * waiting; if the budget is full, renders are slow or stuck (check the sweeper) or the budget is
   * too small; if not, check the dispatcher's errors and log. Needs the render queue.
   *
   * @default - half the queue's `maxQueueAge` (30 minutes by default), so it fires before renders
   *   start failing for waiting too long
   */
  readonly queuedRenderAgeThreshold?: Duration;

  /**
   * Alarm when more than this percentage of the render budget is in use for
   * `budgetSaturationDuration`. Runbook: renders are queuing for Lambda capacity; raise
   * `maxConcurrentLambdas` if the account quota allows it, or lower `concurrencyPerRender`.
   * Needs the render queue.
   *
   * @default 90
   */
  readonly budgetUtilizationThreshold?: number;

  /**
   * How long the budget must stay above `budgetUtilizationThreshold` before its alarm fires: a
   * multiple of 5 minutes, at most 1 day.
   *
   * @default Duration.minutes(15)
   */
  readonly budgetSaturationDuration?: Duration;

  /**
   * Alarm when more than this percentage of the finished renders failed or timed out in 2 of 3
   * five-minute periods. Runbook: read the failed renders' errors (`GET /renders/{renderId}`, or
   * Remotion's CloudWatch logs); a sudden rise after a deploy usually means a broken site or a
   * Remotion version mismatch.
   *
   * @default 10
   */
  readonly failedRenderRateThreshold?: number;

  /**
   * Alarm when the completion webhook refuses this many calls (401) in 5 minutes. Runbook:
   * someone is calling `POST /webhooks/remotion` without Remotion's signature; if the calls come
   * from Remotion itself, its completion secret was rotated out of step. Needs render records.
   *
   * @default 20
   */
  readonly webhookRefusalsThreshold?: number;

  /**
   * Alarm when what Remotion reported the renders of the last 24 hours cost exceeds this, in USD.
   * Runbook: find who rendered what in the records (`GET /renders` per user) and lower the
   * per-user limits.
   *
   * @default - no cost alarm
   */
  readonly dailyCostThreshold?: number;
}

const PERIOD = Duration.minutes(5);
const DEFAULT_SERVER_ERROR_RATE = 5;
const DEFAULT_FUNCTION_ERRORS = 1;
const DEFAULT_FUNCTION_THROTTLES = 1;
const DEFAULT_DEAD_LETTER_MESSAGES = 1;
const DEFAULT_BUDGET_UTILIZATION = 90;
const DEFAULT_BUDGET_SATURATION = Duration.minutes(15);
const DEFAULT_FAILED_RENDER_RATE = 10;
const DEFAULT_WEBHOOK_REFUSALS = 20;
/** Rates fire on 2 of 3 periods: one bad period of a few requests is noise, two are a trend. */
const RATE_EVALUATION = { evaluationPeriods: 3, datapointsToAlarm: 2 };

/** What an alarm of this construct is made of, besides its metric. */
interface AlarmSpec {
  readonly threshold: number;
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  readonly treatMissingData: cloudwatch.TreatMissingData;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
  /** What the alarm means and what to do: the on-call engineer reads it in the notification. */
  readonly description: string;
}

/**
 * A CloudWatch dashboard and the recommended alarms of a render API, in one line:
 * `new RemotionRenderMonitoring(this, 'Monitoring', { api })`.
 *
 * The dashboard shows renders by outcome, queue wait and render time (p50, p95), the budget in
 * use against its size, the queue's depth and age, the dead-letter queue, the API's 5xx and
 * latency, the functions' errors and throttles, 429s by limit, webhook 401s and the renders'
 * cost. The alarms notify `alarmTopic`; the queue's alarms exist only when the API has a render
 * queue (records on). `widgets()` hands the same widgets to a dashboard of your own.
 *
 * The render metrics (namespace `RemotionConstructs`, dimension `service`) are emitted by the
 * functions in CloudWatch's embedded metric format.
 *
 * @exampleMetadata fixture=existing-resources
 * @example
 * const api = new AuthenticatedRenderApi(this, 'Render', {
 *   render: { site, compositions: ['MyComp'] },
 * });
 * new RemotionRenderMonitoring(this, 'Monitoring', { api });
 */
export class RemotionRenderMonitoring extends Construct {
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  /** The topic the alarms notify: `alarmTopic`, or the one created. */
  public readonly alarmTopic: sns.ITopic;

  /** Every alarm this construct created. */
  public readonly alarms: cloudwatch.IAlarm[] = [];

  private readonly dashboardWidgets: cloudwatch.IWidget[] = [];

  constructor(scope: Construct, id: string, props: RemotionRenderMonitoringProps) {
    super(scope, id);
    validateMonitoringProps(props);
    const api = props.api;
    const renderQueue = api.renderQueue;
    this.alarmTopic = props.alarmTopic ?? this.createAlarmTopic(props.alarmTopicKey);

    this.addAlarm('ApiServerErrorRateAlarm', new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)',
      usingMetrics: { errors: api.metricServerError(), requests: api.metricCount({ statistic: cloudwatch.Stats.SAMPLE_COUNT }) },
      period: PERIOD,
      label: 'API 5xx (% of requests)',
    }), {
      threshold: props.apiServerErrorRateThreshold ?? DEFAULT_SERVER_ERROR_RATE,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // No requests, no errors: an idle API is healthy.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...RATE_EVALUATION,
      description: 'More of the render API\'s requests than the threshold answered 5xx. Read the render handler\'s log group for errors; '
        + 'a 502 usually means Remotion\'s start failed or timed out (check the Remotion function\'s region, version and quota).',
    });

    const functions: Array<[string, lambda.IFunction]> = [['Handler', api.renderFunction.function]];
    if (renderQueue) {
      functions.push(['Dispatcher', renderQueue.dispatcher], ['Sweeper', renderQueue.sweeper]);
    }
    for (const [name, fn] of functions) {
      // Lambda publishes nothing for a function that was not invoked: no invocations, no errors.
      this.addAlarm(`${name}ErrorsAlarm`, fn.metricErrors({ period: PERIOD }), {
        threshold: props.functionErrorsThreshold ?? DEFAULT_FUNCTION_ERRORS,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `The render API's ${name.toLowerCase()} function failed invocations (a crash or a timeout). Open its log group at the alarm's time and find the error.`,
      });
      this.addAlarm(`${name}ThrottlesAlarm`, fn.metricThrottles({ period: PERIOD }), {
        threshold: props.functionThrottlesThreshold ?? DEFAULT_FUNCTION_THROTTLES,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `Lambda throttled the render API's ${name.toLowerCase()} function: the account's concurrent executions are exhausted. `
          + 'Lower the render budget (maxConcurrentLambdas) or raise the quota in Service Quotas.',
      });
    }

    if (renderQueue) {
      // An empty queue that nobody calls goes inactive and SQS stops publishing: nothing waits.
      this.addAlarm('DeadLetterQueueAlarm', renderQueue.metricDeadLetterMessages({ period: PERIOD }), {
        threshold: props.deadLetterMessagesThreshold ?? DEFAULT_DEAD_LETTER_MESSAGES,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: 'The render queue\'s dead-letter queue holds messages the dispatcher failed on repeatedly. Read the dispatcher\'s log for their '
          + 'render ids, fix the cause, then redrive or delete them.',
      });
      const maxAge = props.queuedRenderAgeThreshold ?? Duration.seconds(Math.floor(renderQueue.maxQueueAge.toSeconds() / 2));
      this.addAlarm('QueuedRenderAgeAlarm', renderQueue.metricOldestQueuedRenderAge({ period: PERIOD }), {
        threshold: maxAge.toSeconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: 'A render has waited in the queue longer than the threshold. If the budget is full, renders are slow or stuck (check the sweeper) '
          + 'or the budget is too small; if not, check the dispatcher\'s errors and log.',
      });
      const saturation = props.budgetSaturationDuration ?? DEFAULT_BUDGET_SATURATION;
      const periods = saturation.toSeconds() / PERIOD.toSeconds();
      this.addAlarm('BudgetSaturationAlarm', new cloudwatch.MathExpression({
        expression: '100 * inUse / size',
        usingMetrics: { inUse: renderQueue.metricBudgetUnitsInUse(), size: renderQueue.metricBudgetSize() },
        period: PERIOD,
        label: 'Budget in use (%)',
      }), {
        threshold: props.budgetUtilizationThreshold ?? DEFAULT_BUDGET_UTILIZATION,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        // The gauges are emitted only when a reservation changes: silence means the level held,
        // so the alarm keeps whatever state it was in.
        treatMissingData: cloudwatch.TreatMissingData.IGNORE,
        evaluationPeriods: periods,
        datapointsToAlarm: periods,
        description: 'The render budget has been nearly full for a while: renders queue for Lambda capacity. Raise maxConcurrentLambdas if the account '
          + 'quota allows it, or lower concurrencyPerRender.',
      });
      // Emitted only on a refusal: no data is no refusal.
      this.addAlarm('WebhookRefusalsAlarm', api.metricWebhookRefusals({ period: PERIOD }), {
        threshold: props.webhookRefusalsThreshold ?? DEFAULT_WEBHOOK_REFUSALS,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: 'The completion webhook refused many calls (401): someone calls POST /webhooks/remotion without Remotion\'s signature. '
          + 'If the calls come from Remotion, its completion secret was rotated out of step.',
      });
    }

    const failures = 'FILL(failed, 0) + FILL(timedOut, 0)';
    this.addAlarm('FailedRenderRateAlarm', new cloudwatch.MathExpression({
      expression: `IF(${failures} + FILL(succeeded, 0) > 0, 100 * (${failures}) / (${failures} + FILL(succeeded, 0)), 0)`,
      usingMetrics: { failed: api.metricRendersFailed(), timedOut: api.metricRendersTimedOut(), succeeded: api.metricRendersSucceeded() },
      period: PERIOD,
      label: 'Failed or timed out (% of finished renders)',
    }), {
      threshold: props.failedRenderRateThreshold ?? DEFAULT_FAILED_RENDER_RATE,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // No render finished: nothing failed.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...RATE_EVALUATION,
      description: 'More finished renders than the threshold failed or timed out. Read their errors (GET /renders/{renderId}, or Remotion\'s logs); '
        + 'a rise right after a deploy usually means a broken site or a Remotion version mismatch.',
    });

    if (props.dailyCostThreshold !== undefined) {
      this.addAlarm('DailyCostAlarm', api.metricRenderCost({ period: Duration.days(1) }), {
        threshold: props.dailyCostThreshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        // No render finished in the day: it cost nothing.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: 'What Remotion reported the renders of the last 24 hours cost is above the threshold. Find who rendered what in the records '
          + 'and lower the per-user limits.',
      });
    }

    this.dashboardWidgets.push(...this.createWidgets(api, functions));
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName });
    for (const widget of this.dashboardWidgets) {
      this.dashboard.addWidgets(widget);
    }
  }

  /**
   * The dashboard's widgets, alarm status first, for a dashboard of your own:
   * `myDashboard.addWidgets(...monitoring.widgets())`.
   */
  public widgets(): cloudwatch.IWidget[] {
    return [...this.dashboardWidgets];
  }

  private addAlarm(id: string, metric: cloudwatch.IMetric, spec: AlarmSpec): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparisonOperator,
      treatMissingData: spec.treatMissingData,
      evaluationPeriods: spec.evaluationPeriods ?? 1,
      datapointsToAlarm: spec.datapointsToAlarm,
      alarmDescription: spec.description,
    });
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));
    this.alarms.push(alarm);
  }

  private createAlarmTopic(givenKey: kms.IKey | undefined): sns.ITopic {
    // Not alias/aws/sns: its key policy cannot let CloudWatch in, so alarms could never publish.
    const key = givenKey ?? new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the render monitoring\'s alarm notifications',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'LetCloudWatchAlarmsEncrypt',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }));
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Remotion render alarms',
      masterKey: key,
      enforceSSL: true,
    });
    // A topic policy replaces SNS's default one, which let the account's services publish.
    const stack = Stack.of(this);
    topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'LetThisAccountsAlarmsPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) } },
    }));
    return topic;
  }

  private createWidgets(api: AuthenticatedRenderApi, functions: Array<[string, lambda.IFunction]>): cloudwatch.IWidget[] {
    const renderQueue = api.renderQueue;
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width: 12, height: 6 });
    const percentiles = (metric: (props?: cloudwatch.MetricOptions) => cloudwatch.Metric, what: string) =>
      [metric({ statistic: cloudwatch.Stats.p(50), label: `${what} p50` }), metric({ statistic: cloudwatch.Stats.p(95), label: `${what} p95` })];
    const widgets: cloudwatch.IWidget[] = [
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 3 }),
      graph('Renders by outcome', [
        api.metricRendersAccepted({ label: 'Accepted' }),
        api.metricRendersStarted({ label: 'Started' }),
        api.metricRendersSucceeded({ label: 'Succeeded' }),
        api.metricRendersFailed({ label: 'Failed' }),
        api.metricRendersTimedOut({ label: 'Timed out' }),
        api.metricRendersCancelled({ label: 'Cancelled' }),
      ]),
      graph('Queue wait and render time (ms)', percentiles((p) => api.metricQueueWait(p), 'Queue wait'), percentiles((p) => api.metricRenderTime(p), 'Render time')),
    ];
    if (renderQueue) {
      widgets.push(
        graph('Budget: units in use and size', [
          renderQueue.metricBudgetUnitsInUse({ label: 'In use' }),
          renderQueue.metricBudgetSize({ label: 'Size' }),
        ]),
        graph('Queue: waiting renders and oldest age (s)', [renderQueue.metricQueuedRenders({ label: 'Waiting' })], [renderQueue.metricOldestQueuedRenderAge({ label: 'Oldest (s)' })]),
        graph('Dead-letter queue', [renderQueue.metricDeadLetterMessages({ label: 'Messages' })]),
      );
    }
    widgets.push(
      graph('API: 5xx and latency (ms)', [api.metricServerError({ label: '5xx' }), api.metricClientError({ label: '4xx' })],
        [api.metricLatency({ statistic: cloudwatch.Stats.p(95), label: 'Latency p95' })]),
      graph('Functions: errors and throttles', functions.flatMap(([name, fn]) => [
        fn.metricErrors({ label: `${name} errors` }),
        fn.metricThrottles({ label: `${name} throttles` }),
      ])),
      graph('429s by limit', Object.values(RemotionRenderLimit).map((limit) => api.metricLimitRefusals({ limit, label: limit }))),
    );
    if (renderQueue) {
      widgets.push(graph('Webhook 401s', [api.metricWebhookRefusals({ label: 'Refused' })]));
    }
    widgets.push(graph('Render cost (USD)', [api.metricRenderCost({ label: 'Cost' })]));
    return widgets;
  }
}

function validateMonitoringProps(props: RemotionRenderMonitoringProps): void {
  checkPercent('apiServerErrorRateThreshold', props.apiServerErrorRateThreshold);
  checkPercent('budgetUtilizationThreshold', props.budgetUtilizationThreshold);
  checkPercent('failedRenderRateThreshold', props.failedRenderRateThreshold);
  checkInteger('functionErrorsThreshold', props.functionErrorsThreshold, 1);
  checkInteger('functionThrottlesThreshold', props.functionThrottlesThreshold, 1);
  checkInteger('deadLetterMessagesThreshold', props.deadLetterMessagesThreshold, 1);
  checkInteger('webhookRefusalsThreshold', props.webhookRefusalsThreshold, 1);
  checkPositive('dailyCostThreshold', props.dailyCostThreshold, 'amount of USD');
  checkDuration('queuedRenderAgeThreshold', props.queuedRenderAgeThreshold, Duration.minutes(1), Duration.hours(12));
  const saturation = props.budgetSaturationDuration;
  checkDuration('budgetSaturationDuration', saturation, PERIOD, Duration.days(1));
  if (saturation !== undefined && !saturation.isUnresolved() && saturation.toSeconds({ integral: false }) % PERIOD.toSeconds() !== 0) {
    throw new Error(`budgetSaturationDuration must be a multiple of 5 minutes (the alarm's period); got ${saturation.toSeconds({ integral: false })} seconds.`);
  }
  const queuedAge = props.queuedRenderAgeThreshold;
  const queue = props.api.renderQueue;
  if (queue && queuedAge !== undefined && !queuedAge.isUnresolved() && !queue.maxQueueAge.isUnresolved()
    && queuedAge.toSeconds() >= queue.maxQueueAge.toSeconds()) {
    throw new Error(`queuedRenderAgeThreshold (${queuedAge.toHumanString()}) must be shorter than the queue's maxQueueAge (${queue.maxQueueAge.toHumanString()}): `
      + 'renders that wait that long end FAILED, so the alarm would never fire.');
  }
}

function checkPercent(prop: string, value: number | undefined): void {
  checkPositive(prop, value, 'percentage');
  if (value !== undefined && !Token.isUnresolved(value) && value >= 100) {
    throw new Error(`${prop} must be a percentage below 100; got ${value}.`);
  }
}
