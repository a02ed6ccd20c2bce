/**
 * What a status read of a running render costs, with and without the invocation of Remotion's
 * render function: `GET /renders/{renderId}` through the handler source in this process, Remotion's
 * real client (the newest installed) calling the tests' fake Lambda and S3 on loopback, records
 * off. Counts the Lambda invocations and S3 requests the fake received per read, and the warm
 * latency. Prints numbers; asserts nothing. The fake answers at once, so the latency gap here is
 * the client's own work; in AWS, an invocation of Remotion's function adds its run time (and, cold,
 * its start) and holds one unit of the account's Lambda concurrency.
 *
 *   npx ts-node --project tsconfig.dev.json bench/status-read.ts
 *
 * BENCH_STATUS_RUNS (default 200) sets the reads per row.
 */
import * as remotionClient from '@remotion/lambda/client';
import { median, ms, percentile, table } from './lib/stats';
import { RENDER_ENV } from '../src/render-function/contract';
import { createRenderApiHandler, type RemotionClient } from '../src/render-function/runtime/render-api';
import { FAKE_REMOTION_BUCKET, FAKE_ROLE_CREDENTIALS, FakeLambda } from '../test/render-function/runtime/fake-lambda';
import { constructEnvironment, getRenderEvent, startRenderEvent } from '../test/render-function/runtime/handler-events';

const RUNS = Math.min(2000, Math.max(20, Number.parseInt(process.env.BENCH_STATUS_RUNS ?? '200', 10) || 200));

function say(text = ''): void {
  process.stdout.write(`${text}\n`);
}

function handlerWith(env: Record<string, string | undefined>) {
  return createRenderApiHandler({
    env: constructEnvironment(env),
    loadRemotionClient: async (): Promise<RemotionClient> => remotionClient,
    readSecretString: async () => '',
    writeLog: () => undefined,
  });
}

/** The status-read section of `npx projen bench`, and this script alone. */
export async function benchStatusRead(): Promise<void> {
  const fake = await FakeLambda.start();
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: FAKE_ROLE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_ROLE_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_LAMBDA: fake.url,
    AWS_ENDPOINT_URL_S3: fake.url,
  });
  try {
    const rows: string[][] = [];
    for (const [name, env] of [
      ['invoking Remotion\'s function (as for a custom name)', {}],
      ['from the bucket (skipLambdaInvocation)', { [RENDER_ENV.PROGRESS_FROM_BUCKET]: 'true' }],
    ] as const) {
      const handler = handlerWith(env);
      const started = await handler(startRenderEvent({ composition: 'Intro' }));
      const { renderId } = JSON.parse(String(started.body)) as { renderId: string };
      const read = getRenderEvent(renderId, { queryStringParameters: { bucketName: FAKE_REMOTION_BUCKET } });
      for (let i = 0; i < 10; i++) await handler(read);
      fake.invocations.length = 0;
      fake.s3Requests.length = 0;
      const samples: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const startedAt = performance.now();
        const response = await handler(read);
        samples.push(performance.now() - startedAt);
        if (response.statusCode !== 200) throw new Error(`Expected 200, got ${response.statusCode}: ${String(response.body)}`);
      }
      rows.push([
        name,
        (fake.invocations.length / RUNS).toFixed(2),
        (fake.s3Requests.length / RUNS).toFixed(2),
        ms(median(samples)),
        ms(percentile(samples, 95)),
      ]);
      fake.reset();
    }
    say(`GET /renders/{renderId} of a running render, ${RUNS} sequential warm reads per row, handler in-process, fake Lambda and S3 on loopback`);
    say(table([['status read', 'Lambda invocations / read', 'S3 requests / read', 'p50', 'p95'], ...rows]));
  } finally {
    await fake.close();
  }
}

if (require.main === module) {
  benchStatusRead().catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
}
