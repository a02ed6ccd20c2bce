import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { checkDuration, checkInteger } from '../private/validate';
import { RemotionRenderFunction } from '../render-function';
import { RECORDS_TABLE, RENDER_EVENT_DETAIL_TYPES, RENDER_EVENT_SOURCE } from '../render-function/contract';

/**
 * Settings of the render records: a DynamoDB table with one record per accepted render, which
 * `GET /renders` lists and `GET /renders/{renderId}` answers from once the render has finished.
 */
export interface RemotionRenderRecordsOptions {
  /**
   * An existing table to keep the records in, instead of a created one. It must have the same key
   * schema as the created table: partition key `pk` (string), sort key `sk` (string), a local
   * secondary index `byCreatedAt` with sort key `createdAt` (string) that projects all
   * attributes, a global secondary index `active` with partition key `activeShard` (string) and
   * sort key `checkAt` (string) that projects keys only (the render queue's sweeper queries it),
   * and TTL on `expiresAt`.
   *
   * @default - a table with on-demand billing, point-in-time recovery and encryption
   */
  readonly table?: dynamodb.ITable;

  /**
   * What happens to the created table when it leaves the stack. Ignored with `table`.
   *
   * @default RemovalPolicy.RETAIN - render history and its costs are never lost by accident
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long a record is kept after its render started (DynamoDB TTL deletes it some time after,
   * usually within a few days). Between 1 day and 10 years.
   *
   * @default Duration.days(90)
   */
  readonly retention?: Duration;

  /**
   * Whether `POST /renders` honours an `Idempotency-Key` header: the same key and body within
   * 24 hours replay the first answer and start nothing, the same key with another body gets 422,
   * and a repeat while the first is still starting gets 409. Keys are per user. The keys are kept
   * in the records table (Powertools for AWS Lambda's idempotency utility).
   *
   * @default true
   */
  readonly idempotency?: boolean;

  /**
   * Renders one user may have running at once. With the render queue (the default whenever
   * records are kept), further renders wait in the queue until one of the user's renders ends
   * (`queue.maxQueuedPerUser` caps how many may wait); without it, `POST /renders` answers 429
   * with `Retry-After` and starts nothing. A render stops counting once its completion is
   * recorded, or at the latest once Remotion's own timeout (read from the site's
   * `remotionFunctionName`) has passed. 0 turns the limit off.
   *
   * @default 3
   */
  readonly maxRendersInProgress?: number;

  /**
   * Renders one user may start per `startWindow` (a rolling window); past it, 429 with
   * `Retry-After`. 0 turns the limit off.
   *
   * @default 20
   */
  readonly maxStartsPerWindow?: number;

  /**
   * The rolling window of `maxStartsPerWindow`, 1 minute to 1 day.
   *
   * @default Duration.hours(1)
   */
  readonly startWindow?: Duration;

  /**
   * The EventBridge bus that gets one event per finished render (source `remotion-constructs`,
   * detail-types `Remotion Render Succeeded`, `Remotion Render Failed`, `Remotion Render Timed
   * Out` and `Remotion Render Cancelled`, and `resources` holding the records table's ARN, which
   * tells apart the events of APIs that share a bus), put by whatever learns that a render ended:
   * Remotion's completion webhook to `POST /webhooks/remotion`, a status read, a cancel, or the
   * render queue's dispatcher and sweeper.
   *
   * @default - the account's default event bus
   */
  readonly eventBus?: events.IEventBus;
}

/** How a render finished, as its EventBridge event tells it. */
export enum RemotionRenderFinishedStatus {
  /** The output was written. Detail-type `Remotion Render Succeeded`. */
  SUCCEEDED = 'SUCCEEDED',
  /** Remotion reported a fatal error. Detail-type `Remotion Render Failed`. */
  FAILED = 'FAILED',
  /** Remotion's function timed out. Detail-type `Remotion Render Timed Out`. */
  TIMED_OUT = 'TIMED_OUT',
  /** Its owner cancelled it (`DELETE /renders/{renderId}`). Detail-type `Remotion Render Cancelled`. */
  CANCELLED = 'CANCELLED',
}

