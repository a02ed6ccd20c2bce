import type { MotoServer } from '../../../moto/moto-server';
import { FAKE_ROLE_CREDENTIALS, type FakeLambda } from '../fake-lambda';

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
  };
}
