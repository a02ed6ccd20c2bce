import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { getRenderProgress, presignUrl, renderMediaOnLambda } from '@remotion/lambda/client';
import { loadConfig, type RenderHandlerConfig } from './config';
import { describeError, writeLog, type RequestLogRecord } from './log';
import { createRenderMetrics, type MetricsModule, type RenderMetrics } from './metrics';
import { cacheUntilFailure, withAbortableDeadline } from './promises';
import { createCountedHolds, type CountedHolds } from './records/holds';
import { createIdempotentStart, type IdempotencyModules, type IdempotentStart } from './records/idempotency';
import { createLimits, type Limits } from './records/limits';
import { loadQueueConfig, type QueueConfig } from './records/queue-config';
import { loadRecordsConfig, type RecordsConfig } from './records/records';
import { createRecordStore, type DocumentClientModule, type DynamoDbModules, type RecordStore } from './records/store';
import type { EventEntry } from './records/webhook';
import { parseAccessKeySecret, setRemotionAccessKeys } from './secrets';

/** The functions of `@remotion/lambda/client` the handler calls. */
export interface RemotionClient {
  readonly renderMediaOnLambda: typeof renderMediaOnLambda;
  readonly getRenderProgress: typeof getRenderProgress;
  readonly presignUrl: typeof presignUrl;
}

export interface RenderApiDependencies {
  /** Read once, on the first request that needs it. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Called only for requests that passed validation, so rejected requests never pay for loading it. */
  readonly loadRemotionClient: () => Promise<RemotionClient>;
  /**
   * Called only when a secret ARN is configured, until a read of it succeeds. `signal` is aborted
   * at the request's deadline.
   */
  readonly readSecretString: (secretId: string, signal?: AbortSignal) => Promise<string>;
  /** Where the keys from the credentials secret are put; Remotion's client reads them from `process.env`. */
  readonly remotionEnv?: NodeJS.ProcessEnv;
  readonly writeLog?: (record: RequestLogRecord) => void;
  readonly now?: () => number;
  readonly randomId?: () => string;
  /** Loads the DynamoDB clients of the render records; called once, and only when records are configured. */
  readonly loadDynamoDb?: () => Promise<DynamoDbModules>;
  /** Loads the SQS client of the render queue (from Lambda's runtime); called once, and only with the queue. */
  readonly loadSqs?: () => Promise<SqsModule>;
  /** Loads Powertools' idempotency utility; called once, on the first request with an Idempotency-Key. */
  readonly loadIdempotency?: () => Promise<IdempotencyModules>;
  /** Puts one EventBridge event; called only when an event bus is configured. `signal` is aborted at the deadline. */
  readonly putEvent?: (entry: EventEntry, signal?: AbortSignal) => Promise<void>;
  /** Loads Powertools' Metrics utility; called once, on the first flush with a metric to write. Without it no metric is written. */
  readonly loadMetrics?: () => Promise<MetricsModule>;
}

/**
 * What the routes use, each made on first use and kept (a failed load is tried again by the next
 * request). The routes see only this interface, so their unit tests hand them in-memory fakes.
 */
export interface RouteResources {
  /** Puts one event; undefined when the handler cannot put events. */
  readonly putEvent?: (entry: EventEntry, signal?: AbortSignal) => Promise<void>;
  /** Where `RENDER_METRICS` are recorded, flushed once per invocation; undefined when the handler writes none. */
  readonly metrics?: RenderMetrics;
  /** The handler's settings; throws (a 500) when the construct set them wrong. */
  config(): RenderHandlerConfig;
  /** The records settings, or undefined when records are off. */
  recordsConfig(): RecordsConfig | undefined;
  /** The render queue's settings, or undefined without the queue (renders start directly). */
  queueConfig(): QueueConfig | undefined;
  /** Remotion's client, after the credentials secret (if any) was applied; `waitMs` bounds the secret read. */
  remotionClient(waitMs: number): Promise<RemotionClient>;
  /** The user's webhook secret, or undefined when none is configured. */
  webhookSecret(waitMs: number): Promise<string | undefined>;
  /** The secret of this API's completion webhook, or undefined when none is configured. */
  completionSecret(waitMs: number): Promise<string | undefined>;
  recordStore(): Promise<RecordStore>;
  limits(): Promise<Limits>;
  /** The render budget and the queued places (counted holds in the records table). */
  holds(): Promise<CountedHolds>;
  /** The render queue's SQS client and its command classes. */
  sqs(): Promise<{ readonly client: SQSClient; readonly lib: SqsModule }>;
  idempotentStart(): Promise<IdempotentStart>;
  now(): number;
  randomId(): string;
  log(record: RequestLogRecord): void;
}

/** The SQS client module, imported lazily: the bundle leaves it to Lambda's runtime. */
export type SqsModule = typeof import('@aws-sdk/client-sqs');

