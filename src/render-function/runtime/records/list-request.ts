import { RECORDS_TABLE } from '../../contract';
import { RENDER_ID_PATTERN, type RenderApiEvent } from '../request';
import { clientErrors, type Parsed } from '../responses';
import { ownerPartition } from './record';

export const DEFAULT_LIST_LIMIT = 20;
export const MAX_LIST_LIMIT = 100;
/** Longer tokens are refused before decoding; ours are about 120 characters. */
const MAX_TOKEN_LENGTH = 512;

// Remotion's ids (renders started before the queue) and ours (UUIDs): a page may end on either.
const RENDER_SORT_KEY = new RegExp(`^RENDER#${RENDER_ID_PATTERN.source.slice(1)}`);
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Where a page of the caller's listing starts: the DynamoDB key of the last item of the previous page. */
export type StartKey = Record<string, string>;

export interface ListRendersRequest {
  readonly limit: number;
  readonly startKey?: StartKey;
}

/**
 * Reads `limit` (1 to 100, default 20) and `nextToken`. The token holds only the sort keys of
 * the last item; the partition is always the caller's own, filled in here from the verified
 * `sub`, so no token, forged or another user's, can read another partition.
 */
export function parseListRendersRequest(query: RenderApiEvent['queryStringParameters'], sub: string): Parsed<ListRendersRequest> {
  let limit = DEFAULT_LIST_LIMIT;
  if (query?.limit !== undefined) {
    limit = /^\d{1,3}$/.test(query.limit) ? Number(query.limit) : Number.NaN;
    if (!(limit >= 1 && limit <= MAX_LIST_LIMIT)) {
      return { ok: false, error: clientErrors.invalidParameter('limit', `must be an integer from 1 to ${MAX_LIST_LIMIT}`) };
    }
  }
  if (query?.nextToken === undefined) return { ok: true, value: { limit } };
  const position = decodePageToken(query.nextToken);
  if (position === undefined) {
    return { ok: false, error: clientErrors.invalidParameter('nextToken', 'is not a token returned by GET /renders') };
  }
  return {
    ok: true,
    value: {
      limit,
      startKey: {
        [RECORDS_TABLE.partitionKey]: ownerPartition(sub),
        [RECORDS_TABLE.sortKey]: position.sk,
        [RECORDS_TABLE.createdAt]: position.createdAt,
      },
    },
  };
}

interface PagePosition {
  readonly sk: string;
  readonly createdAt: string;
}

/** The opaque `nextToken` for DynamoDB's `LastEvaluatedKey`; the partition key is left out on purpose. */
export function encodePageToken(lastEvaluatedKey: Record<string, unknown> | undefined): string | undefined {
  if (lastEvaluatedKey === undefined) return undefined;
  const position = [lastEvaluatedKey[RECORDS_TABLE.sortKey], lastEvaluatedKey[RECORDS_TABLE.createdAt]];
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

function decodePageToken(token: string): PagePosition | undefined {
  if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(position) || position.length !== 2) return undefined;
  const [sk, createdAt] = position as unknown[];
  if (typeof sk !== 'string' || !RENDER_SORT_KEY.test(sk) || typeof createdAt !== 'string' || !ISO_TIMESTAMP.test(createdAt)) {
    return undefined;
  }
  return { sk, createdAt };
}
