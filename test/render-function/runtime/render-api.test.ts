/**
 * The handler end to end, with the real `@remotion/lambda/client` and secret reader (signing with
 * `aws4fetch`) talking to a local fake of the Lambda and Secrets Manager APIs.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import * as aws4fetch from 'aws4fetch';
import { FAKE_REMOTION_BUCKET, FAKE_ROLE_CREDENTIALS, FakeLambda, type FailureMode } from './fake-lambda';
import {
  API_DOMAIN,
  callerOf,
  CALLER_SUB,
  constructEnvironment,
  getRenderEvent,
  OTHER_SUB,
  REMOTION_FUNCTION_NAME,
  SERVE_URL,
  startRenderEvent,
  apiEvent,
} from './handler-events';
import { RENDER_ENV } from '../../../src/render-function/contract';
import type { RequestLogRecord } from '../../../src/render-function/runtime/log';
import { createRenderApiHandler, type RemotionClient } from '../../../src/render-function/runtime/render-api';
import { createSecretReader } from '../../../src/render-function/runtime/secrets';

const OUTPUT_ID = 'b3c1e7a2-5d4f-4e6a-9b8c-7d6e5f4a3b2c';
const SERVICE_FAILURE = { message: 'The rendering service failed; try again later', requestId: 'api-request-1' };
const LEAKS = /arn:aws|123456789012|stack|\/var\/task|boom|Version mismatch/i;

let fake: FakeLambda;
const originalEnv = process.env;

beforeAll(async () => {
  fake = await FakeLambda.start();
  process.env = { ...originalEnv, ...fake.sdkEnvironment() };
});

afterEach(() => {
  fake.reset();
  delete process.env.REMOTION_AWS_ACCESS_KEY_ID;
  delete process.env.REMOTION_AWS_SECRET_ACCESS_KEY;
});

afterAll(async () => {
  await fake.close();
  process.env = originalEnv;
});

const loadRemotionClient = jest.fn(async (): Promise<RemotionClient> => jest.requireActual('@remotion/lambda/client'));

/** A fresh handler, as after a cold start, configured like the construct would. */
function coldStart(envOverrides: Record<string, string | undefined> = {}) {
  const logs: RequestLogRecord[] = [];
  const handler = createRenderApiHandler({
    env: constructEnvironment(envOverrides),
    loadRemotionClient,
    readSecretString: createSecretReader(async () => aws4fetch),
    writeLog: (record) => logs.push(record),
    randomId: () => OUTPUT_ID,
  });
  const call = callerOf(handler);
  return { call, logs };
}

