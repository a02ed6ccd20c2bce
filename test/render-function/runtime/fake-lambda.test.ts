/**
 * The fake Remotion's budget capabilities, driven by Remotion's real client (the newest and the
 * floor, each from its own install): the Lambdas each render holds, throttled starts, late
 * answers, the hook between accepting a start and answering it, and the signed webhook.
 */
import * as path from 'node:path';
import { FAKE_DEFAULT_RENDERERS, FAKE_FRAME_COUNT, FAKE_REMOTION_BUCKET, useFakeLambdaForTestFile, type AcceptedStart, type FakeLambda } from './fake-lambda';
import { REMOTION_FUNCTION_NAME, SERVE_URL } from './handler-events';
import { calculateSignature } from './remotion-webhook';
import { INSTALLED_REMOTION } from '../../remotion-versions';

const WEBHOOK_URL = 'https://api.example.com/webhooks/remotion';
const WEBHOOK_SECRET = 'webhook-secret-for-the-fake';

interface RemotionClient {
  renderMediaOnLambda(options: Record<string, unknown>): Promise<{ renderId: string; bucketName: string }>;
  getRenderProgress(options: Record<string, unknown>): Promise<{ done: boolean; fatalErrorEncountered: boolean }>;
}

let fake: FakeLambda;
useFakeLambdaForTestFile((started) => {
  fake = started;
});

