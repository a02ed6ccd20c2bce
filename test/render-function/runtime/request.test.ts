import { CALLER_SUB, startRenderEvent } from './handler-events';
import {
  callerSubject,
  isOurRenderId,
  parseRenderStatusRequest,
  maxBodyBytesFor,
  MAX_INPUT_PROPS_DEPTH,
  parseStartRenderRequest,
  type StartRenderLimits,
} from '../../../src/render-function/runtime/request';

const LIMITS: StartRenderLimits = {
  compositions: ['Intro', 'Outro'],
  allowedCodecs: ['h264', 'vp9', 'mp3'],
  defaultCodec: 'h264',
  maxInputPropsBytes: 100,
};

function parseBody(body: unknown, options: { isBase64Encoded?: boolean } = {}) {
  return parseStartRenderRequest(startRenderEvent(body, options), LIMITS);
}

describe('callerSubject', () => {
  it('is the verified sub claim', () => {
    expect(callerSubject(startRenderEvent({}))).toBe(CALLER_SUB);
  });

  it.each([
    ['missing', null],
    ['empty', ''],
    ['able to reach into another folder', 'alice/../bob'],
    ['a dot folder', '..'],
    ['overlong', 'a'.repeat(129)],
  ])('is undefined when the sub is %s', (_, sub) => {
    expect(callerSubject(startRenderEvent({}, { sub }))).toBeUndefined();
  });

  it('is undefined when the route has no JWT authorizer context', () => {
    const event = startRenderEvent({});
    const withoutAuthorizer = { ...event, requestContext: { ...event.requestContext, authorizer: undefined } };
    expect(callerSubject(withoutAuthorizer as unknown as typeof event)).toBeUndefined();
  });
});

describe('parseStartRenderRequest', () => {
  it('fills in the default codec and output name', () => {
    expect(parseBody({ composition: 'Intro' })).toEqual({
      ok: true,
      value: { composition: 'Intro', inputProps: {}, codec: 'h264', outName: 'video.mp4' },
    });
  });

  it('keeps what the caller chose', () => {
    expect(parseBody({ composition: 'Outro', inputProps: { title: 'Hi' }, codec: 'mp3', outName: 'my-song_v2.mp3' })).toEqual({
      ok: true,
      value: { composition: 'Outro', inputProps: { title: 'Hi' }, codec: 'mp3', outName: 'my-song_v2.mp3' },
    });
  });

  it('decodes a base64 body', () => {
    const encoded = Buffer.from(JSON.stringify({ composition: 'Intro' })).toString('base64');
    expect(parseBody(encoded, { isBase64Encoded: true })).toMatchObject({ ok: true, value: { composition: 'Intro' } });
  });

  it.each([
    ['no body', undefined],
    ['an empty body', ''],
    ['truncated JSON', '{"composition":'],
  ])('refuses %s as malformed JSON', (_, body) => {
    expect(parseBody(body)).toEqual({ ok: false, error: { status: 400, message: 'The request body is not valid JSON' } });
  });

  it.each([
    ['a JSON array', [], [{ field: 'body', message: 'must be a JSON object' }]],
    ['a missing composition', {}, [{ field: 'composition', message: 'is required' }]],
    ['an empty composition', { composition: '' }, [{ field: 'composition', message: 'must not be empty' }]],
    ['a numeric codec', { composition: 'Intro', codec: 264 }, [{ field: 'codec', message: 'must be a string' }]],
    ['array input props', { composition: 'Intro', inputProps: [1, 2] }, [{ field: 'inputProps', message: 'must be a JSON object' }]],
    ['null input props', { composition: 'Intro', inputProps: null }, [{ field: 'inputProps', message: 'must be a JSON object' }]],
    ['unknown fields', { composition: 'Intro', privacy: 'public', serveUrl: 'x' }, [
      { field: 'privacy', message: 'is not a known field' },
      { field: 'serveUrl', message: 'is not a known field' },
    ]],
  ])('refuses %s, naming the field', (_, body, errors) => {
    expect(parseBody(body)).toEqual({ ok: false, error: { status: 400, message: 'Invalid request body', errors } });
  });

  it.each([
    ['a path', '../other-user/video.mp4'],
    ['a folder', 'folder/video.mp4'],
    ['a hidden file', '.video.mp4'],
    ['spaces', 'my video.mp4'],
    ['more than 100 characters', `${'v'.repeat(97)}.mp4`],
  ])('refuses an output name with %s', (_, outName) => {
    expect(parseBody({ composition: 'Intro', outName })).toMatchObject({ ok: false, error: { status: 400, errors: [{ field: 'outName' }] } });
  });

  it('refuses an output name whose extension does not match the codec', () => {
    expect(parseBody({ composition: 'Intro', codec: 'vp9', outName: 'clip.mp4' })).toEqual({
      ok: false,
      error: { status: 400, message: 'Invalid request body', errors: [{ field: 'outName', message: 'must end in .webm for codec vp9' }] },
    });
  });

  it('refuses a composition outside the allow-list with 403', () => {
    expect(parseBody({ composition: 'intro' })).toMatchObject({ ok: false, error: { status: 403, errors: [{ field: 'composition' }] } });
  });

  it('refuses a codec outside the allow-list with 403, listing the allowed ones', () => {
    expect(parseBody({ composition: 'Intro', codec: 'gif' })).toMatchObject({
      ok: false,
      error: { status: 403, errors: [{ field: 'codec', message: 'must be one of h264, vp9, mp3' }] },
    });
  });

  it('refuses input props over the limit, counted in bytes of JSON', () => {
    // 44 three-byte characters: 132 bytes of UTF-8 but only 44 UTF-16 code units.
    expect(parseBody({ composition: 'Intro', inputProps: { t: '€'.repeat(44) } })).toMatchObject({ ok: false, error: { status: 413 } });
    expect(parseBody({ composition: 'Intro', inputProps: { t: 'x'.repeat(90) } })).toMatchObject({ ok: true });
  });

  it('refuses a body over the limit before parsing it', () => {
    const body = `{"composition":"Intro","inputProps":{"t":"${'x'.repeat(5000)}"`;
    expect(parseBody(body)).toEqual({ ok: false, error: { status: 413, message: 'The request body must not exceed 4696 bytes' } });
  });
});

