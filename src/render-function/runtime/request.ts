import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
// Only the handler bundle loads this file, and esbuild inlines valibot; the construct never imports it.
import * as v from 'valibot';
import type { RenderHandlerConfig } from './config';
import { isBucketName } from '../../private/patterns';
import { CODEC_EXTENSIONS } from '../contract';
import { clientErrors, type FieldProblem, type Parsed } from './responses';

export type RenderApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

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
/**
 * The raw body may be this many times `maxInputPropsBytes` (plus the overhead): enough for a
 * client that escapes every character of `inputProps` as `\uXXXX` (6 bytes for one byte of data;
 * Python's `json.dumps` escapes non-ASCII text, 6 bytes for 2 or 3 of UTF-8) or pretty-prints it.
 * The documented cap is enforced on the data afterwards; this one only bounds the parsing work.
 */
export const BODY_ESCAPING_FACTOR = 6;
/** How deeply `inputProps` may nest objects and arrays; `inputProps` itself is level 1. */
export const MAX_INPUT_PROPS_DEPTH = 64;
const OUT_NAME_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;
/** Shown in a field path; a longer key is cut, so a caller cannot make the answer huge. */
const MAX_FIELD_KEY_LENGTH = 100;

const NOT_A_STRING = 'must be a string';
const NOT_AN_OBJECT = 'must be a JSON object';

// valibot's object and record schemas accept arrays, which are no JSON object to us.
const isJsonObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const START_RENDER_FIELDS: readonly string[] = ['composition', 'inputProps', 'codec', 'outName'];

// `inputProps` is only checked to be an object here, never rebuilt: valibot's object schemas
// copy values key by key and skip `__proto__`, `constructor` and `prototype`, which would change
// what the caller sent. Unknown fields are found by `unknownFields` for the same reason.
const startRenderBodySchema = v.pipe(v.unknown(), v.check(isJsonObject, NOT_AN_OBJECT), v.object({
  composition: v.pipe(
    v.string(NOT_A_STRING),
    v.minLength(1, 'must not be empty'),
    v.maxLength(256, 'must be at most 256 characters'),
  ),
  inputProps: v.optional(v.pipe(v.unknown(), v.check(isJsonObject, NOT_AN_OBJECT))),
  codec: v.optional(v.string(NOT_A_STRING)),
  outName: v.optional(v.pipe(
    v.string(NOT_A_STRING),
    v.regex(OUT_NAME_PATTERN, 'must be 1 to 100 characters from A-Z a-z 0-9 . _ - and must not start with "."'),
  )),
}, NOT_AN_OBJECT));

export type StartRenderLimits = Pick<RenderHandlerConfig, 'compositions' | 'allowedCodecs' | 'defaultCodec' | 'maxInputPropsBytes'>;

/** The largest raw body accepted for a given `maxInputPropsBytes`. */
export function maxBodyBytesFor(maxInputPropsBytes: number): number {
  return BODY_ESCAPING_FACTOR * maxInputPropsBytes + BODY_OVERHEAD_BYTES;
}

/**
 * Validates a `POST /renders` body. Checks run cheapest first: size, JSON, shape, then what
 * this deployment allows. `inputProps` reaches Remotion as the very object `JSON.parse` made
 * (own data properties only, so no key can change a prototype), or the request is refused.
 */
export function parseStartRenderRequest(event: Pick<RenderApiEvent, 'body' | 'isBase64Encoded'>, limits: StartRenderLimits): Parsed<StartRenderRequest> {
  const maxBodyBytes = maxBodyBytesFor(limits.maxInputPropsBytes);
  const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : Buffer.from(event.body ?? '', 'utf8');
  if (body.byteLength > maxBodyBytes) {
    return { ok: false, error: clientErrors.bodyTooLarge(maxBodyBytes) };
  }

  let json: unknown;
  try {
    // V8's JSON.parse does not recurse, so any nesting parses; the depth is checked below.
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, error: clientErrors.malformedJson() };
  }

  const parsed = v.safeParse(startRenderBodySchema, json);
  const problems = [...unknownFields(json), ...(parsed.success ? [] : parsed.issues.map(toFieldProblem))];
  if (!parsed.success || problems.length > 0) {
    return { ok: false, error: clientErrors.invalidBody(problems) };
  }

  const { composition, codec = limits.defaultCodec, outName } = parsed.output;
  const sentInputProps = isJsonObject(json) ? json.inputProps : undefined;
  const inputProps: Record<string, unknown> = isJsonObject(sentInputProps) ? sentInputProps : {};
  const inputPropsProblem = findInputPropsProblem(inputProps);
  if (inputPropsProblem !== undefined) {
    return { ok: false, error: clientErrors.invalidBody([inputPropsProblem]) };
  }
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
  // The cap is on the data: its compact JSON in UTF-8, however the caller escaped or indented it.
  if (Buffer.byteLength(JSON.stringify(inputProps), 'utf8') > limits.maxInputPropsBytes) {
    return { ok: false, error: clientErrors.inputPropsTooLarge(limits.maxInputPropsBytes) };
  }
  return { ok: true, value: { composition, inputProps, codec, outName: outName ?? `video.${extension}` } };
}

