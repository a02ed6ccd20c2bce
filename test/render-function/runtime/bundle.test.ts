/**
 * The handler asset as the construct assembles it at synth (our prebuilt bundle plus the installed
 * Remotion client, copied unmodified), for the floor and the newest supported Remotion, as Lambda
 * runs it: an ES module imported by a separate `node` process (jest cannot `import()` an ES module
 * without --experimental-vm-modules), calling the fake Lambda and Secrets Manager endpoints of
 * this process.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HANDLER_ASSET, REPOSITORY_ROOT } from './asset-freshness';
import { bodyOf, expectFreshAsset, runBundle as runBundleAgainst, type ChildRun } from './bundle-harness';
import { FAKE_REMOTION_BUCKET, FAKE_ROLE_CREDENTIALS, FakeLambda, type FailureMode } from './fake-lambda';
import { CALLER_SUB, getRenderEvent, OTHER_SUB, startRenderEvent } from './handler-events';
import { findRemotion, SUPPORTED_REMOTION } from '../../../src/remotion';
import { REMOTION_CLIENT_FILE, RENDER_ENV } from '../../../src/render-function/contract';
import { stageHandlerCode } from '../../../src/render-function/handler-code';
import { INSTALLED_REMOTION_PACKAGES } from '../../remotion-versions';

const ROOT = REPOSITORY_ROOT;
const FROM_BUCKET = { [RENDER_ENV.PROGRESS_FROM_BUCKET]: 'true' };
const QUERY = { queryStringParameters: { bucketName: FAKE_REMOTION_BUCKET } };
const FATAL_ERROR = {
  type: 'renderer' as const,
  message: 'Chunk 2 failed: the browser crashed',
  name: 'Error',
  stack: 'Error: Chunk 2 failed: the browser crashed\n    at renderer (/var/task/index.js:1:1)',
  frame: 50,
  chunk: 2,
  isFatal: true,
  attempt: 2,
  willRetry: false,
  totalAttempts: 2,
  tmpDir: null,
  explanation: null,
  s3Location: '',
};
const CREDENTIALS_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:remotion-keys-AbCdEf';

let fake: FakeLambda;

beforeAll(async () => {
  await expectFreshAsset();
  fake = await FakeLambda.start();
});

afterEach(() => fake.reset());

afterAll(async () => {
  await fake?.close();
});

describe.each(INSTALLED_REMOTION_PACKAGES)('with Remotion %s (%s)', (version, packageDir) => {
  let asset: string;
  const runBundle = (events: Parameters<typeof runBundleAgainst>[1], envOverrides: Record<string, string> = {}): Promise<ChildRun> =>
    runBundleAgainst(fake, events, envOverrides, { asset });

  beforeAll(() => {
    const remotion = findRemotion({ packageDir: path.join(ROOT, packageDir) });
    expect(remotion.version).toBe(version);
    asset = path.join(stageHandlerCode(remotion), 'index.mjs');
  });

  it('is our bundle plus the installed client, byte for byte', () => {
    const remotion = findRemotion({ packageDir: path.join(ROOT, packageDir) });
    const staged = path.dirname(asset);
    expect(fs.readFileSync(path.join(staged, REMOTION_CLIENT_FILE)).equals(fs.readFileSync(remotion.clientFile))).toBe(true);
    expect(fs.readFileSync(asset).equals(fs.readFileSync(HANDLER_ASSET))).toBe(true);
  });

  it('answers 401 without evaluating Remotion\'s client', async () => {
    const run = await runBundle([startRenderEvent({ composition: 'Intro' }, { sub: null })]);

    expect(run.evaluatedAtImport).toBe(false);
    expect(run.results[0].response.statusCode).toBe(401);
    expect(bodyOf(run.results[0].response)).toEqual({ message: 'A verified identity is required', requestId: 'api-request-1' });
    expect(run.results[0].remotionEvaluated).toBe(false);
    expect(fake.invocations).toHaveLength(0);
  });

  it('starts a render with keys from the credentials secret, evaluating Remotion\'s client only then', async () => {
    fake.putSecret(CREDENTIALS_SECRET_ARN, JSON.stringify({ accessKeyId: 'AKIAFROMSECRET000001', secretAccessKey: 's3cr3t' }));

    const run = await runBundle(
      [startRenderEvent({ composition: 'Intro' }, { sub: null }), startRenderEvent({ composition: 'Intro', inputProps: { title: 'Hi' } })],
      { [RENDER_ENV.CREDENTIALS_SECRET_ARN]: CREDENTIALS_SECRET_ARN },
    );

    const [refused, accepted] = run.results;
    expect(refused.remotionEvaluated).toBe(false);
    expect(accepted.response.statusCode).toBe(202);
    expect(bodyOf(accepted.response)).toMatchObject({ renderId: 'fake000001', bucketName: 'remotionlambda-useast1-abcdef1234' });
    expect(accepted.remotionEvaluated).toBe(true);
    expect(fake.secretReads).toEqual([CREDENTIALS_SECRET_ARN]);
    expect(fake.secretRequests).toEqual([expect.objectContaining({
      accessKeyId: FAKE_ROLE_CREDENTIALS.accessKeyId,
      sessionToken: 'fake-role-session-token',
      region: 'us-east-1',
      service: 'secretsmanager',
      target: 'secretsmanager.GetSecretValue',
    })]);
    expect(fake.invocations).toHaveLength(1);
    expect(fake.invocations[0].accessKeyId).toBe('AKIAFROMSECRET000001');
    expect(fake.invocations[0].payload).toMatchObject({
      type: 'start',
      version,
      composition: 'Intro',
      outName: `renders-by-user/${CALLER_SUB}/video.mp4`,
      metadata: { ownerSub: CALLER_SUB },
    });
  });

  it('reports a finished render to its owner with a signed link, and 404 to anyone else, through the bundled S3 client', async () => {
    const started = await runBundle([startRenderEvent({ composition: 'Intro' })]);
    const { renderId } = bodyOf(started.results[0].response) as { renderId: string };
    fake.updateRender(renderId, { done: true });

    const query = { queryStringParameters: { bucketName: FAKE_REMOTION_BUCKET } };
    const run = await runBundle([getRenderEvent(renderId, query), getRenderEvent(renderId, { ...query, sub: OTHER_SUB })]);

    const [owner, other] = run.results;
    expect(owner.response.statusCode).toBe(200);
    expect(bodyOf(owner.response)).toMatchObject({ renderId, done: true, overallProgress: 1 });
    const outputUrl = new URL(String(bodyOf(owner.response).outputUrl));
    expect(outputUrl.pathname).toContain(`renders/${renderId}/renders-by-user/${CALLER_SUB}/video.mp4`);
    expect(outputUrl.searchParams.get('X-Amz-Credential')).toMatch(new RegExp(`^${FAKE_ROLE_CREDENTIALS.accessKeyId}/\\d{8}/us-east-1/s3/aws4_request$`));
    expect(outputUrl.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(other.response.statusCode).toBe(404);
    expect(fake.invocationsOfType('status')).toHaveLength(2);
  });

  it.each<[FailureMode, Record<string, unknown>]>([
    ['service-error', { name: 'ServiceException', message: expect.stringMatching(/^Internal failure in arn:aws:lambda:/) }],
    // The floor's client resolves, without a render id, when the function fails unhandled; the handler refuses that result.
    ['function-error', version === SUPPORTED_REMOTION.floor
      ? { name: 'RemotionAnswerError', message: 'Remotion\'s start answer is not what its client documents (renderId: must be a string; bucketName: must be a string)' }
      : { name: 'Error', message: 'Lambda function returned error: Unhandled undefined' }],
    ['remotion-error', { name: 'Error', message: expect.stringMatching(/^Version mismatch: /) }],
  ])('answers 502 when Remotion fails (%s), logging the error Remotion\'s client raised', async (failure, loggedError) => {
    fake.failWith(failure);

    const run = await runBundle([startRenderEvent({ composition: 'Intro' })]);

    expect(run.results[0].response.statusCode).toBe(502);
    expect(bodyOf(run.results[0].response)).toEqual({ message: 'The rendering service failed; try again later', requestId: 'api-request-1' });
    expect(fake.invocations).toHaveLength(1);
    expect(run.logs).toEqual([expect.objectContaining({ level: 'error', status: 502, error: loggedError })]);
  });

  // Status reads that use no Lambda concurrency: Remotion's client computes the progress from the
  // progress file in the render's bucket, which the fake keeps as Remotion's function writes it.
  describe('status reads from the bucket', () => {
    /** Starts one render through the handler and clears what the start recorded at the fake. */
    async function startedRender(): Promise<string> {
      const started = await runBundle([startRenderEvent({ composition: 'Intro' })]);
      const { renderId } = bodyOf(started.results[0].response) as { renderId: string };
      fake.invocations.length = 0;
      return renderId;
    }

    /** The owner's status read, from the bucket and by invocation, with what each asked of the fake. */
    async function bothReads(renderId: string) {
      const fromBucket = await runBundle([getRenderEvent(renderId, QUERY)], FROM_BUCKET);
      const bucketCalls = { invocations: [...fake.invocations], s3Requests: [...fake.s3Requests] };
      fake.invocations.length = 0;
      fake.s3Requests.length = 0;
      const invoked = await runBundle([getRenderEvent(renderId, QUERY)]);
      const answer = (run: ChildRun) => ({ statusCode: run.results[0].response.statusCode, body: bodyOf(run.results[0].response) });
      return { fromBucket: { ...answer(fromBucket), ...bucketCalls }, invoked: { ...answer(invoked), invocations: [...fake.invocations] } };
    }

    it('reads a running render\'s status from its progress file with no Lambda invocation, and answers as the invocation does', async () => {
      const renderId = await startedRender();
      fake.updateRender(renderId, { overallProgress: 0.3 });

      const { fromBucket, invoked } = await bothReads(renderId);

      expect(fromBucket.invocations).toEqual([]);
      expect(fromBucket.s3Requests).toEqual([{ method: 'GET', bucket: FAKE_REMOTION_BUCKET, key: `renders/${renderId}/progress.json` }]);
      expect(fromBucket.statusCode).toBe(200);
      expect(fromBucket.body).toEqual({
        renderId, done: false, overallProgress: 0.3, fatalErrorEncountered: false, errors: [], requestId: 'api-request-1',
      });
      expect(invoked.invocations.map((invocation) => invocation.payload.type)).toEqual(['status']);
      expect(invoked).toMatchObject({ statusCode: fromBucket.statusCode, body: fromBucket.body });
    });

    it('maps a finished render\'s output link from its progress file as from the invocation', async () => {
      const renderId = await startedRender();
      fake.updateRender(renderId, { done: true });

      const { fromBucket, invoked } = await bothReads(renderId);

      expect(fromBucket.invocations).toEqual([]);
      expect(fromBucket.s3Requests).toEqual([{ method: 'GET', bucket: FAKE_REMOTION_BUCKET, key: `renders/${renderId}/progress.json` }]);
      // The signed link and its expiry differ by the time between the two reads only.
      const { outputUrl: bucketUrl, outputUrlExpiresAt: bucketExpiry, ...bucketRest } = fromBucket.body;
      const { outputUrl: invokedUrl, outputUrlExpiresAt: invokedExpiry, ...invokedRest } = invoked.body;
      expect(bucketRest).toEqual({ renderId, done: true, overallProgress: 1, fatalErrorEncountered: false, errors: [], requestId: 'api-request-1' });
      expect(invokedRest).toEqual(bucketRest);
      expect(new URL(String(bucketUrl)).pathname).toBe(`/${FAKE_REMOTION_BUCKET}/renders/${renderId}/renders-by-user/${CALLER_SUB}/video.mp4`);
      expect(new URL(String(invokedUrl)).pathname).toBe(new URL(String(bucketUrl)).pathname);
      expect([bucketExpiry, invokedExpiry]).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT/), expect.stringMatching(/^\d{4}-\d\d-\d\dT/)]);
    });

    it('finds the output of a render combined but not yet closed by a HeadObject with the newest client, and waits for it with the floor\'s', async () => {
      const renderId = await startedRender();
      fake.finishBeforePostRenderData(renderId);

      const run = await runBundle([getRenderEvent(renderId, QUERY)], FROM_BUCKET);

      const progressRead = { method: 'GET', bucket: FAKE_REMOTION_BUCKET, key: `renders/${renderId}/progress.json` };
      const outputHead = { method: 'HEAD', bucket: FAKE_REMOTION_BUCKET, key: `renders/${renderId}/renders-by-user/${CALLER_SUB}/video.mp4` };
      expect(fake.invocations).toEqual([]);
      if (version === SUPPORTED_REMOTION.floor) {
        expect(fake.s3Requests).toEqual([progressRead]);
        expect(bodyOf(run.results[0].response)).toMatchObject({ renderId, done: false });
      } else {
        expect(fake.s3Requests).toEqual([progressRead, outputHead]);
        expect(bodyOf(run.results[0].response)).toMatchObject({ renderId, done: true, overallProgress: 1 });
      }
    });

    it('reports a fatal error from the progress file as the invocation does', async () => {
      const renderId = await startedRender();
      fake.updateRender(renderId, { overallProgress: 0.3, errors: [FATAL_ERROR], fatalErrorEncountered: true });

      const { fromBucket, invoked } = await bothReads(renderId);

      expect(fromBucket.invocations).toEqual([]);
      expect(fromBucket.body).toEqual({
        renderId,
        done: false,
        overallProgress: 0.3,
        fatalErrorEncountered: true,
        errors: [{ message: 'Chunk 2 failed: the browser crashed', chunk: 2, isFatal: true }],
        requestId: 'api-request-1',
      });
      expect(invoked.body).toEqual(fromBucket.body);
    });

    it('answers 404 to another caller from the progress file, without invoking', async () => {
      const renderId = await startedRender();

      const run = await runBundle([getRenderEvent(renderId, { ...QUERY, sub: OTHER_SUB })], FROM_BUCKET);

      expect(run.results[0].response.statusCode).toBe(404);
      expect(fake.invocations).toEqual([]);
    });

    it('falls back to the invocation for a render id with no progress file, which the render function answers as unknown', async () => {
      const run = await runBundle([getRenderEvent('nosuchrender', QUERY)], FROM_BUCKET);

      expect(run.results[0].response.statusCode).toBe(404);
      expect(fake.s3Requests).toEqual([{ method: 'GET', bucket: FAKE_REMOTION_BUCKET, key: 'renders/nosuchrender/progress.json' }]);
      expect(fake.invocationsOfType('status')).toHaveLength(1);
    });

    it('falls back to the invocation when the role may not read the progress file', async () => {
      const renderId = await startedRender();
      fake.denyS3Reads();

      const run = await runBundle([getRenderEvent(renderId, QUERY)], FROM_BUCKET);

      expect(run.results[0].response.statusCode).toBe(200);
      expect(bodyOf(run.results[0].response)).toMatchObject({ renderId, done: false, overallProgress: 0.25 });
      expect(fake.invocationsOfType('status')).toHaveLength(1);
    });

    it('invokes the render function when the construct did not allow bucket reads (a custom function name)', async () => {
      const renderId = await startedRender();

      const run = await runBundle([getRenderEvent(renderId, QUERY)], { [RENDER_ENV.FUNCTION_NAME]: 'my-renderer' });

      expect(run.results[0].response.statusCode).toBe(200);
      expect(fake.s3Requests).toEqual([]);
      expect(fake.invocationsOfType('status').map((invocation) => invocation.functionName)).toEqual(['my-renderer']);
    });
  });
});
