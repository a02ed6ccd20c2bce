import type { GetRenderProgressInput, PresignUrlInput, RenderMediaOnLambdaInput } from '@remotion/lambda/client';
import type { OutputPrivacy, RenderHandlerConfig } from './config';
import { OWNER_METADATA_KEY, RENDER_ID_METADATA_KEY, RENDER_ROUTES, type QueuedRenderMessage } from '../contract';
import type { RenderStatusRequest, StartRenderRequest } from './request';
import { splitRawPath } from './routing';

type AwsRegion = RenderMediaOnLambdaInput['region'];
type RemotionCodec = RenderMediaOnLambdaInput['codec'];

// Remotion checks region and codec itself and rejects unknown ones (answered as 502); the config
// only holds codecs from CODEC_EXTENSIONS, which lists Remotion Lambda's codecs.
const asRegion = (region: string): AwsRegion => region as AwsRegion;
const asCodec = (codec: string): RemotionCodec => codec as RemotionCodec;

/**
 * Where Remotion writes the output: under `<prefix><sub>/` so each caller has a folder of their own.
 * With a configured bucket we name the full key (a fresh id keeps renders apart); without one,
 * Remotion puts the name under `renders/<renderId>/` in its own bucket.
 */
export function outputLocation(
  config: Pick<RenderHandlerConfig, 'bucketName' | 'outputPrefix'>,
  sub: string,
  fileName: string,
  uniqueId: string,
): NonNullable<RenderMediaOnLambdaInput['outName']> {
  if (config.bucketName !== undefined) {
    return { bucketName: config.bucketName, key: `${config.outputPrefix}${sub}/${uniqueId}/${fileName}` };
  }
  return `${config.outputPrefix}${sub}/${fileName}`;
}

export interface RenderMediaInputOptions {
  readonly config: RenderHandlerConfig;
  readonly request: StartRenderRequest;
  readonly sub: string;
  /** A fresh id (a UUID) for the output key when the bucket is configured. */
  readonly uniqueId: string;
  /** The webhook secret, when a webhook is configured and has one. */
  readonly webhookSecret?: string;
  /**
   * This API's own completion webhook (records on). Used only when the construct configured no
   * `webhookUrl`: Remotion calls one webhook per render, and the user's own takes precedence.
   */
  readonly completionWebhook?: { readonly url: string; readonly secret: string; readonly customData: Record<string, string> };
}

export function renderMediaInput(options: RenderMediaInputOptions): RenderMediaOnLambdaInput {
  const { config, request, sub, uniqueId, webhookSecret, completionWebhook } = options;
  const webhook = config.webhookUrl !== undefined
    ? { url: config.webhookUrl, secret: webhookSecret ?? null }
    : completionWebhook && { url: completionWebhook.url, secret: completionWebhook.secret, customData: completionWebhook.customData };
  return {
    region: asRegion(config.region),
    functionName: config.functionName,
    serveUrl: config.serveUrl,
    composition: request.composition,
    inputProps: request.inputProps,
    codec: asCodec(request.codec),
    privacy: config.privacy,
    outName: outputLocation(config, sub, request.outName, uniqueId),
    metadata: { [OWNER_METADATA_KEY]: sub },
    framesPerLambda: config.framesPerLambda,
    maxRetries: config.maxRetries,
    forceBucketName: config.bucketName,
    webhook: webhook || undefined,
  };
}

export interface QueuedRenderInputOptions {
  readonly config: RenderHandlerConfig;
  readonly message: QueuedRenderMessage;
  /** Remotion's `concurrency`: the renderers, so the render holds exactly `1 + concurrency` Lambdas. */
  readonly concurrency: number;
  /** Whether the installed client can cancel renders (`cancelRenderOnLambda`); older ones refuse the option. */
  readonly enableCancellation: boolean;
  /** The user's own webhook secret, when the construct configured a webhook with one. */
  readonly webhookSecret?: string;
  /** The secret of this API's completion webhook; without it (or without the message's URL) no completion webhook. */
  readonly completionSecret?: string;
}

/**
 * The start of a queued render: the request that travelled in the message, with an explicit
 * `concurrency` (never `framesPerLambda`, which Remotion refuses beside it and which would make the
 * render's Lambdas depend on its length), and our id beside the owner in the webhook's
 * `customData`, so that every completion names our record even when the start's answer was lost.
 */
