import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { writeOwnLogsStatement } from '../private/log-statement';
import { checkDuration, checkInteger } from '../private/validate';
import { RemotionRenderFunction } from '../render-function';
import { maxReceiveCountFor, RECORDS_TABLE } from '../render-function/contract';
import { renderMetric } from '../render-function/metrics';
import { RemotionRenderRecords } from '../render-records';

/**
 * Settings of the render queue: `POST /renders` records a `QUEUED` render and sends one message;
 * a dispatcher starts queued renders while they fit in a budget of concurrent Lambda invocations,
 * and a sweeper finishes the renders whose completion was not reported.
 *
 * A render holds `1 + concurrencyPerRender` units of the budget: Remotion's main function plus
 * its renderer functions. Size `maxConcurrentLambdas` below the account's concurrent executions
 * quota in the region (1000 by default; new accounts often get far fewer: see Service Quotas,
 * "Concurrent executions"), leaving room for everything else the account runs.
 */
export interface RemotionRenderQueueOptions {
  /**
   * The budget: how many concurrent Lambda invocations the renders of the Remotion function may
   * hold at once, counted as `1 + concurrencyPerRender` per render. A render waits in the queue
   * until its units fit. The budget belongs to the Remotion function (kept in the records table
   * under its name): APIs that share a records table and a Remotion function share it. 2 to 10000.
   *
   * @default 800 - 80% of the default account quota of 1000, leaving room for the API, the
   * dispatcher and other workloads
   */
  readonly maxConcurrentLambdas?: number;

  /**
   * Remotion's `concurrency`: how many renderer functions each render uses (Remotion plans at most
   * this many chunks). A render holds `1 + concurrencyPerRender` units; it must fit in
   * `maxConcurrentLambdas`. 1 to 200.
   *
   * @default 20 - 21 units per render, 38 renders at once in the default budget
   */
  readonly concurrencyPerRender?: number;

  /**
   * How many renders one user may have waiting (`QUEUED`) at once; past it `POST /renders` answers
   * 429. A 429 therefore means that the user's own queue is full, never that the account is busy.
   * 1 to 1000.
   *
   * @default 20
   */
  readonly maxQueuedPerUser?: number;

  /**
   * How long a render may wait in the queue; after that it ends `FAILED` (reason: it waited too
   * long) and its event is put. 1 minute to 12 hours.
   *
   * @default Duration.hours(1)
   */
  readonly maxQueueAge?: Duration;

  /**
   * How many dispatcher invocations the queue's event source may run at once (its
   * `maxConcurrency`). 2 (the event source's minimum) to 1000.
   *
   * @default 5
   */
  readonly dispatcherConcurrency?: number;

  /**
   * How often the sweeper runs: whole minutes, 1 to 60. It ends renders whose completion webhook
   * never came, and queued renders past `maxQueueAge`.
   *
   * @default Duration.minutes(2)
   */
  readonly sweepInterval?: Duration;

  /**
   * How long the log groups of the dispatcher and the sweeper keep events.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * A KMS key that encrypts the queue and its dead-letter queue. The API handler may then
   * `kms:GenerateDataKey` and `kms:Decrypt` with it, the dispatcher `kms:Decrypt`.
   *
   * @default - SQS-managed server-side encryption (SSE-SQS)
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Properties of a `RemotionRenderQueue`.
 */
export interface RemotionRenderQueueProps extends RemotionRenderQueueOptions {
  /** The render function whose `POST /renders` enqueues, and whose code the dispatcher and sweeper run. */
  readonly renderFunction: RemotionRenderFunction;

