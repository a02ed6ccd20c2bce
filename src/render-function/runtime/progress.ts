import type { RenderHandlerConfig } from './config';
import { checkProgressAnswer, type ProgressAnswer } from './remotion-answers';
import { renderProgressInput } from './remotion-input';
import type { RenderStatusRequest } from './request';
import type { RemotionClient } from './resources';

/** Where a progress came from: the bucket alone, or an invocation of Remotion's render function. */
export type ProgressSource = 'bucket' | 'invocation';

export interface ReadProgress {
  readonly progress: ProgressAnswer;
  readonly source: ProgressSource;
}

/**
 * Remotion's progress of one render, for status reads and for anything else that follows renders.
 * With `progressFromBucket`, Remotion's client computes it from the bucket alone
 * (`skipLambdaInvocation`): a GetObject of `renders/<id>/progress.json` and, with newer clients
 * (4.0.527, not 4.0.365), a HeadObject of the output once every chunk is combined; no Lambda
 * concurrency is used. A refused or missing progress file falls back to the invocation: the
 * render function then answers for an unknown render ("No render with ID"), and a role that may
 * invoke but not read the file still gets its answer.
 */
export async function readRenderProgress(
  client: Pick<RemotionClient, 'getRenderProgress'>,
  config: Pick<RenderHandlerConfig, 'region' | 'functionName' | 'progressFromBucket'>,
  render: RenderStatusRequest,
): Promise<ReadProgress> {
  const input = renderProgressInput(config, render);
  if (config.progressFromBucket) {
    try {
      return { progress: checkProgressAnswer(await client.getRenderProgress({ ...input, skipLambdaInvocation: true })), source: 'bucket' };
    } catch (error) {
      if (!isRefusedProgressRead(error)) throw error;
    }
  }
  return { progress: checkProgressAnswer(await client.getRenderProgress(input)), source: 'invocation' };
}

/**
 * S3's answer to a GetObject of a progress file that is missing (`NoSuchKey`, or `AccessDenied`
 * for a role without `s3:ListBucket`) or that the role may not read. Remotion's client passes the
 * read's error through unchanged; its HeadObject of the output turns a 403 into "not done yet".
 */
export function isRefusedProgressRead(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return (error.name === 'AccessDenied' && status === 403) || (error.name === 'NoSuchKey' && status === 404);
}
