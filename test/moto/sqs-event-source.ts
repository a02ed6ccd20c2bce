/**
 * TEST HARNESS, not product code: an emulation of Lambda's SQS event source mapping over moto's
 * SQS (moto in server mode, test/moto/moto-server.ts), for tests of functions that SQS feeds.
 *
 * It does what the event source mapping does for a standard queue:
 * - receives batches of up to `batchSize` messages, waiting up to `maximumBatchingWindowMs` to
 *   fill one once its first message arrived, with the queue's own visibility timeout;
 * - invokes the handler with Lambda's `SQSEvent` (Records with messageId, receiptHandle, body,
 *   attributes including ApproximateReceiveCount, messageAttributes, md5OfBody, eventSource,
 *   eventSourceARN, awsRegion);
 * - with `reportBatchItemFailures` (on by default) deletes the messages the handler did not list
 *   in `batchItemFailures`; a handler that throws, or that names an id that is not in the batch,
 *   fails the whole batch, and nothing is deleted. Failed messages reappear after the visibility
 *   timeout, as in SQS;
 * - keeps at most `maxConcurrency` handler invocations in flight (Lambda's `ScalingConfig`);
 *   while all are busy it receives nothing, so no message sits received and unhandled.
 * Redrive to a dead-letter queue is SQS's own: moto honours a queue's `RedrivePolicy` and moves a
 * message that was received `maxReceiveCount` times to the DLQ on the next receive
 * (sqs-event-source.test.ts shows it), so this harness does not emulate it.
 *
 * Every ReceiveMessage is a short poll (`WaitTimeSeconds: 0`) repeated every `pollIntervalMs`:
 * our moto server applies one request at a time, and a long poll would hold every other call.
 *
 * The handler is any `SqsBatchHandler`: an in-process function, or a function that hands the
 * event to a worker process running the bundled handler and resolves with its answer (the way
 * records/load.test.ts runs the render handler's bundle).
 */
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { motoJson } from './json-api';

/** What Lambda invokes: resolves with the batch response (or nothing, for success), or throws. */
export type SqsBatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

export interface SqsEventSourceOptions {
  /** The moto server's URL. */
  readonly motoUrl: string;
  readonly queueUrl: string;
  readonly handler: SqsBatchHandler;
  /** At most this many messages per invocation. @default 10 */
  readonly batchSize?: number;
  /** How long to keep receiving to fill a batch once it has its first message. @default 0 */
  readonly maximumBatchingWindowMs?: number;
  /** At most this many invocations in flight at once. @default 2 (Lambda's minimum) */
  readonly maxConcurrency?: number;
  /** Whether the handler's `batchItemFailures` are honoured (`ReportBatchItemFailures`). @default true */
  readonly reportBatchItemFailures?: boolean;
  /** The pause between two empty receives. @default 25 */
  readonly pollIntervalMs?: number;
}

/** One handler invocation and how it ended. */
export interface SqsInvocation {
  readonly event: SQSEvent;
  /** `succeeded` (all deleted), `partial` (some listed as failed), `failed` (threw or answered wrongly), or `running`. */
  outcome: 'running' | 'succeeded' | 'partial' | 'failed';
  /** The message ids left on the queue to reappear. */
  readonly failedMessageIds: string[];
  error?: unknown;
}

interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes?: Record<string, string>;
  MD5OfMessageAttributes?: string;
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
}

const REGION = 'us-east-1';

export class SqsEventSource {
  /** Starts polling `queueUrl` at once. Call `stop()` in `afterEach`/`afterAll`. */
  static async start(options: SqsEventSourceOptions): Promise<SqsEventSource> {
    const source = new SqsEventSource(options, await arnOfQueue(options.motoUrl, options.queueUrl));
    source.loop = source.poll();
    return source;
  }

  /** Every invocation, in the order they started. */
  readonly invocations: SqsInvocation[] = [];
  private inFlightCount = 0;
  private peak = 0;
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();
  private readonly running = new Set<Promise<void>>();
  private wake: (() => void) | undefined;
  private readonly batchSize: number;
  private readonly windowMs: number;
  private readonly maxConcurrency: number;
  private readonly pollIntervalMs: number;

