import { errorTypeOf, nonEmpty, readJson, regionOfArn, type SignerModule } from '../secrets';
import type { EventEntry } from './webhook';

/** Raised when EventBridge did not take the event. The message names no ARN. */
export class EventPutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventPutError';
  }
}

/** Attempts after the first for throttling and 5xx answers, like the AWS SDK's standard mode. */
const RETRIES = 2;

/**
 * Returns a function that puts one event with EventBridge's `PutEvents`, signed (SigV4) with the
 * function's role credentials like the secret reader: one call per finished render does not need
 * a second SDK client, and aws4fetch is already in the bundle. The call goes to the bus's region
 * (from its ARN), else `AWS_REGION`; `AWS_ENDPOINT_URL_EVENTBRIDGE` (or `AWS_ENDPOINT_URL`)
 * overrides the endpoint as it does for the AWS SDK. A refused entry (`FailedEntryCount`) throws.
 */
export function createEventPutter(
  loadSigner: () => Promise<SignerModule>,
  env: NodeJS.ProcessEnv = process.env,
): (entry: EventEntry, signal?: AbortSignal) => Promise<void> {
  return async (entry, signal) => {
    const region = regionOfArn(entry.EventBusName) ?? nonEmpty(env.AWS_REGION);
    if (region === undefined) throw new EventPutError('No region for EventBridge: the bus is not named by ARN and AWS_REGION is not set');
    const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
    const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
    if (accessKeyId === undefined || secretAccessKey === undefined) {
      throw new EventPutError('No credentials to put the event with: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set');
    }
    const { AwsClient } = await loadSigner();
    const client = new AwsClient({
      accessKeyId,
      secretAccessKey,
      sessionToken: nonEmpty(env.AWS_SESSION_TOKEN),
      service: 'events',
      region,
      retries: RETRIES,
    });
    const response = await client.fetch(eventBridgeEndpoint(region, env), {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' },
      body: JSON.stringify({ Entries: [entry] }),
      signal,
    });
    const answer = await readJson(response);
    if (!response.ok) {
      const errorType = errorTypeOf(answer);
      throw new EventPutError(`EventBridge answered ${response.status}${errorType === undefined ? '' : ` (${errorType})`}`);
    }
    const failed = typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>).FailedEntryCount : undefined;
    if (failed !== 0) {
      const entries = (answer as { Entries?: { ErrorCode?: unknown }[] } | undefined)?.Entries;
      const code = entries?.[0]?.ErrorCode;
      throw new EventPutError(`EventBridge did not take the event${typeof code === 'string' && /^[A-Za-z.]{1,64}$/.test(code) ? ` (${code})` : ''}`);
    }
  };
}

/** The endpoint the AWS SDK would use: a configured one, or the regional one of the region's partition. */
export function eventBridgeEndpoint(region: string, env: NodeJS.ProcessEnv): string {
  const configured = nonEmpty(env.AWS_ENDPOINT_URL_EVENTBRIDGE) ?? nonEmpty(env.AWS_ENDPOINT_URL);
  if (configured !== undefined) return configured;
  const domain = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://events.${region}.${domain}/`;
}
