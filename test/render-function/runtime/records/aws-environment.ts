import { RENDER_EVENT_SOURCE } from '../../../../src/render-function/contract';
import { captureEvents, motoJson } from '../../../moto/json-api';
import { MotoServer } from '../../../moto/moto-server';
import { createRecordsTable } from '../../../moto/records-table';
import { FAKE_ROLE_CREDENTIALS, FakeLambda } from '../fake-lambda';
import { constructEnvironment } from '../handler-events';

/**
 * The environment of a handler under test with records on: DynamoDB (and EventBridge) in moto,
 * Lambda and S3 in the fake Remotion, with the fake's signing key (moto accepts any) and no
 * session or profile of the machine's own.
 */
export function recordsTestEnvironment(base: NodeJS.ProcessEnv, moto: MotoServer, fake: FakeLambda): NodeJS.ProcessEnv {
  return {
    ...base,
    ...moto.sdkEnvironment(),
    AWS_ACCESS_KEY_ID: FAKE_ROLE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_ROLE_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_ENDPOINT_URL_LAMBDA: fake.url,
    AWS_ENDPOINT_URL_S3: fake.url,
    // Remotion's cancelRenderOnLambda asks STS for the account before it writes the cancel marker.
    AWS_ENDPOINT_URL_STS: fake.url,
  };
}

/**
 * The whole environment of a separate `node` process that runs the handler bundle with records on,
 * as Lambda would: the runtime's variables and the construct's (`constructOverrides` on top), and
 * of the machine's own only PATH and HOME.
 */
export function recordsBundleEnvironment(
  moto: MotoServer,
  fake: FakeLambda,
  constructOverrides: Record<string, string>,
): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    ...moto.sdkEnvironment(),
    AWS_ACCESS_KEY_ID: FAKE_ROLE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_ROLE_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_LAMBDA: fake.url,
    AWS_ENDPOINT_URL_S3: fake.url,
    ...constructEnvironment(constructOverrides),
  };
}

/** What a handler test file with records, the completion secret and events runs against. */
export interface RecordsServers {
  readonly fake: FakeLambda;
  readonly moto: MotoServer;
  /** The completion secret in moto's Secrets Manager, made anew for each test. */
  readonly secretArn: string;
  /** The events put to the default bus since the test began. */
  readonly readEvents: () => Promise<Record<string, unknown>[]>;
}

/**
 * Starts the fake Remotion and moto once for the test file (Secrets Manager in moto too); before
 * each test resets both and makes the records table, the completion secret and an event capture.
 * `use` gets the servers after each step, so a test file keeps them in its own variables.
 */
export function useRecordsServers(
  table: string,
  secret: { readonly name: string; readonly value: string },
  use: (servers: RecordsServers) => void,
): void {
  const originalEnv = process.env;
  let servers = {} as RecordsServers;
  beforeAll(async () => {
    const [fake, moto] = await Promise.all([FakeLambda.start(), MotoServer.start()]);
    process.env = { ...recordsTestEnvironment(originalEnv, moto, fake), AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.url };
    use(servers = { ...servers, fake, moto });
  }, 30_000);

  beforeEach(async () => {
    servers.fake.reset();
    await servers.moto.reset();
    await createRecordsTable(table);
    const { ARN } = await motoJson(servers.moto.url, 'secretsmanager', 'CreateSecret', { Name: secret.name, SecretString: secret.value }) as { ARN: string };
    use(servers = { ...servers, secretArn: ARN, readEvents: await captureEvents(servers.moto.url, RENDER_EVENT_SOURCE) });
  });

  afterAll(async () => {
    await Promise.all([servers.fake?.close(), servers.moto?.stop()]);
    process.env = originalEnv;
  });
}