  /** The records of the render function: the queue keeps each render's state and the budget there. */
  readonly records: RemotionRenderRecords;
}

const DEFAULT_MAX_CONCURRENT_LAMBDAS = 800;
const DEFAULT_CONCURRENCY_PER_RENDER = 20;
const DEFAULT_MAX_QUEUED_PER_USER = 20;
const DEFAULT_MAX_QUEUE_AGE = Duration.hours(1);
const DEFAULT_DISPATCHER_CONCURRENCY = 5;
const DEFAULT_SWEEP_INTERVAL = Duration.minutes(2);
/** The entries of the handler asset (projenrc/handler-bundle.ts). */
const DISPATCHER_HANDLER = 'dispatcher.handler';
const SWEEPER_HANDLER = 'sweeper.handler';
const FUNCTION_TIMEOUT = Duration.seconds(60);
const FUNCTION_MEMORY_MIB = 512;
/** AWS's guidance for an SQS event source: a visibility timeout of six times the function's timeout. */
const VISIBILITY_TIMEOUT_FACTOR = 6;
/** Messages outlive `maxQueueAge` by this much, so the dispatcher, not SQS, ends a render that waited too long. */
const RETENTION_MARGIN = Duration.hours(1);
const DEAD_LETTER_RETENTION = Duration.days(14);
const DISPATCHER_BATCH_SIZE = 5;

/**
 * The render queue of a render API: an SQS queue of accepted renders, a dispatcher that starts
 * them within a budget of concurrent Lambda invocations, and a sweeper that finishes what no
 * webhook reported. `AuthenticatedRenderApi` creates one whenever it keeps records (the default).
 *
 * Flow: `POST /renders` writes a `QUEUED` record and sends a message; the dispatcher reserves
 * `1 + concurrencyPerRender` units and the user's run slot (`maxRendersInProgress` now caps how
 * many of a user's renders run at once, while the rest wait), starts the render with Remotion's
 * `concurrency`, and records it `RENDERING`; the completion webhook or the sweeper ends it and
 * frees its units. Without records (`recordsEnabled: false`) there is no queue: renders start
 * directly inside the API call, and a start that Remotion accepts after the handler stopped
 * waiting cannot be recovered (the caller gets a 502 while the render runs).
 *
 * Each function has its own least-privilege role: the dispatcher starts renders as the API
 * handler would, consumes the queue and writes records; the sweeper reads progress and updates
 * records; neither may do anything else.
 */
export class RemotionRenderQueue extends Construct {
  /** The queue of accepted renders (standard, encrypted, TLS only). */
  public readonly queue: sqs.IQueue;

  /** Where messages go that the dispatcher failed on repeatedly (poison messages), kept 14 days. */
  public readonly deadLetterQueue: sqs.IQueue;

  /** The function that starts queued renders, fed by `queue`. */
  public readonly dispatcher: lambda.IFunction;

  /** The role of the dispatcher. */
  public readonly dispatcherRole: iam.IRole;

  /** The log group of the dispatcher. */
  public readonly dispatcherLogGroup: logs.ILogGroup;

  /** The function that finishes renders whose completion was not reported, run by `sweepRule`. */
  public readonly sweeper: lambda.IFunction;

  /** The role of the sweeper. */
  public readonly sweeperRole: iam.IRole;

  /** The log group of the sweeper. */
  public readonly sweeperLogGroup: logs.ILogGroup;

  /** The EventBridge schedule that runs the sweeper. */
  public readonly sweepRule: events.Rule;

  /** The budget of concurrent Lambda invocations of the Remotion function. */
  public readonly maxConcurrentLambdas: number;

  /** Remotion's `concurrency` of every render the dispatcher starts. */
  public readonly concurrencyPerRender: number;

  /** The units one render holds: Remotion's main function plus `concurrencyPerRender` renderers. */
  public readonly unitsPerRender: number;

  /** How many renders one user may have waiting. */
  public readonly maxQueuedPerUser: number;

  /** How long a render may wait before it ends `FAILED`. */
  public readonly maxQueueAge: Duration;

  /** The `service` dimension of the render function's metrics. */
  private readonly metricsService: string;

  constructor(scope: Construct, id: string, props: RemotionRenderQueueProps) {
    super(scope, id);
    validateQueueOptions(props);
    this.metricsService = props.renderFunction.metricsService;
    this.maxConcurrentLambdas = props.maxConcurrentLambdas ?? DEFAULT_MAX_CONCURRENT_LAMBDAS;
    this.concurrencyPerRender = props.concurrencyPerRender ?? DEFAULT_CONCURRENCY_PER_RENDER;
    this.unitsPerRender = 1 + this.concurrencyPerRender;
    this.maxQueuedPerUser = props.maxQueuedPerUser ?? DEFAULT_MAX_QUEUED_PER_USER;
    this.maxQueueAge = props.maxQueueAge ?? DEFAULT_MAX_QUEUE_AGE;
    const renderFunction = props.renderFunction;
    const records = props.records;

    const encryption = props.encryptionKey
      ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.encryptionKey }
      : { encryption: sqs.QueueEncryption.SQS_MANAGED };
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...encryption,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    const queue = new sqs.Queue(this, 'Queue', {
      ...encryption,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(FUNCTION_TIMEOUT.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
      // A message carries the request's input props, which may be personal data: keep it no longer
      // than a render may wait (the dispatcher or the sweeper ends it then), plus a margin.
      retentionPeriod: this.maxQueueAge.plus(RETENTION_MARGIN),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: maxReceiveCountFor(this.maxQueueAge.toSeconds()) },
    });
    this.queue = queue;