  private constructor(private readonly options: SqsEventSourceOptions, readonly queueArn: string) {
    this.batchSize = options.batchSize ?? 10;
    this.windowMs = options.maximumBatchingWindowMs ?? 0;
    this.maxConcurrency = options.maxConcurrency ?? 2;
    this.pollIntervalMs = options.pollIntervalMs ?? 25;
    if (this.batchSize < 1 || this.maxConcurrency < 1) throw new Error('batchSize and maxConcurrency must be at least 1');
  }

  /** Handler invocations in flight now. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** The most handler invocations that were ever in flight at once. */
  get peakInFlight(): number {
    return this.peak;
  }

  /** Every record delivered so far, in delivery order (a message delivered twice appears twice). */
  deliveries(): SQSRecord[] {
    return this.invocations.flatMap((invocation) => invocation.event.Records);
  }

  /**
   * Makes a received message visible again at once (ChangeMessageVisibility to 0), so SQS
   * delivers it again while its first delivery may still be handled: an at-least-once duplicate.
   */
  async redeliver(record: SQSRecord): Promise<void> {
    await motoJson(this.options.motoUrl, 'sqs', 'ChangeMessageVisibility', {
      QueueUrl: this.options.queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: 0,
    });
    this.wake?.();
  }

  /** Resolves once `condition` holds, checking every 20 ms; rejects after `timeoutMs`. */
  async waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`The SQS event source did not reach the condition in ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  /** Stops receiving, then waits for the invocations in flight to end. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await Promise.all([...this.running]);
  }

  private async poll(): Promise<void> {
    while (!this.stopped) {
      if (this.inFlightCount >= this.maxConcurrency) {
        await this.pause(this.pollIntervalMs);
        continue;
      }
      const batch = await this.receiveBatch();
      if (batch.length === 0) {
        await this.pause(this.pollIntervalMs);
        continue;
      }
      this.invoke(batch);
    }
  }

  /** Receives up to `batchSize` messages: the first receive, then more until the window closes. */
  private async receiveBatch(): Promise<ReceivedMessage[]> {
    const batch = await this.receive(this.batchSize);
    const windowEnd = Date.now() + this.windowMs;
    while (batch.length > 0 && batch.length < this.batchSize && Date.now() < windowEnd && !this.stopped) {
      const more = await this.receive(this.batchSize - batch.length);
      if (more.length === 0) await this.pause(Math.min(this.pollIntervalMs, windowEnd - Date.now()));
      batch.push(...more);
    }
    return batch;
  }

  private async receive(count: number): Promise<ReceivedMessage[]> {
    if (this.stopped) return [];
    const { Messages } = await motoJson(this.options.motoUrl, 'sqs', 'ReceiveMessage', {
      QueueUrl: this.options.queueUrl,
      MaxNumberOfMessages: Math.min(count, 10),
      WaitTimeSeconds: 0,
      AttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }) as { Messages?: ReceivedMessage[] };
    return Messages ?? [];
  }

  private invoke(messages: ReceivedMessage[]): void {
    const event: SQSEvent = { Records: messages.map((message) => this.record(message)) };
    const invocation: SqsInvocation = { event, outcome: 'running', failedMessageIds: [] };
    this.invocations.push(invocation);
    this.inFlightCount += 1;
    this.peak = Math.max(this.peak, this.inFlightCount);
    // A failed delete (moto gone at the end of a test) is kept on the invocation, never left unhandled.
    const run = this.settle(invocation).catch((error: unknown) => {
      invocation.error = error;
    }).finally(() => {
      this.inFlightCount -= 1;
      this.running.delete(run);
      this.wake?.();
    });
    this.running.add(run);
  }

  private async settle(invocation: SqsInvocation): Promise<void> {
    const ids = invocation.event.Records.map((record) => record.messageId);
    let failed: string[];
    try {
      const response = await this.options.handler(invocation.event);
      failed = this.options.reportBatchItemFailures === false ? [] : failedIds(response, ids);
    } catch (error) {
      invocation.error = error;
      failed = ids;
    }
    invocation.failedMessageIds.push(...failed);
    invocation.outcome = failed.length === 0 ? 'succeeded' : failed.length === ids.length ? 'failed' : 'partial';
    const done = invocation.event.Records.filter((record) => !failed.includes(record.messageId));
    if (done.length > 0) {
      await motoJson(this.options.motoUrl, 'sqs', 'DeleteMessageBatch', {
        QueueUrl: this.options.queueUrl,
        Entries: done.map((record, i) => ({ Id: String(i), ReceiptHandle: record.receiptHandle })),
      });
    }
  }

  private record(message: ReceivedMessage): SQSRecord {
    const attributes = message.Attributes ?? {};
    const messageAttributes: SQSMessageAttributes = {};
    for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
      messageAttributes[name] = {
        dataType: value.DataType,
        ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
        ...(value.BinaryValue !== undefined ? { binaryValue: value.BinaryValue } : {}),
        stringListValues: [],
        binaryListValues: [],
      };
    }
    return {
      messageId: message.MessageId,
      receiptHandle: message.ReceiptHandle,
      body: message.Body,
      attributes: {
        ApproximateReceiveCount: attributes.ApproximateReceiveCount,
        SentTimestamp: attributes.SentTimestamp,
        SenderId: attributes.SenderId,
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp,
        ...(attributes.MessageGroupId !== undefined ? { MessageGroupId: attributes.MessageGroupId } : {}),
      },
      messageAttributes,
      md5OfBody: message.MD5OfBody,
      ...(message.MD5OfMessageAttributes !== undefined ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
      eventSource: 'aws:sqs',
      eventSourceARN: this.queueArn,
      awsRegion: REGION,
    };
  }

  /** Sleeps `ms`, or less when an invocation ends, a message is made visible, or `stop()` is called. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(ms, 0));
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }
}

/**
 * The ids Lambda leaves on the queue for a batch response: none for an empty or missing answer,
 * the listed ones, or the whole batch when an itemIdentifier is empty or not in the batch.
 */
function failedIds(response: SQSBatchResponse | void, ids: string[]): string[] {
  const failures = response?.batchItemFailures ?? [];
  if (failures.some((failure) => typeof failure.itemIdentifier !== 'string' || !ids.includes(failure.itemIdentifier))) return ids;
  return ids.filter((id) => failures.some((failure) => failure.itemIdentifier === id));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A standard queue with its dead-letter queue, wired by SQS's own RedrivePolicy. */
export interface QueueWithDlq {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

/** Creates `name` and `name-dlq` in moto; a message received `maxReceiveCount` times moves to the DLQ. */
export async function createQueueWithDlq(
  motoUrl: string,
  name: string,
  options: { readonly visibilityTimeoutSeconds: number; readonly maxReceiveCount: number },
): Promise<QueueWithDlq> {
  const dlqUrl = await createQueue(motoUrl, `${name}-dlq`, {});
  const dlqArn = await arnOfQueue(motoUrl, dlqUrl);
  const queueUrl = await createQueue(motoUrl, name, {
    VisibilityTimeout: String(options.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: options.maxReceiveCount }),
  });
  return { queueUrl, queueArn: await arnOfQueue(motoUrl, queueUrl), dlqUrl, dlqArn };
}

async function createQueue(motoUrl: string, name: string, attributes: Record<string, string>): Promise<string> {
  const { QueueUrl } = await motoJson(motoUrl, 'sqs', 'CreateQueue', { QueueName: name, Attributes: attributes }) as { QueueUrl: string };
  return QueueUrl;
}

async function arnOfQueue(motoUrl: string, queueUrl: string): Promise<string> {
  const { Attributes } = await motoJson(motoUrl, 'sqs', 'GetQueueAttributes', { QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }) as { Attributes: { QueueArn: string } };
  return Attributes.QueueArn;
}

/**
 * Sends one message; returns its MessageId. A `messageGroupId` on a standard queue is an SQS fair
 * queue's tenant: moto keeps it and returns it as the MessageGroupId attribute, but does not
 * reorder deliveries by it.
 */
export async function sendMessage(
  motoUrl: string,
  queueUrl: string,
  body: string,
  messageAttributes: Record<string, string> = {},
  messageGroupId?: string,
): Promise<string> {
  const { MessageId } = await motoJson(motoUrl, 'sqs', 'SendMessage', {
    QueueUrl: queueUrl,
    MessageBody: body,
    ...(messageGroupId !== undefined ? { MessageGroupId: messageGroupId } : {}),
    MessageAttributes: Object.fromEntries(Object.entries(messageAttributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }])),
  }) as { MessageId: string };
  return MessageId;
}

/** The queue's visible and in-flight message counts, as SQS approximates them. */
export async function queueDepth(motoUrl: string, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await motoJson(motoUrl, 'sqs', 'GetQueueAttributes', {
    QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  }) as { Attributes: Record<string, string> };
  return { visible: Number(Attributes.ApproximateNumberOfMessages), inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible) };
}
