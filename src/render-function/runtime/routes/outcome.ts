import type { Context } from 'aws-lambda';
import type { RequestLogRecord } from '../log';
import type { IdempotencyRefusal } from '../records/idempotency';
import { clientErrorBody, SERVICE_FAILURE_MESSAGE, type ClientError } from '../responses';

/** What the handler reads of Lambda's context; without `getRemainingTimeInMillis` only the configured wait applies. */
export type RenderApiContext = Pick<Context, 'awsRequestId'> & Partial<Pick<Context, 'getRemainingTimeInMillis'>>;

/**
 * Kept free at the end of the invocation to answer and write the log line, so the wait for
 * Remotion ends before Lambda's own timeout, whatever the function's timeout was set to.
 */
export const ANSWER_MARGIN_MS = 1000;

/**
 * The least time a started render's record write (or a finished render's event) gets, even when
 * the wait is used up: the render runs and is billed, and the answer margin leaves room for it.
 */
export const MIN_RECORD_WRITE_MS = 500;

/** One request as the routes see it: who asked, when, and how long Remotion may take. */
export interface RequestInfo {
  readonly requestId: string;
  readonly awsRequestId?: string;
  readonly startedAt: number;
  /** The caller's verified `sub`; for the completion webhook, empty until the signed body names the owner. */
  readonly sub: string;
  /** How long to wait for Remotion and secrets: the configured wait, cut to the time left. */
  readonly waitMs: number;
  /** When that wait ends, on the monotonic clock (`performance.now()`), whatever `now()` says. */
  readonly waitUntil: number;
}

/** A request before its wait starts: the route decides when that is. */
export type RequestStart = Omit<RequestInfo, 'sub' | 'waitMs' | 'waitUntil'>;

/** Starts the request's wait: the configured one, cut to what is left of the invocation minus the margin to answer. */
export function startWait(start: RequestStart, sub: string, callTimeoutMs: number, context: RenderApiContext | undefined): RequestInfo {
  const remainingMs = context?.getRemainingTimeInMillis?.();
  const waitMs = remainingMs === undefined || !Number.isFinite(remainingMs)
    ? callTimeoutMs
    : Math.max(0, Math.min(callTimeoutMs, remainingMs - ANSWER_MARGIN_MS));
  return { ...start, sub, waitMs, waitUntil: performance.now() + waitMs };
}

/** What is left of the request's wait, for the calls after the first. */
export function timeLeft(request: Pick<RequestInfo, 'waitUntil'>): number {
  return Math.max(0, Math.floor(request.waitUntil - performance.now()));
}

/** What a route decided: the answer, plus what the log line should say about it. */
export interface Outcome {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly logMessage: string;
  readonly renderId?: string;
  /** Who the request was for, when the route learnt it (the completion webhook's signed owner). */
  readonly sub?: string;
  readonly reason?: string;
  readonly error?: unknown;
  /** Overrides the level the status implies, e.g. a 202 whose record could not be written. */
  readonly level?: RequestLogRecord['level'];
  /** Extra response headers, e.g. `retry-after` on a 429. */
  readonly headers?: Record<string, string>;
}

export function rejected(error: ClientError, renderId?: string): Outcome {
  return { status: error.status, logMessage: 'Request rejected', reason: error.message, renderId, body: clientErrorBody(error) };
}

export function serviceFailure(error: unknown, renderId?: string): Outcome {
  return { status: 502, logMessage: 'Rendering service failed', renderId, error, body: { message: SERVICE_FAILURE_MESSAGE } };
}

export function refusedForIdempotency(refusal: IdempotencyRefusal): Outcome {
  return { status: refusal.status, logMessage: 'Request rejected', reason: refusal.message, body: { message: refusal.message, errors: refusal.errors } };
}
