import { createHmac, timingSafeEqual } from 'node:crypto';
import { OWNER_METADATA_KEY, RENDER_ID_METADATA_KEY, RENDER_ROUTES, RENDER_EVENT_DETAIL_TYPES, RENDER_EVENT_SOURCE } from '../../contract';
import { apiBaseUrl } from '../remotion-input';
import { safeErrorMessage } from '../responses';
import { isFinal, MAX_RECORDED_ERRORS, type RecordCompletion, type RenderRecord } from './record';

/**
 * The largest webhook body accepted, in bytes of the raw body. Remotion's largest payload is the
 * success one, whose `lambdaErrors` carry a stack per failed chunk; 1 MiB holds far more than the
 * 5 errors a record keeps, and refusing early keeps an unauthenticated caller from making the
 * handler hash or parse large bodies.
 */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/** The value Remotion sends instead of a signature when the render was started without a secret. */
const NO_SECRET_PROVIDED = 'NO_SECRET_PROVIDED';

// The same rule as `callerSubject`: the owner names a partition and an output folder.
const SUBJECT_PATTERN = /^[A-Za-z0-9_.@:|+=-]{1,128}$/;
const RENDER_ID_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;

interface WebhookEvent {
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly headers?: Readonly<Record<string, string | undefined>>;
}

/**
 * The URL of this API's completion webhook, from the request that starts the render (like the
 * status URL), so the construct needs no reference from the function to the API.
 */
export function completionWebhookUrl(requestContext: { readonly domainName: string; readonly stage?: string }, startRawPath?: string): string {
  return `${apiBaseUrl(requestContext, startRawPath, RENDER_ROUTES.startRender.path)}${RENDER_ROUTES.completionWebhook.path}`;
}

/**
 * What Remotion's webhook carries back: `customData` names the owner and, for a queued render, our
 * render id, so the record can be found (the body's `renderId` is Remotion's).
 */
export function completionCustomData(sub: string, renderId?: string): Record<string, string> {
  return { [OWNER_METADATA_KEY]: sub, ...(renderId !== undefined && { [RENDER_ID_METADATA_KEY]: renderId }) };
}

/** Why a webhook was refused; logged, never answered (the answer is a bare 401). */
export type WebhookRefusal = 'oversized' | 'unsigned' | 'badSignature' | 'malformed' | 'statusMismatch' | 'unknownRender';

export type Verified<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: WebhookRefusal };

/** The raw body's size in bytes, without decoding base64 (a base64 body is larger than its content). */
export function webhookBodyBytes(event: Pick<WebhookEvent, 'body'>): number {
  return Buffer.byteLength(event.body ?? '', 'utf8');
}

/**
 * Checks Remotion's `X-Remotion-Signature`: `sha512=` and the hex HMAC-SHA512, keyed with the
 * secret, of the body's bytes (base64-decoded first when API Gateway encoded them), compared in
 * constant time. Returns the parsed body.
 *
 * Remotion's sender signs the very string it sends (`JSON.stringify` of its payload), so this
 * decides like `validateWebhookSignature` of `@remotion/lambda/client` (which signs
 * `JSON.stringify` of the parsed body) for every body Remotion sends. The HMAC comes first, over
 * the raw bytes: nothing an unsigned caller sends is parsed, and nothing is re-serialized
 * (`JSON.stringify` of a few thousand nested arrays throws a RangeError).
 */
export function verifyWebhookSignature(event: WebhookEvent, secret: string): Verified<unknown> {
  if (webhookBodyBytes(event) > MAX_WEBHOOK_BODY_BYTES) return { ok: false, refusal: 'oversized' };
  const signature = header(event.headers, 'x-remotion-signature');
  if (signature === undefined || signature === '' || signature === NO_SECRET_PROVIDED) return { ok: false, refusal: 'unsigned' };
  const bytes = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  const expected = Buffer.from(`sha512=${createHmac('sha512', secret).update(bytes).digest('hex')}`, 'utf8');
  const given = Buffer.from(signature, 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, refusal: 'badSignature' };
  let body: unknown;
  try {
    // Iterative in V8: a signed body nested as deep as the size cap allows parses without a RangeError.
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, refusal: 'malformed' };
  }
  // Remotion refuses a falsy body; we need an object anyway.
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, refusal: 'malformed' };
  return { ok: true, value: body };
}

/** A verified webhook, as the receiver uses it. */
export interface CompletionWebhook {
  readonly type: 'success' | 'error' | 'timeout';
  /** The record's id: ours from `customData` (queued renders), else Remotion's (renders from before the queue). */
  readonly renderId: string;
  /** Remotion's id of the render: the body's `renderId`. */
  readonly remotionRenderId: string;
  readonly ownerSub: string;
  readonly errors: readonly string[];
  readonly cost?: number;
  readonly costCurrency?: string;
}

