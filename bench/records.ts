/**
 * What the render records cost a warm request: POST /renders (202) and GET /renders, with records
 * (and idempotency and limits) on against records off, through the handler source in this process,
 * Remotion's real client calling the bench's fake Lambda, and the AWS SDK calling moto, all on
 * loopback. Also the cold-start cost of loading Powertools' idempotency utility. Prints numbers;
 * asserts nothing.
 *
 *   scripts/moto.sh install && npx ts-node --project tsconfig.dev.json bench/records.ts
 *
 * BENCH_RECORDS_RUNS (default 200) sets the warm requests per cell.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as idempotency from '@aws-lambda-powertools/idempotency';
import * as powertoolsDynamoDb from '@aws-lambda-powertools/idempotency/dynamodb';
import * as dynamodbClient from '@aws-sdk/client-dynamodb';
import * as dynamodbLib from '@aws-sdk/lib-dynamodb';
import * as remotionClient from '@remotion/lambda/client';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { median, ms, percentile, table } from './lib/stats';
import { RENDER_ENV } from '../src/render-function/contract';
import { createRenderApiHandler, type RemotionClient } from '../src/render-function/runtime/render-api';
import { MotoServer } from '../test/moto/moto-server';
import { createRecordsTable } from '../test/moto/records-table';
import { FakeLambda } from '../test/render-function/runtime/fake-lambda';
import { apiEvent, constructEnvironment, startRenderEvent } from '../test/render-function/runtime/handler-events';

const RUNS = Math.min(1000, Math.max(20, Number.parseInt(process.env.BENCH_RECORDS_RUNS ?? '200', 10) || 200));
const COLD_RUNS = 10;
const TABLE = 'bench-records';

function say(text = ''): void {
  process.stdout.write(`${text}\n`);
}

type Handler = ReturnType<typeof createRenderApiHandler>;

function handlerWith(env: Record<string, string | undefined>): Handler {
  return createRenderApiHandler({
    env: constructEnvironment(env),
    loadRemotionClient: async (): Promise<RemotionClient> => remotionClient,
    readSecretString: async () => '',
    loadDynamoDb: async () => ({ client: dynamodbClient, lib: dynamodbLib }),
    loadIdempotency: async () => ({ idempotency, dynamodb: powertoolsDynamoDb }),
    writeLog: () => undefined,
  });
}

/** Latencies of `RUNS` sequential calls after 10 warm-up calls. */
async function measure(handler: Handler, event: (i: number) => APIGatewayProxyEventV2WithJWTAuthorizer, expected: number): Promise<number[]> {
  for (let i = 0; i < 10; i++) await handler(event(-1 - i));
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const startedAt = performance.now();
    const response = await handler(event(i));
    samples.push(performance.now() - startedAt);
    if (response.statusCode !== expected) throw new Error(`Expected ${expected}, got ${response.statusCode}: ${String(response.body)}`);
  }
  return samples;
}

/** Milliseconds to import the modules in a fresh node process (median of COLD_RUNS), after `preload`. */
function importMs(modules: readonly string[], preload: readonly string[] = []): number {
  const script = `
for (const m of ${JSON.stringify(preload)}) await import(m);
const t = performance.now();
for (const m of ${JSON.stringify(modules)}) await import(m);
process.stdout.write(String(performance.now() - t));`;
  const samples = Array.from({ length: COLD_RUNS }, () =>
    Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: path.join(__dirname, '..') }).toString()));
  return median(samples);
}

async function main(): Promise<void> {
  const [fake, moto] = await Promise.all([FakeLambda.start(), MotoServer.start()]);
  Object.assign(process.env, moto.sdkEnvironment(), { AWS_ENDPOINT_URL_LAMBDA: fake.url, AWS_ENDPOINT_URL_S3: fake.url });
  try {
    await createRecordsTable(TABLE);
    const records = { [RENDER_ENV.RECORDS_TABLE_NAME]: TABLE, [RENDER_ENV.RECORDS_RETENTION_SECONDS]: '86400' };
    const off = handlerWith({});
    const onPlain = handlerWith({ ...records, [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: '0', [RENDER_ENV.LIMIT_MAX_STARTS]: '0' });
    const onAll = handlerWith({
      ...records,
      [RENDER_ENV.IDEMPOTENCY_ENABLED]: 'true',
      [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: '1000',
      [RENDER_ENV.LIMIT_MAX_STARTS]: '1000',
    });
    // Each sample its own user, so the limits never refuse; the keys are fresh, so each one starts.
    const start = (i: number) => startRenderEvent({ composition: 'Intro' }, { sub: `bench-user-${i + 100}` });
    const keyed = (i: number) => {
      const event = start(i);
      return { ...event, headers: { ...event.headers, 'idempotency-key': `bench-key-${i + 100}` } };
    };
    const list = () => apiEvent({ routeKey: 'GET /renders', method: 'GET', rawPath: '/renders', sub: 'bench-lister' });
    for (let i = 0; i < 20; i++) await onPlain(startRenderEvent({ composition: 'Intro' }, { sub: 'bench-lister' }));

    const cells: Array<[string, number[]]> = [
      ['POST /renders 202, records off', await measure(off, start, 202)],
      ['POST /renders 202, record written', await measure(onPlain, start, 202)],
      ['POST /renders 202, record + Idempotency-Key + both limits', await measure(onAll, keyed, 202)],
      ['GET /renders (20 records, one page)', await measure(onPlain, list, 200)],
    ];
    const base = cells[0][1];
    say(`Warm latency, ${RUNS} sequential requests per row, handler in-process, moto and the fake Lambda on loopback`);
    say(table([
      ['request', 'p50', 'p95', 'p50 over records off', 'p95 over records off'],
      ...cells.map(([name, samples]) => [
        name, ms(percentile(samples, 50)), ms(percentile(samples, 95)),
        name.startsWith('POST') ? ms(percentile(samples, 50) - percentile(base, 50)) : '',
        name.startsWith('POST') ? ms(percentile(samples, 95) - percentile(base, 95)) : '',
      ]),
    ]));
    say();
    const sdk = ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'];
    const powertools = ['@aws-lambda-powertools/idempotency', '@aws-lambda-powertools/idempotency/dynamodb'];
    say(`Cold import, median of ${COLD_RUNS} fresh node processes`);
    say(table([
      ['modules', 'import'],
      ['DynamoDB clients (from Lambda\'s runtime in production)', ms(importMs(sdk))],
      ['Powertools idempotency, after the DynamoDB clients', ms(importMs(powertools, sdk))],
    ]));
  } finally {
    await Promise.all([fake.close(), moto.stop()]);
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
