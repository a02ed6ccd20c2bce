import type { QueuedRenderMessage } from '../../../../src/render-function/contract';
import { parseQueuedMessage } from '../../../../src/render-function/runtime/queue/message';

const MESSAGE: QueuedRenderMessage = {
  v: 1,
  renderId: '3f6c1a52-8d0e-4a57-9a61-2f1d2b9a7c10',
  sub: 'user-1',
  request: { composition: 'Intro', codec: 'h264', inputProps: { title: 'Hi' }, outName: 'out.mp4' },
  uniqueId: 'b1e2c3d4-0000-4000-8000-000000000001',
  completionWebhookUrl: 'https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/remotion',
  queuedAt: Date.parse('2026-03-01T10:00:00.000Z'),
};

it('reads the message the API sends', () => {
  expect(parseQueuedMessage(JSON.stringify(MESSAGE))).toEqual(MESSAGE);
});

it('reads a message without a completion webhook URL (the function has a webhook of its own)', () => {
  const { completionWebhookUrl: _, ...withoutWebhook } = MESSAGE;
  expect(parseQueuedMessage(JSON.stringify(withoutWebhook))).toEqual(withoutWebhook);
});

it.each([
  ['another version', { ...MESSAGE, v: 2 }],
  ['no version', { ...MESSAGE, v: undefined }],
  ['no render id', { ...MESSAGE, renderId: '' }],
  ['no owner', { ...MESSAGE, sub: undefined }],
  ['input props that are not an object', { ...MESSAGE, request: { ...MESSAGE.request, inputProps: [1] } }],
  ['a queue time that is not a number', { ...MESSAGE, queuedAt: '2026-03-01' }],
  ['a webhook URL that is not a URL', { ...MESSAGE, completionWebhookUrl: 'not a url' }],
])('refuses a message with %s', (_, body) => {
  expect(parseQueuedMessage(JSON.stringify(body))).toBeUndefined();
});

it('refuses a body that is not JSON', () => {
  expect(parseQueuedMessage('{"v":1,')).toBeUndefined();
});
