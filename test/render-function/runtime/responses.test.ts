import {
  clientErrorBody,
  clientErrors,
  jsonResponse,
  renderStatusBody,
  safeErrorMessage,
  type RenderProgressSummary,
} from '../../../src/render-function/runtime/responses';

describe('jsonResponse', () => {
  it('is JSON, never cached, and carries the request id in the body and a header', () => {
    expect(jsonResponse(202, { renderId: 'abc' }, 'req-1')).toEqual({
      statusCode: 202,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-request-id': 'req-1' },
      body: '{"renderId":"abc","requestId":"req-1"}',
    });
  });
});

describe('clientErrorBody', () => {
  it('lists the field problems when there are some', () => {
    expect(clientErrorBody(clientErrors.invalidBody([{ field: 'codec', message: 'must be a string' }]))).toEqual({
      message: 'Invalid request body',
      errors: [{ field: 'codec', message: 'must be a string' }],
    });
  });

  it('is only the message otherwise', () => {
    expect(clientErrorBody(clientErrors.unauthenticated())).toEqual({ message: 'A verified identity is required' });
  });

  it('gives each kind of refusal its status', () => {
    expect([
      clientErrors.unauthenticated(),
      clientErrors.malformedJson(),
      clientErrors.invalidParameter('renderId', 'x'),
      clientErrors.compositionNotAllowed(),
      clientErrors.codecNotAllowed(['h264']),
      clientErrors.bodyTooLarge(10),
      clientErrors.inputPropsTooLarge(10),
      clientErrors.renderNotFound(),
      clientErrors.routeNotFound(),
    ].map((error) => error.status)).toEqual([401, 400, 400, 403, 403, 413, 413, 404, 404]);
  });
});

describe('safeErrorMessage', () => {
  it('keeps only the first line', () => {
    expect(safeErrorMessage('Render failed\n    at render (/var/task/index.js:1:1)')).toBe('Render failed');
  });

  it('hides ARNs, account ids and AWS URLs', () => {
    expect(safeErrorMessage('Cannot invoke arn:aws:lambda:us-east-1:123456789012:function:remotion-render-x (account 123456789012)'))
      .toBe('Cannot invoke [redacted] (account [redacted])');
    expect(safeErrorMessage('Could not read https://s3.us-east-1.amazonaws.com/bucket/key?X-Amz-Signature=abc'))
      .toBe('Could not read [redacted]');
    expect(safeErrorMessage('Role arn:aws-cn:iam::123456789012:role/x denied')).toBe('Role [redacted] denied');
  });

  it('shortens long messages to 300 characters', () => {
    const message = safeErrorMessage('x'.repeat(1000));
    expect(message).toHaveLength(300);
    expect(message.endsWith('…')).toBe(true);
  });

  it('leaves ordinary messages alone', () => {
    expect(safeErrorMessage('delayRender() was called but not cleared after 28000ms. See https://remotion.dev/docs/timeout'))
      .toBe('delayRender() was called but not cleared after 28000ms. See https://remotion.dev/docs/timeout');
  });
});

describe('renderStatusBody', () => {
  const progress: RenderProgressSummary = {
    renderId: 'abc',
    done: true,
    overallProgress: 1,
    fatalErrorEncountered: false,
    errors: [{ message: 'Chunk failed\n at x', chunk: 2, isFatal: false }],
  };

  it('reports progress, safe errors and the output link', () => {
    expect(renderStatusBody(progress, { url: 'https://signed.example.com/video.mp4', expiresAt: '2025-01-01T00:15:00.000Z' })).toEqual({
      renderId: 'abc',
      done: true,
      overallProgress: 1,
      fatalErrorEncountered: false,
      errors: [{ message: 'Chunk failed', chunk: 2, isFatal: false }],
      outputUrl: 'https://signed.example.com/video.mp4',
      outputUrlExpiresAt: '2025-01-01T00:15:00.000Z',
    });
  });

  it('drops every other field Remotion reports about an error', () => {
    const leaky = { ...progress.errors[0], stack: 'at /var/task/index.js', name: 'Error', tmpDir: { files: [], total: 0 } };
    expect(renderStatusBody({ ...progress, errors: [leaky] }).errors).toEqual([{ message: 'Chunk failed', chunk: 2, isFatal: false }]);
  });

  it('leaves out the link fields when there is no link', () => {
    expect(Object.keys(renderStatusBody({ ...progress, done: false }))).toEqual(['renderId', 'done', 'overallProgress', 'fatalErrorEncountered', 'errors']);
    expect(renderStatusBody(progress, { url: 'https://public.example.com/video.mp4' })).not.toHaveProperty('outputUrlExpiresAt');
  });
});
