import { randomUUID } from 'node:crypto';
import type { getRenderProgress, presignUrl, renderMediaOnLambda } from '@remotion/lambda/client';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { loadConfig, type RenderHandlerConfig } from './config';
import { describeError, levelForStatus, writeLog, type RequestLogRecord } from './log';
import { cacheUntilFailure, withDeadline } from './promises';
import { createIdempotentStart, idempotencyKeyOf, type IdempotencyModules, type IdempotencyRefusal } from './records/idempotency';
import { createLimits, limitMessage, type HeldSlots } from './records/limits';
import { isListRendersRoute, LIST_RENDERS_ROUTE, parseListRendersRequest } from './records/list-request';
import { newRenderRecord, type RenderRecord } from './records/record';
import { finishedRecordBody, listRendersBody, loadRecordsConfig, planRecordOutputLink, recordProgress, type RecordsConfig } from './records/records';
import { loadRecordStore, type DynamoDbModules } from './records/store';
import {
  isRenderOwnedBy,
  outputLocation,
  isUnknownRenderError,
  planOutputLink,
  renderMediaInput,
  renderProgressInput,
  statusUrl,
} from './remotion-input';
import {
  callerSubject,
  parseRenderStatusRequest,
  parseStartRenderRequest,
  resolveRoute,
  type RenderApiEvent,
  type RenderRoute,
  type StartRenderRequest,
} from './request';
import {
  clientErrorBody,
  clientErrors,
  INTERNAL_ERROR_MESSAGE,
  jsonResponse,
  renderStatusBody,
  SERVICE_FAILURE_MESSAGE,
  type ClientError,
  type OutputLink,
} from './responses';
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
  /** Called only when a secret ARN is configured, at most once per secret unless it fails. */
  readonly readSecretString: (secretId: string) => Promise<string>;
  /** Where the keys from the credentials secret are put; Remotion's client reads them from `process.env`. */
  readonly remotionEnv?: NodeJS.ProcessEnv;
  readonly writeLog?: (record: RequestLogRecord) => void;
  readonly now?: () => number;
  readonly randomId?: () => string;
  /** Loads the DynamoDB clients of the render records; called once, and only when records are configured. */
  readonly loadDynamoDb?: () => Promise<DynamoDbModules>;
  /** Loads Powertools' idempotency utility; called once, on the first request with an Idempotency-Key. */
  readonly loadIdempotency?: () => Promise<IdempotencyModules>;
}

export type RenderApiHandler = (
  event: RenderApiEvent,
  context?: Pick<Context, 'awsRequestId'>,
) => Promise<APIGatewayProxyStructuredResultV2>;

interface ListRendersRoute {
  readonly kind: 'listRenders';
  readonly key: typeof LIST_RENDERS_ROUTE;
}

/** What a route decided: the answer, plus what the log line should say about it. */
interface Outcome {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly logMessage: string;
  readonly renderId?: string;
  readonly reason?: string;
  readonly error?: unknown;
  /** Overrides the level the status implies, e.g. a 202 whose record could not be written. */
  readonly level?: RequestLogRecord['level'];
  /** Extra response headers, e.g. `retry-after` on a 429. */
  readonly headers?: Record<string, string>;
}

