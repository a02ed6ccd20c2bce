import { randomUUID } from 'node:crypto';
import type { getRenderProgress, presignUrl, renderMediaOnLambda } from '@remotion/lambda/client';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { loadConfig, type RenderHandlerConfig } from './config';
import { describeError, levelForStatus, writeLog, type RequestLogRecord } from './log';
import { cacheUntilFailure, DeadlineExceededError, withAbortableDeadline, withDeadline } from './promises';
import { createIdempotentStart, idempotencyKeyOf, type IdempotencyModules, type IdempotencyRefusal } from './records/idempotency';
import { createLimits, limitMessage, type HeldSlots } from './records/limits';
import { isListRendersRoute, LIST_RENDERS_ROUTE, parseListRendersRequest } from './records/list-request';
import { newRenderRecord, type RenderRecord } from './records/record';
import { finishedRecordBody, listRendersBody, loadRecordsConfig, planRecordOutputLink, recordProgress, type RecordsConfig } from './records/records';
import { loadRecordStore, type DynamoDbModules } from './records/store';
import {
  completionCustomData,
  completionFromWebhook,
  completionWebhookUrl,
  COMPLETION_WEBHOOK_ROUTE_KEY,
  isCompletionWebhookRoute,
  parseCompletionWebhook,
  renderFinishedEvent,
  verifyWebhookSignature,
  webhookBodyBytes,
  MAX_WEBHOOK_BODY_BYTES,
  type EventEntry,
  type WebhookRefusal,
} from './records/webhook';
import { checkProgressAnswer, checkStartAnswer } from './remotion-answers';
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
  START_RENDER_ROUTE,
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
  /** Loads Powertools' idempotency utility; called once, on the first request with an Idempotency-Key. */
  readonly loadIdempotency?: () => Promise<IdempotencyModules>;
  /** Puts one EventBridge event; called only when an event bus is configured. `signal` is aborted at the deadline. */
  readonly putEvent?: (entry: EventEntry, signal?: AbortSignal) => Promise<void>;
}

/** What the handler reads of Lambda's context; without `getRemainingTimeInMillis` only the configured wait applies. */
export type RenderApiContext = Pick<Context, 'awsRequestId'> & Partial<Pick<Context, 'getRemainingTimeInMillis'>>;

export type RenderApiHandler = (
  event: RenderApiEvent,
  context?: RenderApiContext,
) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Kept free at the end of the invocation to answer and write the log line, so the wait for
 * Remotion ends before Lambda's own timeout, whatever the function's timeout was set to.
 */
export const ANSWER_MARGIN_MS = 1000;

/**
 * The least time a started render's record write gets, even when the wait is used up: the render
 * runs and is billed, and the answer margin leaves room for it.
 */
const MIN_RECORD_WRITE_MS = 500;

/** One request as the routes see it: who asked, when, and how long Remotion may take. */
interface RequestInfo {
  readonly requestId: string;
  readonly awsRequestId?: string;
  readonly startedAt: number;
  readonly sub: string;
  /** How long to wait for Remotion and secrets: the configured wait, cut to the time left. */
  readonly waitMs: number;
  /** When that wait ends, on the monotonic clock (`performance.now()`), whatever `now()` says. */
  readonly waitUntil: number;
}

interface ListRendersRoute {
  readonly kind: 'listRenders';
  readonly key: typeof LIST_RENDERS_ROUTE;
}

interface CompletionWebhookRoute {
  readonly kind: 'completionWebhook';
  readonly key: typeof COMPLETION_WEBHOOK_ROUTE_KEY;
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