const STATUS_OF_TYPE = { success: 'SUCCEEDED', error: 'FAILED', timeout: 'TIMED_OUT' } as const;

/**
 * Reads a verified body. A body without our `customData` owner was not started by this API (or
 * not with its webhook): it counts as a render we have no record of. `X-Remotion-Status`, when
 * sent, must agree with the signed `type`.
 */
export function parseCompletionWebhook(body: unknown, headers: WebhookEvent['headers']): Verified<CompletionWebhook> {
  const fields = body as Record<string, unknown>;
  const type = fields.type;
  if (type !== 'success' && type !== 'error' && type !== 'timeout') return { ok: false, refusal: 'malformed' };
  const statusHeader = header(headers, 'x-remotion-status');
  if (statusHeader !== undefined && statusHeader !== type) return { ok: false, refusal: 'statusMismatch' };
  const remotionRenderId = fields.renderId;
  if (typeof remotionRenderId !== 'string' || !RENDER_ID_PATTERN.test(remotionRenderId)) return { ok: false, refusal: 'malformed' };
  const customData = typeof fields.customData === 'object' && fields.customData !== null ? (fields.customData as Record<string, unknown>) : {};
  const ownerSub = customData[OWNER_METADATA_KEY];
  if (typeof ownerSub !== 'string' || !SUBJECT_PATTERN.test(ownerSub) || ownerSub === '.' || ownerSub === '..') {
    return { ok: false, refusal: 'unknownRender' };
  }
  const ourId = customData[RENDER_ID_METADATA_KEY];
  if (ourId !== undefined && (typeof ourId !== 'string' || !RENDER_ID_PATTERN.test(ourId))) return { ok: false, refusal: 'malformed' };
  const renderId = typeof ourId === 'string' ? ourId : remotionRenderId;
  const errorList = type === 'error' ? fields.errors : type === 'success' ? fields.lambdaErrors : undefined;
  const errors = (Array.isArray(errorList) ? errorList : [])
    .map((error: unknown) => (typeof error === 'object' && error !== null ? (error as Record<string, unknown>).message : undefined))
    .filter((message): message is string => typeof message === 'string' && message !== '')
    .slice(0, MAX_RECORDED_ERRORS)
    .map(safeErrorMessage);
  const costs = type === 'success' && typeof fields.costs === 'object' && fields.costs !== null ? (fields.costs as Record<string, unknown>) : undefined;
  const cost = typeof costs?.estimatedCost === 'number' && Number.isFinite(costs.estimatedCost) ? costs.estimatedCost : undefined;
  const currency = typeof costs?.currency === 'string' && /^[A-Z]{3}$/.test(costs.currency) ? costs.currency : 'USD';
  return { ok: true, value: { type, renderId, remotionRenderId, ownerSub, errors, ...(cost !== undefined && { cost, costCurrency: currency }) } };
}

/**
 * What the webhook adds to the record. The output key stays the one planned at start; Remotion's
 * id is recorded where the record has none yet (a start whose answer was lost).
 */
export function completionFromWebhook(webhook: CompletionWebhook, now: number): RecordCompletion {
  return {
    status: STATUS_OF_TYPE[webhook.type],
    finishedAt: new Date(now).toISOString(),
    errors: webhook.errors,
    remotionRenderId: webhook.remotionRenderId,
    ...(webhook.cost !== undefined && { cost: webhook.cost, costCurrency: webhook.costCurrency }),
  };
}

/** One EventBridge `PutEvents` entry. */
export interface EventEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly EventBusName: string;
  readonly Resources: string[];
}

/**
 * The event for a finished record: source and detail-type from the contract, detail from the
 * record, and the records table's ARN as its one resource, which each API's rules match on.
 */
export function renderFinishedEvent(record: RenderRecord, eventBus: string, tableArn: string): EventEntry {
  const status = record.status;
  if (!isFinal(status)) throw new Error(`A render still ${status} has no finished event`);
  const detail = {
    status,
    renderId: record.renderId,
    remotionRenderId: record.remotionRenderId ?? null,
    ownerSub: record.ownerSub,
    bucketName: record.bucketName ?? null,
    outputKey: record.outputKey ?? null,
    composition: record.composition,
    codec: record.codec,
    createdAt: record.createdAt,
    finishedAt: record.finishedAt ?? null,
    errors: record.errors ?? [],
    cost: record.cost ?? null,
    costCurrency: record.costCurrency ?? null,
  };
  return {
    Source: RENDER_EVENT_SOURCE,
    DetailType: RENDER_EVENT_DETAIL_TYPES[status],
    Detail: JSON.stringify(detail),
    EventBusName: eventBus,
    Resources: [tableArn],
  };
}

function header(headers: WebhookEvent['headers'], name: string): string | undefined {
  if (headers === undefined) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}
