import { randomUUID } from 'node:crypto';
import type { getRenderProgress, presignUrl, renderMediaOnLambda } from '@remotion/lambda/client';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { loadConfig, type RenderHandlerConfig } from './config';
import { describeError, levelForStatus, writeLog, type RequestLogRecord } from './log';
import { cacheUntilFailure, withDeadline } from './promises';
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
}

export type RenderApiHandler = (
  event: RenderApiEvent,
  context?: Pick<Context, 'awsRequestId'>,
) => Promise<APIGatewayProxyStructuredResultV2>;

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
  const webhookSecret = cacheUntilFailure(async () => {
    const secretArn = config().webhookSecretArn;
    return secretArn === undefined ? undefined : dependencies.readSecretString(secretArn);
  });

  async function startRender(event: RenderApiEvent, sub: string): Promise<Outcome> {
    const settings = config();
    const parsed = parseStartRenderRequest(event, settings);
    if (!parsed.ok) return rejected(parsed.error);

    const start = async (request: StartRenderRequest) => {
      const [client, secret] = await Promise.all([remotionClient(), webhookSecret()]);
      return client.renderMediaOnLambda(renderMediaInput({ config: settings, request, sub, uniqueId: randomId(), webhookSecret: secret }));
    };
    try {
      const { renderId, bucketName } = startedRender(await withDeadline(start(parsed.value), settings.callTimeoutMs));
      const bucketToEcho = settings.bucketName === undefined ? bucketName : undefined;
      return {
        status: 202,
        logMessage: 'Render started',
        renderId,
        body: { renderId, bucketName, statusUrl: statusUrl(event.requestContext, renderId, bucketToEcho) },
      };
    } catch (error) {
      return serviceFailure(error);
    }
  }

  async function readRender(event: RenderApiEvent, renderIdInPath: string | undefined, sub: string): Promise<Outcome> {
    const settings = config();
    const parsed = parseRenderStatusRequest(renderIdInPath, event.queryStringParameters, settings.bucketName);
    if (!parsed.ok) return rejected(parsed.error);
    const { renderId } = parsed.value;

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
      return renderStatusBody(progress, output);
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

  async function dispatch(route: RenderRoute, event: RenderApiEvent, sub: string | undefined): Promise<Outcome> {
    if (sub === undefined) return rejected(clientErrors.unauthenticated());
    switch (route.kind) {
      case 'startRender':
        return startRender(event, sub);
      case 'getRender':
        return readRender(event, route.renderId, sub);
      case 'notFound':
        return rejected(clientErrors.routeNotFound());
    }
  }

  return async (event, context) => {
    const startedAt = now();
    const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? 'unknown';
    const route = resolveRoute(event);
    const sub = callerSubject(event);
    let outcome: Outcome;
    try {
      outcome = await dispatch(route, event, sub);
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

/**
 * What renderMediaOnLambda resolved with, checked: some older clients (4.0.365 does) resolve with the
 * function's error payload when the function fails unhandled (`x-amz-function-error`), instead of
 * throwing. A 202 without a render id would be a render the caller can never find.
 */
function startedRender(result: { renderId?: unknown; bucketName?: unknown }): { renderId: string; bucketName: string } {
  const { renderId, bucketName } = result ?? {};
  if (typeof renderId !== 'string' || renderId === '' || typeof bucketName !== 'string' || bucketName === '') {
    throw new Error(`renderMediaOnLambda returned no renderId and bucketName: ${JSON.stringify(result)?.slice(0, 300)}`);
  }
  return { renderId, bucketName };
}

function rejected(error: ClientError, renderId?: string): Outcome {
  return { status: error.status, logMessage: 'Request rejected', reason: error.message, renderId, body: clientErrorBody(error) };
}

function serviceFailure(error: unknown, renderId?: string): Outcome {
  return { status: 502, logMessage: 'Rendering service failed', renderId, error, body: { message: SERVICE_FAILURE_MESSAGE } };
}
