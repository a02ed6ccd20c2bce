import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
// Only the handler bundle loads this file, and esbuild inlines valibot; the construct never imports it.
import * as v from 'valibot';
import type { RenderHandlerConfig } from './config';
import { CODEC_EXTENSIONS } from '../contract';
import { clientErrors, type FieldProblem, type Parsed } from './responses';

export type RenderApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

export const START_RENDER_ROUTE = 'POST /renders';
export const GET_RENDER_ROUTE = 'GET /renders/{renderId}';

export type RenderRoute =
  | { readonly kind: 'startRender'; readonly key: typeof START_RENDER_ROUTE }
  | { readonly kind: 'getRender'; readonly key: typeof GET_RENDER_ROUTE; readonly renderId: string | undefined }
  | { readonly kind: 'notFound'; readonly key: string };

/**
 * Picks the route from API Gateway's `routeKey`; when the API forwards everything to one
 * route (`$default`, `ANY /{proxy+}`), falls back to the method and the path without the stage.
 */
export function resolveRoute(event: Pick<RenderApiEvent, 'routeKey' | 'rawPath' | 'pathParameters' | 'requestContext'>): RenderRoute {
  if (event.routeKey === START_RENDER_ROUTE) {
    return { kind: 'startRender', key: START_RENDER_ROUTE };
  }
  if (event.routeKey === GET_RENDER_ROUTE) {
    return { kind: 'getRender', key: GET_RENDER_ROUTE, renderId: event.pathParameters?.renderId };
  }
  const method = event.requestContext?.http?.method?.toUpperCase() ?? '';
  const path = pathWithoutStage(event.rawPath ?? '', event.requestContext?.stage);
  if (method === 'POST' && path === '/renders') {
    return { kind: 'startRender', key: START_RENDER_ROUTE };
  }
  const renderPath = /^\/renders\/([^/]+)$/.exec(path);
  if (method === 'GET' && renderPath) {
    return { kind: 'getRender', key: GET_RENDER_ROUTE, renderId: decodePathSegment(renderPath[1]) };
  }
  return { kind: 'notFound', key: `${method} ${path}` };
}

function pathWithoutStage(rawPath: string, stage: string | undefined): string {
  const stagePrefix = stage && stage !== '$default' ? `/${stage}` : undefined;
  const path = stagePrefix && (rawPath === stagePrefix || rawPath.startsWith(`${stagePrefix}/`)) ? rawPath.slice(stagePrefix.length) : rawPath;
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

// The subject names the caller's output folder, so it must not be able to name someone else's.
const SUBJECT_PATTERN = /^[A-Za-z0-9_.@:|+=-]{1,128}$/;

/** The verified `sub` claim of the caller's JWT, or undefined when there is none that can be used. */
export function callerSubject(event: Pick<RenderApiEvent, 'requestContext'>): string | undefined {
  const sub: unknown = event.requestContext?.authorizer?.jwt?.claims?.sub;
  if (typeof sub !== 'string' || !SUBJECT_PATTERN.test(sub) || sub === '.' || sub === '..') {
    return undefined;
  }
  return sub;
}

/** What a caller asks to render, after validation and defaults. */
export interface StartRenderRequest {
  readonly composition: string;
  readonly inputProps: Record<string, unknown>;
  readonly codec: string;
  /** A bare file name; the handler decides the folder. */
  readonly outName: string;
}

/** Room for the JSON around `inputProps` (composition, codec, outName, whitespace). */
export const BODY_OVERHEAD_BYTES = 4 * 1024;
const OUT_NAME_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;

const NOT_A_STRING = 'must be a string';
const NOT_AN_OBJECT = 'must be a JSON object';

// valibot's object and record schemas accept arrays, which are no JSON object to us.
const isJsonObject = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);

const startRenderBodySchema = v.pipe(v.unknown(), v.check(isJsonObject, NOT_AN_OBJECT), v.objectWithRest({
  composition: v.pipe(
    v.string(NOT_A_STRING),
    v.minLength(1, 'must not be empty'),
    v.maxLength(256, 'must be at most 256 characters'),
  ),
  inputProps: v.optional(v.pipe(v.unknown(), v.check(isJsonObject, NOT_AN_OBJECT), v.record(v.string(), v.unknown()))),
  codec: v.optional(v.string(NOT_A_STRING)),
  outName: v.optional(v.pipe(
    v.string(NOT_A_STRING),
    v.regex(OUT_NAME_PATTERN, 'must be 1 to 100 characters from A-Z a-z 0-9 . _ - and must not start with "."'),
  )),
}, v.never('is not a known field'), NOT_AN_OBJECT));

