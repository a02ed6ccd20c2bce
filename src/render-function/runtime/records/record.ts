import { RECORDS_TABLE } from '../../contract';
import { safeErrorMessage } from '../responses';

/** Where a render stands, as the record tells it. */
export type RenderRecordStatus = 'RENDERING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';

/** One accepted render, as stored in the records table. */
export interface RenderRecord {
  readonly pk: string;
  readonly sk: string;
  readonly ownerSub: string;
  readonly renderId: string;
  readonly bucketName: string;
  readonly composition: string;
  readonly codec: string;
  /** Remotion's `privacy` the render was started with: it decides how the output is linked. */
  readonly privacy: string;
  /** The S3 key of the output, as planned at start and as Remotion reported it once done. */
  readonly outputKey: string;
  /** ISO 8601, milliseconds, UTC: it sorts by time as text, which the listing index relies on. */
  readonly createdAt: string;
  readonly status: RenderRecordStatus;
  readonly finishedAt?: string;
  /** Sanitized like every error shown to callers: first line, no ARNs, account ids or AWS URLs. */
  readonly errors?: readonly string[];
  /** What Remotion reported the render cost, in `costCurrency`. */
  readonly cost?: number;
  readonly costCurrency?: string;
  /** Epoch seconds; DynamoDB's TTL deletes the record some time after. */
  readonly expiresAt: number;
  /** When the finished render's EventBridge event was put (or is being put); at most one event per record. */
  readonly eventPutAt?: string;
  /** The per-user limit slots the start took (see limits.ts), freed once the completion is recorded. */
  readonly limitHolder?: string;
  readonly runSlot?: number;
}

export const MAX_RECORDED_ERRORS = 5;

export function ownerPartition(sub: string): string {
  return `USER#${sub}`;
}

export function renderSortKey(renderId: string): string {
  return `RENDER#${renderId}`;
}

export interface NewRecordInput {
  readonly sub: string;
  readonly renderId: string;
  readonly bucketName: string;
  readonly composition: string;
  readonly codec: string;
  readonly privacy: string;
  /** The key named at start (configured bucket), or Remotion's `renders/<renderId>/<outName>`. */
  readonly outName: string | { readonly key: string };
  readonly now: number;
  readonly retentionSeconds: number;
  readonly limitHolder?: string;
  readonly runSlot?: number;
}

/** The record written once Remotion accepted a render. */
export function newRenderRecord(input: NewRecordInput): RenderRecord {
  const outputKey = typeof input.outName === 'string' ? `renders/${input.renderId}/${input.outName}` : input.outName.key;
  return {
    [RECORDS_TABLE.partitionKey]: ownerPartition(input.sub),
    [RECORDS_TABLE.sortKey]: renderSortKey(input.renderId),
    ownerSub: input.sub,
    renderId: input.renderId,
    bucketName: input.bucketName,
    composition: input.composition,
    codec: input.codec,
    privacy: input.privacy,
    outputKey,
    [RECORDS_TABLE.createdAt]: new Date(input.now).toISOString(),
    status: 'RENDERING',
    [RECORDS_TABLE.ttl]: Math.floor(input.now / 1000) + input.retentionSeconds,
    ...(input.runSlot !== undefined && { limitHolder: input.limitHolder, runSlot: input.runSlot }),
  } as RenderRecord;
}

/** What a finished render adds to its record. */
export interface RecordCompletion {
  readonly status: Exclude<RenderRecordStatus, 'RENDERING'>;
  readonly finishedAt: string;
  readonly errors: readonly string[];
  readonly outputKey?: string;
  readonly cost?: number;
  readonly costCurrency?: string;
}

/** What completion reads of Remotion's progress, as the handler has checked it (remotion-answers.ts). */
export interface ProgressForCompletion {
  readonly done: boolean;
  readonly fatalErrorEncountered: boolean;
  readonly errors: readonly { readonly message: string }[];
  readonly outKey?: string | null;
  readonly costs?: { readonly accruedSoFar: number; readonly currency: string };
  readonly timeoutTimestamp?: number;
}

/**
 * The completion Remotion's progress implies, or undefined while the render still runs. A render
 * that is past Remotion's own timeout without being done counts as timed out: a lost completion
 * must not keep it `RENDERING` forever.
 */
export function completionFromProgress(progress: ProgressForCompletion, now: number): RecordCompletion | undefined {
  const errors = progress.errors.slice(0, MAX_RECORDED_ERRORS).map((error) => safeErrorMessage(error.message));
  const cost = progress.costs !== undefined && Number.isFinite(progress.costs.accruedSoFar) ? progress.costs.accruedSoFar : undefined;
  const common = {
    finishedAt: new Date(now).toISOString(),
    errors,
    ...(progress.outKey ? { outputKey: progress.outKey } : {}),
    ...(cost !== undefined ? { cost, costCurrency: progress.costs!.currency } : {}),
  };
  if (progress.fatalErrorEncountered) return { status: 'FAILED', ...common };
  if (progress.done) return { status: 'SUCCEEDED', ...common };
  const timeoutAt = progress.timeoutTimestamp;
  if (timeoutAt !== undefined && Number.isFinite(timeoutAt) && timeoutAt > 0 && now > timeoutAt) {
    return { status: 'TIMED_OUT', ...common };
  }
  return undefined;
}

/**
 * One render in `GET /renders`: what the caller may see, never the table's keys or TTL. A render
 * still `RENDERING` past `deadlineMs` (Remotion's timeout plus a margin) is shown as `TIMED_OUT`:
 * its completion was lost, and it cannot be running any more.
 */
export function listedRender(record: RenderRecord, now: number, deadlineMs: number): Record<string, unknown> {
  const overdue = record.status === 'RENDERING' && now > Date.parse(record.createdAt) + deadlineMs;
  return {
    renderId: record.renderId,
    status: overdue ? 'TIMED_OUT' : record.status,
    composition: record.composition,
    codec: record.codec,
    bucketName: record.bucketName,
    outputKey: record.outputKey,
    createdAt: record.createdAt,
    ...(record.finishedAt !== undefined && { finishedAt: record.finishedAt }),
    ...(record.errors !== undefined && record.errors.length > 0 && { errors: record.errors }),
    ...(record.cost !== undefined && { cost: record.cost, costCurrency: record.costCurrency }),
  };
}