export function queuedRenderInput(options: QueuedRenderInputOptions): RenderMediaOnLambdaInput {
  const { config, message } = options;
  const completionWebhook = message.completionWebhookUrl === undefined || options.completionSecret === undefined
    ? undefined
    : {
      url: message.completionWebhookUrl,
      secret: options.completionSecret,
      customData: { [OWNER_METADATA_KEY]: message.sub, [RENDER_ID_METADATA_KEY]: message.renderId },
    };
  const input = renderMediaInput({
    config, request: message.request, sub: message.sub, uniqueId: message.uniqueId, webhookSecret: options.webhookSecret, completionWebhook,
  });
  return { ...input, framesPerLambda: undefined, concurrency: options.concurrency, ...(options.enableCancellation && { enableCancellation: true }) };
}

export function renderProgressInput(config: Pick<RenderHandlerConfig, 'region' | 'functionName'>, request: RenderStatusRequest): GetRenderProgressInput {
  return {
    region: asRegion(config.region),
    functionName: config.functionName,
    bucketName: request.bucketName,
    renderId: request.renderId,
  };
}

/** Only the caller who started a render may see it; renders without an owner yet count as unknown. */
export function isRenderOwnedBy(
  progress: { readonly renderMetadata?: { readonly metadata?: Readonly<Record<string, string>> | null } | null },
  sub: string,
): boolean {
  return progress.renderMetadata?.metadata?.[OWNER_METADATA_KEY] === sub;
}

/** How to link to a render's output: not yet, the public URL, or a presigned one. */
export type OutputLinkPlan =
  | { readonly kind: 'none' }
  | { readonly kind: 'public'; readonly url: string }
  | { readonly kind: 'presigned'; readonly input: PresignUrlInput<false> };

export function planOutputLink(
  progress: {
    readonly done: boolean;
    readonly outputFile?: string | null;
    readonly outBucket?: string | null;
    readonly outKey?: string | null;
    readonly renderMetadata?: { readonly privacy?: OutputPrivacy } | null;
  },
  config: Pick<RenderHandlerConfig, 'region' | 'privacy' | 'presignExpiresSeconds'>,
): OutputLinkPlan {
  if (!progress.done) {
    return { kind: 'none' };
  }
  // The render remembers the privacy it was started with; the config may have changed since.
  const privacy = progress.renderMetadata?.privacy ?? config.privacy;
  if (privacy === 'public') {
    return progress.outputFile ? { kind: 'public', url: progress.outputFile } : { kind: 'none' };
  }
  if (!progress.outBucket || !progress.outKey) {
    return { kind: 'none' };
  }
  return {
    kind: 'presigned',
    input: {
      region: asRegion(config.region),
      bucketName: progress.outBucket,
      objectKey: progress.outKey,
      expiresInSeconds: config.presignExpiresSeconds,
    },
  };
}

/**
 * The URL of the API as the caller reached it, without a trailing slash: the domain and the base
 * path that `splitRawPath` finds before `routePath` in `rawPath` (a custom domain's mapping key,
 * a named stage), or the stage's path without a `rawPath` that ends in the route.
 */
export function apiBaseUrl(
  requestContext: { readonly domainName: string; readonly stage?: string },
  rawPath?: string,
  routePath?: string,
): string {
  return `https://${requestContext.domainName}${splitRawPath(rawPath ?? '', requestContext.stage, routePath).basePath}`;
}

/** Where the caller polls a render it started with `POST /renders` (whose `rawPath` is given). */
export function statusUrl(
  requestContext: { readonly domainName: string; readonly stage?: string },
  renderId: string,
  bucketNameToEcho?: string,
  rawPath?: string,
): string {
  const query = bucketNameToEcho === undefined ? '' : `?bucketName=${encodeURIComponent(bucketNameToEcho)}`;
  const startPath = RENDER_ROUTES.startRender.path;
  return `${apiBaseUrl(requestContext, rawPath, startPath)}${startPath}/${encodeURIComponent(renderId)}${query}`;
}

/** Remotion's status routine reports a render it cannot find with this message and no error code. */
export function isUnknownRenderError(error: unknown): boolean {
  return error instanceof Error && /No render with ID/.test(error.message);
}
