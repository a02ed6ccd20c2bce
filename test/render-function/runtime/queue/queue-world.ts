/**
 * TEST HARNESS for the render queue's functions: moto (DynamoDB, SQS) with the records table and
 * the queue with its DLQ, the fake Remotion answered by Remotion's real client, and the
 * dispatcher and the sweeper made the way their entries make them (`queueFunctionResources`), in
 * this process, with an injected clock. Renders are queued the way `POST /renders` queues them:
 * the QUEUED record (`newQueuedRecord`, with the owner's queued place) and the contract's message,
 * or by the real API handler (`api()`). Remotion's signed webhook always goes through the real
 * API handler's `POST /webhooks/remotion` route.
 */
import * as path from 'node:path';
import * as dynamodb from '@aws-sdk/client-dynamodb';
import * as sqs from '@aws-sdk/client-sqs';
import * as documents from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, SQSEvent } from 'aws-lambda';
import { RENDER_ENV, RENDER_METRICS, RENDER_ROUTES, routeKeyOf, maxReceiveCountFor, type QueuedRenderMessage } from '../../../../src/render-function/contract';
import type { RequestLogRecord } from '../../../../src/render-function/runtime/log';
import type { MetricsModule } from '../../../../src/render-function/runtime/metrics';
import { createDispatcher, type DispatchLogRecord } from '../../../../src/render-function/runtime/queue/dispatch';
import { queueFunctionResources } from '../../../../src/render-function/runtime/queue/resources';
import { createSweeper, type SweepLogRecord } from '../../../../src/render-function/runtime/queue/sweep';
import { budgetKey, createCountedHolds, queuedKey } from '../../../../src/render-function/runtime/records/holds';
import { newQueuedRecord, type RenderRecord } from '../../../../src/render-function/runtime/records/record';
import { createRecordStore } from '../../../../src/render-function/runtime/records/store';
import type { EventEntry } from '../../../../src/render-function/runtime/records/webhook';
import { createRenderApiHandler, type RenderApiHandler } from '../../../../src/render-function/runtime/render-api';
import type { RemotionClient } from '../../../../src/render-function/runtime/resources';
import { MotoServer } from '../../../moto/moto-server';
import { createRecordsTable, motoDocumentClient } from '../../../moto/records-table';
import { createQueueWithDlq, sendMessage, SqsEventSource, type QueueWithDlq } from '../../../moto/sqs-event-source';
import { NEWEST_DIR } from '../../../remotion-versions';
import { FakeLambda, type RemotionWebhookCall } from '../fake-lambda';
import { API_DOMAIN, apiEvent, constructEnvironment, REMOTION_FUNCTION_NAME } from '../handler-events';

export const TABLE = 'render-records';
export const TABLE_ARN = `arn:aws:dynamodb:us-east-1:123456789012:table/${TABLE}`;
export const EVENT_BUS = 'arn:aws:events:us-east-1:123456789012:event-bus/default';
export const COMPLETION_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:completion-AbCdEf';
export const COMPLETION_SECRET = 'completion-secret-of-the-queue-tests';
export const WEBHOOK_URL = `https://${API_DOMAIN}/webhooks/remotion`;
export const T0 = Date.parse('2026-03-01T10:00:00.000Z');
export const BUDGET = budgetKey(REMOTION_FUNCTION_NAME);
export const MAX_QUEUE_AGE_SECONDS = 3600;
/**
 * The API handler's wait for AWS and Remotion: the construct's default (the function's 28 s
 * timeout minus 3 s). The webhook route gets it too: it is the same function.
 */
export const API_CALL_TIMEOUT_MS = 25_000;
/** A short visibility timeout: a killed dispatcher's message comes back within the test. */
export const VISIBILITY_SECONDS = 2;

export interface QueueSettings {
  readonly concurrency?: number;
  readonly budget?: number;
  readonly maxInProgress?: number;
  readonly callTimeoutMs?: number;
  /** @default 20 */
  readonly maxQueuedPerUser?: number;
}

