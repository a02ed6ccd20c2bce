import { createRenderApiHandler } from './render-api';
import { createSecretReader } from './secrets';

/**
 * The HTTP API's render handler. Both SDKs are imported lazily: esbuild keeps each one in a
 * lazily evaluated wrapper, so requests refused during validation never evaluate them.
 */
export const handler = createRenderApiHandler({
  env: process.env,
  loadRemotionClient: () => import('@remotion/lambda/client'),
  readSecretString: createSecretReader(() => import('@aws-sdk/client-secrets-manager')),
});