/** Every top-level key that is not a field, including `__proto__`, `constructor` and `prototype`. */
function unknownFields(json: unknown): FieldProblem[] {
  if (!isJsonObject(json)) return [];
  return Object.keys(json)
    .filter((key) => !START_RENDER_FIELDS.includes(key))
    .map((key) => ({ field: fieldKey(key), message: 'is not a known field' }));
}

/**
 * The first value in `inputProps` that Remotion would not receive as sent, or that could not be
 * handled safely: a container deeper than `MAX_INPUT_PROPS_DEPTH`, a number that JSON cannot
 * carry (`1e400` parses to Infinity, which JSON.stringify turns into null), or a `__proto__` key
 * (assigning such props anywhere would change a prototype). Walks with its own stack, never by
 * recursion, so no input can exhaust the call stack.
 */
export function findInputPropsProblem(inputProps: Record<string, unknown>): FieldProblem | undefined {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value: inputProps, path: 'inputProps', depth: 1 }];
  while (pending.length > 0) {
    const { value, path, depth } = pending.pop()!;
    if (typeof value === 'number' && !Number.isFinite(value)) {
      return { field: path, message: 'must be a finite number' };
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_INPUT_PROPS_DEPTH) {
      return { field: path, message: `nests deeper than ${MAX_INPUT_PROPS_DEPTH} levels of objects and arrays` };
    }
    const entries: Array<[string, unknown]> = Array.isArray(value)
      ? value.map((item, index) => [String(index), item])
      : Object.keys(value).map((key) => [key, (value as Record<string, unknown>)[key]]);
    for (let index = entries.length - 1; index >= 0; index--) {
      const [key, item] = entries[index];
      const itemPath = `${path}.${fieldKey(key)}`;
      if (!Array.isArray(value) && key === '__proto__') {
        return { field: itemPath, message: 'is a reserved key' };
      }
      pending.push({ value: item, path: itemPath, depth: depth + 1 });
    }
  }
  return undefined;
}

function fieldKey(key: string): string {
  return key.length > MAX_FIELD_KEY_LENGTH ? `${key.slice(0, MAX_FIELD_KEY_LENGTH)}…` : key;
}

function toFieldProblem(issue: v.BaseIssue<unknown>): FieldProblem {
  const field = issue.path?.map((item) => String(item.key)).join('.') || 'body';
  const missing = issue.type === 'object' && issue.received === 'undefined';
  return { field, message: missing ? 'is required' : issue.message };
}

/** Which render a `GET /renders/{renderId}` asks about, and in which bucket to look. */
export interface RenderStatusRequest {
  readonly renderId: string;
  readonly bucketName: string;
}

// Remotion's render ids are 10 lowercase letters and digits (leave room); ours, of queued renders,
// are UUIDs. Refuse anything else.
const OUR_RENDER_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const RENDER_ID_PATTERN = new RegExp(`^(?:[A-Za-z0-9]{1,32}|${OUR_RENDER_ID_PATTERN.source.slice(1, -1)})$`);

/** Whether an id is one of ours (a queued render's UUID): Remotion never made it, so only a record knows it. */
export function isOurRenderId(renderId: string): boolean {
  return OUR_RENDER_ID_PATTERN.test(renderId);
}

/** The `{renderId}` of a path: one of ours (a UUID) or Remotion's. */
export function parseRenderId(renderId: string | undefined): Parsed<string> {
  if (renderId === undefined || !RENDER_ID_PATTERN.test(renderId)) {
    return { ok: false, error: clientErrors.invalidParameter('renderId', 'must be 1 to 32 letters or digits, or a UUID') };
  }
  return { ok: true, value: renderId };
}

/**
 * Remotion's own bucket names in one region: `remotionlambda-<region without dashes>-<suffix>`,
 * as Remotion's `makeBucketName` forms them. Without a configured bucket, only these may be read.
 */
export function isRemotionBucketOfRegion(bucketName: string, region: string): boolean {
  const prefix = `remotionlambda-${region.replace(/-/g, '')}-`;
  return bucketName.startsWith(prefix) && /^[a-z0-9]{1,40}$/.test(bucketName.slice(prefix.length)) && isBucketName(bucketName);
}

/**
 * Which render to read, and where: the configured bucket when there is one (whatever the query
 * says), else the Remotion bucket of the render function's region that the caller sends back.
 */
export function parseRenderStatusRequest(
  renderId: string | undefined,
  query: RenderApiEvent['queryStringParameters'],
  settings: Pick<RenderHandlerConfig, 'bucketName' | 'region'>,
): Parsed<RenderStatusRequest> {
  const id = parseRenderId(renderId);
  if (!id.ok) return id;
  if (settings.bucketName !== undefined) {
    return { ok: true, value: { renderId: id.value, bucketName: settings.bucketName } };
  }
  const bucketName = query?.bucketName;
  if (bucketName === undefined || !isRemotionBucketOfRegion(bucketName, settings.region)) {
    return {
      ok: false,
      error: clientErrors.invalidParameter('bucketName', `must be the Remotion bucket of ${settings.region} (remotionlambda-${settings.region.replace(/-/g, '')}-...) returned when the render started`),
    };
  }
  return { ok: true, value: { renderId: id.value, bucketName } };
}