/**
 * Options of `onRenderFinished`: those of any `onEvent` method (`target`, `ruleName`,
 * `description`, `eventPattern`, `crossStackScope`), and the statuses to match.
 *
 * The rule's own pattern (source, detail-type and the records table in `resources`) always
 * applies: an `eventPattern` may narrow it further (e.g. by `detail`), but must not set `source`,
 * `detailType` or `resources`, which would widen or contradict it.
 */
export interface RemotionOnRenderFinishedOptions extends events.OnEventOptions {
  /**
   * The statuses the rule matches.
   *
   * @default - all four: SUCCEEDED, FAILED, TIMED_OUT and CANCELLED
   */
  readonly statuses?: RemotionRenderFinishedStatus[];
}

/**
 * Properties of `RemotionRenderRecords`.
 */
export interface RemotionRenderRecordsProps extends RemotionRenderRecordsOptions {
  /** The render function that writes and reads the records. */
  readonly renderFunction: RemotionRenderFunction;
}

const DEFAULT_RETENTION = Duration.days(90);
const DEFAULT_MAX_IN_PROGRESS = 3;
const DEFAULT_MAX_STARTS = 20;

/**
 * The records table of a render API and the wiring that lets the render function use it:
 * item-level actions on this one table only (no Scan, no table-wide or `dynamodb:*` actions).
 * `AuthenticatedRenderApi` creates one unless `recordsEnabled` is false.
 */
export class RemotionRenderRecords extends Construct {
  /** The table that holds the records. */
  public readonly table: dynamodb.ITable;

  /** How long a record is kept. */
  public readonly retention: Duration;

  /** Whether `POST /renders` honours the `Idempotency-Key` header. */
  public readonly idempotency: boolean;

  /** Renders one user may have in progress (0: no limit). */
  public readonly maxRendersInProgress: number;

  /** Renders one user may start per `startWindow` (0: no limit). */
  public readonly maxStartsPerWindow: number;

  /** The rolling window of `maxStartsPerWindow`. */
  public readonly startWindow: Duration;

  /** The bus that gets one event per finished render. */
  public readonly eventBus: events.IEventBus;

