import { createHash } from 'node:crypto';
import { messageGroupOf, queuedRenderMessage, queueFullMessage } from '../../../../src/render-function/runtime/routes/enqueue';
import { CALLER_SUB, OTHER_SUB } from '../handler-events';

const RENDER_ID = 'b3c1e7a2-5d4f-4e6a-9b8c-000000000001';
const REQUEST = { composition: 'Intro', codec: 'h264', inputProps: { title: 'Hi' }, outName: 'video.mp4' };

describe('messageGroupOf', () => {
  it('groups by owner with a SHA-256 hex of the sub, so the sub itself is not in the queue\'s metadata', () => {
    expect(messageGroupOf(CALLER_SUB)).toBe(createHash('sha256').update(CALLER_SUB).digest('hex'));
    expect(messageGroupOf(CALLER_SUB)).not.toContain(CALLER_SUB);
    expect(messageGroupOf(OTHER_SUB)).not.toBe(messageGroupOf(CALLER_SUB));
    // SQS takes at most 128 characters of a message group id.
    expect(messageGroupOf(CALLER_SUB).length).toBeLessThanOrEqual(128);
  });
});

describe('queuedRenderMessage', () => {
  it('is version 1 of the contract\'s message, our id doubling as the output\'s unique id', () => {
    expect(queuedRenderMessage({ renderId: RENDER_ID, sub: CALLER_SUB, request: REQUEST, completionWebhookUrl: 'https://api.example/webhooks/remotion', queuedAt: 1 }))
      .toEqual({
        v: 1,
        renderId: RENDER_ID,
        sub: CALLER_SUB,
        request: REQUEST,
        uniqueId: RENDER_ID,
        completionWebhookUrl: 'https://api.example/webhooks/remotion',
        queuedAt: 1,
      });
  });

  it('carries no completion webhook URL when there is none, and nothing of the request beyond the contract', () => {
    const message = queuedRenderMessage({ renderId: RENDER_ID, sub: CALLER_SUB, request: { ...REQUEST, extra: 'x' } as typeof REQUEST, queuedAt: 1 });
    expect(Object.keys(message)).toEqual(['v', 'renderId', 'sub', 'request', 'uniqueId', 'queuedAt']);
    expect(message.request).toEqual(REQUEST);
  });
});

describe('queueFullMessage', () => {
  it('names the caller\'s own queue and its size, never the account', () => {
    expect(queueFullMessage(20)).toBe('Your render queue is full: 20 of your renders are waiting to start, the most allowed; queue another once one has started');
    expect(queueFullMessage(20)).not.toMatch(/account|busy|capacity/i);
  });
});
