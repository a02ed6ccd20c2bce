import { RENDER_ENV } from '../../contract';
import type { OutputLink } from '../responses';
import { loadLimitsConfig, type LimitsConfig } from './limits';
import { encodePageToken } from './list-request';
import { listedRender, publicStatus, type RenderRecord } from './record';
import type { RecordStore } from './store';

export interface RecordsConfig {
  readonly tableName: string;
  readonly retentionSeconds: number;
  /** Whether the Idempotency-Key header is honoured. */
  readonly idempotency: boolean;
  readonly limits: LimitsConfig;
  /** The secret that signs Remotion's completion webhook; without it renders carry none. */
  readonly completionSecretArn?: string;
  /** Where and as what one event per finished render is put; without it none is. */
  readonly events?: RenderEventsConfig;
}

export interface RenderEventsConfig {
  /** The bus, by name or ARN. */
  readonly eventBus: string;
  /** The records table's ARN: the events' one `resources` entry, which each API's rules match on. */
  readonly tableArn: string;
}

export const DEFAULT_RECORDS_RETENTION_SECONDS = 90 * 24 * 60 * 60;

/** The records settings the construct set, or undefined when records are off (no table name). */
export function loadRecordsConfig(env: Readonly<Record<string, string | undefined>>): RecordsConfig | undefined {
  const tableName = env[RENDER_ENV.RECORDS_TABLE_NAME]?.trim();
  if (!tableName) return undefined;
  const retentionText = env[RENDER_ENV.RECORDS_RETENTION_SECONDS]?.trim();
  const retentionSeconds = retentionText ? Number(retentionText) : DEFAULT_RECORDS_RETENTION_SECONDS;
  if (!Number.isSafeInteger(retentionSeconds) || retentionSeconds < 1) {
    throw new Error(`${RENDER_ENV.RECORDS_RETENTION_SECONDS} must be a positive integer of seconds`);
  }
  const eventBus = env[RENDER_ENV.EVENT_BUS]?.trim() || undefined;
  let events: RenderEventsConfig | undefined;
  if (eventBus !== undefined) {
    const tableArn = env[RENDER_ENV.RECORDS_TABLE_ARN]?.trim();
    // Events without it would carry no resource, and every rule of onRenderFinished would miss them.
    if (!tableArn) throw new Error(`${RENDER_ENV.RECORDS_TABLE_ARN} must be set with ${RENDER_ENV.EVENT_BUS}: the events name the records table`);
    events = { eventBus, tableArn };
  }
  return {
    tableName,
    retentionSeconds,
    idempotency: env[RENDER_ENV.IDEMPOTENCY_ENABLED]?.trim() === 'true',
    limits: loadLimitsConfig(env),
    completionSecretArn: env[RENDER_ENV.COMPLETION_SECRET_ARN]?.trim() || undefined,
    events,
  };
}

/** The `GET /renders` answer. */
export async function listRendersBody(
  store: RecordStore,
  sub: string,
  page: { readonly limit: number; readonly startKey?: Record<string, string> },
  now: number,
  deadlineMs: number,
): Promise<Record<string, unknown>> {
  const found = await store.list(sub, page.limit, page.startKey);
  const nextToken = encodePageToken(found.lastEvaluatedKey);
  return { renders: found.records.map((record) => listedRender(record, now, deadlineMs)), ...(nextToken !== undefined && { nextToken }) };
}

/** How to link to a finished record's output: like `planOutputLink`, from the record instead of Remotion. */
export type RecordOutputPlan =
  | { readonly kind: 'none' }
  | { readonly kind: 'public'; readonly url: string }
  | { readonly kind: 'presigned'; readonly bucketName: string; readonly objectKey: string };

export function planRecordOutputLink(record: RenderRecord, region: string): RecordOutputPlan {
  if (record.status !== 'SUCCEEDED' || record.bucketName === undefined || record.outputKey === undefined) return { kind: 'none' };
  if (record.privacy === 'public') {
    // The URL Remotion's client reports for public output (`getOutputUrlFromMetadata`).
    return { kind: 'public', url: `https://s3.${region}.amazonaws.com/${record.bucketName}/${record.outputKey}` };
  }
  return { kind: 'presigned', bucketName: record.bucketName, objectKey: record.outputKey };
}

/**
 * The `GET /renders/{renderId}` answer for a render that has not started rendering (queued, or
 * starting: the dispatcher's claim, shown as `RENDERING`), from its record alone.
 */
export function waitingRecordBody(record: RenderRecord): Record<string, unknown> {
  return {
    renderId: record.renderId,
    done: false,
    overallProgress: 0,
    fatalErrorEncountered: false,
    errors: [],
    status: publicStatus(record.status),
  };
}

/** The `GET /renders/{renderId}` answer for a finished render, from its record alone. */
export function finishedRecordBody(record: RenderRecord, output?: OutputLink): Record<string, unknown> {
  const fatal = record.status !== 'SUCCEEDED';
  return {
    renderId: record.renderId,
    done: true,
    overallProgress: fatal ? 0 : 1,
    fatalErrorEncountered: fatal,
    errors: (record.errors ?? []).map((message) => ({ message, chunk: null, isFatal: fatal })),
    status: record.status,
    ...(output && { outputUrl: output.url }),
    ...(output?.expiresAt !== undefined && { outputUrlExpiresAt: output.expiresAt }),
    ...(record.cost !== undefined && { cost: record.cost, costCurrency: record.costCurrency }),
  };
}
