/**
 * What the render queue costs and saves `POST /renders` (issue 20): the cold 202 of the queued path
 * (a QUEUED record and one SQS message; Remotion's client never loaded) against the naive bundle
 * (Remotion's client imported at the top, the render started inline), and the warm 202 against
 * moto, beside the direct start. Prints numbers; asserts nothing.
 *
 *   npx projen bundle && scripts/moto.sh install
 *   npx ts-node --project tsconfig.dev.json bench/queue.ts
 *
 * BENCH_RUNS (default 10) sets the cold starts per cell, BENCH_QUEUE_RUNS (default 200) the warm requests.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as dynamodbClient from '@aws-sdk/client-dynamodb';
import * as sqs from '@aws-sdk/client-sqs';
import * as dynamodbLib from '@aws-sdk/lib-dynamodb';
import * as remotionClient from '@remotion/lambda/client';
import { buildWithEsbuild, NAIVE_ENTRY, NODEJS_FUNCTION_ESM, OUT } from './lib/bundles';
import { coldStartTable, measureColdStarts, type Cell } from './lib/cold-start';
import { REQUESTS } from './lib/events';
import { ms, percentile, table } from './lib/stats';
import { findRemotion } from '../src/remotion';
import { REMOTION_CLIENT_FILE, RENDER_ENV } from '../src/render-function/contract';
import { stageHandlerCode } from '../src/render-function/handler-code';
import { createRenderApiHandler, type RemotionClient } from '../src/render-function/runtime/render-api';
import { MotoServer } from '../test/moto/moto-server';
import { createRecordsTable } from '../test/moto/records-table';
import { FakeLambda } from '../test/render-function/runtime/fake-lambda';
import { constructEnvironment, startRenderEvent } from '../test/render-function/runtime/handler-events';

/** Goal of issue 20: the queued cold 202 against the naive bundle's. */
const GOAL = 0.5;
const COLD_RUNS = Math.min(50, Math.max(3, Number.parseInt(process.env.BENCH_RUNS ?? '10', 10) || 10));
const WARM_RUNS = Math.min(1000, Math.max(20, Number.parseInt(process.env.BENCH_QUEUE_RUNS ?? '200', 10) || 200));
const TABLE = 'bench-queue-records';

