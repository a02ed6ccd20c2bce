import type { RemotionClient } from './render-api';
import { createRenderApiHandler } from './render-api';
import { createSecretReader } from './secrets';
import { REMOTION_CLIENT_FILE } from '../contract';

/**
 * The consumer's own `@remotion/lambda-client`, which the construct copies beside the bundle's
 * `index.mjs` at synth (see src/render-function/handler-code.ts); an ES module resolves it
 * relative to itself. Our bundle never contains it: the specifier is not a literal, so esbuild
 * leaves the import to Node.js at run time.
 */
const REMOTION_CLIENT_SPECIFIER = `./${REMOTION_CLIENT_FILE}`;

/**
 * The HTTP API's render handler. Remotion's client and the request signer used to read secrets
 * are imported lazily, so requests refused during validation never read or evaluate them.
 */
export const handler = createRenderApiHandler({
  env: process.env,
  loadRemotionClient: () => import(REMOTION_CLIENT_SPECIFIER) as Promise<RemotionClient>,
  readSecretString: createSecretReader(() => import('aws4fetch')),
});
