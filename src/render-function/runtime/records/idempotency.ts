import type { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RECORDS_TABLE } from '../../contract';
import type { RenderApiEvent, StartRenderRequest } from '../request';

/** The request header; HTTP API lower-cases header names. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** 1 to 128 characters of A-Z a-z 0-9 `-` `_` `.` `:`: room for a UUID, a ULID or `order-1234:v2`. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
/** How long a key's first answer is replayed. */
export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 60 * 60;
/** All idempotency items live in this partition of the records table (Powertools' static partition key). */
export const IDEMPOTENCY_PARTITION = 'IDEMPOTENCY#POST /renders';

/** A refusal that is not one of the request validation errors (those come from responses.ts). */
export interface IdempotencyRefusal {
  readonly status: 400 | 409 | 422;
  readonly message: string;
  readonly errors: ReadonlyArray<{ readonly field: string; readonly message: string }>;
}

/** The header's value, undefined without one, or a 400 for one that breaks the documented format. */
export function idempotencyKeyOf(headers: RenderApiEvent['headers']): { key?: string; refusal?: IdempotencyRefusal } {
  const value = headers?.[IDEMPOTENCY_KEY_HEADER];
  if (value === undefined) return {};
  if (!IDEMPOTENCY_KEY_PATTERN.test(value)) {
    return {
      refusal: {
        status: 400,
        message: 'Invalid Idempotency-Key header',
        errors: [{ field: 'Idempotency-Key', message: 'must be 1 to 128 characters from A-Z a-z 0-9 . _ : -' }],
      },
    };
  }
  return { key: value };
}

export const idempotencyRefusals = {
  differentBody: (): IdempotencyRefusal => ({
    status: 422,
    message: 'This Idempotency-Key was used with a different request body',
    errors: [{ field: 'Idempotency-Key', message: 'was already used, within 24 hours, for another request; use a new key' }],
  }),
  inProgress: (): IdempotencyRefusal => ({
    status: 409,
    message: 'A request with this Idempotency-Key is still being processed',
    errors: [{ field: 'Idempotency-Key', message: 'is in use by a request that has not finished; retry shortly' }],
  }),
} as const;

/** The answer the first request gave; replays get it again, unchanged. */
export interface StartAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly renderId?: string;
}

/** What an idempotent start produced. */
export type IdempotentOutcome =
  | { readonly kind: 'answered'; readonly answer: StartAnswer; readonly replayed: boolean }
  | { readonly kind: 'refused'; readonly refusal: IdempotencyRefusal }
  | { readonly kind: 'failed'; readonly answer?: StartAnswer; readonly error: unknown };

/** Thrown inside the idempotent function for an answer that must not be kept (no render started), so the key stays free. */
class UncachedAnswer extends Error {
  constructor(readonly answer: StartAnswer) {
    super('The start failed; its answer is not kept for replays');
    this.name = 'UncachedAnswer';
  }
}

export interface IdempotencyModules {
  readonly idempotency: { readonly makeIdempotent: typeof makeIdempotent; readonly IdempotencyConfig: typeof IdempotencyConfig };
  readonly dynamodb: { readonly DynamoDBPersistenceLayer: typeof DynamoDBPersistenceLayer };
}

export type IdempotentStart = (
  sub: string,
  key: string,
  request: StartRenderRequest,
  start: () => Promise<StartAnswer>,
) => Promise<IdempotentOutcome>;

/**
 * Wraps starts with Powertools' idempotency utility, persisted in the records table: the key is
 * the caller's `sub` and their Idempotency-Key (so keys are per user), the payload checked for a
 * replay is the validated request, and an in-progress item expires with the handler's own wait
 * for Remotion, so a crashed request frees its key.
 */
export function createIdempotentStart(options: {
  readonly tableName: string;
  readonly client: DynamoDBClient;
  readonly modules: IdempotencyModules;
  /** How long a start may take: the in-progress lock lasts this long. */
  readonly inProgressMs: number;
}): IdempotentStart {
  const { idempotency, dynamodb } = options.modules;
  const persistenceStore = new dynamodb.DynamoDBPersistenceLayer({
    tableName: options.tableName,
    awsSdkV3Client: options.client,
    keyAttr: RECORDS_TABLE.partitionKey,
    sortKeyAttr: RECORDS_TABLE.sortKey,
    staticPkValue: IDEMPOTENCY_PARTITION,
    expiryAttr: RECORDS_TABLE.ttl,
  });
  const config = new idempotency.IdempotencyConfig({
    eventKeyJmesPath: 'key',
    payloadValidationJmesPath: 'request',
    expiresAfterSeconds: IDEMPOTENCY_WINDOW_SECONDS,
    throwOnNoIdempotencyKey: true,
    responseHook: (response) => ({ ...(response as Record<string, unknown>), replayed: true }),
  });
  // A stand-in for the Lambda context, which Powertools reads only for the remaining time.
  config.registerLambdaContext({ getRemainingTimeInMillis: () => options.inProgressMs } as Parameters<IdempotencyConfig['registerLambdaContext']>[0]);

  return async (sub, key, request, start) => {
    const run = idempotency.makeIdempotent(
      async (_payload: { key: string; request: StartRenderRequest }) => {
        const answer = await start();
        // Only a started render is kept: a 429 or a 502 may be retried with the same key.
        if (answer.status !== 202) throw new UncachedAnswer(answer);
        return { ...answer, replayed: false };
      },
      { persistenceStore, config, keyPrefix: 'POST /renders' },
    );
    try {
      const result = await run({ key: `${sub}#${key}`, request }) as StartAnswer & { replayed: boolean };
      const { replayed, ...answer } = result;
      return { kind: 'answered', answer, replayed };
    } catch (error) {
      return outcomeOfError(error);
    }
  };
}

/** Errors are told apart by name: Powertools and the SDK may come from another module copy. */
function outcomeOfError(error: unknown): IdempotentOutcome {
  const name = (error as { name?: string } | undefined)?.name;
  if (error instanceof UncachedAnswer) return { kind: 'failed', answer: error.answer, error };
  if (name === 'IdempotencyValidationError') return { kind: 'refused', refusal: idempotencyRefusals.differentBody() };
  if (name === 'IdempotencyAlreadyInProgressError') return { kind: 'refused', refusal: idempotencyRefusals.inProgress() };
  // Powertools wraps what the function threw; keep our uncached answer when it did.
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (cause instanceof UncachedAnswer) return { kind: 'failed', answer: cause.answer, error: cause };
  return { kind: 'failed', error };
}