describe.each(INSTALLED_REMOTION)('with the $name Remotion client ($version)', ({ dir }) => {
  const client = jest.requireActual(path.join(dir, 'dist', 'client.js')) as RemotionClient;

  const start = (options: Record<string, unknown> = {}) => client.renderMediaOnLambda({
    region: 'us-east-1',
    functionName: REMOTION_FUNCTION_NAME,
    serveUrl: SERVE_URL,
    composition: 'Intro',
    codec: 'h264',
    concurrency: 5,
    webhook: { url: WEBHOOK_URL, secret: WEBHOOK_SECRET, customData: { queueId: 'q-1' } },
    ...options,
  });

  describe('the Lambdas in use', () => {
    it('counts 1 + concurrency per render from the start until the render is completed', async () => {
      const first = await start({ concurrency: 5 });
      const second = await start({ concurrency: 10 });
      expect(fake.lambdasInUse).toBe(6 + 11);
      expect(fake.rendersInProgress).toEqual([first.renderId, second.renderId]);

      fake.completeRender(first.renderId);

      expect(fake.lambdasInUse).toBe(11);
      expect(fake.peakLambdasInUse).toBe(17);
      expect(fake.rendersInProgress).toEqual([second.renderId]);
    });

    it('counts the renderers framesPerLambda makes of the fake\'s frames when no concurrency is given', async () => {
      await start({ concurrency: undefined, framesPerLambda: 30 });
      expect(fake.lambdasInUse).toBe(1 + Math.ceil(FAKE_FRAME_COUNT / 30));
    });

    it('counts Remotion\'s default renderers when neither concurrency nor framesPerLambda is given', async () => {
      await start({ concurrency: undefined });
      expect(fake.lambdasInUse).toBe(1 + FAKE_DEFAULT_RENDERERS);
    });

    it('keeps the peak after renders complete, until reset()', async () => {
      const { renderId } = await start({ concurrency: 3 });
      fake.completeRender(renderId);
      await start({ concurrency: 1 });

      expect(fake.lambdasInUse).toBe(2);
      expect(fake.peakLambdasInUse).toBe(4);
      fake.reset();
      expect([fake.lambdasInUse, fake.peakLambdasInUse]).toEqual([0, 0]);
    });

    it('refuses to complete a render twice, so a test cannot release its Lambdas twice', async () => {
      const { renderId } = await start();
      fake.completeRender(renderId);
      expect(() => fake.completeRender(renderId)).toThrow(`Render ${renderId} was completed already`);
    });
  });

  describe('completing a render', () => {
    it('returns Remotion\'s webhook call, signed with the start\'s secret and carrying its customData', async () => {
      const { renderId } = await start();

      const call = fake.completeRender(renderId);

      const outputUrl = `https://s3.us-east-1.amazonaws.com/${FAKE_REMOTION_BUCKET}/renders/${renderId}/out.mp4`;
      expect(call?.url).toBe(WEBHOOK_URL);
      expect(JSON.parse(call!.body)).toEqual({
        type: 'success',
        renderId,
        expectedBucketOwner: '123456789012',
        bucketName: FAKE_REMOTION_BUCKET,
        customData: { queueId: 'q-1' },
        outputUrl,
        lambdaErrors: [],
        outputFile: outputUrl,
        timeToFinish: 9000,
        costs: { estimatedCost: 0.0042, estimatedDisplayCost: '$0.004', currency: 'USD', disclaimer: 'x' },
      });
      expect(call?.headers).toEqual({
        'content-type': 'application/json',
        'x-remotion-mode': 'production',
        'x-remotion-signature': calculateSignature(call!.body, WEBHOOK_SECRET),
        'x-remotion-status': 'success',
      });
    });

    it('reports the outcome in the render\'s progress as well, for a status read after a lost webhook', async () => {
      const succeeded = await start();
      const failed = await start();
      fake.completeRender(succeeded.renderId, 'success');
      fake.completeRender(failed.renderId, 'error');

      const read = (renderId: string) => client.getRenderProgress({ region: 'us-east-1', functionName: REMOTION_FUNCTION_NAME, bucketName: FAKE_REMOTION_BUCKET, renderId });
      expect(await read(succeeded.renderId)).toMatchObject({ done: true, fatalErrorEncountered: false });
      expect(await read(failed.renderId)).toMatchObject({ done: false, fatalErrorEncountered: true });
    });

    it('returns no webhook call for a render started without a webhook, and still releases its Lambdas', async () => {
      const { renderId } = await start({ webhook: null });
      expect(fake.completeRender(renderId)).toBeUndefined();
      expect(fake.lambdasInUse).toBe(0);
    });
  });

  describe('throttling', () => {
    it('refuses the first N starts with Lambda\'s 429, which the client throws as is: Remotion makes one attempt only', async () => {
      // GIVEN two throttled starts
      fake.throttleStarts(2);

      // WHEN three renders are started, one after the other
      const attempts = [];
      for (let i = 0; i < 3; i++) {
        attempts.push(await start().then((started) => started.renderId, (error: unknown) => error as Error & { Reason?: string }));
      }

      // THEN the first two throw Lambda's TooManyRequestsException (Remotion's Lambda client has
      // maxAttempts 1), hold nothing and start nothing; the third starts
      for (const error of attempts.slice(0, 2) as Array<Error & { Reason?: string }>) {
        expect(error).toBeInstanceOf(Error);
        expect([error.name, error.message, error.Reason]).toEqual(['TooManyRequestsException', 'Rate Exceeded.', 'ConcurrentInvocationLimitExceeded']);
      }
      expect(fake.throttledInvocations).toHaveLength(2);
      expect(fake.invocationsOfType('start')).toHaveLength(1);
      expect(fake.rendersInProgress).toEqual([attempts[2]]);
      expect(fake.lambdasInUse).toBe(6);
    });

    it('names the throttle reason it was given', async () => {
      fake.throttleStarts(1, 'ReservedFunctionConcurrentInvocationLimitExceeded');

      const error = await start().then(() => undefined, (e: unknown) => e as Error & { Reason?: string });

      expect([error?.name, error?.message, error?.Reason]).toEqual(['TooManyRequestsException', 'Rate Exceeded.', 'ReservedFunctionConcurrentInvocationLimitExceeded']);
    });

    it('throttles starts only, never status reads', async () => {
      const { renderId, bucketName } = await start();
      fake.throttleStarts(1);

      await client.getRenderProgress({ region: 'us-east-1', functionName: REMOTION_FUNCTION_NAME, bucketName, renderId });

      expect(fake.throttledInvocations).toHaveLength(0);
    });
  });

  describe('a late answer', () => {
    it('starts the render at once and holds its Lambdas, but answers only after the delay', async () => {
      fake.answerStartsAfter(300);
      const startedAt = Date.now();
      const answer = start({ concurrency: 2 });
      await waitFor(() => fake.rendersInProgress.length === 1);

      expect(fake.lambdasInUse).toBe(3);
      const { renderId } = await answer;
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(300);
      expect(fake.rendersInProgress).toEqual([renderId]);
    });
  });

  describe('the hook between accepting a start and answering it', () => {
    it('sees the accepted render, its payload and its Lambdas, before the caller has an answer', async () => {
      const seen: AcceptedStart[] = [];
      let answered = false;
      fake.onStartAccepted((accepted) => {
        seen.push(accepted);
        expect(answered).toBe(false);
      });

      const { renderId } = await start({ concurrency: 4 });
      answered = true;

      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ renderId, bucketName: FAKE_REMOTION_BUCKET, lambdas: 5 });
      expect(seen[0].payload).toMatchObject({ type: 'start', concurrency: 4, webhook: { url: WEBHOOK_URL, customData: { queueId: 'q-1' } } });
    });

    it('holds the answer until the hook resolves', async () => {
      let release: () => void = () => undefined;
      fake.onStartAccepted(() => new Promise<void>((resolve) => {
        release = resolve;
      }));
      let answered = false;
      const answer = start().then((result) => {
        answered = true;
        return result;
      });
      await waitFor(() => fake.rendersInProgress.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(answered).toBe(false);

      release();
      await answer;
      expect(answered).toBe(true);
    });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe(`cancelling with the newest Remotion client (${INSTALLED_REMOTION[0].version})`, () => {
  const client = jest.requireActual(path.join(INSTALLED_REMOTION[0].dir, 'dist', 'client.js')) as RemotionClient & {
    cancelRenderOnLambda(options: Record<string, unknown>): Promise<void>;
  };
  const start = (options: Record<string, unknown> = {}) => client.renderMediaOnLambda({
    region: 'us-east-1', functionName: REMOTION_FUNCTION_NAME, serveUrl: SERVE_URL, composition: 'Intro', codec: 'h264', concurrency: 5, ...options,
  });

  it('takes the cancel marker of a render started with enableCancellation, and frees its Lambdas', async () => {
    const { renderId, bucketName } = await start({ enableCancellation: true });

    await client.cancelRenderOnLambda({ region: 'us-east-1', bucketName, renderId });

    expect(fake.cancelMarkers).toEqual([{ bucket: FAKE_REMOTION_BUCKET, key: `renders/${renderId}/cancel.json`, renderId, body: expect.stringMatching(/^\{"cancelledAt":\d+\}$/) }]);
    expect(fake.lambdasInUse).toBe(0);
  });

  it('lets Remotion\'s client refuse a render started without enableCancellation, as its progress file says', async () => {
    const { renderId, bucketName } = await start();

    await expect(client.cancelRenderOnLambda({ region: 'us-east-1', bucketName, renderId })).rejects.toThrow('not started with enableCancellation');

    expect(fake.cancelMarkers).toEqual([]);
    expect(fake.lambdasInUse).toBe(6);
  });
});
