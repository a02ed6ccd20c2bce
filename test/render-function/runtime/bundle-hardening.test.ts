/**
 * The built handler asset under hostile input and faults (issue 14, items 1-7): the same checks as
 * the handler unit tests, through the bundled valibot, Remotion client and secret reader.
 */
import { bodyOf, expectFreshAsset, runBundle } from './bundle-harness';
import { FAKE_REMOTION_BUCKET, FakeLambda } from './fake-lambda';
import { CALLER_SUB, getRenderEvent, startRenderEvent } from './handler-events';
import { RENDER_ENV } from '../../../src/render-function/contract';

const CREDENTIALS_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:remotion-keys-AbCdEf';
const SERVICE_FAILURE = { message: 'The rendering service failed; try again later', requestId: 'api-request-1' };

let fake: FakeLambda;

beforeAll(async () => {
  await expectFreshAsset();
  fake = await FakeLambda.start();
});

afterEach(() => fake?.reset());

afterAll(async () => {
  await fake?.close();
});

it('answers 400 naming the field for deep nesting, non-finite numbers and __proto__ keys, never 500 or 502', async () => {
  const bodies = [
    `{"composition":"Intro","inputProps":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`,
    `{"composition":"Intro","inputProps":${'['.repeat(3_000)}${']'.repeat(3_000)}}`,
    '{"composition":"Intro","inputProps":{"x":1e400}}',
    '{"composition":"Intro","inputProps":{"__proto__":{"admin":true}}}',
    '{"composition":"Intro","constructor":{}}',
  ];

  const run = await runBundle(fake, bodies.map((body) => startRenderEvent(body)), { [RENDER_ENV.MAX_INPUT_PROPS_BYTES]: '190000' });

  expect(run.results.map(({ response }) => response.statusCode)).toEqual([400, 400, 400, 400, 400]);
  expect(run.results.map(({ response }) => (bodyOf(response).errors as Array<{ field: string }>)[0].field)).toEqual([
    `inputProps${'.a'.repeat(64)}`, 'inputProps', 'inputProps.x', 'inputProps.__proto__', 'constructor',
  ]);
  expect(run.results.every(({ remotionEvaluated }) => !remotionEvaluated)).toBe(true);
  expect(fake.invocations).toHaveLength(0);
});

it('hands Remotion input props exactly as sent: prototype-named keys kept, escaped text counted as data', async () => {
  const inputProps = '{"constructor":{"name":"x"},"prototype":[1],"title":"' + 'é'.repeat(2000) + '"}';
  const escaped = `{\n  "composition": "Intro",\n  "inputProps": ${inputProps.replace(/é/g, '\\u00e9')}\n}`;

  const run = await runBundle(fake, [startRenderEvent(escaped)], { [RENDER_ENV.MAX_INPUT_PROPS_BYTES]: '4096' });

  expect(run.results[0].response.statusCode).toBe(202);
  expect(fake.invocations[0].payload.inputProps).toEqual({ type: 'payload', payload: inputProps });
});

it('answers 502 for a start answer without a usable renderId, and logs no "Render started"', async () => {
  fake.answerWith('start', { type: 'success', renderId: { not: 'an id' }, bucketName: FAKE_REMOTION_BUCKET });

  const run = await runBundle(fake, [startRenderEvent({ composition: 'Intro' })]);

  expect(run.results[0].response.statusCode).toBe(502);
  expect(bodyOf(run.results[0].response)).toEqual(SERVICE_FAILURE);
  expect(run.logs).toEqual([expect.objectContaining({ level: 'error', message: 'Rendering service failed', status: 502 })]);
});

it('answers 502 for a progress answer that is not what the client documents', async () => {
  fake.answerWith('status', { type: 'success', done: 'maybe', overallProgress: 0.5, fatalErrorEncountered: false, errors: [] });

  const run = await runBundle(fake, [getRenderEvent('abcdef1234', { queryStringParameters: { bucketName: FAKE_REMOTION_BUCKET } })]);

  expect(run.results[0].response.statusCode).toBe(502);
  expect(run.logs).toEqual([expect.objectContaining({ status: 502, error: expect.objectContaining({ name: 'RemotionAnswerError' }) })]);
});

