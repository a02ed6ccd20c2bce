import { createHash, createHmac } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { RenderProgress } from '@remotion/lambda/client';
import { remotionWebhookPayload, signedRemotionWebhook } from './remotion-webhook';

/**
 * A local stand-in for the AWS Lambda and Secrets Manager APIs, answering the way the deployed
 * Remotion render function does (`@remotion/serverless` `startHandler` / `progressHandler`), so
 * the real `@remotion/lambda/client` can be pointed at it with `AWS_ENDPOINT_URL_LAMBDA`. It also
 * keeps, in its S3 bucket (`AWS_ENDPOINT_URL_S3`), the progress file Remotion's function writes
 * for each render it started, so `getRenderProgress({ skipLambdaInvocation: true })` reads it.
 *
 * For tests of a concurrency budget it also counts the Lambdas each render holds (`lambdasInUse`,
 * `peakLambdasInUse`) from the moment it accepts the start until `completeRender()`, which
 * returns the signed webhook Remotion would send; and it can throttle starts
 * (`throttleStarts()`), answer a start late (`answerStartsAfter()`), and run a hook between
 * accepting a start and answering it (`onStartAccepted()`).
 */

export const FAKE_REGION = 'us-east-1';
export const FAKE_ACCOUNT_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:remotion-render-secret-internals';
/** The bucket Remotion picks when the caller names none. */
export const FAKE_REMOTION_BUCKET = 'remotionlambda-useast1-abcdef1234';
/**
 * The function role's key pair, as the Lambda runtime would put it in the environment. The fake
 * checks the SigV4 signature of every Secrets Manager call against it.
 */
export const FAKE_ROLE_CREDENTIALS = { accessKeyId: 'AKIAFAKEROLEKEY00001', secretAccessKey: 'fake-role-secret' } as const;

/** One `Invoke` call as the SDK sent it. */
export interface RecordedInvocation {
  readonly functionName: string;
  readonly invocationType: string | undefined;
  /** The access key id from the SigV4 `Authorization` header. */
  readonly accessKeyId: string | undefined;
  readonly payload: Record<string, unknown>;
}

/** One Secrets Manager call whose SigV4 signature the fake verified. */
export interface RecordedSecretRequest {
  readonly target: string | undefined;
  readonly contentType: string | undefined;
  readonly accessKeyId: string;
  /** The credential scope's region and service, e.g. `us-east-1` and `secretsmanager`. */
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly sessionToken: string | undefined;
  readonly body: string;
}

/**
 * How the fake misbehaves: an HTTP 500 from the Lambda service, an unhandled error in the
 * function, Remotion's own `{type: 'error'}` answer, or no answer at all.
 */
export type FailureMode = 'service-error' | 'function-error' | 'remotion-error' | 'hang';

/** One S3 call as the SDK sent it (path-style, as it addresses an IP endpoint). */
export interface RecordedS3Request {
  readonly method: string;
  readonly bucket: string;
  readonly key: string;
}

interface StoredRender {
  readonly renderId: string;
  readonly bucketName: string;
  readonly startPayload: Record<string, unknown>;
  readonly startedAt: number;
  /** False while the main function has combined every chunk but not yet written its `postRenderData`. */
  postRenderDataWritten: boolean;
  progress: Partial<Pick<RenderProgress, 'done' | 'overallProgress' | 'errors' | 'fatalErrorEncountered'>>;
}

/**
 * The frames of every composition the fake renders (its progress reports frameRange [0, 99]):
 * what `framesPerLambda` divides when a start names no `concurrency`.
 */
export const FAKE_FRAME_COUNT = 100;
/**
 * The renderers Remotion picks for FAKE_FRAME_COUNT frames when the start names neither
 * `concurrency` nor `framesPerLambda` (serverless-client `bestFramesPerLambdaParam`: at least 20
 * frames per Lambda, so 100 / 20).
 */
export const FAKE_DEFAULT_RENDERERS = 5;

/** A start the fake accepted and has not answered yet, as `onStartAccepted` hooks see it. */
export interface AcceptedStart {
  readonly renderId: string;
  readonly bucketName: string;
  readonly payload: Record<string, unknown>;
  /** The Lambdas the render holds: its main function and its renderers. */
  readonly lambdas: number;
}

/** How a render ends, as the `type` of Remotion's webhook says it. */
export type RenderOutcome = 'success' | 'error' | 'timeout';

