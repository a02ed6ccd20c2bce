import type { MotoServer } from '../../../moto/moto-server';
import { FAKE_ROLE_CREDENTIALS, type FakeLambda } from '../fake-lambda';
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
