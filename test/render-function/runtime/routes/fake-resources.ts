/**
 * In-memory stand-ins for the small interfaces the routes use (`RouteResources`, `RecordStore`,
 * `Limits`, `RemotionClient`), so each route is tested without any AWS or Remotion.
 */
import { RENDER_ENV } from '../../../../src/render-function/contract';
import { loadConfig } from '../../../../src/render-function/runtime/config';
import type { RequestLogRecord } from '../../../../src/render-function/runtime/log';
import type { CountedHolds, HoldsKey } from '../../../../src/render-function/runtime/records/holds';
import type { IdempotentStart } from '../../../../src/render-function/runtime/records/idempotency';
import type { HeldSlots, Limits, SlotOutcome } from '../../../../src/render-function/runtime/records/limits';
import { isFinal, newRenderRecord, UNFINISHED_STATUSES, type RenderRecord, type RenderRecordStatus } from '../../../../src/render-function/runtime/records/record';
import { loadRecordsConfig } from '../../../../src/render-function/runtime/records/records';
import type { RecordStore } from '../../../../src/render-function/runtime/records/store';
import type { EventEntry } from '../../../../src/render-function/runtime/records/webhook';
import type { RemotionClient, RouteResources } from '../../../../src/render-function/runtime/resources';
import type { RequestInfo } from '../../../../src/render-function/runtime/routes/outcome';
import { CALLER_SUB, constructEnvironment } from '../handler-events';

export const T0 = Date.parse('2026-03-01T10:00:00.000Z');
export const REMOTION_BUCKET = 'remotionlambda-useast1-abcdef1234';
export const RECORDS_ENV = { [RENDER_ENV.RECORDS_TABLE_NAME]: 'render-records' };

/** Records by owner and render id; each operation keeps the conditions of the DynamoDB store. */
export class FakeRecordStore implements RecordStore {
  readonly records = new Map<string, RenderRecord>();
  /** Set to make every operation fail, as a table that cannot be reached. */
  failure?: Error;

  async put(record: RenderRecord): Promise<void> {
    this.check();
    const key = `${record.ownerSub}#${record.renderId}`;
    if (this.records.has(key)) throw Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
    this.records.set(key, record);
  }

  async get(sub: string, renderId: string): Promise<RenderRecord | undefined> {
    this.check();
    return this.records.get(`${sub}#${renderId}`);
  }

  async complete(
    sub: string,
    renderId: string,
    completion: Parameters<RecordStore['complete']>[2],
    from: readonly RenderRecordStatus[] = UNFINISHED_STATUSES,
  ): Promise<RenderRecord | undefined> {
    this.check();
    const record = this.records.get(`${sub}#${renderId}`);
    if (record === undefined || !from.includes(record.status)) return undefined;
    const completed = { ...record, ...completion };
    this.records.set(`${sub}#${renderId}`, completed);
    return completed;
  }

  // The queue's operations: tested against moto (records/finish.test.ts), not used by these route tests.
  claimStart(): Promise<boolean> {
    throw new Error('not in the fake');
  }

  releaseStart(): Promise<boolean> {
    throw new Error('not in the fake');
  }

  markRendering(): Promise<boolean> {
    throw new Error('not in the fake');
  }

  async settle(): Promise<void> {}

  reschedule(): Promise<void> {
    throw new Error('not in the fake');
  }

  listDue(): Promise<{ sub: string; renderId: string }[]> {
    throw new Error('not in the fake');
  }

  async claimEvent(sub: string, renderId: string, now: number): Promise<RenderRecord | undefined> {
    this.check();
    const record = this.records.get(`${sub}#${renderId}`);
    if (record === undefined || !isFinal(record.status) || record.eventPutAt !== undefined) return undefined;
    const claimed = { ...record, eventPutAt: new Date(now).toISOString() };
    this.records.set(`${sub}#${renderId}`, claimed);
    return claimed;
  }

  async releaseEventClaim(sub: string, renderId: string): Promise<void> {
    this.check();
    const { eventPutAt: _, ...record } = this.records.get(`${sub}#${renderId}`)!;
    this.records.set(`${sub}#${renderId}`, record);
  }

  async list(sub: string, limit: number): Promise<{ records: RenderRecord[]; lastEvaluatedKey?: Record<string, unknown> }> {
    this.check();
    const mine = [...this.records.values()].filter((record) => record.ownerSub === sub).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const page = mine.slice(0, limit);
    const last = page[page.length - 1];
    return { records: page, lastEvaluatedKey: mine.length > limit ? { sk: last.sk, createdAt: last.createdAt } : undefined };
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}

/** Grants or refuses as told, and remembers what was taken and freed. */
export class FakeLimits implements Limits {
  readonly acquired: Array<{ sub: string; holder: string }> = [];
  readonly released: Array<{ sub: string; slots: HeldSlots; which: 'all' | 'running' }> = [];
  outcome: (holder: string) => SlotOutcome = (holder) => ({ ok: true, slots: { holder, running: 0, start: 0 } });

  async acquire(sub: string, holder: string): Promise<SlotOutcome> {
    this.acquired.push({ sub, holder });
    return this.outcome(holder);
  }

  async release(sub: string, slots: HeldSlots, which: 'all' | 'running'): Promise<void> {
    this.released.push({ sub, slots, which });
  }
}

/** Counters with named holds, keeping the conditions of the DynamoDB ones (records/holds.ts). */
export class FakeHolds implements CountedHolds {
  readonly counters = new Map<string, { used: number; holds: Record<string, number> }>();