  /**
   * The generated secret that signs Remotion's completion webhook to `POST /webhooks/remotion`.
   * Only the render function may read it.
   */
  public readonly completionSecret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: RemotionRenderRecordsProps) {
    super(scope, id);
    if (props.table && props.removalPolicy !== undefined) {
      throw new Error('removalPolicy applies to the created table only; it was given with table, whose removal policy is its own.');
    }
    checkDuration('retention', props.retention, Duration.days(1), Duration.days(3650));
    this.retention = props.retention ?? DEFAULT_RETENTION;
    this.idempotency = props.idempotency ?? true;
    checkInteger('maxRendersInProgress', props.maxRendersInProgress, 0, 1000);
    checkInteger('maxStartsPerWindow', props.maxStartsPerWindow, 0, 1000);
    checkDuration('startWindow', props.startWindow, Duration.minutes(1), Duration.days(1));
    this.maxRendersInProgress = props.maxRendersInProgress ?? DEFAULT_MAX_IN_PROGRESS;
    this.maxStartsPerWindow = props.maxStartsPerWindow ?? DEFAULT_MAX_STARTS;
    this.startWindow = props.startWindow ?? Duration.hours(1);
    this.table = props.table ?? this.createTable(props.removalPolicy ?? RemovalPolicy.RETAIN);

    this.grantRecordAccess(props.renderFunction.role);

    this.eventBus = props.eventBus ?? events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    this.completionSecret = new secretsmanager.Secret(this, 'CompletionWebhookSecret', {
      description: 'Signs the completion webhook that Remotion calls on the render API',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    props.renderFunction._enableRecords({
      tableName: this.table.tableName,
      tableArn: this.table.tableArn,
      retention: this.retention,
      idempotency: this.idempotency,
      maxRendersInProgress: this.maxRendersInProgress,
      maxStartsPerWindow: this.maxStartsPerWindow,
      startWindow: this.startWindow,
      completionSecretArn: this.completionSecret.secretArn,
      eventBusArn: this.eventBus.eventBusArn,
    });
    iam.Grant.addToPrincipal({
      grantee: props.renderFunction.role,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [this.completionSecret.secretArn],
    });
    iam.Grant.addToPrincipal({
      grantee: props.renderFunction.role,
      actions: ['events:PutEvents'],
      resourceArns: [this.eventBus.eventBusArn],
    });
    if (props.renderFunction.webhookUrl !== undefined) {
      Annotations.of(this).addInfo(
        'The render function has its own webhookUrl: Remotion calls it instead of POST /webhooks/remotion, so renders end (recorded, units freed, event put) through status reads and the render queue\'s sweeper, a sweep interval late.',
      );
    }
  }

  /**
   * A rule on `eventBus` that matches the events of this API's finished renders, for the given
   * statuses: source `remotion-constructs`, the statuses' detail-types, and `resources` naming
   * this records table's ARN, so that another API on the same bus does not trigger it.
   */
  public onRenderFinished(id: string, options: RemotionOnRenderFinishedOptions = {}): events.Rule {
    const statuses = options.statuses ?? Object.values(RemotionRenderFinishedStatus);
    if (statuses.length === 0) {
      throw new Error('statuses must name at least one RemotionRenderFinishedStatus, or be left out to match all four.');
    }
    // Merging would widen the match (aws-cdk-lib's addEventPattern unites arrays), so these stay ours.
    const owned = (['source', 'detailType', 'resources'] as const).filter((field) => options.eventPattern?.[field] !== undefined);
    if (owned.length > 0) {
      throw new Error(`eventPattern.${owned.join(', eventPattern.')}: onRenderFinished sets the source, detail-type (from statuses) and resources `
        + '(this records table) itself; narrow the rule with other fields of eventPattern, such as detail.');
    }
    const detailTypes = [...new Set(statuses)].map((status) => RENDER_EVENT_DETAIL_TYPES[status]);
    return new events.Rule(this, id, {
      eventBus: this.eventBus,
      ruleName: options.ruleName,
      description: options.description ?? `Remotion renders that finished: ${detailTypes.join(', ')}`,
      crossStackScope: options.crossStackScope,
      eventPattern: { ...options.eventPattern, source: [RENDER_EVENT_SOURCE], detailType: detailTypes, resources: [this.table.tableArn] },
      targets: options.target === undefined ? undefined : [options.target],
    });
  }

  /**
   * Lets `grantee` do what the render handler does with the records: put, get and conditionally
   * update single items, and query the creation-time index. With idempotency, also delete single
   * items: Powertools deletes a key's in-progress item when the start failed, so a retry may start.
   */
  public grantRecordAccess(grantee: iam.IGrantable): iam.Grant {
    const items = iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', ...(this.idempotency ? ['dynamodb:DeleteItem'] : [])],
      resourceArns: [this.table.tableArn],
    });
    const listing = iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:Query'],
      resourceArns: [`${this.table.tableArn}/index/${RECORDS_TABLE.byCreatedAtIndex}`],
    });
    this.table.encryptionKey?.grantEncryptDecrypt(grantee);
    return items.combine(listing);
  }

  private createTable(removalPolicy: RemovalPolicy): dynamodb.Table {
    const table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: RECORDS_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: RECORDS_TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: RECORDS_TABLE.ttl,
      removalPolicy,
    });
    table.addLocalSecondaryIndex({
      indexName: RECORDS_TABLE.byCreatedAtIndex,
      sortKey: { name: RECORDS_TABLE.createdAt, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    // Sparse: only records that still need work carry activeShard, so the sweeper reads no others.
    table.addGlobalSecondaryIndex({
      indexName: RECORDS_TABLE.activeIndex,
      partitionKey: { name: RECORDS_TABLE.activeShard, type: dynamodb.AttributeType.STRING },
      sortKey: { name: RECORDS_TABLE.checkAt, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
    return table;
  }
}
