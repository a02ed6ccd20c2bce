import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** One problem with one field of a request, safe to show to the caller. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** A request the handler refuses; the caller can fix it. */
export interface ClientError {
  readonly status: 400 | 401 | 403 | 404 | 413;
  readonly message: string;
  readonly errors?: readonly FieldProblem[];
}

/** The outcome of a parsing step: a value or the client error to answer with. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ClientError };

export const SERVICE_FAILURE_MESSAGE = 'The rendering service failed; try again later';
export const INTERNAL_ERROR_MESSAGE = 'The render API failed; try again later';

export const clientErrors = {
  unauthenticated: (): ClientError => ({ status: 401, message: 'A verified identity is required' }),
  malformedJson: (): ClientError => ({ status: 400, message: 'The request body is not valid JSON' }),
  invalidBody: (errors: readonly FieldProblem[]): ClientError => ({ status: 400, message: 'Invalid request body', errors }),
  invalidParameter: (field: string, message: string): ClientError => ({
    status: 400,
    message: 'Invalid request parameters',
    errors: [{ field, message }],
  }),
  compositionNotAllowed: (): ClientError => ({
    status: 403,
    message: 'This composition may not be rendered',
    errors: [{ field: 'composition', message: 'is not in the list of allowed compositions' }],
  }),
  codecNotAllowed: (allowed: readonly string[]): ClientError => ({
    status: 403,
    message: 'This codec may not be used',
    errors: [{ field: 'codec', message: `must be one of ${allowed.join(', ')}` }],
  }),
  bodyTooLarge: (maxBytes: number): ClientError => ({ status: 413, message: `The request body must not exceed ${maxBytes} bytes` }),
  inputPropsTooLarge: (maxBytes: number): ClientError => ({
    status: 413,
    message: `inputProps must not exceed ${maxBytes} bytes of JSON`,
    errors: [{ field: 'inputProps', message: `must not exceed ${maxBytes} bytes of JSON` }],
  }),
  renderNotFound: (): ClientError => ({ status: 404, message: 'No such render' }),
  routeNotFound: (): ClientError => ({ status: 404, message: 'No such route' }),
} as const;

/** Every answer is JSON, never cached, and names the request so support can find its log line. */
export function jsonResponse(statusCode: number, body: Readonly<Record<string, unknown>>, requestId: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'x-request-id': requestId,
    },
    body: JSON.stringify({ ...body, requestId }),
  };
}

export function clientErrorBody(error: ClientError): Record<string, unknown> {
  return error.errors === undefined ? { message: error.message } : { message: error.message, errors: error.errors };
}

/** What Remotion reports about a render, reduced to the fields the status answer is built from. */
export interface RenderProgressSummary {
  readonly renderId: string;
  readonly done: boolean;
  readonly overallProgress: number;
  readonly fatalErrorEncountered: boolean;
  readonly errors: readonly RenderErrorSummary[];
}

export interface RenderErrorSummary {
  readonly message: string;
  readonly chunk: number | null;
  readonly isFatal: boolean;
}

/** A link to the finished output; `expiresAt` is set for presigned links. */
export interface OutputLink {
  readonly url: string;
  readonly expiresAt?: string;
}

const MAX_ERROR_MESSAGE_LENGTH = 300;

/** The status answer: progress and errors without stacks, ARNs or account ids. */
export function renderStatusBody(progress: RenderProgressSummary, output?: OutputLink): Record<string, unknown> {
  return {
    renderId: progress.renderId,
    done: progress.done,
    overallProgress: progress.overallProgress,
    fatalErrorEncountered: progress.fatalErrorEncountered,
    errors: progress.errors.map(safeRenderError),
    ...(output && { outputUrl: output.url }),
    ...(output?.expiresAt !== undefined && { outputUrlExpiresAt: output.expiresAt }),
  };
}

export function safeRenderError(error: RenderErrorSummary): RenderErrorSummary {
  return { message: safeErrorMessage(error.message), chunk: error.chunk, isFatal: error.isFatal };
}

/**
 * Keeps the first line of an error message, short, with ARNs, account ids and AWS URLs
 * replaced: render errors are shown to callers, who must not learn the account's layout.
 */
export function safeErrorMessage(message: string): string {
  const firstLine = message.split('\n', 1)[0].trim();
  const redacted = firstLine
    .replace(/arn:aws[a-z-]*:[^\s"',;)]*/g, '[redacted]')
    .replace(/https?:\/\/[^\s"']*amazonaws\.com[^\s"']*/g, '[redacted]')
    .replace(/\b\d{12}\b/g, '[redacted]');
  return redacted.length > MAX_ERROR_MESSAGE_LENGTH ? `${redacted.slice(0, MAX_ERROR_MESSAGE_LENGTH - 1)}…` : redacted;
}
