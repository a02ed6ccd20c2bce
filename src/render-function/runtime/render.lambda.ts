import { lambdaDependencies } from './lambda-dependencies';
import type { RemotionClient } from './render-api';
import { createRenderApiHandler } from './render-api';
import { REMOTION_CLIENT_FILE } from '../contract';

/**
 * The consumer's own `@remotion/lambda-client`, which the construct copies beside the bundle's
 * `index.mjs` at synth (see src/render-function/handler-code.ts); an ES module resolves it
 * relative to itself. Our bundle never contains it: the specifier is not a literal, so esbuild
 * leaves the import to Node.js at run time.
 */
const REMOTION_CLIENT_SPECIFIER = `./${REMOTION_CLIENT_FILE}`;

/**
 * The HTTP API's render handler. Remotion's client, the request signer used to read secrets and
 * the DynamoDB clients of the render records are imported lazily, so requests refused during
 * validation never read or evaluate them.
 */
export const handler = createRenderApiHandler(lambdaDependencies(() => import(REMOTION_CLIENT_SPECIFIER) as Promise<RemotionClient>));
