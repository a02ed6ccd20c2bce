import * as dynamodbModule from '@aws-sdk/client-dynamodb';
import * as lib from '@aws-sdk/lib-dynamodb';
import { constructEnvironment } from './handler-events';
import { RENDER_ENV } from '../../../src/render-function/contract';
import type { IdempotencyModules } from '../../../src/render-function/runtime/records/idempotency';
import { createResources, type RenderApiDependencies } from '../../../src/render-function/runtime/resources';

const ENV = constructEnvironment({ [RENDER_ENV.RECORDS_TABLE_NAME]: 'render-records', [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: '1' });

/** The DynamoDB module with a client class that counts how often it is made. */
function countingDynamoDb() {
  const made: dynamodbModule.DynamoDBClient[] = [];
  class CountingDynamoDBClient extends dynamodbModule.DynamoDBClient {
    constructor(...config: ConstructorParameters<typeof dynamodbModule.DynamoDBClient>) {
      super({ region: 'us-east-1', ...config[0] });
      made.push(this);
    }
  }
  return { made, client: { ...dynamodbModule, DynamoDBClient: CountingDynamoDBClient } };
}

function dependencies(overrides: Partial<RenderApiDependencies> = {}): RenderApiDependencies {
  return {
    env: ENV,
    loadRemotionClient: async () => {
      throw new Error('Not used');
    },
    readSecretString: async () => 'secret',
    ...overrides,
  };
}

describe('createResources', () => {
  it('makes one DynamoDB client for the records, the limits and Powertools\' idempotency store', async () => {
    const { made, client } = countingDynamoDb();
    const persistenceClients: unknown[] = [];
    const loadIdempotency = async () => ({
      idempotency: jest.requireActual('@aws-lambda-powertools/idempotency'),
      dynamodb: {
        DynamoDBPersistenceLayer: class {
          constructor(options: { awsSdkV3Client: unknown }) {
            persistenceClients.push(options.awsSdkV3Client);
          }
        },
      },
    }) as unknown as IdempotencyModules;
    const resources = createResources(dependencies({ loadDynamoDb: async () => ({ client, lib }), loadIdempotency }));
    await Promise.all([resources.recordStore(), resources.limits(), resources.idempotentStart()]);
    await resources.recordStore();
    expect(made).toHaveLength(1);
    expect(persistenceClients).toEqual([made[0]]);
  });

  it('fails each DynamoDB resource, and the next request tries again, when the handler has no loader', async () => {
    const resources = createResources(dependencies());
    await expect(resources.recordStore()).rejects.toThrow('Render records are configured, but the handler has no DynamoDB loader');
    await expect(resources.limits()).rejects.toThrow('Render records are configured, but the handler has no DynamoDB loader');
  });

  it('reads a secret only once it succeeded, and not at all without an ARN', async () => {
    const reads: string[] = [];
    let fail = true;
    const resources = createResources(dependencies({
      env: { ...ENV, [RENDER_ENV.WEBHOOK_URL]: 'https://hooks.example.com/done', [RENDER_ENV.WEBHOOK_SECRET_ARN]: 'arn:webhook' },
      readSecretString: async (id) => {
        reads.push(id);
        if (fail) throw new Error('unreachable');
        return 'webhook-secret';
      },
    }));
    await expect(resources.webhookSecret(1000)).rejects.toThrow('unreachable');
    fail = false;
    expect(await resources.webhookSecret(1000)).toBe('webhook-secret');
    expect(await resources.webhookSecret(1000)).toBe('webhook-secret');
    expect(await resources.completionSecret(1000)).toBeUndefined();
    expect(reads).toEqual(['arn:webhook', 'arn:webhook']);
  });
});
