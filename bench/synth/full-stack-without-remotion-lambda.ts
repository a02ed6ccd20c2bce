/** Synth child: the same API as bench/synth/full-stack.ts, on a Remotion deployment made outside the stack. */
import { Stack } from 'aws-cdk-lib';
import { timeSynth } from './common';
import { AuthenticatedRenderApi, RemotionSite } from '../../src';
import { REMOTION_FUNCTION_NAME, SERVE_URL } from '../../test/render-function/runtime/handler-events';

timeSynth((app) => {
  const stack = new Stack(app, 'BenchFullStackWithoutRemotionLambda', { env: { region: 'us-east-1' } });
  new AuthenticatedRenderApi(stack, 'Render', {
    render: {
      site: RemotionSite.fromSiteAttributes(stack, 'Site', { serveUrl: SERVE_URL, remotionFunctionName: REMOTION_FUNCTION_NAME }),
      compositions: ['Intro', 'Outro'],
    },
  });
  return stack;
});
