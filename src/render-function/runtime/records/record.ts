import { RECORDS_TABLE, RENDER_STATUSES } from '../../contract';
import { safeErrorMessage } from '../responses';

/**
 * Where a render stands, as the record tells it. `STARTING` is the dispatcher's claim while it
 * asks Remotion to start the render (the outcome may be unknown for a while); callers see it as
 * `RENDERING`.
 */
export type RenderRecordStatus = 'QUEUED' | 'STARTING' | 'RENDERING' | FinalStatus;

/** The statuses a render ends in; each gets exactly one event. */
export type FinalStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'CANCELLED';

export const FINAL_STATUSES: readonly FinalStatus[] = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELLED'];
export const UNFINISHED_STATUSES: readonly RenderRecordStatus[] = ['QUEUED', 'STARTING', 'RENDERING'];

export function isFinal(status: RenderRecordStatus): status is FinalStatus {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

/** The status callers see: `STARTING` is `RENDERING` to them. */
export function publicStatus(status: RenderRecordStatus): (typeof RENDER_STATUSES)[number] {
  return status === 'STARTING' ? 'RENDERING' : status;
}

/** The value of `RECORDS_TABLE.activeShard` on every record that still needs work. */
export const ACTIVE_SHARD = 'ACTIVE';

/** One accepted render, as stored in the records table. */
export interface RenderRecord {
  readonly pk: string;
  readonly sk: string;
  readonly ownerSub: string;
  /** Our id (the sort key's); for records written before the queue, Remotion's. */
  readonly renderId: string;
  /** Remotion's render id, once Remotion accepted the start (queued renders only). */
  readonly remotionRenderId?: string;
  /** The render's bucket: the configured one from the start, else Remotion's once it started. */
  readonly bucketName?: string;
  readonly composition: string;
  readonly codec: string;
  /** Remotion's `privacy` the render was started with: it decides how the output is linked. */
  readonly privacy: string;
  /** The S3 key of the output, as planned (known at enqueue with a configured bucket) and as Remotion reported it once done. */
  readonly outputKey?: string;
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
  /** When the dispatcher claimed the start (ISO 8601), and the claim's token: only its holder may move the record on. */
  readonly startedAt?: string;
  readonly startAttempt?: string;
  /** The render budget the start holds units of (`budgetKey(...).pk`), and how many. */
  readonly budgetPk?: string;
  readonly budgetUnits?: number;
  /** Whether the render holds one of its owner's queued places (`queuedKey`). */
  readonly queuedHold?: boolean;
  /** `ACTIVE` while the record needs work (the sweeper's sparse index), with when to look at it next. */
  readonly activeShard?: string;
  readonly checkAt?: string;
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

export interface NewQueuedRecordInput {
  readonly sub: string;
  /** Our id. */
  readonly renderId: string;
  readonly composition: string;
  readonly codec: string;
  readonly privacy: string;
  /** The configured bucket and the key planned in it; undefined when Remotion picks its bucket. */
  readonly output?: { readonly bucketName: string; readonly key: string };
  readonly now: number;
  readonly retentionSeconds: number;
  /** Whether the owner's queued place was taken (maxQueuedPerUser). */
  readonly queuedHold: boolean;
  /** When the sweeper first looks at it: when the render has waited as long as it may. */
  readonly checkAt: number;
}

/** The record `POST /renders` writes when it queues a render. */
export function newQueuedRecord(input: NewQueuedRecordInput): RenderRecord {
  return {
    [RECORDS_TABLE.partitionKey]: ownerPartition(input.sub),
    [RECORDS_TABLE.sortKey]: renderSortKey(input.renderId),
    ownerSub: input.sub,
    renderId: input.renderId,
    composition: input.composition,
    codec: input.codec,
    privacy: input.privacy,
    ...(input.output !== undefined && { bucketName: input.output.bucketName, outputKey: input.output.key }),
    [RECORDS_TABLE.createdAt]: new Date(input.now).toISOString(),
    status: 'QUEUED',
    [RECORDS_TABLE.ttl]: Math.floor(input.now / 1000) + input.retentionSeconds,
    ...(input.queuedHold && { queuedHold: true }),
    [RECORDS_TABLE.activeShard]: ACTIVE_SHARD,
    [RECORDS_TABLE.checkAt]: new Date(input.checkAt).toISOString(),
  } as RenderRecord;
}

/** The owner and our id of a record, from its keys (as the sweeper's keys-only index returns them). */
export function recordIdentity(keys: Record<string, unknown>): { sub: string; renderId: string } | undefined {
  const pk = keys[RECORDS_TABLE.partitionKey];
  const sk = keys[RECORDS_TABLE.sortKey];
  if (typeof pk !== 'string' || typeof sk !== 'string' || !pk.startsWith('USER#') || !sk.startsWith('RENDER#')) return undefined;
  return { sub: pk.slice('USER#'.length), renderId: sk.slice('RENDER#'.length) };
}

/** The record written once Remotion accepted a render (direct start, without the queue). */
export function newRenderRecord(input: NewRecordInput): RenderRecord {
  const outputKey = typeof input.outName === 'string' ? `renders/${input.renderId}/${input.outName}` : input.outName.key;
  return {
    [RECORDS_TABLE.partitionKey]: ownerPartition(input.sub),
    [RECORDS_TABLE.sortKey]: renderSortKey(input.renderId),
    ownerSub: input.sub,
    renderId: input.renderId,
    // Started directly: our id is Remotion's.
    remotionRenderId: input.renderId,
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
  readonly status: FinalStatus;
  readonly finishedAt: string;
  readonly errors: readonly string[];
  readonly outputKey?: string;
  readonly cost?: number;
  readonly costCurrency?: string;
  /** Remotion's id, when the completion is how we learn it (a webhook for a start whose answer was lost). */
  readonly remotionRenderId?: string;
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
  // Only records from before the queue: a queued render's end is the sweeper's to record.
  const overdue = record.status === 'RENDERING' && record.activeShard === undefined && now > Date.parse(record.createdAt) + deadlineMs;
  return {
    renderId: record.renderId,
    status: overdue ? 'TIMED_OUT' : publicStatus(record.status),
    composition: record.composition,
    codec: record.codec,
    ...(record.bucketName !== undefined && { bucketName: record.bucketName }),
    ...(record.outputKey !== undefined && { outputKey: record.outputKey }),
    createdAt: record.createdAt,
    ...(record.startedAt !== undefined && { startedAt: record.startedAt }),
    ...(record.finishedAt !== undefined && { finishedAt: record.finishedAt }),
    ...(record.errors !== undefined && record.errors.length > 0 && { errors: record.errors }),
    ...(record.cost !== undefined && { cost: record.cost, costCurrency: record.costCurrency }),
  };
}
