import { createRenderApiHandler } from './render-api';
import { createSecretReader } from './secrets';

/**
 * The HTTP API's render handler. Remotion's client and the request signer used to read secrets
 * are imported lazily: esbuild keeps each one in a lazily evaluated wrapper, so requests refused
 * during validation never evaluate them.
 */
export const handler = createRenderApiHandler({
  env: process.env,
  loadRemotionClient: () => import('./remotion-client.js'),
  readSecretString: createSecretReader(() => import('aws4fetch')),
});
