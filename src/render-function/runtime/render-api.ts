import { randomUUID } from 'node:crypto';
import type { getRenderProgress, presignUrl, renderMediaOnLambda } from '@remotion/lambda/client';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { loadConfig, type RenderHandlerConfig } from './config';
import { describeError, levelForStatus, writeLog, type RequestLogRecord } from './log';
import { cacheUntilFailure, DeadlineExceededError, withAbortableDeadline, withDeadline } from './promises';
import { checkProgressAnswer, checkStartAnswer } from './remotion-answers';
import {
  isRenderOwnedBy,
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

/** One request as the routes see it: who asked, when, and how long Remotion may take. */
interface RequestInfo {
  readonly requestId: string;
  readonly awsRequestId?: string;
  readonly startedAt: number;
  readonly sub: string;
  /** How long to wait for Remotion and secrets: the configured wait, cut to the time left. */
  readonly waitMs: number;
}

/** What a route decided: the answer, plus what the log line should say about it. */
interface Outcome {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly logMessage: string;
  readonly renderId?: string;
  readonly reason?: string;
  readonly error?: unknown;
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
  const webhookSecret = cacheUntilFailure(async (waitMs: number) => {
    const secretArn = config().webhookSecretArn;
    return secretArn === undefined ? undefined : readSecret(secretArn, waitMs);
  });

  async function startRender(event: RenderApiEvent, request: RequestInfo): Promise<Outcome> {
    const settings = config();
    const parsed = parseStartRenderRequest(event, settings);
    if (!parsed.ok) return rejected(parsed.error);
    const { sub, waitMs } = request;
    // No time left to hear Remotion's answer: starting now would start a render nobody is told of.
    if (waitMs <= 0) return serviceFailure(new DeadlineExceededError(waitMs));

    const start = async (startRequest: StartRenderRequest) => {
      const [client, secret] = await Promise.all([remotionClient(waitMs), webhookSecret(waitMs)]);
      const input = renderMediaInput({ config: settings, request: startRequest, sub, uniqueId: randomId(), webhookSecret: secret });
      return client.renderMediaOnLambda(input);
    };
    const started = start(parsed.value);
    try {
      const { renderId, bucketName } = checkStartAnswer(await withDeadline(started, waitMs));
      const bucketToEcho = settings.bucketName === undefined ? bucketName : undefined;
      return {
        status: 202,
        logMessage: 'Render started',
        renderId,
        body: { renderId, bucketName, statusUrl: statusUrl(event.requestContext, renderId, bucketToEcho) },
      };
    } catch (error) {
      if (error instanceof DeadlineExceededError) reportLateStart(started, request);
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

  async function readRender(event: RenderApiEvent, renderIdInPath: string | undefined, request: RequestInfo): Promise<Outcome> {
    const settings = config();
    const parsed = parseRenderStatusRequest(renderIdInPath, event.queryStringParameters, settings);
    if (!parsed.ok) return rejected(parsed.error);
    const { renderId } = parsed.value;
    const { sub, waitMs } = request;

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
      return renderStatusBody({ ...progress, renderId }, output);
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

  async function dispatch(
    route: RenderRoute,
    event: RenderApiEvent,
    sub: string | undefined,
    context: RenderApiContext | undefined,
    common: Omit<RequestInfo, 'sub' | 'waitMs'>,
  ): Promise<Outcome> {
    if (sub === undefined) return rejected(clientErrors.unauthenticated());
    if (route.kind === 'notFound') return rejected(clientErrors.routeNotFound());
    const request: RequestInfo = { ...common, sub, waitMs: waitFor(config().callTimeoutMs, context) };
    switch (route.kind) {
      case 'startRender':
        return startRender(event, request);
      case 'getRender':
        return readRender(event, route.renderId, request);
    }
  }

  return async (event, context) => {
    const startedAt = now();
    const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? 'unknown';
    const route = resolveRoute(event);
    const sub = callerSubject(event);
    let outcome: Outcome;
    try {
      outcome = await dispatch(route, event, sub, context, { requestId, awsRequestId: context?.awsRequestId, startedAt });
    } catch (error) {
      // Only our own code can get here (configuration, a bug): Remotion and AWS failures are 502s above.
      outcome = { status: 500, logMessage: 'Request failed', body: { message: INTERNAL_ERROR_MESSAGE }, error };
    }
    log({
      level: levelForStatus(outcome.status),
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
    return jsonResponse(outcome.status, outcome.body, requestId);
  };
}

/** The configured wait, cut to what is left of the invocation minus the margin to answer. */
function waitFor(callTimeoutMs: number, context: RenderApiContext | undefined): number {
  const remainingMs = context?.getRemainingTimeInMillis?.();
  if (remainingMs === undefined || !Number.isFinite(remainingMs)) return callTimeoutMs;
  return Math.max(0, Math.min(callTimeoutMs, remainingMs - ANSWER_MARGIN_MS));
}

function rejected(error: ClientError, renderId?: string): Outcome {
  return { status: error.status, logMessage: 'Request rejected', reason: error.message, renderId, body: clientErrorBody(error) };
}

function serviceFailure(error: unknown, renderId?: string): Outcome {
  return { status: 502, logMessage: 'Rendering service failed', renderId, error, body: { message: SERVICE_FAILURE_MESSAGE } };
}