describe('POST /renders', () => {
  it('starts the render through Remotion and answers 202 with a status URL', async () => {
    const { call, logs } = coldStart();

    const { response, body } = await call(startRenderEvent({ composition: 'Intro', inputProps: { title: 'Hello' } }));

    expect(response.statusCode).toBe(202);
    expect(response.headers).toEqual({ 'content-type': 'application/json', 'cache-control': 'no-store', 'x-request-id': 'api-request-1' });
    expect(body).toEqual({
      renderId: 'fake000001',
      bucketName: FAKE_REMOTION_BUCKET,
      statusUrl: `https://${API_DOMAIN}/renders/fake000001?bucketName=${FAKE_REMOTION_BUCKET}`,
      requestId: 'api-request-1',
    });
    expect(fake.invocations).toHaveLength(1);
    const [invocation] = fake.invocations;
    expect(invocation.functionName).toBe(REMOTION_FUNCTION_NAME);
    expect(invocation.invocationType).toBe('RequestResponse');
    expect(invocation.payload).toMatchObject({
      type: 'start',
      version: '4.0.527',
      composition: 'Intro',
      serveUrl: SERVE_URL,
      codec: 'h264',
      privacy: 'private',
      outName: `renders-by-user/${CALLER_SUB}/video.mp4`,
      metadata: { ownerSub: CALLER_SUB },
      bucketName: null,
      webhook: null,
      inputProps: { type: 'payload', payload: JSON.stringify({ title: 'Hello' }) },
    });
    expect(logs).toEqual([expect.objectContaining({
      level: 'info', requestId: 'api-request-1', route: 'POST /renders', status: 202, sub: CALLER_SUB, renderId: 'fake000001',
    })]);
    expect(JSON.stringify(logs)).not.toContain('Hello');
  });

  it('writes into the configured bucket under the caller\'s folder and passes the render options', async () => {
    const webhookSecretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook-AbCdEf';
    fake.putSecret(webhookSecretArn, 'webhook-signing-secret');
    const { call } = coldStart({
      [RENDER_ENV.BUCKET_NAME]: 'my-render-bucket',
      [RENDER_ENV.FRAMES_PER_LAMBDA]: '40',
      [RENDER_ENV.MAX_RETRIES]: '2',
      [RENDER_ENV.WEBHOOK_URL]: 'https://hooks.example.com/remotion',
      [RENDER_ENV.WEBHOOK_SECRET_ARN]: webhookSecretArn,
    });

    const first = await call(startRenderEvent({ composition: 'Outro', codec: 'vp9', outName: 'clip.webm' }, { stage: 'prod', rawPath: '/prod/renders' }));
    const second = await call(startRenderEvent({ composition: 'Outro' }));

    expect(first.response.statusCode).toBe(202);
    expect(first.body).toMatchObject({ bucketName: 'my-render-bucket', statusUrl: `https://${API_DOMAIN}/prod/renders/fake000001` });
    expect(fake.invocations[0].payload).toMatchObject({
      codec: 'vp9',
      bucketName: 'my-render-bucket',
      outName: { bucketName: 'my-render-bucket', key: `renders-by-user/${CALLER_SUB}/${OUTPUT_ID}/clip.webm` },
      framesPerLambda: 40,
      maxRetries: 2,
      webhook: { url: 'https://hooks.example.com/remotion', secret: 'webhook-signing-secret' },
    });
    expect(second.response.statusCode).toBe(202);
    expect(fake.secretReads).toEqual([webhookSecretArn]);
    expect(fake.secretRequests).toEqual([expect.objectContaining({
      accessKeyId: FAKE_ROLE_CREDENTIALS.accessKeyId, region: 'us-east-1', service: 'secretsmanager', target: 'secretsmanager.GetSecretValue',
    })]);
  });

  it('accepts a base64-encoded body', async () => {
    const { call } = coldStart();
    const encoded = Buffer.from(JSON.stringify({ composition: 'Intro' })).toString('base64');

    const { response } = await call(startRenderEvent(encoded, { isBase64Encoded: true }));

    expect(response.statusCode).toBe(202);
  });

  describe('refuses without calling Remotion or loading its client', () => {
    const cases: Array<[string, APIGatewayProxyEventV2WithJWTAuthorizer, number, Record<string, unknown>]> = [
      ['a request without a verified identity', startRenderEvent({ composition: 'Intro' }, { sub: null }), 401,
        { message: 'A verified identity is required' }],
      ['a body that is not JSON', startRenderEvent('{"composition": '), 400,
        { message: 'The request body is not valid JSON' }],
      ['a body with an unknown field', startRenderEvent({ composition: 'Intro', serveUrl: 'https://evil.example.com' }), 400,
        { message: 'Invalid request body', errors: [{ field: 'serveUrl', message: 'is not a known field' }] }],
      ['a composition outside the allow-list', startRenderEvent({ composition: 'Secret' }), 403,
        { message: 'This composition may not be rendered' }],
      ['a codec outside the allow-list', startRenderEvent({ composition: 'Intro', codec: 'prores' }), 403,
        { message: 'This codec may not be used', errors: [{ field: 'codec', message: 'must be one of h264, vp9' }] }],
      ['input props over the limit', startRenderEvent({ composition: 'Intro', inputProps: { text: 'x'.repeat(2000) } }), 413,
        { message: 'inputProps must not exceed 1024 bytes of JSON' }],
      ['a body far over the limit', startRenderEvent({ composition: 'Intro', inputProps: { text: 'x'.repeat(20_000) } }), 413,
        { message: 'The request body must not exceed 10240 bytes' }],
    ];

    it.each(cases)('%s', async (_, event, status, expectedBody) => {
      const { call, logs } = coldStart();

      const { response, body } = await call(event);

      expect(response.statusCode).toBe(status);
      expect(response.headers).toMatchObject({ 'content-type': 'application/json', 'cache-control': 'no-store' });
      expect(body).toMatchObject({ ...expectedBody, requestId: 'api-request-1' });
      expect(loadRemotionClient).not.toHaveBeenCalled();
      expect(fake.invocations).toHaveLength(0);
      expect(logs).toEqual([expect.objectContaining({ level: 'warn', status, requestId: 'api-request-1' })]);
    });

    it('while a valid request does load it, once per cold start', async () => {
      const { call } = coldStart();

      await call(startRenderEvent({ composition: 'Intro' }));
      await call(startRenderEvent({ composition: 'Intro' }));

      expect(loadRemotionClient).toHaveBeenCalledTimes(1);
    });
  });

  describe('answers 502 with only the request id when Remotion fails', () => {
    const failures: FailureMode[] = ['service-error', 'function-error', 'remotion-error'];

    it.each(failures)('%s', async (failure) => {
      fake.failWith(failure);
      const { call, logs } = coldStart();

      const { response, body } = await call(startRenderEvent({ composition: 'Intro' }));

      expect(response.statusCode).toBe(502);
      expect(body).toEqual(SERVICE_FAILURE);
      expect(response.body).not.toMatch(LEAKS);
      expect(fake.invocations).toHaveLength(1);
      expect(logs).toEqual([expect.objectContaining({
        level: 'error', status: 502, error: { name: expect.any(String), message: expect.any(String) },
      })]);
    });

    it('when Remotion does not answer within the call timeout', async () => {
      fake.failWith('hang');
      const { call, logs } = coldStart({ [RENDER_ENV.CALL_TIMEOUT_MS]: '300' });
      const startedAt = Date.now();

      const { response, body } = await call(startRenderEvent({ composition: 'Intro' }));

      expect(response.statusCode).toBe(502);
      expect(body).toEqual(SERVICE_FAILURE);
      expect(Date.now() - startedAt).toBeLessThan(3000);
      expect(logs[0].error).toEqual({ name: 'DeadlineExceededError', message: 'No answer within 300 ms' });
    });
  });
});

