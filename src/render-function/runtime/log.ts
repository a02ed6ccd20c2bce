/** One structured line per request. Never carries input props, tokens or secrets. */
export interface RequestLogRecord {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly requestId: string;
  readonly awsRequestId?: string;
  readonly route: string;
  readonly status: number;
  readonly durationMs: number;
  readonly sub?: string;
  readonly renderId?: string;
  /** The bucket of a render whose start is logged apart from its request's answer. */
  readonly bucketName?: string;
  /** Why a client error was answered, in the words the caller saw. */
  readonly reason?: string;
  readonly error?: { readonly name: string; readonly message: string };
}

const MAX_LOGGED_ERROR_MESSAGE_LENGTH = 1000;

/** The level follows the status: server failures are errors, refusals are warnings. */
export function levelForStatus(status: number): RequestLogRecord['level'] {
  if (status >= 500) return 'error';
  if (status >= 400) return 'warn';
  return 'info';
}

/** Name and message only: stacks and SDK error objects can hold request details and credentials. */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) {
    return { name: error.name, message: error.message.slice(0, MAX_LOGGED_ERROR_MESSAGE_LENGTH) };
  }
  return { name: typeof error, message: 'A non-Error value was thrown' };
}

/**
 * Writes the record as one JSON line. With Lambda's JSON log format the runtime wraps each line
 * in its own JSON object; handing it the record (not a string) keeps our fields queryable as
 * `message.<field>` instead of one escaped string. The console method sets the runtime's level.
 */
export function writeLog<T extends { readonly level: RequestLogRecord['level'] }>(record: T, logFormat: string | undefined = process.env.AWS_LAMBDA_LOG_FORMAT): void {
  const write = record.level === 'error' ? console.error : record.level === 'warn' ? console.warn : console.info;
  write(logFormat?.toUpperCase() === 'JSON' ? record : JSON.stringify(record));
}