    // Before the runtime environment is copied, so the queue's functions get the queue variables too.
    renderFunction._enableQueue({
      queueUrl: queue.queueUrl,
      maxQueuedPerUser: this.maxQueuedPerUser,
      maxQueueAgeSeconds: this.maxQueueAge.toSeconds(),
      concurrencyPerRender: this.concurrencyPerRender,
      maxConcurrentLambdas: this.maxConcurrentLambdas,
    });
    grantSendOnly(queue, props.encryptionKey, renderFunction.role);

    const logRetention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;
    this.dispatcherLogGroup = new logs.LogGroup(this, 'DispatcherLogGroup', { retention: logRetention });
    this.dispatcherRole = renderFunction._createRuntimeRole(this, 'DispatcherRole', this.dispatcherLogGroup);
    grantRecordItems(records, this.dispatcherRole, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    grantFinishing(records, this.dispatcherRole);
    // The dispatcher signs each render's completion webhook with the API's secret.
    iam.Grant.addToPrincipal({ grantee: this.dispatcherRole, actions: ['secretsmanager:GetSecretValue'], resourceArns: [records.completionSecret.secretArn] });
    const dispatcher = this.newFunction('Dispatcher', renderFunction, {
      handler: DISPATCHER_HANDLER,
      description: 'Starts queued Remotion renders within the concurrency budget',
      role: this.dispatcherRole,
      logGroup: this.dispatcherLogGroup,
    });
    dispatcher.addEventSource(new SqsEventSource(queue, {
      batchSize: DISPATCHER_BATCH_SIZE,
      maxConcurrency: props.dispatcherConcurrency ?? DEFAULT_DISPATCHER_CONCURRENCY,
      // A deferred message is reported as failed, so only it comes back, after its backoff.
      reportBatchItemFailures: true,
    }));
    this.dispatcher = dispatcher;

    this.sweeperLogGroup = new logs.LogGroup(this, 'SweeperLogGroup', { retention: logRetention });
    const sweeperRole = new iam.Role(this, 'SweeperRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Finishes Remotion renders whose completion was not reported',
    });
    sweeperRole.addToPrincipalPolicy(writeOwnLogsStatement(this.sweeperLogGroup));
    grantRecordItems(records, sweeperRole, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    iam.Grant.addToPrincipal({
      grantee: sweeperRole,
      actions: ['dynamodb:Query'],
      resourceArns: [`${records.table.tableArn}/index/${RECORDS_TABLE.activeIndex}`],
    });
    grantFinishing(records, sweeperRole);
    renderFunction._grantProgressRead(sweeperRole);
    this.sweeperRole = sweeperRole;
    const sweeper = this.newFunction('Sweeper', renderFunction, {
      handler: SWEEPER_HANDLER,
      description: 'Finishes Remotion renders whose completion was not reported, and renders that waited too long',
      role: sweeperRole,
      logGroup: this.sweeperLogGroup,
    });
    this.sweeper = sweeper;
    this.sweepRule = new events.Rule(this, 'SweepSchedule', {
      description: 'Runs the render queue\'s sweeper',
      schedule: events.Schedule.rate(props.sweepInterval ?? DEFAULT_SWEEP_INTERVAL),
      // The next sweep repeats whatever this one left undone: no retries that could overlap it.
      targets: [new targets.LambdaFunction(sweeper, { retryAttempts: 0 })],
    });
  }

  /**
   * The age of the oldest message in the queue, in seconds: the maximum over 5 minutes. SQS counts
   * a message from when it was sent; for a standard queue it leaves out messages received three
   * times or more (starts the dispatcher deferred repeatedly), so while the budget stays full this
   * reads younger than the oldest waiting render (`metricBudgetUnitsInUse` tells that case).
   */
  public metricOldestQueuedRenderAge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateAgeOfOldestMessage(props);
  }