/** The one DynamoDB client of an execution environment, and the document client over it. */
interface DynamoDb {
  readonly client: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  readonly lib: DocumentClientModule;
}

/** Makes the resources lazily from the handler's dependencies (`render.lambda.ts` supplies the loaders). */
export function createResources(dependencies: RenderApiDependencies): RouteResources {
  const remotionEnv = dependencies.remotionEnv ?? process.env;

  let loadedConfig: RenderHandlerConfig | undefined;
  const config = (): RenderHandlerConfig => (loadedConfig ??= loadConfig(dependencies.env));
  let loadedRecordsConfig: RecordsConfig | undefined | null;
  const recordsConfig = (): RecordsConfig | undefined => {
    if (loadedRecordsConfig === undefined) loadedRecordsConfig = loadRecordsConfig(dependencies.env) ?? null;
    return loadedRecordsConfig ?? undefined;
  };
  const tableName = () => recordsConfig()!.tableName;
  let loadedQueueConfig: QueueConfig | undefined | null;
  const queueConfig = (): QueueConfig | undefined => {
    if (loadedQueueConfig === undefined) loadedQueueConfig = loadQueueConfig(dependencies.env) ?? null;
    return loadedQueueConfig ?? undefined;
  };

  // Only a read that succeeds is kept; each read is aborted at the deadline of the request that
  // started it, so a hung read fails that request alone and the next one reads again.
  const readSecret = (secretArn: string, waitMs: number) =>
    withAbortableDeadline((signal) => dependencies.readSecretString(secretArn, signal), waitMs);
  const secret = (secretArn: () => string | undefined) => cacheUntilFailure(async (waitMs: number) => {
    const arn = secretArn();
    return arn === undefined ? undefined : readSecret(arn, waitMs);
  });
  const credentialsSecret = secret(() => config().credentialsSecretArn);
  const applyCredentialsSecret = cacheUntilFailure(async (waitMs: number) => {
    const value = await credentialsSecret(waitMs);
    if (value !== undefined) setRemotionAccessKeys(parseAccessKeySecret(value), remotionEnv);
  });

  // One client for the records, the limits and Powertools' idempotency store; the document
  // client drops undefined attributes, which only the records ever hold.
  const dynamoDb = cacheUntilFailure(async (): Promise<DynamoDb> => {
    if (dependencies.loadDynamoDb === undefined) throw new Error('Render records are configured, but the handler has no DynamoDB loader');
    const { client: sdk, lib } = await dependencies.loadDynamoDb();
    const client = new sdk.DynamoDBClient({});
    return { client, documents: lib.DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), lib };
  });

  const metrics = dependencies.loadMetrics === undefined ? undefined : createRenderMetrics({
    env: dependencies.env,
    load: dependencies.loadMetrics,
    budgetSize: () => queueConfig()?.budgetMaxLambdas,
    onError: (error) => console.error(JSON.stringify({ level: 'error', message: 'Metrics not written', error: describeError(error) })),
  });

  return {
    config,
    recordsConfig,
    queueConfig,
    remotionClient: cacheUntilFailure(async (waitMs: number) => {
      await applyCredentialsSecret(waitMs);
      return dependencies.loadRemotionClient();
    }),
    webhookSecret: secret(() => config().webhookSecretArn),
    // Read by starts (to sign) and by the webhook route (to verify).
    completionSecret: secret(() => recordsConfig()?.completionSecretArn),
    recordStore: cacheUntilFailure(async () => {
      const { documents, lib } = await dynamoDb();
      return createRecordStore(tableName(), documents, lib);
    }),
    limits: cacheUntilFailure(async () => {
      const { documents, lib } = await dynamoDb();
      return createLimits(recordsConfig()!.limits, tableName(), documents, lib);
    }),
    holds: cacheUntilFailure(async () => {
      const { documents, lib } = await dynamoDb();
      return createCountedHolds(tableName(), documents, lib, metrics && ((used) => metrics.budget(used)));
    }),
    sqs: cacheUntilFailure(async () => {
      if (dependencies.loadSqs === undefined) throw new Error('The render queue is configured, but the handler has no SQS loader');
      const lib = await dependencies.loadSqs();
      return { client: new lib.SQSClient({}), lib };
    }),
    idempotentStart: cacheUntilFailure(async () => {
      if (dependencies.loadIdempotency === undefined) throw new Error('Idempotency is configured, but the handler has no idempotency loader');
      const [{ client }, modules] = await Promise.all([dynamoDb(), dependencies.loadIdempotency()]);
      return createIdempotentStart({ tableName: tableName(), client, modules, inProgressMs: config().callTimeoutMs });
    }),
    putEvent: dependencies.putEvent,
    now: dependencies.now ?? Date.now,
    randomId: dependencies.randomId ?? randomUUID,
    log: dependencies.writeLog ?? writeLog,
    metrics,
  };
}
