/**
 * The completion webhook's pure helpers. Signatures are made by Remotion's own signer (the
 * `calculateSignature` its function uses to call webhooks) and checked against Remotion's own
 * `validateWebhookSignature` from `@remotion/lambda/client`, for the newest and the floor we
 * support: what Remotion accepts we accept, what it refuses we refuse.
 */
import * as path from 'node:path';
import { RENDER_EVENT_DETAIL_TYPES, RENDER_EVENT_SOURCE } from '../../../../src/render-function/contract';
import { newRenderRecord } from '../../../../src/render-function/runtime/records/record';
import {
  completionCustomData,
  completionFromWebhook,
  completionWebhookUrl,
  MAX_WEBHOOK_BODY_BYTES,
  parseCompletionWebhook,
  renderFinishedEvent,
  verifyWebhookSignature,
} from '../../../../src/render-function/runtime/records/webhook';
import { FLOOR_REMOTION_DIR, NEWEST_REMOTION_DIR } from '../../../remotion-versions';

const ROOT = path.join(__dirname, '..', '..', '..', '..');
const SECRET = 'Zq3xV9mT1kLp8sRw2nYb6cHd4fJg0aEu';
const SUB = '3f1c2a9e-6b7d-4e21-9c3a-0d5e8f7a1b2c';

type Validate = (options: { secret: string; body: unknown; signatureHeader: string | undefined }) => void;
type Sign = (payload: string, secret: string | null) => string;

/** Remotion's signer and verifier of one installed version (the serverless package sits beside the client). */
function remotionOf(packageDir: string): { sign: Sign; validate: Validate } {
  const clientEntry = require.resolve(packageDir === NEWEST_REMOTION_DIR ? '@remotion/lambda/client' : 'remotion-lambda-floor/client');
  const serverless = packageDir === NEWEST_REMOTION_DIR
    ? path.join(ROOT, 'node_modules/@remotion/serverless')
    : path.join(ROOT, FLOOR_REMOTION_DIR, 'node_modules/@remotion/serverless');
  return {
    sign: (jest.requireActual(path.join(serverless, 'dist/invoke-webhook.js')) as { calculateSignature: Sign }).calculateSignature,
    validate: (jest.requireActual(clientEntry) as { validateWebhookSignature: Validate }).validateWebhookSignature,
  };
}

function successPayload(overrides: Record<string, unknown> = {}) {
  return {
    type: 'success',
    renderId: 'abcd1234ef',
    expectedBucketOwner: '123456789012',
    bucketName: 'remotionlambda-useast1-abcdef1234',
    customData: { ownerSub: SUB },
    outputUrl: 'https://s3.us-east-1.amazonaws.com/remotionlambda-useast1-abcdef1234/renders/abcd1234ef/out.mp4',
    lambdaErrors: [],
    outputFile: 'https://s3.us-east-1.amazonaws.com/remotionlambda-useast1-abcdef1234/renders/abcd1234ef/out.mp4',
    timeToFinish: 12000,
    costs: { estimatedCost: 0.0123, estimatedDisplayCost: '$0.012', currency: 'USD', disclaimer: 'Estimated' },
    ...overrides,
  };
}

function event(body: string, headers: Record<string, string | undefined>) {
  return { routeKey: 'POST /webhooks/remotion', body, isBase64Encoded: false, headers };
}

const remotionAccepts = (validate: Validate, body: string, signatureHeader: string | undefined): boolean => {
  try {
    validate({ secret: SECRET, body: JSON.parse(body), signatureHeader });
    return true;
  } catch {
    return false;
  }
};

