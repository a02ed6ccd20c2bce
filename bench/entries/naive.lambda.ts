/**
 * The naive handler the bench compares against: our handler code, but importing Remotion's client
 * at the top, as a `NodejsFunction` handler would (`import ... from '@remotion/lambda/client'`),
 * so every cold start, refused requests too, reads and evaluates the whole client.
 */
import * as client from '@remotion/lambda/client';
import { createRenderApiHandler } from '../../src/render-function/runtime/render-api';
import { createSecretReader } from '../../src/render-function/runtime/secrets';

export const handler = createRenderApiHandler({
  env: process.env,
  loadRemotionClient: async () => client,
  readSecretString: createSecretReader(() => import('aws4fetch')),
});