describe('parseStartRenderRequest under hostile input', () => {
  /** A body whose input props are `depth` levels of objects, as text (JSON.stringify would recurse). */
  const nested = (depth: number): string => `{"composition":"Intro","inputProps":${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}}`;
  const generous: StartRenderLimits = { ...LIMITS, maxInputPropsBytes: 1024 * 1024 };

  it.each([
    ['tens of thousands of levels', 50_000],
    ['a few thousand levels', 3_000],
    ['one level more than allowed', MAX_INPUT_PROPS_DEPTH + 1],
  ])('refuses input props nested %s with 400 naming the field', (_, depth) => {
    const parsed = parseStartRenderRequest(startRenderEvent(nested(depth)), generous);

    expect(parsed).toMatchObject({ ok: false, error: { status: 400, message: 'Invalid request body', errors: [{ message: 'nests deeper than 64 levels of objects and arrays' }] } });
    const field = parsed.ok ? '' : parsed.error.errors![0].field;
    expect(field).toBe(['inputProps', ...Array<string>(MAX_INPUT_PROPS_DEPTH).fill('a')].join('.'));
  });

  it('refuses deeply nested arrays too, without exhausting the stack', () => {
    const body = `{"composition":"Intro","inputProps":{"list":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
    expect(parseStartRenderRequest(startRenderEvent(body), generous)).toMatchObject({ ok: false, error: { status: 400, errors: [{ field: expect.stringMatching(/^inputProps\.list(\.0)+$/) }] } });
  });

  it('accepts input props nested exactly as deep as allowed', () => {
    expect(parseStartRenderRequest(startRenderEvent(nested(MAX_INPUT_PROPS_DEPTH)), generous)).toMatchObject({ ok: true });
  });

  it.each(['1e400', '-1e400'])('refuses the non-finite number %s with 400 naming the field', (number) => {
    const body = `{"composition":"Intro","inputProps":{"scale":{"x":${number}}}}`;
    expect(parseBody(body)).toEqual({ ok: false, error: { status: 400, message: 'Invalid request body', errors: [{ field: 'inputProps.scale.x', message: 'must be a finite number' }] } });
  });

  it.each(['constructor', 'prototype'])('passes a "%s" key in input props through exactly as sent', (key) => {
    const body = `{"composition":"Intro","inputProps":{"${key}":{"a":1},"nested":{"${key}":"x"}}}`;

    const parsed = parseBody(body);

    expect(parsed).toMatchObject({ ok: true });
    const inputProps = parsed.ok ? parsed.value.inputProps : {};
    expect(JSON.stringify(inputProps)).toBe(`{"${key}":{"a":1},"nested":{"${key}":"x"}}`);
    expect(Object.getPrototypeOf(inputProps)).toBe(Object.prototype);
  });

  it.each([
    ['at the top of input props', '{"__proto__":{"polluted":true}}', 'inputProps.__proto__'],
    ['deep in input props', '{"a":[{"b":{"__proto__":{"polluted":true}}}]}', 'inputProps.a.0.b.__proto__'],
  ])('refuses a __proto__ key %s with 400 naming the field, changing no prototype', (_, inputProps, field) => {
    const parsed = parseBody(`{"composition":"Intro","inputProps":${inputProps}}`);

    expect(parsed).toEqual({ ok: false, error: { status: 400, message: 'Invalid request body', errors: [{ field, message: 'is a reserved key' }] } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses "%s" as an unknown top-level field', (key) => {
    expect(parseBody(`{"composition":"Intro","${key}":{"codec":"gif"}}`)).toEqual({
      ok: false,
      error: { status: 400, message: 'Invalid request body', errors: [{ field: key, message: 'is not a known field' }] },
    });
  });

  it('counts the cap on the UTF-8 size of the data, however the client escaped or indented it', () => {
    const limits: StartRenderLimits = { ...LIMITS, maxInputPropsBytes: 4096 };
    const inputProps = { title: 'é'.repeat(2030), lines: ['a', 'b'] };
    expect(Buffer.byteLength(JSON.stringify(inputProps))).toBeLessThanOrEqual(4096);
    // As Python's json.dumps(body, indent=2) sends it: non-ASCII escaped as \u00e9, indented.
    const pythonStyle = JSON.stringify({ composition: 'Intro', inputProps }, null, 2).replace(/é/g, '\\u00e9');
    expect(Buffer.byteLength(pythonStyle)).toBeGreaterThan(4096 + 4096);

    expect(parseStartRenderRequest(startRenderEvent(pythonStyle), limits)).toMatchObject({ ok: true, value: { inputProps } });
    expect(parseStartRenderRequest(startRenderEvent({ composition: 'Intro', inputProps: { title: 'é'.repeat(2100) } }), limits))
      .toMatchObject({ ok: false, error: { status: 413, errors: [{ field: 'inputProps' }] } });
  });

  it('caps the raw body at six times the input props cap plus 4 KiB', () => {
    expect(maxBodyBytesFor(1024)).toBe(6 * 1024 + 4096);
  });
});

describe('parseRenderStatusRequest', () => {
  const REMOTION_ONLY = { bucketName: undefined, region: 'us-east-1' };
  const CONFIGURED = { bucketName: 'my-render-bucket', region: 'us-east-1' };

  it('uses the configured bucket and ignores the query', () => {
    expect(parseRenderStatusRequest('abc123', { bucketName: 'remotionlambda-useast1-other' }, CONFIGURED))
      .toEqual({ ok: true, value: { renderId: 'abc123', bucketName: 'my-render-bucket' } });
  });

  it('takes Remotion\'s bucket from the query when none is configured', () => {
    expect(parseRenderStatusRequest('abc123', { bucketName: 'remotionlambda-useast1-abcdef1234' }, REMOTION_ONLY))
      .toEqual({ ok: true, value: { renderId: 'abc123', bucketName: 'remotionlambda-useast1-abcdef1234' } });
  });

  it('tells our ids (UUIDs) from Remotion\'s', () => {
    expect(isOurRenderId('b3c1e7a2-5d4f-4e6a-9b8c-000000000001')).toBe(true);
    expect(isOurRenderId('abcdefghij')).toBe(false);
    expect(isOurRenderId('b3c1e7a2-5d4f-4e6a-9b8c-000000000001x')).toBe(false);
  });

  it('takes one of our render ids, a UUID, as well as Remotion\'s', () => {
    expect(parseRenderStatusRequest('b3c1e7a2-5d4f-4e6a-9b8c-000000000001', undefined, CONFIGURED))
      .toEqual({ ok: true, value: { renderId: 'b3c1e7a2-5d4f-4e6a-9b8c-000000000001', bucketName: 'my-render-bucket' } });
  });

  it.each([undefined, '', 'abc-123', 'a'.repeat(33), '../x', 'b3c1e7a2-5d4f-4e6a-9b8c-00000000000', 'B3C1E7A2-5D4F-4E6A-9B8C-000000000001x'])('refuses the render id %p', (renderId) => {
    expect(parseRenderStatusRequest(renderId, undefined, CONFIGURED))
      .toMatchObject({ ok: false, error: { status: 400, errors: [{ field: 'renderId' }] } });
  });

  it.each([
    undefined, 'my-render-bucket', 'remotionlambda-', 'remotionlambda-UPPER', 'remotionlambda-x-',
    // Remotion buckets of other regions, or not of Remotion's form.
    'remotionlambda-euwest1-abcdef1234', 'remotionlambda-useast2-abcdef1234', 'remotionlambda-useast1', 'remotionlambda-useast1-abc-def',
    'remotionlambda-other',
  ])('refuses the bucket %p', (bucketName) => {
    expect(parseRenderStatusRequest('abc123', bucketName === undefined ? undefined : { bucketName }, REMOTION_ONLY))
      .toMatchObject({ ok: false, error: { status: 400, errors: [{ field: 'bucketName', message: expect.stringContaining('us-east-1') }] } });
  });

  it('accepts the Remotion bucket of the function\'s own region only', () => {
    const euWest = { bucketName: undefined, region: 'eu-west-1' };
    expect(parseRenderStatusRequest('abc123', { bucketName: 'remotionlambda-euwest1-abcdef1234' }, euWest)).toMatchObject({ ok: true });
    expect(parseRenderStatusRequest('abc123', { bucketName: 'remotionlambda-useast1-abcdef1234' }, euWest)).toMatchObject({ ok: false });
  });
});