/** The construct's environment of the dispatcher and the sweeper, as RemotionRenderQueue sets it. */
export function queueEnvironment(queueUrl: string, settings: QueueSettings = {}): Record<string, string | undefined> {
  return constructEnvironment({
    [RENDER_ENV.RECORDS_TABLE_NAME]: TABLE,
    [RENDER_ENV.RECORDS_TABLE_ARN]: TABLE_ARN,
    [RENDER_ENV.EVENT_BUS]: EVENT_BUS,
    [RENDER_ENV.COMPLETION_SECRET_ARN]: COMPLETION_SECRET_ARN,
    [RENDER_ENV.PROGRESS_FROM_BUCKET]: 'true',
    [RENDER_ENV.QUEUE_URL]: queueUrl,
    [RENDER_ENV.QUEUE_MAX_QUEUED_PER_USER]: String(settings.maxQueuedPerUser ?? 20),
    [RENDER_ENV.QUEUE_MAX_AGE_SECONDS]: String(MAX_QUEUE_AGE_SECONDS),
    [RENDER_ENV.QUEUE_RENDER_CONCURRENCY]: String(settings.concurrency ?? 5),
    [RENDER_ENV.BUDGET_MAX_LAMBDAS]: String(settings.budget ?? 60),
    [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: settings.maxInProgress === undefined ? undefined : String(settings.maxInProgress),
    // Applied by POST /renders; the queue's functions must ignore it (queueFunctionResources).
    [RENDER_ENV.LIMIT_MAX_STARTS]: '1',
    [RENDER_ENV.CALL_TIMEOUT_MS]: String(settings.callTimeoutMs ?? 5000),
  });
}

/** Moto and the fake Remotion for one test file; each test gets a fresh table and queue. */
export class QueueWorld {
  /** Registers the file's hooks: one moto and one fake for the file, a fresh table and queue per test, the dispatcher stopped after each. */
  static forTestFile(): QueueWorld {
    const world = new QueueWorld();
    beforeAll(() => world.start(), 30_000);
    beforeEach(() => world.reset());
    afterEach(() => world.stopDispatcher());
    afterAll(() => world.stop());
    return world;
  }

  moto!: MotoServer;
  fake!: FakeLambda;
  queue!: QueueWithDlq;
  /** The SQS event source that feeds the dispatcher, once started. */
  source: SqsEventSource | undefined;
  readonly events: EventEntry[] = [];
  readonly dispatchLog: DispatchLogRecord[] = [];
  readonly sweepLog: SweepLogRecord[] = [];
  /** The log lines of the handlers `api()` made. */
  readonly apiLog: RequestLogRecord[] = [];
  /** The log lines of the webhook route, one per `deliverWebhook`. */
  readonly webhookLog: RequestLogRecord[] = [];
  private webhookHandler: RenderApiHandler | undefined;
  /** The injected clock of the dispatcher, the sweeper and the webhook. */
  clock = T0;
  /** When set, the clock is the real one (tests that measure waits in real time). */
  realClock = false;
  /** When set, the functions write their metrics (EMF on stdout) with this `service`; off by default, to keep other tests' output quiet. */
  metricsService: string | undefined;
  private readonly originalEnv = process.env;

  private async start(): Promise<void> {
    [this.moto, this.fake] = await Promise.all([MotoServer.start(), FakeLambda.start()]);
    process.env = { ...this.originalEnv, ...this.sdkEnvironment() };
    delete process.env.REMOTION_AWS_ACCESS_KEY_ID;
    delete process.env.REMOTION_AWS_SECRET_ACCESS_KEY;
  }

  /** The in-process dispatcher behind the SQS event source harness. */
  async startDispatcher(settings: QueueSettings = {}, maxConcurrency = 2, batchSize?: number): Promise<SqsEventSource> {
    const handler = this.dispatcher(settings);
    this.source = await SqsEventSource.start({ motoUrl: this.moto.url, queueUrl: this.queue.queueUrl, handler, maxConcurrency, batchSize });
    return this.source;
  }

  now(): number {
    return this.realClock ? Date.now() : this.clock;
  }

  async stopDispatcher(): Promise<void> {
    await this.source?.stop();
    this.source = undefined;
  }

  /** DynamoDB and SQS at moto, Lambda and S3 at the fake Remotion. */
  sdkEnvironment(): Record<string, string | undefined> {
    // The fake checks its own key's signatures; moto takes any key.
    return { ...this.moto.sdkEnvironment(), ...this.fake.sdkEnvironment() };
  }

  /**
   * The whole environment of a `node` process that runs the dispatcher or sweeper bundle as
   * Lambda would: the runtime's variables, the construct's, and of the machine's only PATH and HOME.
   * The completion secret is read from the fake's Secrets Manager.
   */
  bundleEnvironment(settings: QueueSettings = {}): Record<string, string | undefined> {
    this.fake.putSecret(COMPLETION_SECRET_ARN, COMPLETION_SECRET);
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      ...this.sdkEnvironment(),
      ...queueEnvironment(this.queue.queueUrl, settings),
    };
  }

  async reset(): Promise<void> {
    this.fake.reset();
    await this.moto.reset();
    await createRecordsTable(TABLE);
    await this.useQueue(VISIBILITY_SECONDS);
    this.events.length = 0;
    this.dispatchLog.length = 0;
    this.sweepLog.length = 0;
    this.apiLog.length = 0;
    this.webhookLog.length = 0;
    this.webhookHandler = undefined;
    this.clock = T0;
    this.realClock = false;
    this.metricsService = undefined;
  }

  /** A fresh render queue (and DLQ) with this visibility timeout, in place of the test's. */
  async useQueue(visibilityTimeoutSeconds: number): Promise<void> {
    this.queue = await createQueueWithDlq(this.moto.url, `renders-${visibilityTimeoutSeconds}s`, {
      visibilityTimeoutSeconds, maxReceiveCount: maxReceiveCountFor(MAX_QUEUE_AGE_SECONDS),
    });
  }

  private async stop(): Promise<void> {
    await Promise.all([this.moto?.stop(), this.fake?.close()]);
    process.env = this.originalEnv;
  }

  /** The dependencies the entries get from `lambdaDependencies`, with test doubles only where AWS would be reached. */
  private dependencies(settings: QueueSettings) {
    const metrics = this.metricsService === undefined ? {} : {
      [RENDER_ENV.METRICS_SERVICE]: this.metricsService, [RENDER_ENV.METRICS_NAMESPACE]: RENDER_METRICS.namespace,
    };
    return {
      env: { ...queueEnvironment(this.queue.queueUrl, settings), ...metrics },
      ...(this.metricsService !== undefined && {
        // jest runs without ES module support: the CommonJS build, where the entry imports the ES one.
        loadMetrics: async () => jest.requireActual<MetricsModule>('@aws-lambda-powertools/metrics'),
      }),
      loadRemotionClient: async () => jest.requireActual(path.join(NEWEST_DIR, 'dist', 'client.js')) as RemotionClient,
      readSecretString: async (arn: string) => {
        if (arn !== COMPLETION_SECRET_ARN) throw new Error(`No secret ${arn}`);
        return COMPLETION_SECRET;
      },
      putEvent: async (entry: EventEntry) => {
        this.events.push(entry);
      },
      loadDynamoDb: async () => ({ client: dynamodb, lib: documents }),
      loadSqs: async () => sqs,
      now: () => this.now(),
    };
  }

  /** The dispatcher as its entry makes it, in this process; an `SqsBatchHandler`. */
  dispatcher(settings: QueueSettings = {}): (event: SQSEvent) => ReturnType<ReturnType<typeof createDispatcher>> {
    const resources = queueFunctionResources(this.dependencies(settings));
    const dispatch = createDispatcher({ resources, log: (record) => this.dispatchLog.push(record) });
    return (event) => dispatch(event);
  }

  sweeper(settings: QueueSettings = {}): () => Promise<void> {
    const sweep = createSweeper({ resources: queueFunctionResources(this.dependencies(settings)), log: (record) => this.sweepLog.push(record) });
    return () => sweep();
  }

  store() {
    return createRecordStore(TABLE, motoDocumentClient(), documents);
  }

  holds() {
    return createCountedHolds(TABLE, motoDocumentClient(), documents);
  }

  /** Queues one render as POST /renders does: its owner's queued place, the QUEUED record, the message. */
  async enqueue(sub: string, renderId: string, body?: string): Promise<QueuedRenderMessage> {
    const message: QueuedRenderMessage = {
      v: 1,
      renderId,
      sub,
      request: { composition: 'Intro', codec: 'h264', inputProps: { title: renderId }, outName: 'out.mp4' },
      uniqueId: `unique-${renderId}`,
      completionWebhookUrl: WEBHOOK_URL,
      queuedAt: this.now(),
    };
    await this.holds().reserve(queuedKey(sub), renderId, 1, 20);
    await this.store().put(newQueuedRecord({
      sub,
      renderId,
      composition: 'Intro',
      codec: 'h264',
      privacy: 'private',
      now: this.now(),
      retentionSeconds: 86_400,
      queuedHold: true,
      checkAt: this.now() + MAX_QUEUE_AGE_SECONDS * 1000,
    }));
    await sendMessage(this.moto.url, this.queue.queueUrl, body ?? JSON.stringify(message), {}, sub);
    return message;
  }

  async record(sub: string, renderId: string): Promise<RenderRecord | undefined> {
    return this.store().get(sub, renderId);
  }

  async budgetUsed(): Promise<number> {
    return (await this.holds().read(BUDGET))?.used ?? 0;
  }

  /** The `[detail-type, our id]` of every event put. */
  eventsPut(): [string, string][] {
    return this.events.map((event) => [event.DetailType, (JSON.parse(event.Detail) as { renderId: string }).renderId]);
  }

  /**
   * The API handler as `render.lambda.ts` makes it (`createRenderApiHandler`), with this world's
   * table, queue, completion secret, events and clock, and without the per-user start limit that
   * `queueEnvironment` sets for the queue's functions to ignore.
   */
  api(settings: QueueSettings = {}, log: RequestLogRecord[] = this.apiLog): RenderApiHandler {
    return createRenderApiHandler({
      ...this.dependencies(settings),
      env: { ...queueEnvironment(this.queue.queueUrl, settings), [RENDER_ENV.LIMIT_MAX_STARTS]: undefined },
      writeLog: (record) => log.push(record),
    });
  }

  /**
   * Delivers Remotion's completion webhook, as the fake Remotion signed it, to the real API
   * handler's `POST /webhooks/remotion` route (no JWT, Remotion's headers), and fails unless the
   * route answered 200. Returns the route's answer and its log line.
   */
  async deliverWebhook(call: RemotionWebhookCall | undefined): Promise<{ status: number; logMessage: string }> {
    if (call === undefined) throw new Error('The render was started without a webhook');
    expect(call.url).toBe(WEBHOOK_URL);
    this.webhookHandler ??= this.api({ callTimeoutMs: API_CALL_TIMEOUT_MS }, this.webhookLog);
    const response = await this.webhookHandler(webhookEvent(call.body, call.headers), { awsRequestId: 'webhook-request' });
    const logMessage = this.webhookLog[this.webhookLog.length - 1]?.message ?? '';
    if (response.statusCode !== 200) throw new Error(`The webhook route answered ${response.statusCode}: ${logMessage} ${response.body}`);
    return { status: response.statusCode, logMessage };
  }
}

/** Remotion's webhook request as API Gateway hands it to the function: the route's key, no JWT, Remotion's headers. */
function webhookEvent(body: string, headers: Record<string, string>): APIGatewayProxyEventV2WithJWTAuthorizer {
  const route = RENDER_ROUTES.completionWebhook;
  const event = apiEvent({ routeKey: routeKeyOf(route), method: route.method, rawPath: route.path, body, sub: null });
  return { ...event, headers: { 'content-type': 'application/json', ...headers } };
}
