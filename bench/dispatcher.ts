/**
 * The dispatcher's overhead per start (issue 20): the dispatcher as its entry makes it
 * (`queueFunctionResources` + `createDispatcher`), in this process, handling one SQS record at a
 * time; moto (DynamoDB) holds the records and the holds, and the tests' fake Remotion answers
 * Remotion's real client on loopback. Per message: the time from the handler receiving it to the
 * fake accepting Remotion's start call (reads, the run slot, the claim, the budget, the client),
 * and the whole message (the start's answer and the RENDERING write too). Prints numbers;
 * asserts nothing. Moto answers far slower than DynamoDB, so this is an upper bound.
 *
 *   scripts/moto.sh install && npx ts-node --project tsconfig.dev.json bench/dispatcher.ts
 *
 * BENCH_DISPATCH_RUNS (default 100) sets the messages.
 */
import * as dynamodb from '@aws-sdk/client-dynamodb';
import * as sqs from '@aws-sdk/client-sqs';
import * as documents from '@aws-sdk/lib-dynamodb';
import * as remotionClient from '@remotion/lambda/client';
import type { SQSEvent } from 'aws-lambda';
import { ms, percentile, table } from './lib/stats';
import { RENDER_ENV, type QueuedRenderMessage } from '../src/render-function/contract';
import { createDispatcher } from '../src/render-function/runtime/queue/dispatch';
import { queueFunctionResources } from '../src/render-function/runtime/queue/resources';
import { createCountedHolds, queuedKey } from '../src/render-function/runtime/records/holds';
import { newQueuedRecord } from '../src/render-function/runtime/records/record';
import { createRecordStore } from '../src/render-function/runtime/records/store';
import type { RemotionClient } from '../src/render-function/runtime/resources';
import { MotoServer } from '../test/moto/moto-server';
import { createRecordsTable, motoDocumentClient } from '../test/moto/records-table';
import { FakeLambda } from '../test/render-function/runtime/fake-lambda';
import { constructEnvironment } from '../test/render-function/runtime/handler-events';

const RUNS = Math.min(1000, Math.max(20, Number.parseInt(process.env.BENCH_DISPATCH_RUNS ?? '100', 10) || 100));
const TABLE = 'bench-dispatch-records';
const WARMUP = 5;

export interface DispatcherBench {
  readonly toStartMs: number[];
  readonly perMessageMs: number[];
  readonly startsAtFake: number;
}

/** Queues `count` renders as POST /renders does (the queued place and the QUEUED record), and dispatches them one by one. */
export async function measureDispatcher(count = RUNS): Promise<DispatcherBench> {
  const [fake, moto] = await Promise.all([FakeLambda.start(), MotoServer.start()]);
  const savedEnv = { ...process.env };
  // DynamoDB and SQS at moto, Lambda and S3 at the fake; an undefined value unsets the variable.
  for (const [name, value] of Object.entries({ ...moto.sdkEnvironment(), ...fake.sdkEnvironment() })) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    await createRecordsTable(TABLE);
    const { QueueUrl } = await new sqs.SQSClient({}).send(new sqs.CreateQueueCommand({ QueueName: 'bench-dispatch-queue' }));
    const env = constructEnvironment({
      [RENDER_ENV.RECORDS_TABLE_NAME]: TABLE,
      [RENDER_ENV.QUEUE_URL]: QueueUrl,
      [RENDER_ENV.QUEUE_MAX_QUEUED_PER_USER]: '100000',
      [RENDER_ENV.QUEUE_MAX_AGE_SECONDS]: '3600',
      [RENDER_ENV.QUEUE_RENDER_CONCURRENCY]: '5',
      // Room for every render: the bench measures a start, not a deferral.
      [RENDER_ENV.BUDGET_MAX_LAMBDAS]: String(6 * (count + WARMUP)),
    });
    const dispatch = createDispatcher({
      resources: queueFunctionResources({
        env,
        loadRemotionClient: async (): Promise<RemotionClient> => remotionClient,
        readSecretString: async () => '',
        loadDynamoDb: async () => ({ client: dynamodb, lib: documents }),
        loadSqs: async () => sqs,
      }),
      log: () => undefined,
    });
    const store = createRecordStore(TABLE, motoDocumentClient(), documents);
    const holds = createCountedHolds(TABLE, motoDocumentClient(), documents);
    let startCalledAt = 0;
    fake.onStartAccepted(() => {
      startCalledAt = performance.now();
    });
    const toStartMs: number[] = [];
    const perMessageMs: number[] = [];
    for (let i = 0; i < count + WARMUP; i++) {
      const sub = `bench-user-${i % 20}`;
      const renderId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const now = Date.now();
      await holds.reserve(queuedKey(sub), renderId, 1, 100_000);
      await store.put(newQueuedRecord({
        sub, renderId, composition: 'Intro', codec: 'h264', privacy: 'private', now, retentionSeconds: 86_400, queuedHold: true, checkAt: now + 3_600_000,
      }));
      const message: QueuedRenderMessage = {
        v: 1, renderId, sub, request: { composition: 'Intro', codec: 'h264', inputProps: {}, outName: 'out.mp4' }, uniqueId: renderId, queuedAt: now,
      };
      const event: SQSEvent = { Records: [sqsRecord(`message-${i}`, JSON.stringify(message))] };
      const receivedAt = performance.now();
      const response = await dispatch(event);
      const doneAt = performance.now();
      if (response.batchItemFailures.length > 0) throw new Error(`Message ${i} was not started`);
      if (i < WARMUP) continue;
      toStartMs.push(startCalledAt - receivedAt);
      perMessageMs.push(doneAt - receivedAt);
    }
    return { toStartMs, perMessageMs, startsAtFake: fake.invocationsOfType('start').length };
  } finally {
    process.env = savedEnv;
    await Promise.all([fake.close(), moto.stop()]);
  }
}

function sqsRecord(messageId: string, body: string): SQSEvent['Records'][number] {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'bench', ApproximateFirstReceiveTimestamp: String(Date.now()) },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:bench-dispatch-queue',
    awsRegion: 'us-east-1',
  };
}

/** The dispatcher's section of `npx projen bench`. */
export async function benchDispatcher(say: (text?: string) => void): Promise<void> {
  const result = await measureDispatcher();
  say(`${result.perMessageMs.length} messages, one per invocation, after ${WARMUP} to warm up; ${result.startsAtFake} starts at the fake`);
  say(table([
    ['per message', 'p50', 'p95'],
    ['received -> Remotion\'s start call accepted at the fake', ms(percentile(result.toStartMs, 50)), ms(percentile(result.toStartMs, 95))],
    ['received -> acknowledged (start answered, RENDERING written)', ms(percentile(result.perMessageMs, 50)), ms(percentile(result.perMessageMs, 95))],
  ]));
}

if (require.main === module) {
  benchDispatcher((text = '') => process.stdout.write(`${text}\n`)).catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
}