function say(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** The queue's settings, as the construct sets them; places enough for every sample of one user. */
function queueEnvironment(queueUrl: string): Record<string, string> {
  return {
    [RENDER_ENV.RECORDS_TABLE_NAME]: TABLE,
    [RENDER_ENV.QUEUE_URL]: queueUrl,
    [RENDER_ENV.QUEUE_MAX_QUEUED_PER_USER]: '100000',
    [RENDER_ENV.QUEUE_MAX_AGE_SECONDS]: '3600',
    [RENDER_ENV.QUEUE_RENDER_CONCURRENCY]: '20',
    [RENDER_ENV.BUDGET_MAX_LAMBDAS]: '800',
  };
}

async function warm(env: Record<string, string>): Promise<number[]> {
  const handler = createRenderApiHandler({
    env: constructEnvironment(env),
    loadRemotionClient: async (): Promise<RemotionClient> => remotionClient,
    readSecretString: async () => '',
    loadDynamoDb: async () => ({ client: dynamodbClient, lib: dynamodbLib }),
    loadSqs: async () => sqs,
    writeLog: () => undefined,
  });
  const event = (i: number) => startRenderEvent({ composition: 'Intro', inputProps: { title: 'Hi' } }, { sub: `bench-user-${i % 50}` });
  for (let i = 0; i < 10; i++) await handler(event(i));
  const samples: number[] = [];
  for (let i = 0; i < WARM_RUNS; i++) {
    const startedAt = performance.now();
    const response = await handler(event(i));
    samples.push(performance.now() - startedAt);
    if (response.statusCode !== 202) throw new Error(`Expected 202, got ${response.statusCode}: ${String(response.body)}`);
  }
  return samples;
}

/** The queue's POST /renders section of `npx projen bench`, and this script alone. */
export async function benchQueue(): Promise<void> {
  const cpus = os.cpus();
  say('# Render queue: POST /renders');
  say(`date: ${new Date().toISOString()}; machine: ${cpus[0]?.model ?? 'unknown cpu'}, ${cpus.length} cores, node ${process.version}, load avg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const remotion = findRemotion();
  const oursDir = stageHandlerCode(remotion, { stagingRoot: path.join(OUT, 'staged') });
  // The same asset without Remotion's client: a 202 from it proves the queued path never loads it
  // (the AWS SDK loads tslib too, so the child's `__awaiter` sign cannot tell here).
  const withoutClient = path.join(OUT, 'staged-without-remotion-client');
  fs.rmSync(withoutClient, { recursive: true, force: true });
  fs.cpSync(oursDir, withoutClient, { recursive: true });
  fs.rmSync(path.join(withoutClient, REMOTION_CLIENT_FILE));
  const naive = await buildWithEsbuild(NAIVE_ENTRY, path.join(OUT, 'naive'), NODEJS_FUNCTION_ESM);
  if (!naive.ok) throw new Error(`naive bundle failed: ${(naive.errors ?? []).join(' | ')}`);
  const [fake, moto] = await Promise.all([FakeLambda.start(), MotoServer.start()]);
  Object.assign(process.env, moto.sdkEnvironment(), { AWS_ENDPOINT_URL_LAMBDA: fake.url, AWS_ENDPOINT_URL_S3: fake.url });
  try {
    await createRecordsTable(TABLE);
    const { QueueUrl } = await new sqs.SQSClient({}).send(new sqs.CreateQueueCommand({ QueueName: 'bench-render-queue' }));
    const queued = queueEnvironment(QueueUrl!);
    const awsInMoto = { AWS_ENDPOINT_URL_DYNAMODB: moto.url, AWS_ENDPOINT_URL_SQS: moto.url };

    const accepted = REQUESTS.find((request) => request.expectedStatus === 202)!;
    const cells: Cell[] = [
      { key: 'bare', runs: COLD_RUNS },
      { key: 'ours, queued, no Remotion client in the asset | 202', bundle: path.join(withoutClient, 'index.mjs'), request: accepted, runs: COLD_RUNS, env: { ...queued, ...awsInMoto } },
      { key: 'ours, direct start | 202 POST /renders', bundle: path.join(oursDir, 'index.mjs'), request: accepted, runs: COLD_RUNS },
      { key: 'naive, direct start | 202 POST /renders', bundle: naive.file, request: accepted, runs: COLD_RUNS },
    ];
    say(`\n## Cold 202: a fresh \`node\` process imports the bundle and handles one POST /renders (${COLD_RUNS} runs per cell)`);
    const summaries = await measureColdStarts(cells, fake.url, () => undefined);
    say(table(coldStartTable(summaries, 'tslib loaded (Remotion or the AWS SDK)')));
    for (const summary of summaries) if (summary.problem) say(`  ${summary.cell.key}: ${summary.problem}`);
    const [, ours, direct, naiveCell] = summaries;
    const ratio = ours.medianWallMs / naiveCell.medianWallMs;
    say(`- queued 202 / naive 202: ${ms(ours.medianWallMs)} vs ${ms(naiveCell.medianWallMs)} = ${ratio.toFixed(2)}x (goal <= ${GOAL}x) -> ${ratio <= GOAL && ours.works && naiveCell.works ? 'MET' : 'NOT MET'}; p90 ${(ours.p90WallMs / naiveCell.p90WallMs).toFixed(2)}x`);
    say(`- queued 202 / our direct start: ${(ours.medianWallMs / direct.medianWallMs).toFixed(2)}x`);

    say(`\n## Warm 202: ${WARM_RUNS} sequential POST /renders, handler in process, moto (DynamoDB, SQS) and the fake Lambda on loopback`);
    const rows: Array<[string, number[]]> = [
      ['queued: record + queued place + SendMessage', await warm(queued)],
      ['direct start, records off (baseline)', await warm({})],
      ['direct start, record written', await warm({ [RENDER_ENV.RECORDS_TABLE_NAME]: TABLE })],
    ];
    say(table([
      ['POST /renders 202', 'p50', 'p95'],
      ...rows.map(([name, samples]) => [name, ms(percentile(samples, 50)), ms(percentile(samples, 95))]),
    ]));
  } finally {
    await Promise.all([fake.close(), moto.stop()]);
  }
}

if (require.main === module) {
  benchQueue().catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
}