/** The webhook call Remotion's function makes when a render ends: POST `url` with `headers` and `body`. */
export interface RemotionWebhookCall {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A cancel marker Remotion's `cancelRenderOnLambda` wrote (S3 PutObject of `renders/<id>/cancel.json`). */
export interface CancelMarker {
  readonly bucket: string;
  readonly key: string;
  readonly renderId: string;
  readonly body: string;
}

/** The account STS's GetCallerIdentity reports (Remotion's client asks before it writes to the bucket). */
export const FAKE_ACCOUNT_ID = '123456789012';

/**
 * An extra answer for calls this fake does not know (e.g. the S3 and STS calls of Remotion's
 * `getSites()`): returns true when it answered.
 */
export type FakeRoute = (request: http.IncomingMessage, body: string, response: http.ServerResponse) => boolean;

export class FakeLambda {
  static async start(): Promise<FakeLambda> {
    const fake = new FakeLambda();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  readonly invocations: RecordedInvocation[] = [];
  /** Every S3 call, in order. */
  readonly s3Requests: RecordedS3Request[] = [];
  /** Every cancel marker written to a started render's folder, in order. */
  readonly cancelMarkers: CancelMarker[] = [];
  /** The `SecretId` of every `GetSecretValue` call that passed the signature and protocol checks. */
  readonly secretReads: string[] = [];
  /** Every signed Secrets Manager call, before the protocol checks. */
  readonly secretRequests: RecordedSecretRequest[] = [];
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly renders = new Map<string, StoredRender>();
  private readonly secrets = new Map<string, string>();
  /** Requests the client gave up on (closed) before the fake answered, by kind: `invoke` or `secret`. */
  readonly abandonedRequests: string[] = [];
  private failure: FailureMode | undefined;
  private renderCounter = 0;
  private readonly routes: FakeRoute[] = [];
  private readonly answerOverrides = new Map<string, unknown>();
  private answerDelayMs = 0;
  private refuseS3Reads = false;
  /** The Lambdas held by each render not completed yet. */
  private readonly lambdasByRender = new Map<string, number>();
  private peakLambdas = 0;
  private throttlesLeft = 0;
  private throttleReason = 'ConcurrentInvocationLimitExceeded';
  /** Start invocations that Lambda refused with a 429: they never reached the function, so they are not in `invocations`. */
  readonly throttledInvocations: RecordedInvocation[] = [];
  private startAnswerDelayMs = 0;
  private startHook: ((start: AcceptedStart) => void | Promise<void>) | undefined;

  private constructor() {
    this.server = http.createServer((request, response) => {
      void this.answer(request, response);
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /**
   * The environment that points the AWS SDK (and so Remotion's client) at this fake for Lambda,
   * S3 and Secrets Manager, signing with the fake role's key, with no session or profile of the
   * machine's own.
   */
  sdkEnvironment(): Record<string, string | undefined> {
    return {
      AWS_ACCESS_KEY_ID: FAKE_ROLE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_ROLE_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_REGION: FAKE_REGION,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_LAMBDA: this.url,
      AWS_ENDPOINT_URL_S3: this.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: this.url,
      AWS_ENDPOINT_URL_STS: this.url,
    };
  }

  /** Every later call fails this way, until `reset()`. */
  failWith(mode: FailureMode): void {
    this.failure = mode;
  }

  /**
   * Every later `start` or `status` invocation answers exactly `answer` (what Remotion's function
   * would return), until `reset()`: for answers that Remotion's client does not document.
   */
  answerWith(routine: 'start' | 'status', answer: unknown): void {
    this.answerOverrides.set(routine, answer);
  }

  /** Every later invocation is answered (and takes effect) only after `ms`, until `reset()`. */
  delayAnswers(ms: number): void {
    this.answerDelayMs = ms;
  }

  /** Every later S3 read answers 403 AccessDenied, as for a role without `s3:GetObject`, until `reset()`. */
  denyS3Reads(): void {
    this.refuseS3Reads = true;
  }

  /**
   * The next `count` start invocations are refused the way Lambda refuses an invocation over the
   * account's concurrency: HTTP 429 `TooManyRequestsException`, `Rate Exceeded.`, with `reason`
   * (Lambda's ThrottleReason). They hold no Lambdas and start no render. Until `reset()`.
   */
  throttleStarts(count: number, reason = 'ConcurrentInvocationLimitExceeded'): void {
    this.throttlesLeft = count;
    this.throttleReason = reason;
  }

  /**
   * Every later start takes effect at once (the render exists and holds its Lambdas) but is
   * answered only after `ms`: a late answer. Until `reset()`.
   */
  answerStartsAfter(ms: number): void {
    this.startAnswerDelayMs = ms;
  }

  /**
   * Runs `hook` after each later start took effect and before it is answered; the answer waits for
   * the hook. The place to kill a caller between Remotion's acceptance and its own record write.
   * Until `reset()`.
   */
  onStartAccepted(hook: (start: AcceptedStart) => void | Promise<void>): void {
    this.startHook = hook;
  }

  /** The Lambdas that the renders not completed yet hold now. */
  get lambdasInUse(): number {
    let total = 0;
    for (const lambdas of this.lambdasByRender.values()) total += lambdas;
    return total;
  }

  /** The most Lambdas ever held at once since the last `reset()`. */
  get peakLambdasInUse(): number {
    return this.peakLambdas;
  }

  /** The ids of the renders that hold Lambdas now, in the order they started. */
  get rendersInProgress(): string[] {
    return [...this.lambdasByRender.keys()];
  }

  /**
   * Ends a render the way Remotion's function does: its progress reports the outcome, its Lambdas
   * are released, and it returns the webhook call Remotion makes, signed with the start's webhook
   * secret (Remotion's own signer), or undefined when the start asked for no webhook. The test
   * delivers the call (or loses it, for a lost webhook).
   */
  completeRender(renderId: string, outcome: RenderOutcome = 'success'): RemotionWebhookCall | undefined {
    const render = this.renders.get(renderId);
    if (!render) throw new Error(`The fake never started render ${renderId}`);
    if (!this.lambdasByRender.delete(renderId)) throw new Error(`Render ${renderId} was completed already`);
    render.progress = outcome === 'success'
      ? { ...render.progress, done: true, overallProgress: 1 }
      : { ...render.progress, fatalErrorEncountered: true, errors: [] };
    const webhook = render.startPayload.webhook as { url?: unknown; secret?: unknown; customData?: unknown } | null | undefined;
    if (!webhook || typeof webhook.url !== 'string') return undefined;
    const { outBucket, outKey } = outputOf(render);
    const body = remotionWebhookPayload(outcome, {
      renderId,
      bucketName: render.bucketName,
      customData: (webhook.customData ?? null) as Record<string, unknown> | null,
      outputUrl: `https://s3.${FAKE_REGION}.amazonaws.com/${outBucket}/${outKey}`,
    });
    return { url: webhook.url, ...signedRemotionWebhook(body, typeof webhook.secret === 'string' ? webhook.secret : null) };
  }

  reset(): void {
    this.failure = undefined;
    this.refuseS3Reads = false;
    this.s3Requests.length = 0;
    this.cancelMarkers.length = 0;
    this.answerOverrides.clear();
    this.answerDelayMs = 0;
    this.lambdasByRender.clear();
    this.peakLambdas = 0;
    this.throttlesLeft = 0;
    this.throttledInvocations.length = 0;
    this.startAnswerDelayMs = 0;
    this.startHook = undefined;
    this.abandonedRequests.length = 0;
    this.invocations.length = 0;
    this.secretReads.length = 0;
    this.secretRequests.length = 0;
    this.renders.clear();
    this.secrets.clear();
    this.renderCounter = 0;
    this.routes.length = 0;
  }

  /** Answers more calls; routes are asked first, in the order added, until `reset()`. */
  addRoute(route: FakeRoute): void {
    this.routes.push(route);
  }

  putSecret(secretId: string, value: string): void {
    this.secrets.set(secretId, value);
  }

  /** Changes what `getRenderProgress` reports for a render this fake started. */
  updateRender(renderId: string, progress: StoredRender['progress']): void {
    const render = this.renders.get(renderId);
    if (!render) throw new Error(`The fake never started render ${renderId}`);
    render.progress = { ...render.progress, ...progress };
  }

  /**
   * Finishes a render the way the progress file shows it between two writes of Remotion's main
   * function: every chunk combined and the output in the bucket, but no `postRenderData` yet.
   */
  finishBeforePostRenderData(renderId: string): void {
    this.updateRender(renderId, { done: true });
    this.renders.get(renderId)!.postRenderDataWritten = false;
  }

  invocationsOfType(type: string): RecordedInvocation[] {
    return this.invocations.filter((invocation) => invocation.payload.type === type);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async answer(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const body = await readBody(request);
    response.on('close', () => {
      if (!response.writableEnded) this.abandonedRequests.push(isSecretsManagerCall(request) ? 'secret' : 'invoke');
    });
    if (this.answerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.answerDelayMs));
    if (this.routes.some((route) => route(request, body, response))) {
      return;
    }
    const invokePath = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(request.url ?? '');
    if (request.method === 'POST' && invokePath) {
      await this.answerInvoke(decodeURIComponent(invokePath[1]), request, body, response);
      return;
    }
    if (request.method === 'POST' && isSecretsManagerCall(request)) {
      this.answerSecretsManager(request, body, response);
      return;
    }
    if (request.method === 'POST' && isStsCall(request)) {
      answerCallerIdentity(request, response);
      return;
    }
    if (isS3Call(request)) {
      this.answerS3(request, body, response);
      return;
    }
    send(response, 404, { message: `The fake does not know ${request.method} ${request.url}` });
  }

  private async answerInvoke(functionName: string, request: http.IncomingMessage, body: string, response: http.ServerResponse): Promise<void> {
    const payload = JSON.parse(body) as Record<string, unknown>;
    const authorization = request.headers.authorization ?? '';
    const invocation: RecordedInvocation = {
      functionName,
      invocationType: headerValue(request.headers['x-amz-invocation-type']),
      accessKeyId: /Credential=([^/]+)\//.exec(authorization)?.[1],
      payload,
    };
    if (payload.type === 'start' && this.throttlesLeft > 0) {
      this.throttlesLeft -= 1;
      this.throttledInvocations.push(invocation);
      // Lambda's answer to an invocation over the concurrency limit (Invoke API, TooManyRequestsException).
      send(response, 429, { Reason: this.throttleReason, Type: 'User', message: 'Rate Exceeded.' }, { 'x-amzn-errortype': 'TooManyRequestsException' });
      return;
    }
    this.invocations.push(invocation);

    switch (this.failure) {
      case 'hang':
        return;
      case 'service-error':
        send(response, 500, { Type: 'Service', message: `Internal failure in ${FAKE_ACCOUNT_ARN}` }, { 'x-amzn-errortype': 'ServiceException' });
        return;
      case 'function-error':
        send(response, 200, { errorType: 'Error', errorMessage: `boom in ${FAKE_ACCOUNT_ARN}`, trace: ['Error: boom', '    at /var/task/index.js:1:1'] }, {
          'x-amz-function-error': 'Unhandled',
        });
        return;
      case 'remotion-error':
        send(response, 200, remotionError(`Version mismatch: ${FAKE_ACCOUNT_ARN} has another version`));
        return;
      case undefined:
        break;
    }

    const override = this.answerOverrides.get(String(payload.type));
    if (override !== undefined) {
      send(response, 200, override);
    } else if (payload.type === 'start') {
      await this.answerStart(payload, response);
    } else if (payload.type === 'status') {
      send(response, 200, this.renderStatus(payload));
    } else {
      send(response, 200, remotionError(`The fake does not implement the ${String(payload.type)} routine`));
    }
  }

  /** Starts the render at once; answers after the `onStartAccepted` hook and the late-answer delay. */
  private async answerStart(payload: Record<string, unknown>, response: http.ServerResponse): Promise<void> {
    const started = this.startRender(payload);
    await this.startHook?.({ ...started, payload, lambdas: this.lambdasByRender.get(started.renderId) ?? 0 });
    if (this.startAnswerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.startAnswerDelayMs));
    if (!response.destroyed) send(response, 200, { type: 'success', ...started });
  }

  /** As `startHandler`: the caller's bucket or Remotion's own, and a fresh 10 character id. */
  private startRender(payload: Record<string, unknown>): { renderId: string; bucketName: string } {
    this.renderCounter += 1;
    const renderId = `fake${String(this.renderCounter).padStart(6, '0')}`;
    const bucketName = typeof payload.bucketName === 'string' ? payload.bucketName : FAKE_REMOTION_BUCKET;
    this.renders.set(renderId, { renderId, bucketName, startPayload: payload, startedAt: Date.now(), postRenderDataWritten: true, progress: {} });
    this.lambdasByRender.set(renderId, lambdasOf(payload));
    this.peakLambdas = Math.max(this.peakLambdas, this.lambdasInUse);
    return { renderId, bucketName };
  }

  /** As `progressHandler`: the progress object, or the error Remotion throws for an unknown id. */
  private renderStatus(payload: Record<string, unknown>): RenderProgress | ReturnType<typeof remotionError> {
    const render = this.renders.get(String(payload.renderId));
    if (!render || render.bucketName !== payload.bucketName) {
      return remotionError(`No render with ID "${String(payload.renderId)}" found in bucket ${String(payload.bucketName)} and region ${FAKE_REGION}`);
    }
    return renderProgress(render);
  }

  /**
   * As S3 for the reads of `getRenderProgress({ skipLambdaInvocation: true })`: GetObject of a
   * started render's `renders/<renderId>/progress.json` in its bucket, and HeadObject of a finished
   * render's output. Anything else is missing: `NoSuchKey` (404) for a GetObject, a bare 404 for a
   * HeadObject, as S3 answers a role that may list the bucket.
   */
  private answerS3(request: http.IncomingMessage, body: string, response: http.ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://fake');
    const [bucket = '', ...keyParts] = url.pathname.slice(1).split('/');
    const key = keyParts.map(decodeURIComponent).join('/');
    this.s3Requests.push({ method: request.method ?? '', bucket, key });
    if (request.method === 'PUT') {
      this.answerS3Put(bucket, key, body, response);
      return;
    }
    if (this.refuseS3Reads) {
      sendS3Error(request, response, 403, 'AccessDenied', 'Access Denied');
      return;
    }
    const render = [...this.renders.values()].find((candidate) => candidate.bucketName === bucket && key === `renders/${candidate.renderId}/progress.json`);
    if (request.method === 'GET' && render !== undefined) {
      send(response, 200, progressFile(render));
      return;
    }
    const output = [...this.renders.values()].find((candidate) => {
      const { outBucket, outKey } = outputOf(candidate);
      return candidate.progress.done === true && outBucket === bucket && outKey === key;
    });
    if (request.method === 'HEAD' && output !== undefined) {
      response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(OUTPUT_SIZE_BYTES) });
      response.end();
      return;
    }
    sendS3Error(request, response, 404, 'NoSuchKey', 'The specified key does not exist.');
  }

  /**
   * As S3 for the one write Remotion's client makes: `cancelRenderOnLambda`'s PutObject of
   * `renders/<id>/cancel.json` in a started render's bucket. The render's functions see the marker
   * and stop, so its Lambdas are free from then on. Any other write is refused.
   */
  private answerS3Put(bucket: string, key: string, body: string, response: http.ServerResponse): void {
    const render = [...this.renders.values()].find((candidate) => candidate.bucketName === bucket && key === `renders/${candidate.renderId}/cancel.json`);
    if (render === undefined) {
      response.writeHead(403, { 'content-type': 'application/xml' });
      response.end('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>The fake takes cancel markers only</Message></Error>');
      return;
    }
    this.cancelMarkers.push({ bucket, key, renderId: render.renderId, body });
    this.lambdasByRender.delete(render.renderId);
    response.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
    response.end();
  }

  /**
   * As Secrets Manager's JSON protocol: a SigV4 signature by a known key for service
   * `secretsmanager` (else 403), then `x-amz-target` and the content type (else 400).
   */
  private answerSecretsManager(request: http.IncomingMessage, body: string, response: http.ServerResponse): void {
    const signature = verifySigV4(request, body);
    if (!signature.ok) {
      sendAwsJsonError(response, 403, signature.errorType, signature.message);
      return;
    }
    const target = headerValue(request.headers['x-amz-target']);
    const contentType = headerValue(request.headers['content-type']);
    this.secretRequests.push({ ...signature.scope, target, contentType, sessionToken: headerValue(request.headers['x-amz-security-token']), body });
    if (signature.scope.service !== 'secretsmanager') {
      sendAwsJsonError(response, 403, 'InvalidSignatureException', 'Credential should be scoped to correct service: \'secretsmanager\'.');
      return;
    }
    if (contentType !== 'application/x-amz-json-1.1') {
      sendAwsJsonError(response, 400, 'SerializationException', `Unexpected content type ${String(contentType)}`);
      return;
    }
    if (target !== 'secretsmanager.GetSecretValue') {
      sendAwsJsonError(response, 400, 'UnknownOperationException', `The fake does not implement ${String(target)}`);
      return;
    }
    this.answerGetSecretValue(body, response);
  }

  private answerGetSecretValue(body: string, response: http.ServerResponse): void {
    const { SecretId: secretId } = JSON.parse(body) as { SecretId: string };
    this.secretReads.push(secretId);
    const value = this.secrets.get(secretId);
    if (this.failure === 'hang') return;
    if (this.failure === 'service-error') {
      sendAwsJsonError(response, 500, 'InternalServiceError', `Internal failure reading ${secretId}`);
      return;
    }
    if (value === undefined || this.failure !== undefined) {
      sendAwsJsonError(response, 400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      return;
    }
    send(response, 200, { ARN: secretId, Name: secretId.split(':').pop(), SecretString: value, VersionId: 'v1' }, {
      'content-type': 'application/x-amz-json-1.1',
    });
  }
}

/**
 * The Lambdas a render holds: its main function and its renderers. Both installed clients send
 * `concurrency` and `framesPerLambda` in the start payload (null when not given); a `concurrency`
 * is counted as given, the upper bound Remotion launches (it may launch fewer for a short video).
 */
function lambdasOf(payload: Record<string, unknown>): number {
  if (typeof payload.concurrency === 'number') return 1 + payload.concurrency;
  if (typeof payload.framesPerLambda === 'number') return 1 + Math.ceil(FAKE_FRAME_COUNT / payload.framesPerLambda);
  return 1 + FAKE_DEFAULT_RENDERERS;
}

function isSecretsManagerCall(request: http.IncomingMessage): boolean {
  const target = headerValue(request.headers['x-amz-target']) ?? '';
  return request.url === '/' && (target.startsWith('secretsmanager.') || /\/secretsmanager\/aws4_request/.test(request.headers.authorization ?? ''));
}

function isStsCall(request: http.IncomingMessage): boolean {
  return /\/sts\/aws4_request/.test(request.headers.authorization ?? '');
}

/** As STS's GetCallerIdentity, in the protocol the client spoke (query with XML, or JSON). */
function answerCallerIdentity(request: http.IncomingMessage, response: http.ServerResponse): void {
  const identity = { Account: FAKE_ACCOUNT_ID, Arn: `arn:aws:sts::${FAKE_ACCOUNT_ID}:assumed-role/render-api/fake`, UserId: 'AROAFAKE:fake' };
  if (/json/.test(headerValue(request.headers['content-type']) ?? '')) {
    send(response, 200, identity, { 'content-type': 'application/x-amz-json-1.0' });
    return;
  }
  response.writeHead(200, { 'content-type': 'text/xml' });
  response.end(`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${identity.Arn}</Arn><UserId>${identity.UserId}</UserId><Account>${identity.Account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>fake-sts-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`);
}

function isS3Call(request: http.IncomingMessage): boolean {
  return /\/s3\/aws4_request/.test(request.headers.authorization ?? '');
}

/** S3's REST error: an XML body, except for HEAD, whose errors have none. */
function sendS3Error(request: http.IncomingMessage, response: http.ServerResponse, status: number, code: string, message: string): void {
  response.writeHead(status, { 'content-type': 'application/xml' });
  response.end(request.method === 'HEAD' ? undefined : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

function sendAwsJsonError(response: http.ServerResponse, status: number, errorType: string, message: string): void {
  send(response, status, { __type: errorType, message }, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': errorType });
}

type SigV4Check =
  | { ok: true; scope: { accessKeyId: string; region: string; service: string; signedHeaders: string[] } }
  | { ok: false; errorType: string; message: string };

const SIGV4_AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/**
 * Recomputes the request's SigV4 signature (header form, the way AWS does for a JSON-protocol
 * service) with the secret key of `FAKE_ROLE_CREDENTIALS`.
 */
function verifySigV4(request: http.IncomingMessage, body: string): SigV4Check {
  const authorization = request.headers.authorization;
  if (authorization === undefined) return { ok: false, errorType: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const match = SIGV4_AUTHORIZATION.exec(authorization);
  if (!match) return { ok: false, errorType: 'IncompleteSignatureException', message: 'Not a SigV4 Authorization header' };
  const [, accessKeyId, date, region, service, signedHeaderList, signature] = match;
  const amzDate = headerValue(request.headers['x-amz-date']) ?? '';
  const signedHeaders = signedHeaderList.split(';');
  if (!amzDate.startsWith(date) || !signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date')) {
    return { ok: false, errorType: 'IncompleteSignatureException', message: 'The signature must cover host and x-amz-date, of the scope\'s day' };
  }
  if (accessKeyId !== FAKE_ROLE_CREDENTIALS.accessKeyId) {
    return { ok: false, errorType: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  }
  const url = new URL(request.url ?? '/', 'http://fake');
  const query = [...url.searchParams].map(([key, value]) => `${encodeRfc3986(key)}=${encodeRfc3986(value)}`).sort().join('&');
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${String(request.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [request.method, url.pathname, query, canonicalHeaders, signedHeaderList, sha256Hex(body)].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = [date, region, service, 'aws4_request']
    .reduce<Buffer>((key, part) => hmac(key, part), Buffer.from(`AWS4${FAKE_ROLE_CREDENTIALS.secretAccessKey}`));
  if (hmac(signingKey, stringToSign).toString('hex') !== signature) {
    return { ok: false, errorType: 'InvalidSignatureException', message: 'The request signature we calculated does not match the signature you provided.' };
  }
  return { ok: true, scope: { accessKeyId, region, service, signedHeaders } };
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function remotionError(message: string): { type: 'error'; message: string; stack: string } {
  return { type: 'error', message, stack: `Error: ${message}\n    at progressHandler (/var/task/index.js:1:1)` };
}

/** The output location the way Remotion's `getExpectedOutName` computes it. */
function outputOf(render: StoredRender): { outBucket: string; outKey: string } {
  const outName = render.startPayload.outName;
  if (typeof outName === 'string') {
    return { outBucket: render.bucketName, outKey: `renders/${render.renderId}/${outName}` };
  }
  if (typeof outName === 'object' && outName !== null && 'bucketName' in outName && 'key' in outName) {
    return { outBucket: String(outName.bucketName), outKey: String(outName.key) };
  }
  return { outBucket: render.bucketName, outKey: `renders/${render.renderId}/out.mp4` };
}

/** A complete `RenderProgress`, typed so that a change in Remotion's shape fails to compile here. */
function renderProgress(render: StoredRender): RenderProgress {
  const start = render.startPayload;
  const done = render.progress.done ?? false;
  const { outBucket, outKey } = outputOf(render);
  const metadata = typeof start.metadata === 'object' && start.metadata !== null ? (start.metadata as Record<string, string>) : null;
  const privacy = start.privacy === 'public' || start.privacy === 'no-acl' ? start.privacy : 'private';
  return {
    type: 'success',
    chunks: done ? 4 : 1,
    done,
    encodingStatus: null,
    costs: { accruedSoFar: 0.001, displayCost: '$0.001', currency: 'USD', disclaimer: 'Estimated cost.' },
    renderId: render.renderId,
    renderMetadata: {
      type: 'video',
      imageFormat: 'jpeg',
      muted: false,
      frameRange: [0, 99],
      everyNthFrame: 1,
      codec: 'h264',
      siteId: 'fake-site',
      startedDate: Date.now(),
      totalChunks: 4,
      estimatedTotalLambdaInvokations: 5,
      estimatedRenderLambdaInvokations: 4,
      compositionId: String(start.composition),
      audioCodec: null,
      inputProps: { type: 'payload', payload: '{}' },
      framesPerLambda: 25,
      memorySizeInMb: 2048,
      functionName: 'remotion-render-4-0-527-mem2048mb-disk2048mb-120sec',
      rendererFunctionName: 'remotion-render-4-0-527-mem2048mb-disk2048mb-120sec',
      lambdaVersion: '4.0.527',
      region: FAKE_REGION,
      renderId: render.renderId,
      outName: undefined,
      outputFileIsConditional: null,
      privacy,
      deleteAfter: null,
      numberOfGifLoops: null,
      audioBitrate: null,
      downloadBehavior: { type: 'play-in-browser' },
      metadata,
      dimensions: { width: 1920, height: 1080 },
      scale: 1,
    },
    bucket: render.bucketName,
    outputFile: done ? `https://s3.${FAKE_REGION}.amazonaws.com/${outBucket}/${outKey}` : null,
    outKey: done ? outKey : null,
    outBucket: done ? outBucket : null,
    timeToFinish: done ? 12000 : null,
    errors: render.progress.errors ?? [],
    fatalErrorEncountered: render.progress.fatalErrorEncountered ?? false,
    currentTime: Date.now(),
    renderSize: 0,
    lambdasInvoked: 4,
    cleanup: null,
    timeToFinishChunks: null,
    timeToRenderFrames: null,
    timeToEncode: null,
    overallProgress: render.progress.overallProgress ?? (done ? 1 : 0.25),
    retriesInfo: [],
    mostExpensiveFrameRanges: null,
    framesRendered: done ? 100 : 25,
    outputSizeInBytes: done ? 123456 : null,
    estimatedBillingDurationInMilliseconds: null,
    combinedFrames: 0,
    timeToCombine: null,
    timeoutTimestamp: Date.now() + 120_000,
    functionLaunched: Date.now(),
    serveUrlOpened: Date.now(),
    compositionValidated: Date.now(),
    artifacts: [],
  };
}

const OUTPUT_SIZE_BYTES = 123456;
/** The share of `overallProgress` that rendered frames make up (`weights.frames` in Remotion's `getOverallProgress`). */
const FRAMES_WEIGHT = 0.6;

/**
 * The progress file Remotion's render function keeps in the render's bucket
 * (`OverallRenderProgress` of `@remotion/serverless-client`, written by its `OverallProgressHelper`),
 * for the same state `renderProgress` reports. A running render has rendered frames only, so
 * Remotion's client computes its `overallProgress` from `framesRendered` alone; a finished one
 * carries its `postRenderData`, as the main function writes it at the end.
 */
function progressFile(render: StoredRender) {
  const status = renderProgress(render);
  const metadata = status.renderMetadata!;
  if (metadata.type !== 'video') throw new Error('The fake renders videos only');
  const frameCount = metadata.frameRange[1] - metadata.frameRange[0] + 1;
  const renderMetadata = { ...metadata, startedDate: render.startedAt, outName: render.startPayload.outName as typeof metadata.outName };
  const errors = status.errors.map(({ explanation: _, s3Location: __, ...error }) => error);
  const done = status.done;
  return {
    // Remotion's main function writes whether the start asked for `enableCancellation` (4.0.515 on).
    cancellationEnabled: render.startPayload.enableCancellation === true,
    chunks: done ? [0, 1, 2, 3, 0, 1, 2, 3] : [],
    framesRendered: done ? frameCount : Math.round((status.overallProgress / FRAMES_WEIGHT) * frameCount),
    framesEncoded: 0,
    combinedFrames: done ? frameCount : 0,
    timeToCombine: done ? 800 : null,
    timeToEncode: null,
    timeToRenderFrames: null,
    lambdasInvoked: 0,
    retries: [],
    postRenderData: done && render.postRenderDataWritten ? {
      cost: { estimatedCost: 0.001, estimatedDisplayCost: '$0.001', currency: 'USD', disclaimer: 'Estimated cost.' },
      outputFile: status.outputFile!,
      outputSize: OUTPUT_SIZE_BYTES,
      renderSize: OUTPUT_SIZE_BYTES,
      timeToFinish: 12000,
      timeToRenderFrames: 9000,
      errors: status.errors,
      startTime: render.startedAt,
      endTime: render.startedAt + 12000,
      filesCleanedUp: 0,
      timeToEncode: 1000,
      timeToCleanUp: 0,
      timeToRenderChunks: 9000,
      retriesInfo: [],
      mostExpensiveFrameRanges: undefined,
      estimatedBillingDurationInMilliseconds: 40000,
      deleteAfter: null,
      timeToCombine: 800,
      artifactProgress: [],
    } : null,
    timings: [],
    renderMetadata,
    errors,
    fatalErrorTimestamp: status.fatalErrorEncountered ? render.startedAt : null,
    timeoutTimestamp: render.startedAt + 120_000,
    functionLaunched: render.startedAt,
    serveUrlOpened: null,
    compositionValidated: null,
    receivedArtifact: [],
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST', ...headers });
  response.end(JSON.stringify(body));
}

/**
 * Starts one fake Remotion for the test file and points the AWS SDK (and so Remotion's client)
 * at it, without the machine's or a keys secret's credentials; resets it after each test and
 * closes it after the file. `use` receives it once started.
 */
export function useFakeLambdaForTestFile(use: (fake: FakeLambda) => void): void {
  let fake: FakeLambda | undefined;
  const originalEnv = process.env;
  beforeAll(async () => {
    fake = await FakeLambda.start();
    use(fake);
    process.env = { ...originalEnv, ...fake.sdkEnvironment() };
    delete process.env.REMOTION_AWS_ACCESS_KEY_ID;
    delete process.env.REMOTION_AWS_SECRET_ACCESS_KEY;
  });
  afterEach(() => fake?.reset());
  afterAll(async () => {
    await fake?.close();
    process.env = originalEnv;
  });
}