/** A body nested `depth` arrays deep under an object key, as an attacker would send it (about 2 bytes a level). */
function nestedBody(depth: number): string {
  return `{"type":"success","renderId":"abcd1234ef","customData":{"ownerSub":"${SUB}"},"deep":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}

/** The event as API Gateway hands it over when it base64-encodes the body. */
function base64Event(body: string, headers: Record<string, string | undefined>) {
  return { ...event(Buffer.from(body, 'utf8').toString('base64'), headers), isBase64Encoded: true };
}

describe.each([
  ['newest', NEWEST_REMOTION_DIR],
  ['floor', FLOOR_REMOTION_DIR],
])('signatures agree with Remotion (%s)', (_label, dir) => {
  const { sign, validate } = remotionOf(dir);
  const body = JSON.stringify(successPayload());
  const signed = sign(body, SECRET);
  const tampered = JSON.stringify(successPayload({ customData: { ownerSub: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' } }));
  // Remotion sends `JSON.stringify` of its payload: non-ASCII text as UTF-8, U+2028 and a lone
  // surrogate as JSON.stringify writes them.
  const unicode = JSON.stringify(successPayload({ lambdaErrors: [{ message: 'Chunk 3: ünïcödé – 東京 🎬 \u2028 \ud800 "quoted"' }] }));

  const cases: ReadonlyArray<readonly [string, string, string | undefined]> = [
    ['the body Remotion signed', body, signed],
    ['a body with non-ASCII text, line separators and a lone surrogate, signed', unicode, sign(unicode, SECRET)],
    ['a body changed after signing', tampered, signed],
    ['a signature made with another secret', body, sign(body, 'another-secret')],
    ['no signature', body, undefined],
    ['Remotion\'s placeholder for a render started without a secret', body, sign(body, null)],
    ['the hex digest without the sha512= prefix', body, signed.slice('sha512='.length)],
    ['an upper-case digest', body, `sha512=${signed.slice('sha512='.length).toUpperCase()}`],
    ['a truncated signature', body, signed.slice(0, -2)],
  ];

  it.each(cases)('decides like validateWebhookSignature for %s', (_case, sentBody, signature) => {
    const ours = verifyWebhookSignature(event(sentBody, { 'x-remotion-signature': signature }), SECRET).ok;
    expect(ours).toBe(remotionAccepts(validate, sentBody, signature));
  });

  it.each(cases)('decides like validateWebhookSignature for %s, base64-encoded by API Gateway', (_case, sentBody, signature) => {
    const ours = verifyWebhookSignature(base64Event(sentBody, { 'x-remotion-signature': signature }), SECRET).ok;
    expect(ours).toBe(remotionAccepts(validate, sentBody, signature));
  });

  it('accepts the signed body and refuses the tampered one (so the table above cannot pass by refusing all)', () => {
    expect(verifyWebhookSignature(event(body, { 'x-remotion-signature': signed }), SECRET)).toEqual({ ok: true, value: JSON.parse(body) });
    expect(verifyWebhookSignature(event(tampered, { 'x-remotion-signature': signed }), SECRET)).toEqual({ ok: false, refusal: 'badSignature' });
    expect(verifyWebhookSignature(event(unicode, { 'x-remotion-signature': sign(unicode, SECRET) }), SECRET)).toEqual({ ok: true, value: JSON.parse(unicode) });
  });

  it('refuses the signed JSON re-sent with other whitespace, which Remotion\'s validator (re-serializing the parsed body) accepts but Remotion never sends', () => {
    const reformatted = JSON.stringify(successPayload(), null, 2);
    expect(remotionAccepts(validate, reformatted, signed)).toBe(true);
    expect(verifyWebhookSignature(event(reformatted, { 'x-remotion-signature': signed }), SECRET)).toEqual({ ok: false, refusal: 'badSignature' });
  });
});

describe('verifyWebhookSignature', () => {
  const { sign } = remotionOf(NEWEST_REMOTION_DIR);

  it('reads the header in any case and a base64-encoded body', () => {
    const body = JSON.stringify(successPayload());
    const encoded = base64Event(body, { 'X-Remotion-Signature': sign(body, SECRET) });
    expect(verifyWebhookSignature(encoded, SECRET)).toEqual({ ok: true, value: successPayload() });
  });

  it('verifies a base64-encoded body on its decoded bytes, not on the base64 text', () => {
    const encoded = Buffer.from(JSON.stringify(successPayload()), 'utf8').toString('base64');
    expect(verifyWebhookSignature({ ...event(encoded, { 'x-remotion-signature': sign(encoded, SECRET) }), isBase64Encoded: true }, SECRET))
      .toEqual({ ok: false, refusal: 'badSignature' });
  });

  it('refuses a body over the cap before hashing it, even when correctly signed', () => {
    const body = JSON.stringify(successPayload({ padding: 'x'.repeat(MAX_WEBHOOK_BODY_BYTES) }));
    expect(verifyWebhookSignature(event(body, { 'x-remotion-signature': sign(body, SECRET) }), SECRET)).toEqual({ ok: false, refusal: 'oversized' });
  });

  it('refuses a signed body that is not a JSON object', () => {
    for (const body of ['[1,2]', '"text"', 'not json']) {
      expect(verifyWebhookSignature(event(body, { 'x-remotion-signature': sign(body, SECRET) }), SECRET).ok).toBe(false);
    }
  });

  it('refuses a badly signed body of 5,000 nested arrays as badSignature, without throwing', () => {
    const body = nestedBody(5000);
    expect(() => JSON.stringify(JSON.parse(body))).toThrow(RangeError);
    expect(verifyWebhookSignature(event(body, { 'x-remotion-signature': `sha512=${'0'.repeat(128)}` }), SECRET))
      .toEqual({ ok: false, refusal: 'badSignature' });
  });

  it('accepts a correctly signed body nested as deep as the size cap allows, without throwing', () => {
    const depth = Math.floor((MAX_WEBHOOK_BODY_BYTES - nestedBody(0).length) / 2);
    const body = nestedBody(depth);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_WEBHOOK_BODY_BYTES);
    const verified = verifyWebhookSignature(event(body, { 'x-remotion-signature': sign(body, SECRET) }), SECRET);
    expect(verified.ok).toBe(true);
    expect(verified.ok && parseCompletionWebhook(verified.value, {})).toEqual({
      ok: true,
      value: { type: 'success', renderId: 'abcd1234ef', remotionRenderId: 'abcd1234ef', ownerSub: SUB, errors: [] },
    });
  });
});

describe('parseCompletionWebhook', () => {
  it('reads a success with its cost and sanitized non-fatal errors', () => {
    const parsed = parseCompletionWebhook(successPayload({
      lambdaErrors: [{ message: 'Chunk 3 failed on arn:aws:lambda:us-east-1:123456789012:function:x\n    at stack' }],
    }), { 'x-remotion-status': 'success' });
    expect(parsed).toEqual({
      ok: true,
      value: { type: 'success', renderId: 'abcd1234ef', remotionRenderId: 'abcd1234ef', ownerSub: SUB, errors: ['Chunk 3 failed on [redacted]'], cost: 0.0123, costCurrency: 'USD' },
    });
  });

  it('reads an error and a timeout', () => {
    const error = parseCompletionWebhook({ type: 'error', renderId: 'r1', customData: { ownerSub: SUB }, errors: [{ message: 'Boom', name: 'Error', stack: 's' }] }, {});
    expect(error).toEqual({ ok: true, value: { type: 'error', renderId: 'r1', remotionRenderId: 'r1', ownerSub: SUB, errors: ['Boom'] } });
    const timeout = parseCompletionWebhook({ type: 'timeout', renderId: 'r1', customData: { ownerSub: SUB } }, {});
    expect(timeout).toEqual({ ok: true, value: { type: 'timeout', renderId: 'r1', remotionRenderId: 'r1', ownerSub: SUB, errors: [] } });
  });

  it('names the record by our id from customData, and keeps the body\'s id as Remotion\'s', () => {
    const ourId = 'b3c1e7a2-5d4f-4e6a-9b8c-000000000001';
    const parsed = parseCompletionWebhook(successPayload({ customData: completionCustomData(SUB, ourId) }), {});
    expect(parsed).toMatchObject({ ok: true, value: { renderId: ourId, remotionRenderId: 'abcd1234ef', ownerSub: SUB } });
  });

  it('refuses our id in customData that is not an id', () => {
    expect(parseCompletionWebhook(successPayload({ customData: { ownerSub: SUB, renderId: '../x' } }), {})).toEqual({ ok: false, refusal: 'malformed' });
    expect(parseCompletionWebhook(successPayload({ customData: { ownerSub: SUB, renderId: 7 } }), {})).toEqual({ ok: false, refusal: 'malformed' });
  });

  it('puts the owner in customData, and our id beside it only when given', () => {
    expect(completionCustomData(SUB)).toEqual({ ownerSub: SUB });
    expect(completionCustomData(SUB, 'our-id')).toEqual({ ownerSub: SUB, renderId: 'our-id' });
  });

  it('counts a payload without our owner in customData as an unknown render', () => {
    expect(parseCompletionWebhook(successPayload({ customData: null }), {})).toEqual({ ok: false, refusal: 'unknownRender' });
    expect(parseCompletionWebhook(successPayload({ customData: { ownerSub: '../x' } }), {})).toEqual({ ok: false, refusal: 'unknownRender' });
  });

  it('refuses an X-Remotion-Status that disagrees with the signed type, and unknown types', () => {
    expect(parseCompletionWebhook(successPayload(), { 'x-remotion-status': 'error' })).toEqual({ ok: false, refusal: 'statusMismatch' });
    expect(parseCompletionWebhook(successPayload({ type: 'progress' }), {})).toEqual({ ok: false, refusal: 'malformed' });
  });
});

describe('completion and event', () => {
  it('maps success, error and timeout to SUCCEEDED, FAILED and TIMED_OUT with the finish time', () => {
    const now = Date.parse('2026-03-01T10:05:00.000Z');
    const base = { renderId: 'r1', remotionRenderId: 'abcd1234ef', ownerSub: SUB, errors: [] };
    expect(completionFromWebhook({ ...base, type: 'success', cost: 0.5, costCurrency: 'USD' }, now))
      .toEqual({ status: 'SUCCEEDED', finishedAt: '2026-03-01T10:05:00.000Z', errors: [], remotionRenderId: 'abcd1234ef', cost: 0.5, costCurrency: 'USD' });
    expect(completionFromWebhook({ ...base, type: 'error', errors: ['Boom'] }, now).status).toBe('FAILED');
    expect(completionFromWebhook({ ...base, type: 'timeout' }, now).status).toBe('TIMED_OUT');
  });

  it('puts our source, the status\'s detail-type, the records table as the one resource, and the owner, render, bucket, output and cost in the detail', () => {
    const record = {
      ...newRenderRecord({
        sub: SUB,
        renderId: 'r1',
        bucketName: 'b',
        composition: 'Intro',
        codec: 'h264',
        privacy: 'private',
        outName: 'out.mp4',
        now: Date.parse('2026-03-01T10:00:00.000Z'),
        retentionSeconds: 60,
      }),
      status: 'SUCCEEDED' as const,
      finishedAt: '2026-03-01T10:05:00.000Z',
      cost: 0.5,
      costCurrency: 'USD',
      errors: [],
    };
    const tableArn = 'arn:aws:dynamodb:us-east-1:111122223333:table/render-records';
    const entry = renderFinishedEvent(record, 'arn:aws:events:us-east-1:111122223333:event-bus/default', tableArn);
    expect(entry).toMatchObject({
      Source: RENDER_EVENT_SOURCE,
      DetailType: RENDER_EVENT_DETAIL_TYPES.SUCCEEDED,
      EventBusName: 'arn:aws:events:us-east-1:111122223333:event-bus/default',
      Resources: [tableArn],
    });
    expect(JSON.parse(entry.Detail)).toEqual({
      status: 'SUCCEEDED',
      renderId: 'r1',
      remotionRenderId: 'r1',
      ownerSub: SUB,
      bucketName: 'b',
      outputKey: 'renders/r1/out.mp4',
      composition: 'Intro',
      codec: 'h264',
      createdAt: '2026-03-01T10:00:00.000Z',
      finishedAt: '2026-03-01T10:05:00.000Z',
      errors: [],
      cost: 0.5,
      costCurrency: 'USD',
    });
  });
});

describe('the webhook URL', () => {
  it('builds the webhook URL from the request like the status URL, with a named stage in the path', () => {
    expect(completionWebhookUrl({ domainName: 'abc.execute-api.us-east-1.amazonaws.com', stage: '$default' })).toBe('https://abc.execute-api.us-east-1.amazonaws.com/webhooks/remotion');
    expect(completionWebhookUrl({ domainName: 'abc.execute-api.us-east-1.amazonaws.com', stage: 'prod' })).toBe('https://abc.execute-api.us-east-1.amazonaws.com/prod/webhooks/remotion');
    // Started through a custom domain mapped under a key: the webhook goes to the same mapping.
    expect(completionWebhookUrl({ domainName: 'api.example.com', stage: '$default' }, '/video/renders')).toBe('https://api.example.com/video/webhooks/remotion');
  });
});
