import type { MetricsModule } from './metrics';
import { createEventPutter } from './records/events';
import type { IdempotencyModules } from './records/idempotency';
import type { RemotionClient, RenderApiDependencies } from './resources';
import { createSecretReader } from './secrets';

/**
 * The loaders every function of the asset (API, dispatcher, sweeper) runs with. The SDK clients
 * are external to the bundle (Lambda's Node.js runtime ships AWS SDK v3) and, like the signer,
 * imported lazily, so a request or message that needs none of them never reads them.
 *
 * Remotion's client is the one loader each entry passes in: its specifier is relative, and a
 * relative `import()` resolves against the file it is written in. The entries sit beside
 * `remotion/lambda-client.mjs`; this module ends up in a shared chunk under `chunks/`.
 */
export function lambdaDependencies(loadRemotionClient: () => Promise<RemotionClient>): RenderApiDependencies {
  return {
    env: process.env,
    loadRemotionClient,
    readSecretString: createSecretReader(() => import('aws4fetch')),
    putEvent: createEventPutter(() => import('aws4fetch')),
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
    // The same package, typed from its ESM build here and from its CJS build where the type is declared.
    loadMetrics: async () => await import('@aws-lambda-powertools/metrics') as unknown as MetricsModule,
  };
}