/** Wires validation, Remotion and response shaping together; `render.lambda.ts` supplies the loaders. */
export function createRenderApiHandler(dependencies: RenderApiDependencies): RenderApiHandler {
  const log = dependencies.writeLog ?? writeLog;
  const now = dependencies.now ?? Date.now;
  const randomId = dependencies.randomId ?? randomUUID;
  const remotionEnv = dependencies.remotionEnv ?? process.env;

  let loadedConfig: RenderHandlerConfig | undefined;
  const config = (): RenderHandlerConfig => (loadedConfig ??= loadConfig(dependencies.env));

  const applyCredentialsSecret = cacheUntilFailure(async () => {
    const secretArn = config().credentialsSecretArn;
    if (secretArn !== undefined) {
      setRemotionAccessKeys(parseAccessKeySecret(await dependencies.readSecretString(secretArn)), remotionEnv);
    }
  });
  const remotionClient = cacheUntilFailure(async () => {
    await applyCredentialsSecret();
    return dependencies.loadRemotionClient();
  });
  let loadedRecordsConfig: RecordsConfig | undefined | null;
  const recordsConfig = (): RecordsConfig | undefined => {
    if (loadedRecordsConfig === undefined) loadedRecordsConfig = loadRecordsConfig(dependencies.env) ?? null;
    return loadedRecordsConfig ?? undefined;
  };
  const recordStore = cacheUntilFailure(async () => {
    if (dependencies.loadDynamoDb === undefined) throw new Error('Render records are configured, but the handler has no DynamoDB loader');
    return loadRecordStore(recordsConfig()!.tableName, dependencies.loadDynamoDb);
  });
  const limits = cacheUntilFailure(async () => {
    if (dependencies.loadDynamoDb === undefined) throw new Error('Render limits are configured, but the handler has no DynamoDB loader');
    const { client, lib } = await dependencies.loadDynamoDb();
    const documents = lib.DynamoDBDocumentClient.from(new client.DynamoDBClient({}));
    return createLimits(recordsConfig()!.limits, recordsConfig()!.tableName, documents, lib);
  });
  const idempotentStart = cacheUntilFailure(async () => {
    if (dependencies.loadDynamoDb === undefined || dependencies.loadIdempotency === undefined) {
      throw new Error('Idempotency is configured, but the handler has no DynamoDB or idempotency loader');
    }
    const [dynamodb, modules] = await Promise.all([dependencies.loadDynamoDb(), dependencies.loadIdempotency()]);
    return createIdempotentStart({
      tableName: recordsConfig()!.tableName,
      client: new dynamodb.client.DynamoDBClient({}),
      modules,
      inProgressMs: config().callTimeoutMs,
    });
  });
  const webhookSecret = cacheUntilFailure(async () => {
    const secretArn = config().webhookSecretArn;
    return secretArn === undefined ? undefined : dependencies.readSecretString(secretArn);
  });

  async function startRender(event: RenderApiEvent, sub: string): Promise<Outcome> {
    const settings = config();
    const parsed = parseStartRenderRequest(event, settings);
    if (!parsed.ok) return rejected(parsed.error);
    const records = recordsConfig();
    if (records?.idempotency) {
      const { key, refusal } = idempotencyKeyOf(event.headers);
      if (refusal) return refusedForIdempotency(refusal);
      if (key !== undefined) return startIdempotently(sub, key, parsed.value, () => startNow(event, sub, parsed.value));
    }
    return startNow(event, sub, parsed.value);
  }

  /** Starts at most once per user and key (Powertools' idempotency utility); replays the first answer. */
  async function startIdempotently(sub: string, key: string, request: StartRenderRequest, start: () => Promise<Outcome>): Promise<Outcome> {
    let first: Outcome | undefined;
    let idempotent;
    try {
      idempotent = await idempotentStart();
    } catch (error) {
      return serviceFailure(error);
    }
    const result = await idempotent(sub, key, request, async () => {
      first = await start();
      return { status: first.status, body: first.body, renderId: first.renderId };
    });
    switch (result.kind) {
      case 'answered':
        if (!result.replayed && first !== undefined) return first;
        return { ...result.answer, logMessage: 'First answer replayed for a repeated Idempotency-Key' };
      case 'refused':
        return refusedForIdempotency(result.refusal);
      case 'failed':
        if (first === undefined) return serviceFailure(result.error);
        if (first.status !== 202) return first;
        // The render started but its answer could not be kept for replays: answer it all the same.
        return { ...first, level: 'error', logMessage: 'Render started, but its idempotency record could not be completed', error: result.error };
    }
  }

  async function startNow(event: RenderApiEvent, sub: string, validated: StartRenderRequest): Promise<Outcome> {
    const settings = config();
    const parsed = { value: validated };
    const uniqueId = randomId();
    const start = async (request: StartRenderRequest) => {
      const [client, secret] = await Promise.all([remotionClient(), webhookSecret()]);
      return client.renderMediaOnLambda(renderMediaInput({ config: settings, request, sub, uniqueId, webhookSecret: secret }));
    };
    let slots: HeldSlots | undefined;
    const limitsConfig = recordsConfig()?.limits;
    if (limitsConfig !== undefined && (limitsConfig.maxInProgress !== undefined || limitsConfig.maxStarts !== undefined)) {
      try {
        const taken = await withDeadline(limits().then((l) => l.acquire(sub, uniqueId, now())), settings.callTimeoutMs);
        if (!taken.ok) {
          const message = limitMessage(taken.limit, taken.max, limitsConfig.windowSeconds);
          return {
            status: 429,
            logMessage: 'Request rejected',
            reason: message,
            body: { message },
            headers: { 'retry-after': String(taken.retryAfterSeconds) },
          };
        }
        slots = taken.slots;
      } catch (error) {
        return serviceFailure(error);
      }
    }
    try {
      const { renderId, bucketName } = await withDeadline(start(parsed.value), settings.callTimeoutMs).catch(async (error: unknown) => {
        // Nothing started, so nothing counts against the caller; a failed release only delays a slot.
        if (slots !== undefined) await limits().then((l) => l.release(sub, slots!, 'all')).catch(() => undefined);
        throw error;
      });
      const bucketToEcho = settings.bucketName === undefined ? bucketName : undefined;
      const started: Outcome = {
        status: 202,
        logMessage: 'Render started',
        renderId,
        body: { renderId, bucketName, statusUrl: statusUrl(event.requestContext, renderId, bucketToEcho) },
      };
      const records = recordsConfig();
      if (records === undefined) return started;
      try {
        const record = newRenderRecord({
          sub,
          renderId,
          bucketName,
          composition: parsed.value.composition,
          codec: parsed.value.codec,
          privacy: settings.privacy,
          outName: outputLocation(settings, sub, parsed.value.outName, uniqueId),
          now: now(),
          retentionSeconds: records.retentionSeconds,
          limitHolder: slots?.holder,
          runSlot: slots?.running,
        });
        const store = await recordStore();
        await withDeadline(store.put(record), settings.callTimeoutMs);
        return started;
      } catch (error) {
        // The render runs and Remotion bills it: answer 202 so that the client does not start it
        // again, and log it as an error with its id, so the missing record can be found.
        return { ...started, level: 'error', logMessage: 'Render started, but its record could not be written', error };
      }
    } catch (error) {
      return serviceFailure(error);
    }
  }

  async function listRenders(event: RenderApiEvent, sub: string): Promise<Outcome> {
    const records = recordsConfig();
    if (records === undefined) return rejected(clientErrors.routeNotFound());
    const parsed = parseListRendersRequest(event.queryStringParameters, sub);
    if (!parsed.ok) return rejected(parsed.error);
    try {
      const store = await recordStore();
      const deadlineMs = records.limits.renderDeadlineSeconds * 1000;
      const body = await withDeadline(listRendersBody(store, sub, parsed.value, now(), deadlineMs), config().callTimeoutMs);
      return { status: 200, logMessage: 'Renders listed', body };
    } catch (error) {
      return serviceFailure(error);
    }
  }

  /** A finished render's answer from its record (no Remotion call), or the running render's record to ask Remotion. */
  async function readFinishedRecord(renderId: string, sub: string): Promise<{ outcome?: Outcome; running?: RenderRecord }> {
    if (recordsConfig() === undefined) return {};
    const settings = config();
    const record = await withDeadline(recordStore().then((store) => store.get(sub, renderId)), settings.callTimeoutMs);
    if (record === undefined) return {};
    if (record.status === 'RENDERING') return { running: record };
    const plan = planRecordOutputLink(record, settings.region);
    let output: OutputLink | undefined;
    if (plan.kind === 'public') {
      output = { url: plan.url };
    } else if (plan.kind === 'presigned') {
      // Signing is local: the client computes the URL without calling AWS.
      const client = await remotionClient();
      const expiresAt = new Date(now() + settings.presignExpiresSeconds * 1000).toISOString();
      const url = await client.presignUrl({
        region: settings.region as Parameters<RemotionClient['presignUrl']>[0]['region'],
        bucketName: plan.bucketName,
        objectKey: plan.objectKey,
        expiresInSeconds: settings.presignExpiresSeconds,
      });
      output = { url, expiresAt };
    }
    return { outcome: { status: 200, logMessage: 'Render status read from its record', renderId, body: finishedRecordBody(record, output) } };
  }

  async function readRender(event: RenderApiEvent, renderIdInPath: string | undefined, sub: string): Promise<Outcome> {
    const settings = config();
    const parsed = parseRenderStatusRequest(renderIdInPath, event.queryStringParameters, settings.bucketName);
    if (!parsed.ok) return rejected(parsed.error);
    const { renderId } = parsed.value;
    let running: RenderRecord | undefined;
    try {
      const fromRecord = await readFinishedRecord(renderId, sub);
      if (fromRecord.outcome !== undefined) return fromRecord.outcome;
      running = fromRecord.running;
    } catch (error) {
      return serviceFailure(error, renderId);
    }

    const read = async () => {
      const client = await remotionClient();
      const progress = await client.getRenderProgress(renderProgressInput(settings, parsed.value));
      if (!isRenderOwnedBy(progress, sub)) return undefined;
      const plan = planOutputLink(progress, settings);
      let output: OutputLink | undefined;
      if (plan.kind === 'public') {
        output = { url: plan.url };
      } else if (plan.kind === 'presigned') {
        const expiresAt = new Date(now() + plan.input.expiresInSeconds * 1000).toISOString();
        output = { url: await client.presignUrl(plan.input), expiresAt };
      }
      const body = renderStatusBody(progress, output);
      if (recordsConfig() === undefined) return body;
      // The record catches up on the next read when this write fails; the caller still gets the status.
      const status = await recordStore().then((store) => recordProgress(store, sub, renderId, progress, now())).catch(() => undefined);
      if (status !== undefined && status !== 'RENDERING' && running?.runSlot !== undefined && running.limitHolder !== undefined) {
        // Failing here only keeps the slot until the render's deadline.
        await limits().then((l) => l.release(sub, { holder: running!.limitHolder!, running: running!.runSlot }, 'running')).catch(() => undefined);
      }
      return status === undefined ? body : { ...body, status };
    };
    try {
      const body = await withDeadline(read(), settings.callTimeoutMs);
      if (body === undefined) return rejected(clientErrors.renderNotFound(), renderId);
      return { status: 200, logMessage: 'Render status read', renderId, body };
    } catch (error) {
      if (isUnknownRenderError(error)) return rejected(clientErrors.renderNotFound(), renderId);
      return serviceFailure(error, renderId);
    }
  }

  async function dispatch(route: RenderRoute | ListRendersRoute, event: RenderApiEvent, sub: string | undefined): Promise<Outcome> {
    if (sub === undefined) return rejected(clientErrors.unauthenticated());
    switch (route.kind) {
      case 'startRender':
        return startRender(event, sub);
      case 'getRender':
        return readRender(event, route.renderId, sub);
      case 'listRenders':
        return listRenders(event, sub);
      case 'notFound':
        return rejected(clientErrors.routeNotFound());
    }
  }

  return async (event, context) => {
    const startedAt = now();
    const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? 'unknown';
    const route: RenderRoute | ListRendersRoute = isListRendersRoute(event) ? { kind: 'listRenders', key: LIST_RENDERS_ROUTE } : resolveRoute(event);
    const sub = callerSubject(event);
    let outcome: Outcome;
    try {
      outcome = await dispatch(route, event, sub);
    } catch (error) {
      // Only our own code can get here (configuration, a bug): Remotion and AWS failures are 502s above.
      outcome = { status: 500, logMessage: 'Request failed', body: { message: INTERNAL_ERROR_MESSAGE }, error };
    }
    log({
      level: outcome.level ?? levelForStatus(outcome.status),
      message: outcome.logMessage,
      requestId,
      awsRequestId: context?.awsRequestId,
      route: route.key,
      status: outcome.status,
      durationMs: now() - startedAt,
      sub,
      renderId: outcome.renderId,
      reason: outcome.reason,
      error: outcome.error === undefined ? undefined : describeError(outcome.error),
    });
    const response = jsonResponse(outcome.status, outcome.body, requestId);
    return outcome.headers === undefined ? response : { ...response, headers: { ...response.headers, ...outcome.headers } };
  };
}

function refusedForIdempotency(refusal: IdempotencyRefusal): Outcome {
  return { status: refusal.status, logMessage: 'Request rejected', reason: refusal.message, body: { message: refusal.message, errors: refusal.errors } };
}

function rejected(error: ClientError, renderId?: string): Outcome {
  return { status: error.status, logMessage: 'Request rejected', reason: error.message, renderId, body: clientErrorBody(error) };
}

function serviceFailure(error: unknown, renderId?: string): Outcome {
  return { status: 502, logMessage: 'Rendering service failed', renderId, error, body: { message: SERVICE_FAILURE_MESSAGE } };
}