  async reserve(key: HoldsKey, holderId: string, units: number, max: number): Promise<'reserved' | 'full' | 'held'> {
    const counter = this.counter(key);
    if (counter.holds[holderId] !== undefined) return 'held';
    if (counter.used + units > max) return 'full';
    counter.used += units;
    counter.holds[holderId] = units;
    return 'reserved';
  }

  async release(key: HoldsKey, holderId: string, units: number): Promise<boolean> {
    const counter = this.counter(key);
    if (counter.holds[holderId] !== units) return false;
    counter.used -= units;
    delete counter.holds[holderId];
    return true;
  }

  async read(key: HoldsKey): Promise<{ used: number; holds: Record<string, number> } | undefined> {
    return this.counters.get(`${key.pk}|${key.sk}`);
  }

  private counter(key: HoldsKey) {
    const name = `${key.pk}|${key.sk}`;
    if (!this.counters.has(name)) this.counters.set(name, { used: 0, holds: {} });
    return this.counters.get(name)!;
  }
}

/** What the fake Remotion client answers; each call is remembered. */
export class FakeRemotion {
  readonly starts: Array<Record<string, unknown>> = [];
  readonly progressReads: Array<Record<string, unknown>> = [];
  progress: Record<string, unknown> = {
    done: false,
    overallProgress: 0.5,
    fatalErrorEncountered: false,
    errors: [],
    renderMetadata: { privacy: 'private', metadata: { ownerSub: CALLER_SUB } },
  };

  startAnswer: () => Promise<unknown> = async () => ({ renderId: 'r1', bucketName: REMOTION_BUCKET });

  get client(): RemotionClient {
    const fake = {
      renderMediaOnLambda: async (input: Record<string, unknown>) => {
        this.starts.push(input);
        return this.startAnswer();
      },
      getRenderProgress: async (input: Record<string, unknown>) => {
        this.progressReads.push(input);
        return this.progress;
      },
      presignUrl: async (input: { bucketName: string; objectKey: string; expiresInSeconds: number }) =>
        `https://signed.example/${input.bucketName}/${input.objectKey}?expires=${input.expiresInSeconds}`,
    };
    return fake as unknown as RemotionClient;
  }
}

export interface FakeResources {
  readonly resources: RouteResources;
  readonly store: FakeRecordStore;
  readonly limits: FakeLimits;
  readonly holds: FakeHolds;
  readonly remotion: FakeRemotion;
  readonly events: EventEntry[];
  readonly logs: RequestLogRecord[];
  readonly secretWaits: number[];
}

/** Resources over the construct's environment plus `env`; records are on when `env` names a table. */
export function fakeResources(
  env: Record<string, string | undefined> = {},
  options: { readonly secrets?: Record<string, string>; readonly idempotentStart?: IdempotentStart; readonly putEvent?: boolean } = {},
): FakeResources {
  const environment = constructEnvironment(env);
  const store = new FakeRecordStore();
  const limits = new FakeLimits();
  const holds = new FakeHolds();
  const remotion = new FakeRemotion();
  const events: EventEntry[] = [];
  const logs: RequestLogRecord[] = [];
  const secretWaits: number[] = [];
  const config = loadConfig(environment);
  const recordsConfig = loadRecordsConfig(environment);
  const secret = async (arn: string | undefined, waitMs: number) => {
    secretWaits.push(waitMs);
    return arn === undefined ? undefined : options.secrets?.[arn];
  };
  const resources: RouteResources = {
    config: () => config,
    recordsConfig: () => recordsConfig,
    queueConfig: () => undefined,
    holds: async () => holds,
    sqs: () => Promise.reject(new Error('No render queue in these route tests')),
    remotionClient: async () => remotion.client,
    webhookSecret: (waitMs) => secret(config.webhookSecretArn, waitMs),
    completionSecret: (waitMs) => secret(recordsConfig?.completionSecretArn, waitMs),
    recordStore: async () => store,
    limits: async () => limits,
    idempotentStart: async () => {
      if (options.idempotentStart === undefined) throw new Error('No idempotency in this test');
      return options.idempotentStart;
    },
    putEvent: options.putEvent === false ? undefined : async (entry) => {
      events.push(entry);
    },
    now: () => T0,
    randomId: () => 'unique-1',
    log: (record) => logs.push(record),
  };
  return { resources, store, limits, holds, remotion, events, logs, secretWaits };
}

/** The record of a render `sub` started at `T0` plus `minutes`, as the start route writes it. */
export function startedRecord(sub: string, renderId: string, options: { minutes?: number; slot?: boolean } = {}): RenderRecord {
  return newRenderRecord({
    sub,
    renderId,
    bucketName: REMOTION_BUCKET,
    composition: 'Intro',
    codec: 'h264',
    privacy: 'private',
    outName: 'clip.mp4',
    now: T0 + (options.minutes ?? 0) * 60_000,
    retentionSeconds: 3600,
    ...(options.slot && { limitHolder: 'holder-1', runSlot: 0 }),
  });
}

/** A request with `waitMs` to spare, by the caller `sub`. */
export function requestInfo(sub: string = CALLER_SUB, waitMs = 5000): RequestInfo {
  return { requestId: 'api-request-1', startedAt: T0, sub, waitMs, waitUntil: performance.now() + waitMs };
}