describe('GET /renders/{renderId}', () => {
  async function startRender(call: ReturnType<typeof coldStart>['call'], sub = CALLER_SUB): Promise<string> {
    const { body } = await call(startRenderEvent({ composition: 'Intro' }, { sub }));
    return String(body.renderId);
  }

  it('reports progress with errors in a safe form', async () => {
    const { call } = coldStart();
    const renderId = await startRender(call);
    fake.updateRender(renderId, {
      overallProgress: 0.5,
      errors: [{
        type: 'renderer',
        name: 'Error',
        message: 'Chunk 3 failed in arn:aws:lambda:us-east-1:123456789012:function:x\n    at render (/var/task/index.js:1:1)',
        stack: 'Error: Chunk 3 failed\n    at render (/var/task/index.js:1:1)',
        frame: 75,
        chunk: 3,
        isFatal: false,
        attempt: 1,
        willRetry: true,
        totalAttempts: 2,
        tmpDir: null,
        s3Location: '',
        explanation: null,
      }],
    });

    const { response, body } = await call(getRenderEvent(renderId, { queryStringParameters: { bucketName: FAKE_REMOTION_BUCKET } }));

    expect(response.statusCode).toBe(200);
    expect(body).toEqual({
      renderId,
      done: false,
      overallProgress: 0.5,
      fatalErrorEncountered: false,
      errors: [{ message: 'Chunk 3 failed in [redacted]', chunk: 3, isFatal: false }],
      requestId: 'api-request-1',
    });
    expect(fake.invocationsOfType('status')[0].payload).toMatchObject({ type: 'status', renderId, bucketName: FAKE_REMOTION_BUCKET });
  });

  it('gives the owner of a finished private render a signed link', async () => {
    const { call } = coldStart();
    const renderId = await startRender(call);
    fake.updateRender(renderId, { done: true });
    const before = Date.now();

    const { response, body } = await call(getRenderEvent(renderId, { queryStringParameters: { bucketName: FAKE_REMOTION_BUCKET } }));

    expect(response.statusCode).toBe(200);
    expect(body).toMatchObject({ renderId, done: true, overallProgress: 1 });
    const outputUrl = new URL(String(body.outputUrl));
    expect(outputUrl.pathname).toContain(`renders/${renderId}/renders-by-user/${CALLER_SUB}/video.mp4`);
    expect(outputUrl.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(outputUrl.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    const expiresAt = Date.parse(String(body.outputUrlExpiresAt));
    expect(expiresAt).toBeGreaterThanOrEqual(before + 900_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 900_000);
  });

  it('gives the public URL of a finished public render', async () => {
    const { call } = coldStart({ [RENDER_ENV.PRIVACY]: 'public', [RENDER_ENV.BUCKET_NAME]: 'my-render-bucket' });
    const renderId = await startRender(call);
    fake.updateRender(renderId, { done: true });

    const { body } = await call(getRenderEvent(renderId));

    expect(body.outputUrl).toBe(`https://s3.us-east-1.amazonaws.com/my-render-bucket/renders-by-user/${CALLER_SUB}/${OUTPUT_ID}/video.mp4`);
    expect(body).not.toHaveProperty('outputUrlExpiresAt');
  });

  it('answers 404 for a render another user started, exactly as for an unknown one', async () => {
    const { call } = coldStart();
    const renderId = await startRender(call, OTHER_SUB);
    fake.updateRender(renderId, { done: true });

    const otherUsers = await call(getRenderEvent(renderId, { queryStringParameters: { bucketName: FAKE_REMOTION_BUCKET } }));
    const unknown = await call(getRenderEvent('nosuchrender', { queryStringParameters: { bucketName: FAKE_REMOTION_BUCKET } }));

    expect(otherUsers.response.statusCode).toBe(404);
    expect(otherUsers.body).toEqual({ message: 'No such render', requestId: 'api-request-1' });
    expect(unknown.response.statusCode).toBe(404);
    expect(unknown.body).toEqual(otherUsers.body);
  });

  it('refuses a bucket that is not a Remotion bucket when none is configured', async () => {
    const { call } = coldStart();

    const { response, body } = await call(getRenderEvent('abc123', { queryStringParameters: { bucketName: 'someone-elses-bucket' } }));

    expect(response.statusCode).toBe(400);
    expect(body).toMatchObject({ errors: [{ field: 'bucketName', message: expect.any(String) }] });
    expect(fake.invocations).toHaveLength(0);
  });

  it('answers 502 when reading progress fails', async () => {
    const { call } = coldStart();
    fake.failWith('service-error');

    const { response, body } = await call(getRenderEvent('abc123', { queryStringParameters: { bucketName: FAKE_REMOTION_BUCKET } }));

    expect(response.statusCode).toBe(502);
    expect(body).toEqual(SERVICE_FAILURE);
  });
});

describe('other routes', () => {
  it('answers 404 JSON for an unknown route', async () => {
    const { call, logs } = coldStart();

    const { response, body } = await call(apiEvent({ routeKey: '$default', method: 'PUT', rawPath: '/renders/abc' }));

    expect(response.statusCode).toBe(404);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json', 'cache-control': 'no-store' });
    expect(body).toEqual({ message: 'No such route', requestId: 'api-request-1' });
    expect(logs[0]).toMatchObject({ route: 'PUT /renders/abc', status: 404 });
  });

  it('answers 404 to DELETE of a render when records are off, as the API registers no such route then', async () => {
    const { call, logs } = coldStart();

    const { response, body } = await call(apiEvent({ routeKey: '$default', method: 'DELETE', rawPath: '/renders/abc' }));

    expect(response.statusCode).toBe(404);
    expect(body).toEqual({ message: 'No such route', requestId: 'api-request-1' });
    expect(logs[0]).toMatchObject({ route: 'DELETE /renders/{renderId}', status: 404 });
    expect(loadRemotionClient).not.toHaveBeenCalled();
  });
});

describe('credentials secret', () => {
  const credentialsSecretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:remotion-keys-AbCdEf';

  it('signs Remotion\'s calls with the key pair from the secret, read once per cold start', async () => {
    fake.putSecret(credentialsSecretArn, JSON.stringify({ remotion_aws_client_id: 'AKIAFROMSECRET000001', remotion_aws_client_secret: 's3cr3t' }));
    const { call } = coldStart({ [RENDER_ENV.CREDENTIALS_SECRET_ARN]: credentialsSecretArn });

    const first = await call(startRenderEvent({ composition: 'Intro' }));
    const second = await call(startRenderEvent({ composition: 'Intro' }));

    expect([first.response.statusCode, second.response.statusCode]).toEqual([202, 202]);
    expect(fake.invocations.map((invocation) => invocation.accessKeyId)).toEqual(['AKIAFROMSECRET000001', 'AKIAFROMSECRET000001']);
    expect(fake.secretReads).toEqual([credentialsSecretArn]);
  });

  it('answers 502 without detail when the secret cannot be used', async () => {
    fake.putSecret(credentialsSecretArn, 'not json');
    const { call, logs } = coldStart({ [RENDER_ENV.CREDENTIALS_SECRET_ARN]: credentialsSecretArn });

    const { response, body } = await call(startRenderEvent({ composition: 'Intro' }));

    expect(response.statusCode).toBe(502);
    expect(body).toEqual(SERVICE_FAILURE);
    expect(fake.invocations).toHaveLength(0);
    expect(logs[0].error).toEqual({ name: 'SecretError', message: 'The credentials secret is not JSON' });
  });

  it('answers 502 without detail when Secrets Manager refuses, and reads again on the next request', async () => {
    const { call, logs } = coldStart({ [RENDER_ENV.CREDENTIALS_SECRET_ARN]: credentialsSecretArn });

    const refused = await call(startRenderEvent({ composition: 'Intro' }));
    fake.putSecret(credentialsSecretArn, JSON.stringify({ accessKeyId: 'AKIAFROMSECRET000001', secretAccessKey: 's3cr3t' }));
    const retried = await call(startRenderEvent({ composition: 'Intro' }));

    expect(refused.response.statusCode).toBe(502);
    expect(refused.body).toEqual(SERVICE_FAILURE);
    expect(refused.response.body).not.toMatch(LEAKS);
    expect(logs[0].error).toEqual({ name: 'SecretError', message: 'Secrets Manager answered 400 (ResourceNotFoundException)' });
    expect(retried.response.statusCode).toBe(202);
    expect(fake.secretReads).toEqual([credentialsSecretArn, credentialsSecretArn]);
    expect(fake.invocations.map((invocation) => invocation.accessKeyId)).toEqual(['AKIAFROMSECRET000001']);
  });
});

describe('configuration', () => {
  it('answers 500 and logs every problem when the environment is incomplete', async () => {
    const { call, logs } = coldStart({ [RENDER_ENV.FUNCTION_NAME]: undefined, [RENDER_ENV.COMPOSITIONS]: '[]' });

    const { response, body } = await call(startRenderEvent({ composition: 'Intro' }));

    expect(response.statusCode).toBe(500);
    expect(body).toEqual({ message: 'The render API failed; try again later', requestId: 'api-request-1' });
    expect(logs[0].error?.name).toBe('RenderConfigError');
    expect(logs[0].error?.message).toContain('REMOTION_FUNCTION_NAME is required');
    expect(logs[0].error?.message).toContain('REMOTION_COMPOSITIONS must be a non-empty JSON array');
  });
});

describe('a hung secret read', () => {
  const credentialsSecretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:remotion-keys-AbCdEf';
  const webhookSecretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook-AbCdEf';

  it.each([
    ['the credentials secret', { [RENDER_ENV.CREDENTIALS_SECRET_ARN]: credentialsSecretArn }, credentialsSecretArn,
      JSON.stringify({ accessKeyId: 'AKIAFROMSECRET000001', secretAccessKey: 's3cr3t' })],
    ['the webhook secret', { [RENDER_ENV.WEBHOOK_URL]: 'https://hooks.example.com/remotion', [RENDER_ENV.WEBHOOK_SECRET_ARN]: webhookSecretArn },
      webhookSecretArn, 'webhook-signing-secret'],
  ])('of %s fails that request alone: it is aborted at the deadline and read again next time', async (_, env, secretArn, value) => {
    fake.failWith('hang');
    const { call, logs } = coldStart({ ...env, [RENDER_ENV.CALL_TIMEOUT_MS]: '1000' });

    const hung = await call(startRenderEvent({ composition: 'Intro' }));
    await waitFor(() => fake.abandonedRequests.length > 0);
    fake.reset();
    fake.putSecret(secretArn, value);
    const next = await call(startRenderEvent({ composition: 'Intro' }));

    expect(hung.response.statusCode).toBe(502);
    expect(logs[0].error).toEqual({ name: 'DeadlineExceededError', message: 'No answer within 1000 ms' });
    expect(next.response.statusCode).toBe(202);
    expect(fake.secretReads).toEqual([secretArn]);
    expect(fake.invocations).toHaveLength(1);
  });
});

describe('answers from Remotion that its client does not document', () => {
  it.each([
    ['without a renderId', { type: 'success', bucketName: FAKE_REMOTION_BUCKET }],
    ['with an object as renderId', { type: 'success', renderId: { id: 'x' }, bucketName: FAKE_REMOTION_BUCKET }],
    ['with a renderId that is no render id', { type: 'success', renderId: '../../x', bucketName: FAKE_REMOTION_BUCKET }],
    ['without a bucketName', { type: 'success', renderId: 'abcdef1234' }],
  ])('a start answer %s gives 502, and no "Render started"', async (_, answer) => {
    fake.answerWith('start', answer);
    const { call, logs } = coldStart();

    const { response, body } = await call(startRenderEvent({ composition: 'Intro' }));

    expect(response.statusCode).toBe(502);
    expect(body).toEqual(SERVICE_FAILURE);
    expect(response.body).not.toContain('undefined');
    expect(logs).toEqual([expect.objectContaining({ level: 'error', message: 'Rendering service failed', status: 502 })]);
    expect(logs[0].error?.name).toMatch(/RemotionAnswerError|TypeError/);
  });

  it.each([
    ['without done', { type: 'success', overallProgress: 0.5, fatalErrorEncountered: false, errors: [] }],
    ['with a string as progress', { type: 'success', done: false, overallProgress: '50%', fatalErrorEncountered: false, errors: [] }],
    ['with errors that are not a list', { type: 'success', done: false, overallProgress: 0.5, fatalErrorEncountered: false, errors: 'boom' }],
  ])('a progress answer %s gives 502', async (_, answer) => {
    const { call, logs } = coldStart();
    fake.answerWith('status', answer);

    const { response, body } = await call(getRenderEvent('abcdef1234', { queryStringParameters: { bucketName: FAKE_REMOTION_BUCKET } }));

    expect(response.statusCode).toBe(502);
    expect(body).toEqual(SERVICE_FAILURE);
    expect(logs[0]).toMatchObject({ level: 'error', status: 502, error: { name: 'RemotionAnswerError' } });
  });
});

describe('the time the handler waits', () => {
  it('ends before the invocation does, whatever the configured wait, and logs the request', async () => {
    fake.failWith('hang');
    const { handler, logs } = coldStartHandler({ [RENDER_ENV.CALL_TIMEOUT_MS]: '20000' });
    const startedAt = Date.now();

    const response = await handler(startRenderEvent({ composition: 'Intro' }), { awsRequestId: 'lambda-request-1', getRemainingTimeInMillis: () => 1400 });

    expect(response.statusCode).toBe(502);
    expect(Date.now() - startedAt).toBeLessThan(1400);
    expect(logs).toEqual([expect.objectContaining({ status: 502, error: { name: 'DeadlineExceededError', message: 'No answer within 400 ms' } })]);
  });

  it('does not start a render when the invocation has no time left to hear the answer', async () => {
    const { handler, logs } = coldStartHandler();

    const response = await handler(startRenderEvent({ composition: 'Intro' }), { awsRequestId: 'lambda-request-1', getRemainingTimeInMillis: () => 900 });
    // A start that was sent anyway would reach the fake a moment after the answer.
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(response.statusCode).toBe(502);
    expect(fake.invocations).toHaveLength(0);
    expect(logs).toEqual([expect.objectContaining({ status: 502, error: { name: 'DeadlineExceededError', message: 'No answer within 0 ms' } })]);
  });

  it('logs the id and owner of a render whose start completed after the caller was answered', async () => {
    fake.delayAnswers(700);
    const { call, logs } = coldStart({ [RENDER_ENV.CALL_TIMEOUT_MS]: '200' });

    const { response } = await call(startRenderEvent({ composition: 'Intro' }));
    await waitFor(() => logs.length > 1);

    expect(response.statusCode).toBe(502);
    expect(logs).toEqual([
      expect.objectContaining({ level: 'error', status: 502 }),
      expect.objectContaining({
        level: 'warn',
        message: 'Render started after the caller was answered',
        requestId: 'api-request-1',
        sub: CALLER_SUB,
        renderId: 'fake000001',
        bucketName: FAKE_REMOTION_BUCKET,
      }),
    ]);
  });
});

describe('input props reach Remotion exactly as sent', () => {
  it('with keys named constructor and prototype, through the real client', async () => {
    const { call } = coldStart();
    const inputProps = '{"constructor":{"name":"x"},"prototype":[1,2],"deep":{"constructor":"y"}}';

    const { response } = await call(startRenderEvent(`{"composition":"Intro","inputProps":${inputProps}}`));

    expect(response.statusCode).toBe(202);
    expect(fake.invocations[0].payload.inputProps).toEqual({ type: 'payload', payload: inputProps });
  });

  it('escaped and indented as Python sends it, when the data is under the cap', async () => {
    const { call } = coldStart({ [RENDER_ENV.MAX_INPUT_PROPS_BYTES]: '4096' });
    const inputProps = { title: 'é'.repeat(2030) };
    const pythonStyle = JSON.stringify({ composition: 'Intro', inputProps }, null, 2).replace(/é/g, '\\u00e9');

    const { response } = await call(startRenderEvent(pythonStyle));

    expect(response.statusCode).toBe(202);
    expect(fake.invocations[0].payload.inputProps).toEqual({ type: 'payload', payload: JSON.stringify(inputProps) });
  });

  it.each([
    ['nested 20,000 levels deep', `{"composition":"Intro","inputProps":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`],
    ['nested 3,000 levels deep', `{"composition":"Intro","inputProps":${'{"a":'.repeat(3_000)}1${'}'.repeat(3_000)}}`],
    ['with a number JSON cannot carry', '{"composition":"Intro","inputProps":{"x":1e400}}'],
    ['with a __proto__ key', '{"composition":"Intro","inputProps":{"__proto__":{"admin":true}}}'],
  ])('or are refused with 400 naming the field: %s', async (_, body) => {
    const { call } = coldStart({ [RENDER_ENV.MAX_INPUT_PROPS_BYTES]: '200000' });

    const { response, body: answer } = await call(startRenderEvent(body));

    expect(response.statusCode).toBe(400);
    expect(answer).toMatchObject({ message: 'Invalid request body', errors: [{ field: expect.stringMatching(/^inputProps\./) }] });
    expect(fake.invocations).toHaveLength(0);
  });
});

describe('the handler\'s own S3 use (what its role must allow)', () => {
  /** Every request that is not a Lambda invoke: S3 (and anything else) would land here. */
  function recordOtherRequests(): string[] {
    const other: string[] = [];
    fake.addRoute((request) => {
      if (!/^\/2015-03-31\/functions\//.test(request.url ?? '')) other.push(`${request.method} ${request.url}`);
      return false;
    });
    return other;
  }

  it.each([
    ['Remotion\'s own bucket', {}],
    ['a named output bucket', { [RENDER_ENV.BUCKET_NAME]: 'remotionlambda-useast1-mine' }],
  ])('starts a render with the largest input props the construct allows, follows it and signs its link without one S3 request, in %s', async (_, env) => {
    const other = recordOtherRequests();
    const { call } = coldStart({ ...env, [RENDER_ENV.MAX_INPUT_PROPS_BYTES]: '190000' });
    const inputProps = { title: 'x'.repeat(190_000 - '{"title":""}'.length) };
    expect(Buffer.byteLength(JSON.stringify(inputProps))).toBe(190_000);

    const started = await call(startRenderEvent({ composition: 'Intro', inputProps }));
    expect(started.response.statusCode).toBe(202);
    const renderId = String(started.body.renderId);
    fake.updateRender(renderId, { done: true });
    const { body } = await call(getRenderEvent(renderId, { queryStringParameters: { bucketName: String(started.body.bucketName) } }));

    expect(new URL(String(body.outputUrl)).searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(fake.invocations[0].payload.inputProps).toEqual({ type: 'payload', payload: JSON.stringify(inputProps) });
    expect(fake.invocations.map((invocation) => invocation.payload.type)).toEqual(['start', 'status']);
    expect(other).toEqual([]);
  });
});

describe('what the handler prints', () => {
  it('never contains the input props, on any console method or stream', async () => {
    const printed = captureEverythingPrinted();
    const handler = createRenderApiHandler({
      env: constructEnvironment(),
      loadRemotionClient,
      readSecretString: createSecretReader(async () => aws4fetch),
      randomId: () => OUTPUT_ID,
    });
    try {
      const accepted = await handler(startRenderEvent({ composition: 'Intro', inputProps: { title: 'PRINTED-MARKER-1' } }), { awsRequestId: 'l-1' });
      const refused = await handler(startRenderEvent({ composition: 'Secret', inputProps: { title: 'PRINTED-MARKER-2' } }), { awsRequestId: 'l-2' });
      fake.failWith('remotion-error');
      const failed = await handler(startRenderEvent({ composition: 'Intro', inputProps: { title: 'PRINTED-MARKER-3' } }), { awsRequestId: 'l-3' });

      expect([accepted.statusCode, refused.statusCode, failed.statusCode]).toEqual([202, 403, 502]);
    } finally {
      printed.restore();
    }
    expect(printed.text()).toContain('"status":202');
    expect(printed.text()).not.toContain('PRINTED-MARKER');
  });
});

/** Records whatever is written through any console method or to process.stdout / process.stderr. */
function captureEverythingPrinted(): { text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const spies: jest.SpyInstance[] = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir'] as const) {
    spies.push(jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      chunks.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
    }));
  }
  for (const stream of [process.stdout, process.stderr]) {
    spies.push(jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    }));
  }
  return { text: () => chunks.join('\n'), restore: () => spies.forEach((spy) => spy.mockRestore()) };
}

/** A fresh handler itself, for calls with a context of their own. */
function coldStartHandler(envOverrides: Record<string, string | undefined> = {}) {
  const logs: RequestLogRecord[] = [];
  const handler = createRenderApiHandler({
    env: constructEnvironment(envOverrides),
    loadRemotionClient,
    readSecretString: createSecretReader(async () => aws4fetch),
    writeLog: (record) => logs.push(record),
    randomId: () => OUTPUT_ID,
  });
  return { handler, logs };
}

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('The condition never held');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
