/**
 * Remotion's completion webhook as its render function sends it (serverless `handlers/launch.js`
 * and `invoke-webhook.js`): the payload of each outcome and the signed request, signed by
 * Remotion's own `calculateSignature`.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');
// Not in @remotion/serverless's exports map, so loaded by path; Node's own require, because the
// bench (no jest) uses the fake too, and no jest mock may replace it.
export const { calculateSignature } = createRequire(__filename)(path.join(ROOT, 'node_modules/@remotion/serverless/dist/invoke-webhook.js')) as {
  calculateSignature: (payload: string, secret: string | null) => string;
};

/** What a webhook payload is about, beside its outcome. */
export interface RemotionWebhookSubject {
  readonly renderId: string;
  readonly bucketName: string;
  readonly customData: Record<string, unknown> | null;
  /** The output's URL, for a success. */
  readonly outputUrl: string;
  readonly expectedBucketOwner?: string;
}

/** The JSON body Remotion's function posts when a render ends with `type`. */
export function remotionWebhookPayload(type: 'success' | 'error' | 'timeout', subject: RemotionWebhookSubject): Record<string, unknown> {
  const common = {
    type,
    renderId: subject.renderId,
    expectedBucketOwner: subject.expectedBucketOwner ?? '123456789012',
    bucketName: subject.bucketName,
    customData: subject.customData,
  };
  if (type === 'success') {
    return {
      ...common,
      outputUrl: subject.outputUrl,
      lambdaErrors: [],
      outputFile: subject.outputUrl,
      timeToFinish: 9000,
      costs: { estimatedCost: 0.0042, estimatedDisplayCost: '$0.004', currency: 'USD', disclaimer: 'x' },
    };
  }
  if (type === 'error') {
    return {
      ...common,
      errors: [{ message: 'Composition crashed in arn:aws:lambda:us-east-1:123456789012:function:remotion-render\n    at /var/task/index.js:1:1', name: 'Error', stack: 'Error\n at x' }],
    };
  }
  return common;
}

/** The body and headers of Remotion's webhook request for `payload`, signed with `secret` (lower-case header names). */
export function signedRemotionWebhook(payload: Record<string, unknown>, secret: string | null): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-remotion-mode': 'production',
      'x-remotion-signature': calculateSignature(body, secret),
      'x-remotion-status': String(payload.type),
    },
  };
}