export type StartRenderLimits = Pick<RenderHandlerConfig, 'compositions' | 'allowedCodecs' | 'defaultCodec' | 'maxInputPropsBytes'>;

/**
 * Validates a `POST /renders` body. Checks run cheapest first: size, JSON, shape, then what
 * this deployment allows.
 */
export function parseStartRenderRequest(event: Pick<RenderApiEvent, 'body' | 'isBase64Encoded'>, limits: StartRenderLimits): Parsed<StartRenderRequest> {
  const maxBodyBytes = limits.maxInputPropsBytes + BODY_OVERHEAD_BYTES;
  const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : Buffer.from(event.body ?? '', 'utf8');
  if (body.byteLength > maxBodyBytes) {
    return { ok: false, error: clientErrors.bodyTooLarge(maxBodyBytes) };
  }

  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, error: clientErrors.malformedJson() };
  }

  const parsed = v.safeParse(startRenderBodySchema, json);
  if (!parsed.success) {
    return { ok: false, error: clientErrors.invalidBody(parsed.issues.map(toFieldProblem)) };
  }

  const { composition, inputProps = {}, codec = limits.defaultCodec, outName } = parsed.output;
  if (!limits.compositions.includes(composition)) {
    return { ok: false, error: clientErrors.compositionNotAllowed() };
  }
  if (!limits.allowedCodecs.includes(codec)) {
    return { ok: false, error: clientErrors.codecNotAllowed(limits.allowedCodecs) };
  }
  const extension = CODEC_EXTENSIONS[codec];
  if (outName !== undefined && !outName.endsWith(`.${extension}`)) {
    return { ok: false, error: clientErrors.invalidBody([{ field: 'outName', message: `must end in .${extension} for codec ${codec}` }]) };
  }
  if (Buffer.byteLength(JSON.stringify(inputProps), 'utf8') > limits.maxInputPropsBytes) {
    return { ok: false, error: clientErrors.inputPropsTooLarge(limits.maxInputPropsBytes) };
  }
  return { ok: true, value: { composition, inputProps, codec, outName: outName ?? `video.${extension}` } };
}

function toFieldProblem(issue: v.BaseIssue<unknown>): FieldProblem {
  const field = issue.path?.map((item) => String(item.key)).join('.') || 'body';
  const missing = issue.type === 'object_with_rest' && issue.received === 'undefined';
  return { field, message: missing ? 'is required' : issue.message };
}

/** Which render a `GET /renders/{renderId}` asks about, and in which bucket to look. */
export interface RenderStatusRequest {
  readonly renderId: string;
  readonly bucketName: string;
}

// Remotion's render ids are 10 lowercase letters and digits; leave room, refuse anything else.
const RENDER_ID_PATTERN = /^[A-Za-z0-9]{1,32}$/;
// Without a configured bucket, only Remotion's own buckets may be read (`remotionlambda-<region><hash>`).
const REMOTION_BUCKET_PATTERN = /^remotionlambda-[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/;

export function parseRenderStatusRequest(
  renderId: string | undefined,
  query: RenderApiEvent['queryStringParameters'],
  configuredBucketName: string | undefined,
): Parsed<RenderStatusRequest> {
  if (renderId === undefined || !RENDER_ID_PATTERN.test(renderId)) {
    return { ok: false, error: clientErrors.invalidParameter('renderId', 'must be 1 to 32 letters or digits') };
  }
  if (configuredBucketName !== undefined) {
    return { ok: true, value: { renderId, bucketName: configuredBucketName } };
  }
  const bucketName = query?.bucketName;
  if (bucketName === undefined || !REMOTION_BUCKET_PATTERN.test(bucketName)) {
    return { ok: false, error: clientErrors.invalidParameter('bucketName', 'must be the Remotion bucket (remotionlambda-...) returned when the render started') };
  }
  return { ok: true, value: { renderId, bucketName } };
}