  // Only a read that succeeds is kept; each read is aborted at the deadline of the request that
  // started it, so a hung read fails that request alone and the next one reads again.
  const readSecret = (secretArn: string, waitMs: number) =>
    withAbortableDeadline((signal) => dependencies.readSecretString(secretArn, signal), waitMs);
  const applyCredentialsSecret = cacheUntilFailure(async (waitMs: number) => {
    const secretArn = config().credentialsSecretArn;
    if (secretArn !== undefined) {
      setRemotionAccessKeys(parseAccessKeySecret(await readSecret(secretArn, waitMs)), remotionEnv);
    }
  });
  const remotionClient = cacheUntilFailure(async (waitMs: number) => {
    await applyCredentialsSecret(waitMs);
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
  const webhookSecret = cacheUntilFailure(async (waitMs: number) => {
    const secretArn = config().webhookSecretArn;
    return secretArn === undefined ? undefined : readSecret(secretArn, waitMs);
  });
  // Read by starts (to sign) and by the webhook route (to verify); kept once read, like the others.
  const completionSecret = cacheUntilFailure(async (waitMs: number) => {
    const secretArn = recordsConfig()?.completionSecretArn;
    return secretArn === undefined ? undefined : readSecret(secretArn, waitMs);
  });
  /** Whether renders carry this API's own completion webhook: records on with a secret, and no user webhook. */
  const usesCompletionWebhook = () => config().webhookUrl === undefined && recordsConfig()?.completionSecretArn !== undefined;

  async function startRender(event: RenderApiEvent, request: RequestInfo): Promise<Outcome> {
    const settings = config();
    const parsed = parseStartRenderRequest(event, settings);
    if (!parsed.ok) return rejected(parsed.error);
    const { sub, waitMs } = request;
    // No time left to hear Remotion's answer: starting now would start a render nobody is told of.
    if (waitMs <= 0) return serviceFailure(new DeadlineExceededError(waitMs));
    const records = recordsConfig();
    if (records?.idempotency) {
      const { key, refusal } = idempotencyKeyOf(event.headers);
      if (refusal) return refusedForIdempotency(refusal);
      if (key !== undefined) return startIdempotently(sub, key, parsed.value, () => startNow(event, request, parsed.value));
    }
    return startNow(event, request, parsed.value);
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

  /** What is left of the request's wait, for the calls after the first. */
  function timeLeft(request: RequestInfo): number {
    return Math.max(0, Math.floor(request.waitUntil - performance.now()));
  }

  async function startNow(event: RenderApiEvent, request: RequestInfo, validated: StartRenderRequest): Promise<Outcome> {
    const settings = config();
    const { sub, waitMs } = request;
    const uniqueId = randomId();
    // Set once the per-user limits are checked: the reads and the start share what is left.
    let startWaitMs = waitMs;
    const start = async (startRequest: StartRenderRequest) => {
      const [client, secret, ownSecret] = await Promise.all([
        remotionClient(startWaitMs),
        webhookSecret(startWaitMs),
        usesCompletionWebhook() ? completionSecret(startWaitMs) : undefined,
      ]);
      const completionWebhook = ownSecret === undefined
        ? undefined
        : { url: completionWebhookUrl(event.requestContext, event.rawPath), secret: ownSecret, customData: completionCustomData(sub) };
      return client.renderMediaOnLambda(renderMediaInput({
        config: settings, request: startRequest, sub, uniqueId, webhookSecret: secret, completionWebhook,
      }));
    };
    let slots: HeldSlots | undefined;
    const limitsConfig = recordsConfig()?.limits;
    if (limitsConfig !== undefined && (limitsConfig.maxInProgress !== undefined || limitsConfig.maxStarts !== undefined)) {
      try {
        const taken = await withDeadline(limits().then((l) => l.acquire(sub, uniqueId, now())), waitMs);
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
    if (slots !== undefined) startWaitMs = timeLeft(request);
    const starting = start(validated);
    try {
      const { renderId, bucketName } = checkStartAnswer(await withDeadline(starting, startWaitMs).catch(async (error: unknown) => {
        // Nothing is known to have started, so nothing counts against the caller; a failed
        // release only delays a slot (and a late start still holds its slot until its deadline).
        if (slots !== undefined && !(error instanceof DeadlineExceededError)) {
          await limits().then((l) => l.release(sub, slots!, 'all')).catch(() => undefined);
        }
        throw error;
      }));
      const bucketToEcho = settings.bucketName === undefined ? bucketName : undefined;
      const started: Outcome = {
        status: 202,
        logMessage: 'Render started',
        renderId,
        body: { renderId, bucketName, statusUrl: statusUrl(event.requestContext, renderId, bucketToEcho, event.rawPath) },
      };
      const records = recordsConfig();
      if (records === undefined) return started;
      try {
        const record = newRenderRecord({
          sub,
          renderId,
          bucketName,
          composition: validated.composition,
          codec: validated.codec,
          privacy: settings.privacy,
          outName: outputLocation(settings, sub, validated.outName, uniqueId),
          now: now(),
          retentionSeconds: records.retentionSeconds,
          limitHolder: slots?.holder,
          runSlot: slots?.running,
        });
        const store = await recordStore();
        await withDeadline(store.put(record), Math.max(timeLeft(request), MIN_RECORD_WRITE_MS));
        return started;
      } catch (error) {
        // The render runs and Remotion bills it: answer 202 so that the client does not start it
        // again, and log it as an error with its id, so the missing record can be found.
        return { ...started, level: 'error', logMessage: 'Render started, but its record could not be written', error };
      }
    } catch (error) {
      if (error instanceof DeadlineExceededError) reportLateStart(starting, request);
      return serviceFailure(error);
    }
  }

  /**
   * The caller was answered 502, but Remotion may still accept the start: then a render runs
   * (and is billed) that nobody knows of. Its id and owner go to the log at warn level.
   */
  function reportLateStart(started: Promise<unknown>, request: RequestInfo): void {
    started.then((answer) => {
      const fields = typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>) : {};
      log({
        level: 'warn',
        message: 'Render started after the caller was answered',
        requestId: request.requestId,
        awsRequestId: request.awsRequestId,
        route: START_RENDER_ROUTE,
        status: 502,
        durationMs: now() - request.startedAt,
        sub: request.sub,
        renderId: typeof fields.renderId === 'string' ? fields.renderId : undefined,
        bucketName: typeof fields.bucketName === 'string' ? fields.bucketName : undefined,
      });
    }, () => undefined);
  }

  async function listRenders(event: RenderApiEvent, request: RequestInfo): Promise<Outcome> {
    const records = recordsConfig();
    if (records === undefined) return rejected(clientErrors.routeNotFound());
    const { sub, waitMs } = request;
    const parsed = parseListRendersRequest(event.queryStringParameters, sub);
    if (!parsed.ok) return rejected(parsed.error);
    try {
      const store = await recordStore();
      const deadlineMs = records.limits.renderDeadlineSeconds * 1000;
      const body = await withDeadline(listRendersBody(store, sub, parsed.value, now(), deadlineMs), waitMs);
      return { status: 200, logMessage: 'Renders listed', body };
    } catch (error) {
      return serviceFailure(error);
    }
  }

  /** A finished render's answer from its record (no Remotion call), or the running render's record to ask Remotion. */
  async function readFinishedRecord(renderId: string, request: RequestInfo): Promise<{ outcome?: Outcome; running?: RenderRecord }> {
    if (recordsConfig() === undefined) return {};
    const settings = config();
    const { sub, waitMs } = request;
    const record = await withDeadline(recordStore().then((store) => store.get(sub, renderId)), waitMs);
    if (record === undefined) return {};
    if (record.status === 'RENDERING') return { running: record };
    const plan = planRecordOutputLink(record, settings.region);
    let output: OutputLink | undefined;
    if (plan.kind === 'public') {
      output = { url: plan.url };
    } else if (plan.kind === 'presigned') {
      // Signing is local: the client computes the URL without calling AWS.
      const client = await remotionClient(timeLeft(request));
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

  async function readRender(event: RenderApiEvent, renderIdInPath: string | undefined, request: RequestInfo): Promise<Outcome> {
    const settings = config();
    const parsed = parseRenderStatusRequest(renderIdInPath, event.queryStringParameters, settings);
    if (!parsed.ok) return rejected(parsed.error);
    const { renderId } = parsed.value;
    const { sub } = request;
    let running: RenderRecord | undefined;
    try {
      const fromRecord = await readFinishedRecord(renderId, request);
      if (fromRecord.outcome !== undefined) return fromRecord.outcome;
      running = fromRecord.running;
    } catch (error) {
      return serviceFailure(error, renderId);
    }
    const waitMs = timeLeft(request);

    const read = async () => {
      const client = await remotionClient(waitMs);
      const progress = checkProgressAnswer(await client.getRenderProgress(renderProgressInput(settings, parsed.value)));
      if (!isRenderOwnedBy(progress, sub)) return undefined;
      const plan = planOutputLink(progress, settings);
      let output: OutputLink | undefined;
      if (plan.kind === 'public') {
        output = { url: plan.url };
      } else if (plan.kind === 'presigned') {
        const expiresAt = new Date(now() + plan.input.expiresInSeconds * 1000).toISOString();
        output = { url: await client.presignUrl(plan.input), expiresAt };
      }
      const body = renderStatusBody({ ...progress, renderId }, output);
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
      const body = await withDeadline(read(), waitMs);
      if (body === undefined) return rejected(clientErrors.renderNotFound(), renderId);
      return { status: 200, logMessage: 'Render status read', renderId, body };
    } catch (error) {
      if (isUnknownRenderError(error)) return rejected(clientErrors.renderNotFound(), renderId);
      return serviceFailure(error, renderId);
    }
  }

  /**
   * Remotion's completion webhook: no JWT, so everything rests on the signature. Anything not
   * signed with the completion secret, too large, or for a render without a record gets a bare
   * 401. A verified one completes the record (first writer wins), frees the caller's running slot
   * and puts the render's one event; a repeat finds the event claimed and answers 200.
   */
  async function receiveCompletion(event: RenderApiEvent, context: RenderApiContext | undefined, common: Omit<RequestInfo, 'sub' | 'waitMs' | 'waitUntil'>): Promise<Outcome & { sub?: string }> {
    const records = recordsConfig();
    if (records?.completionSecretArn === undefined) return rejected(clientErrors.routeNotFound());
    if (webhookBodyBytes(event) > MAX_WEBHOOK_BODY_BYTES) return unauthorizedWebhook('oversized');
    const waitMs = waitFor(config().callTimeoutMs, context);
    const request = { ...common, sub: '', waitMs, waitUntil: performance.now() + waitMs };
    let secret: string | undefined;
    try {
      secret = await completionSecret(waitMs);
    } catch (error) {
      return serviceFailure(error);
    }
    const verified = verifyWebhookSignature(event, secret!);
    if (!verified.ok) return unauthorizedWebhook(verified.refusal);
    const parsed = parseCompletionWebhook(verified.value, event.headers);
    if (!parsed.ok) return unauthorizedWebhook(parsed.refusal);
    const webhook = parsed.value;
    const { renderId, ownerSub: sub } = webhook;
    try {
      const store = await recordStore();
      const record = await withDeadline(store.get(sub, renderId), waitMs);
      if (record === undefined) return { ...unauthorizedWebhook('unknownRender'), renderId, sub };
      if (record.status === 'RENDERING') {
        await withDeadline(store.complete(sub, renderId, completionFromWebhook(webhook, now())), timeLeft(request));
      }
      if (record.runSlot !== undefined && record.limitHolder !== undefined) {
        // Holder-scoped, so a repeat frees nothing twice; failing only keeps the slot until the render's deadline.
        await withDeadline(limits().then((l) => l.release(sub, { holder: record.limitHolder!, running: record.runSlot }, 'running')), timeLeft(request))
          .catch(() => undefined);
      }
      const events = records.events;
      if (events === undefined || dependencies.putEvent === undefined) {
        return { status: 200, logMessage: 'Render completion recorded', renderId, sub, body: { message: 'Recorded' } };
      }
      const claimed = await withDeadline(store.claimEvent(sub, renderId, now()), timeLeft(request));
      if (claimed === undefined) {
        return { status: 200, logMessage: 'Render completion already recorded', renderId, sub, body: { message: 'Recorded' } };
      }
      try {
        const put = dependencies.putEvent;
        const entry = renderFinishedEvent(claimed, events.eventBus, events.tableArn);
        await withAbortableDeadline((signal) => put(entry, signal), Math.max(timeLeft(request), MIN_RECORD_WRITE_MS));
      } catch (error) {
        // Not put: take the claim back, and answer 502 so that Remotion's retry puts it.
        await store.releaseEventClaim(sub, renderId).catch(() => undefined);
        return { ...serviceFailure(error, renderId), sub };
      }
      return { status: 200, logMessage: 'Render completion recorded and announced', renderId, sub, body: { message: 'Recorded' } };
    } catch (error) {
      return { ...serviceFailure(error, renderId), sub };
    }
  }

  async function dispatch(
    route: RenderRoute | ListRendersRoute,
    event: RenderApiEvent,
    sub: string | undefined,
    context: RenderApiContext | undefined,
    common: Omit<RequestInfo, 'sub' | 'waitMs' | 'waitUntil'>,
  ): Promise<Outcome> {
    if (sub === undefined) return rejected(clientErrors.unauthenticated());
    if (route.kind === 'notFound') return rejected(clientErrors.routeNotFound());
    const waitMs = waitFor(config().callTimeoutMs, context);
    const request: RequestInfo = { ...common, sub, waitMs, waitUntil: performance.now() + waitMs };
    switch (route.kind) {
      case 'startRender':
        return startRender(event, request);
      case 'getRender':
        return readRender(event, route.renderId, request);
      case 'listRenders':
        return listRenders(event, request);
    }
  }

  return async (event, context) => {
    const startedAt = now();
    const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? 'unknown';
    const route: RenderRoute | ListRendersRoute | CompletionWebhookRoute = isCompletionWebhookRoute(event)
      ? { kind: 'completionWebhook', key: COMPLETION_WEBHOOK_ROUTE_KEY }
      : isListRendersRoute(event) ? { kind: 'listRenders', key: LIST_RENDERS_ROUTE } : resolveRoute(event);
    let sub = route.kind === 'completionWebhook' ? undefined : callerSubject(event);
    let outcome: Outcome;
    try {
      const common = { requestId, awsRequestId: context?.awsRequestId, startedAt };
      if (route.kind === 'completionWebhook') {
        const received = await receiveCompletion(event, context, common);
        sub = received.sub;
        outcome = received;
      } else {
        outcome = await dispatch(route, event, sub, context, common);
      }
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

/** The configured wait, cut to what is left of the invocation minus the margin to answer. */
function waitFor(callTimeoutMs: number, context: RenderApiContext | undefined): number {
  const remainingMs = context?.getRemainingTimeInMillis?.();
  if (remainingMs === undefined || !Number.isFinite(remainingMs)) return callTimeoutMs;
  return Math.max(0, Math.min(callTimeoutMs, remainingMs - ANSWER_MARGIN_MS));
}

function refusedForIdempotency(refusal: IdempotencyRefusal): Outcome {
  return { status: refusal.status, logMessage: 'Request rejected', reason: refusal.message, body: { message: refusal.message, errors: refusal.errors } };
}

/** A refused webhook learns nothing of why: the reason goes to the log only. */
function unauthorizedWebhook(refusal: WebhookRefusal): Outcome {
  return { status: 401, logMessage: 'Webhook refused', reason: refusal, body: { message: 'Unauthorized' } };
}

function rejected(error: ClientError, renderId?: string): Outcome {
  return { status: error.status, logMessage: 'Request rejected', reason: error.message, renderId, body: clientErrorBody(error) };
}

function serviceFailure(error: unknown, renderId?: string): Outcome {
  return { status: 502, logMessage: 'Rendering service failed', renderId, error, body: { message: SERVICE_FAILURE_MESSAGE } };
}
