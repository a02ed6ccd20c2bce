import type { IdempotencyModules } from './records/idempotency';
import { createRenderApiHandler } from './render-api';
import { createSecretReader } from './secrets';

/**
 * The HTTP API's render handler. Remotion's client, the request signer used to read secrets and
 * the DynamoDB clients of the render records are imported lazily: esbuild keeps each of ours in a
 * lazily evaluated wrapper (the DynamoDB clients are external and come from Lambda's runtime), so
 * requests refused during validation never evaluate them.
 */
export const handler = createRenderApiHandler({
  env: process.env,
  loadRemotionClient: () => import('./remotion-client.js'),
  readSecretString: createSecretReader(() => import('aws4fetch')),
  // External to the bundle: Lambda's Node.js runtime ships AWS SDK v3.
  loadDynamoDb: async () => {
    const [client, lib] = await Promise.all([import('@aws-sdk/client-dynamodb'), import('@aws-sdk/lib-dynamodb')]);
    return { client, lib };
  },
  loadIdempotency: async () => {
    const [idempotency, dynamodb] = await Promise.all([
      import('@aws-lambda-powertools/idempotency'),
      import('@aws-lambda-powertools/idempotency/dynamodb'),
    ]);
    // The same package, typed from its ESM build here and from its CJS build where the type is declared.
    return { idempotency, dynamodb } as unknown as IdempotencyModules;
  },
});
