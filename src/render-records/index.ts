import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { checkDuration } from '../private/validate';
import { RemotionRenderFunction } from '../render-function';
import { RECORDS_TABLE, RENDER_ENV } from '../render-function/contract';

/**
 * Settings of the render records: a DynamoDB table with one record per accepted render, which
 * `GET /renders` lists and `GET /renders/{renderId}` answers from once the render has finished.
 */
export interface RenderRecordsOptions {
  /**
   * Whether renders are recorded. Off, the API has no `GET /renders` route and keeps no table.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * An existing table to keep the records in, instead of a created one. It must have the same key
   * schema as the created table: partition key `pk` (string), sort key `sk` (string), a local
   * secondary index `byCreatedAt` with sort key `createdAt` (string) that projects all
   * attributes, and TTL on `expiresAt`.
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
}

/**
 * Properties of `RenderRecords`.
 */
export interface RenderRecordsProps extends RenderRecordsOptions {
  /** The render function that writes and reads the records. */
  readonly renderFunction: RemotionRenderFunction;
}

const DEFAULT_RETENTION = Duration.days(90);

/**
 * The records table of a render API and the wiring that lets the render function use it:
 * item-level actions on this one table only (no Scan, no table-wide or `dynamodb:*` actions).
 * `AuthenticatedRenderApi` creates one unless `records.enabled` is false.
 */
export class RenderRecords extends Construct {
  /** The table that holds the records. */
  public readonly table: dynamodb.ITable;

  /** How long a record is kept. */
  public readonly retention: Duration;

  /** Whether `POST /renders` honours the `Idempotency-Key` header. */
  public readonly idempotency: boolean;

  constructor(scope: Construct, id: string, props: RenderRecordsProps) {
    super(scope, id);
    if (props.enabled === false) {
      throw new Error('RenderRecords was created with enabled: false; leave the construct out instead.');
    }
    if (props.table && props.removalPolicy !== undefined) {
      throw new Error('removalPolicy applies to the created table only; it was given with table, whose removal policy is its own.');
    }
    checkDuration('retention', props.retention, Duration.days(1), Duration.days(3650));
    this.retention = props.retention ?? DEFAULT_RETENTION;
    this.idempotency = props.idempotency ?? true;
    this.table = props.table ?? this.createTable(props.removalPolicy ?? RemovalPolicy.RETAIN);

    const fn = props.renderFunction.function;
    if (!(fn instanceof lambda.Function)) {
      throw new Error('renderFunction.function must be the lambda.Function that RemotionRenderFunction creates.');
    }
    fn.addEnvironment(RENDER_ENV.RECORDS_TABLE_NAME, this.table.tableName);
    fn.addEnvironment(RENDER_ENV.RECORDS_RETENTION_SECONDS, String(this.retention.toSeconds()));
    if (this.idempotency) {
      fn.addEnvironment(RENDER_ENV.IDEMPOTENCY_ENABLED, 'true');
    }
    this.grantRecordAccess(props.renderFunction.role);
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
    return table;
  }
}