  /** Messages waiting in the queue (renders not started yet, deferred ones included): the maximum over 5 minutes. */
  public metricQueuedRenders(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateNumberOfMessagesVisible(props);
  }

  /** Messages in the dead-letter queue (messages the dispatcher failed on repeatedly): the maximum over 5 minutes. */
  public metricDeadLetterMessages(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible(props);
  }

  /** The units of the budget in use (concurrent Lambdas held by running renders): the maximum over 5 minutes. */
  public metricBudgetUnitsInUse(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return renderMetric(this.metricsService, 'budgetUnitsInUse', props);
  }

  /** The size of the budget (`maxConcurrentLambdas`): the maximum over 5 minutes. */
  public metricBudgetSize(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return renderMetric(this.metricsService, 'budgetSize', props);
  }

  private newFunction(id: string, renderFunction: RemotionRenderFunction, props: Pick<lambda.FunctionProps, 'handler' | 'description' | 'role' | 'logGroup'>): lambda.Function {
    return new lambda.Function(this, id, {
      ...renderFunction._functionSettings(),
      ...props,
      code: renderFunction._handlerCode(),
      timeout: FUNCTION_TIMEOUT,
      memorySize: FUNCTION_MEMORY_MIB,
      environment: renderFunction._runtimeEnvironment(),
    });
  }
}

/** `queue.grantSendMessages` adds GetQueueAttributes, GetQueueUrl and kms:Encrypt/ReEncrypt, which the handler never calls. */
function grantSendOnly(queue: sqs.IQueue, key: kms.IKey | undefined, grantee: iam.IGrantable): void {
  iam.Grant.addToPrincipal({ grantee, actions: ['sqs:SendMessage'], resourceArns: [queue.queueArn] });
  // SQS asks for a data key to encrypt each message, and decrypts it to check the key.
  key?.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
}

/** Single-item actions on the records table only (never Scan or a table-wide action), and its key. */
function grantRecordItems(records: RemotionRenderRecords, grantee: iam.IGrantable, actions: string[]): void {
  iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [records.table.tableArn] });
  records.table.encryptionKey?.grantEncryptDecrypt(grantee);
}

/** What ending a render takes besides the record: putting its one event. */
function grantFinishing(records: RemotionRenderRecords, grantee: iam.IGrantable): void {
  iam.Grant.addToPrincipal({ grantee, actions: ['events:PutEvents'], resourceArns: [records.eventBus.eventBusArn] });
}

function validateQueueOptions(props: RemotionRenderQueueOptions): void {
  checkInteger('maxConcurrentLambdas', props.maxConcurrentLambdas, 2, 10_000);
  checkInteger('concurrencyPerRender', props.concurrencyPerRender, 1, 200);
  const budget = props.maxConcurrentLambdas ?? DEFAULT_MAX_CONCURRENT_LAMBDAS;
  const concurrency = props.concurrencyPerRender ?? DEFAULT_CONCURRENCY_PER_RENDER;
  if (!Token.isUnresolved(budget) && !Token.isUnresolved(concurrency) && 1 + concurrency > budget) {
    throw new Error(`concurrencyPerRender ${concurrency} makes each render hold ${1 + concurrency} units (its main function plus ${concurrency} renderers), `
      + `more than maxConcurrentLambdas ${budget}: no render could ever start. Raise maxConcurrentLambdas or lower concurrencyPerRender.`);
  }
  checkInteger('maxQueuedPerUser', props.maxQueuedPerUser, 1, 1000);
  checkDuration('maxQueueAge', props.maxQueueAge, Duration.minutes(1), Duration.hours(12));
  checkInteger('dispatcherConcurrency', props.dispatcherConcurrency, 2, 1000);
  checkDuration('sweepInterval', props.sweepInterval, Duration.minutes(1), Duration.minutes(60));
  if (props.sweepInterval !== undefined && !props.sweepInterval.isUnresolved() && props.sweepInterval.toSeconds({ integral: false }) % 60 !== 0) {
    throw new Error(`sweepInterval must be whole minutes (an EventBridge rate); got ${props.sweepInterval.toSeconds({ integral: false })} seconds.`);
  }
}
