/**
 * The EventBridge putter: one signed PutEvents call, against a local HTTP server that answers as
 * EventBridge would (moto covers the real API in handler-webhook.test.ts).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as aws4fetch from 'aws4fetch';
import { createEventPutter, eventBridgeEndpoint, EventPutError } from '../../../../src/render-function/runtime/records/events';

const ENTRY = { Source: 'remotion-constructs', DetailType: 'Remotion Render Succeeded', Detail: '{}', EventBusName: 'default', Resources: [] };
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'eu-west-1' };

let server: http.Server;
let answer: { status: number; body: unknown };
const requests: { target?: string; authorization?: string; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      requests.push({ target: request.headers['x-amz-target'] as string, authorization: request.headers.authorization, body });
      response.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requests.length = 0;
});

const endpoint = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

it('puts the one entry with AWSEvents.PutEvents, signed for the events service', async () => {
  answer = { status: 200, body: { FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] } };
  await createEventPutter(async () => aws4fetch, { ...CREDENTIALS, AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint() })(ENTRY);
  expect(requests).toHaveLength(1);
  expect(requests[0].target).toBe('AWSEvents.PutEvents');
  expect(requests[0].authorization).toMatch(/Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/events\/aws4_request/);
  expect(JSON.parse(requests[0].body)).toEqual({ Entries: [ENTRY] });
});

it('throws when EventBridge took the call but not the entry, naming only its error code', async () => {
  answer = { status: 200, body: { FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'arn:aws:events:eu-west-1:123456789012:x' }] } };
  const put = createEventPutter(async () => aws4fetch, { ...CREDENTIALS, AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint() });
  await expect(put(ENTRY)).rejects.toThrow(new EventPutError('EventBridge did not take the event (InternalFailure)'));
});

it('throws on an error answer with the error type, never the message', async () => {
  answer = { status: 400, body: { __type: 'ResourceNotFoundException', message: 'Event bus arn:aws:events:eu-west-1:123456789012:event-bus/x does not exist.' } };
  const put = createEventPutter(async () => aws4fetch, { ...CREDENTIALS, AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint() });
  await expect(put(ENTRY)).rejects.toThrow(new EventPutError('EventBridge answered 400 (ResourceNotFoundException)'));
});

it('needs credentials, and loads no signer without them', async () => {
  const loadSigner = jest.fn(async () => aws4fetch);
  await expect(createEventPutter(loadSigner, { AWS_REGION: 'eu-west-1' })(ENTRY)).rejects.toThrow(/credentials/);
  expect(loadSigner).not.toHaveBeenCalled();
});

it('calls the regional endpoint on the partition\'s domain unless an endpoint is configured', () => {
  expect(eventBridgeEndpoint('eu-west-1', {})).toBe('https://events.eu-west-1.amazonaws.com/');
  expect(eventBridgeEndpoint('cn-north-1', {})).toBe('https://events.cn-north-1.amazonaws.com.cn/');
  expect(eventBridgeEndpoint('eu-west-1', { AWS_ENDPOINT_URL: 'http://127.0.0.1:1/' })).toBe('http://127.0.0.1:1/');
});

it('signs for the region of a bus named by ARN rather than AWS_REGION', async () => {
  answer = { status: 200, body: { FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] } };
  const put = createEventPutter(async () => aws4fetch, { ...CREDENTIALS, AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint() });
  await put({ ...ENTRY, EventBusName: 'arn:aws:events:us-west-2:111122223333:event-bus/renders' });
  expect(requests[0].authorization).toMatch(/\/us-west-2\/events\/aws4_request/);
});