it('refuses a Remotion bucket of another region with 400, without calling Remotion', async () => {
  const run = await runBundle(fake, [getRenderEvent('abcdef1234', { queryStringParameters: { bucketName: 'remotionlambda-euwest1-abcdef1234' } })]);

  expect(run.results[0].response.statusCode).toBe(400);
  expect(bodyOf(run.results[0].response)).toMatchObject({ errors: [{ field: 'bucketName' }] });
  expect(fake.invocations).toHaveLength(0);
});

it('recovers from a hung credentials secret read on the next request of the same warm environment', async () => {
  fake.failWith('hang');
  // Long enough for the second request to load Remotion's client and start, on a busy machine.
  const env = { [RENDER_ENV.CREDENTIALS_SECRET_ARN]: CREDENTIALS_SECRET_ARN, [RENDER_ENV.CALL_TIMEOUT_MS]: '2000' };
  const hang = runBundle(fake, [startRenderEvent({ composition: 'Intro' }), startRenderEvent({ composition: 'Intro' })], env);
  // Once the first read hangs, the secret becomes readable: only a fresh read can see it.
  await waitUntil(() => fake.secretReads.length === 1);
  fake.reset();
  fake.putSecret(CREDENTIALS_SECRET_ARN, JSON.stringify({ accessKeyId: 'AKIAFROMSECRET000001', secretAccessKey: 's3cr3t' }));

  const run = await hang;

  expect(run.results.map(({ response }) => response.statusCode)).toEqual([502, 202]);
  expect(fake.secretReads).toEqual([CREDENTIALS_SECRET_ARN]);
  expect(fake.invocations.map((invocation) => invocation.accessKeyId)).toEqual(['AKIAFROMSECRET000001']);
});

it('stops waiting before the invocation ends, and logs a start that completes after the answer with its id and owner', async () => {
  fake.delayAnswers(1500);

  const run = await runBundle(fake, [startRenderEvent({ composition: 'Intro' })], { [RENDER_ENV.CALL_TIMEOUT_MS]: '20000' }, { remainingMs: 1500, lingerMs: 2500 });

  expect(run.results[0].response.statusCode).toBe(502);
  expect(run.results[0].durationMs).toBeLessThan(1500);
  expect(run.logs).toEqual([
    expect.objectContaining({ level: 'error', status: 502, error: expect.objectContaining({ name: 'DeadlineExceededError' }) }),
    expect.objectContaining({ level: 'warn', message: 'Render started after the caller was answered', renderId: 'fake000001', sub: CALLER_SUB, bucketName: FAKE_REMOTION_BUCKET }),
  ]);
});

it('prints nothing of the input props, on stdout or stderr, for accepted, refused and failed requests', async () => {
  const marker = 'BUNDLE-PRINTED-MARKER';
  const accepted = await runBundle(fake, [
    startRenderEvent({ composition: 'Intro', inputProps: { title: marker } }),
    startRenderEvent({ composition: 'Secret', inputProps: { title: marker } }),
    startRenderEvent({ composition: 'Intro', inputProps: { title: marker, x: 'y'.repeat(5000) } }),
  ]);
  fake.failWith('remotion-error');
  const failed = await runBundle(fake, [startRenderEvent({ composition: 'Intro', inputProps: { title: marker } })]);

  expect(accepted.results.map(({ response }) => response.statusCode)).toEqual([202, 403, 413]);
  expect(failed.results[0].response.statusCode).toBe(502);
  expect(accepted.output).toContain('"status":202');
  expect(accepted.output).not.toContain(marker);
  expect(failed.output).not.toContain(marker);
});

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('The condition never held');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
