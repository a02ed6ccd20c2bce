import { createEventPutter } from './records/events';
import type { IdempotencyModules } from './records/idempotency';
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
 * The HTTP API's render handler. Remotion's client, the request signer used to read secrets and
 * the DynamoDB clients of the render records are imported lazily (the DynamoDB clients are
 * external and come from Lambda's runtime), so requests refused during validation never read or
 * evaluate them.
 */
export const handler = createRenderApiHandler({
  env: process.env,
  loadRemotionClient: () => import(REMOTION_CLIENT_SPECIFIER) as Promise<RemotionClient>,
  readSecretString: createSecretReader(() => import('aws4fetch')),
  putEvent: createEventPutter(() => import('aws4fetch')),
  // External to the bundle: Lambda's Node.js runtime ships AWS SDK v3.
  loadDynamoDb: async () => {
    const [client, lib] = await Promise.all([import('@aws-sdk/client-dynamodb'), import('@aws-sdk/lib-dynamodb')]);
    return { client, lib };
  },
  loadSqs: () => import('@aws-sdk/client-sqs'),
  loadIdempotency: async () => {
    const [idempotency, dynamodb] = await Promise.all([
      import('@aws-lambda-powertools/idempotency'),
      import('@aws-lambda-powertools/idempotency/dynamodb'),
    ]);
    // The same package, typed from its ESM build here and from its CJS build where the type is declared.
    return { idempotency, dynamodb } as unknown as IdempotencyModules;
  },
});
