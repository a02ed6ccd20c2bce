/**
 * Calls of moto's JSON-protocol APIs (Secrets Manager, EventBridge, SQS) for test setup and
 * checks, signed with aws4fetch like the handler's own calls; moto accepts any credentials.
 */
import { AwsClient } from 'aws4fetch';
import { MOTO_CREDENTIALS } from './moto-server';

const TARGETS = {
  secretsmanager: { prefix: 'secretsmanager', contentType: 'application/x-amz-json-1.1' },
  events: { prefix: 'AWSEvents', contentType: 'application/x-amz-json-1.1' },
  sqs: { prefix: 'AmazonSQS', contentType: 'application/x-amz-json-1.0' },
} as const;

export async function motoJson(
  motoUrl: string,
  service: keyof typeof TARGETS,
  action: string,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const client = new AwsClient({ ...MOTO_CREDENTIALS, service, region: 'us-east-1', retries: 0 });
  const target = TARGETS[service];
  const response = await client.fetch(`${motoUrl}/`, {
    method: 'POST',
    headers: { 'content-type': target.contentType, 'x-amz-target': `${target.prefix}.${action}` },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`moto ${service}.${action} answered ${response.status}: ${text.slice(0, 300)}`);
  return text === '' ? {} : JSON.parse(text);
}

/** An SQS queue that a rule on `busName` fills with every event of `source`; returns a reader of what arrived. */
export async function captureEvents(motoUrl: string, source: string, busName = 'default'): Promise<() => Promise<Record<string, unknown>[]>> {
  return captureMatching(motoUrl, { source: [source] }, busName);
}

let captures = 0;

/** An SQS queue that a rule on `busName` with `eventPattern` fills; returns a reader of what arrived. Each call makes its own rule and queue. */
export async function captureMatching(
  motoUrl: string,
  eventPattern: Record<string, unknown>,
  busName = 'default',
): Promise<() => Promise<Record<string, unknown>[]>> {
  const name = `capture-${Date.now()}-${++captures}`;
  const { QueueUrl } = await motoJson(motoUrl, 'sqs', 'CreateQueue', { QueueName: name }) as { QueueUrl: string };
  const { Attributes } = await motoJson(motoUrl, 'sqs', 'GetQueueAttributes', { QueueUrl, AttributeNames: ['QueueArn'] }) as { Attributes: { QueueArn: string } };
  await motoJson(motoUrl, 'events', 'PutRule', { Name: name, EventBusName: busName, EventPattern: JSON.stringify(eventPattern) });
  await motoJson(motoUrl, 'events', 'PutTargets', { Rule: name, EventBusName: busName, Targets: [{ Id: 'queue', Arn: Attributes.QueueArn }] });
  return async () => {
    const received: Record<string, unknown>[] = [];
    for (;;) {
      const { Messages } = await motoJson(motoUrl, 'sqs', 'ReceiveMessage', { QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }) as { Messages?: { Body: string; ReceiptHandle: string }[] };
      if (!Messages || Messages.length === 0) return received;
      for (const message of Messages) {
        received.push(JSON.parse(message.Body));
        await motoJson(motoUrl, 'sqs', 'DeleteMessage', { QueueUrl, ReceiptHandle: message.ReceiptHandle });
      }
    }
  };
}
