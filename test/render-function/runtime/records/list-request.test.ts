import { DEFAULT_LIST_LIMIT, encodePageToken, MAX_LIST_LIMIT, parseListRendersRequest } from '../../../../src/render-function/runtime/records/list-request';
import { CALLER_SUB, OTHER_SUB } from '../handler-events';

const LAST_KEY = { pk: `USER#${OTHER_SUB}`, sk: 'RENDER#abc123', createdAt: '2026-03-01T10:00:00.000Z' };

describe('parseListRendersRequest', () => {
  it('lists a page of the default size without a query', () => {
    expect(parseListRendersRequest(undefined, CALLER_SUB)).toEqual({ ok: true, value: { limit: DEFAULT_LIST_LIMIT } });
  });

  it.each(['1', '100'])('accepts limit %s', (limit) => {
    expect(parseListRendersRequest({ limit }, CALLER_SUB)).toEqual({ ok: true, value: { limit: Number(limit) } });
  });

  it.each(['0', '101', '-1', '1.5', '1e2', 'ten', ''])('refuses limit %j, naming the parameter and the range', (limit) => {
    expect(parseListRendersRequest({ limit }, CALLER_SUB)).toEqual({
      ok: false,
      error: { status: 400, message: 'Invalid request parameters', errors: [{ field: 'limit', message: `must be an integer from 1 to ${MAX_LIST_LIMIT}` }] },
    });
  });

  it('resumes after the token\'s item, always in the caller\'s own partition', () => {
    // The token was made from another user's key: only the sort keys travel in it.
    const nextToken = encodePageToken(LAST_KEY)!;
    expect(parseListRendersRequest({ nextToken, limit: '5' }, CALLER_SUB)).toEqual({
      ok: true,
      value: { limit: 5, startKey: { pk: `USER#${CALLER_SUB}`, sk: 'RENDER#abc123', createdAt: '2026-03-01T10:00:00.000Z' } },
    });
  });

  it('resumes after a queued render, whose id is a UUID', () => {
    const sk = 'RENDER#3f6c1a52-8d0e-4a57-9a61-2f1d2b9a7c10';
    const nextToken = encodePageToken({ ...LAST_KEY, sk })!;
    expect(parseListRendersRequest({ nextToken }, CALLER_SUB)).toEqual({
      ok: true,
      value: { limit: DEFAULT_LIST_LIMIT, startKey: { pk: `USER#${CALLER_SUB}`, sk, createdAt: LAST_KEY.createdAt } },
    });
  });

  it.each([
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['not a pair', Buffer.from(JSON.stringify(['RENDER#abc'])).toString('base64url')],
    ['a sort key that is no render', Buffer.from(JSON.stringify(['LIMIT#RUN#0', '2026-03-01T10:00:00.000Z'])).toString('base64url')],
    ['a time that is not ISO 8601', Buffer.from(JSON.stringify(['RENDER#abc', 'yesterday'])).toString('base64url')],
    ['overlong', 'A'.repeat(513)],
  ])('refuses a token that is %s', (_, nextToken) => {
    expect(parseListRendersRequest({ nextToken }, CALLER_SUB)).toEqual({
      ok: false,
      error: { status: 400, message: 'Invalid request parameters', errors: [{ field: 'nextToken', message: 'is not a token returned by GET /renders' }] },
    });
  });
});

describe('encodePageToken', () => {
  it('is undefined on the last page', () => {
    expect(encodePageToken(undefined)).toBeUndefined();
  });

  it('holds the sort keys of the last item and leaves out its partition', () => {
    const token = encodePageToken(LAST_KEY)!;
    expect(JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))).toEqual(['RENDER#abc123', '2026-03-01T10:00:00.000Z']);
  });
});
