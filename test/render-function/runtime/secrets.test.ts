import * as aws4fetch from 'aws4fetch';
import { FAKE_ROLE_CREDENTIALS, FakeLambda } from './fake-lambda';
import { createSecretReader, parseAccessKeySecret, SecretError, setRemotionAccessKeys, type SignerModule } from '../../../src/render-function/runtime/secrets';

describe('parseAccessKeySecret', () => {
  it('reads the construct\'s field names', () => {
    expect(parseAccessKeySecret('{"accessKeyId":"AKIA1","secretAccessKey":"s1"}')).toEqual({ accessKeyId: 'AKIA1', secretAccessKey: 's1' });
  });

  it('reads the field names from Remotion\'s docs', () => {
    expect(parseAccessKeySecret('{"remotion_aws_client_id":"AKIA2","remotion_aws_client_secret":"s2"}'))
      .toEqual({ accessKeyId: 'AKIA2', secretAccessKey: 's2' });
  });

  it.each([
    ['not JSON', 'AKIA1:topsecret', 'The credentials secret is not JSON'],
    ['a JSON array', '["AKIA1","topsecret"]', 'The credentials secret is not a JSON object'],
    ['missing the secret key', '{"accessKeyId":"AKIA1","secret":"topsecret"}', 'The credentials secret needs'],
    ['an empty key id', '{"accessKeyId":"","secretAccessKey":"topsecret"}', 'The credentials secret needs'],
  ])('refuses a secret that is %s, without repeating it', (_, secret, message) => {
    let thrown: unknown;
    try {
      parseAccessKeySecret(secret);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SecretError);
    expect((thrown as Error).message).toContain(message);
    expect((thrown as Error).message).not.toContain('topsecret');
  });
});

describe('setRemotionAccessKeys', () => {
  it('sets the variables Remotion\'s client prefers over the function\'s role', () => {
    const env: NodeJS.ProcessEnv = {};
    setRemotionAccessKeys({ accessKeyId: 'AKIA1', secretAccessKey: 's1' }, env);
    expect(env).toEqual({ REMOTION_AWS_ACCESS_KEY_ID: 'AKIA1', REMOTION_AWS_SECRET_ACCESS_KEY: 's1' });
  });
});

describe('createSecretReader', () => {
  const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:webhook-AbCdEf';
  const ROLE_ENV = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: FAKE_ROLE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_ROLE_CREDENTIALS.secretAccessKey,
  };

  /** Reads with the real `aws4fetch`, whose loader counts its calls. */
  function realReader(env: NodeJS.ProcessEnv) {
    const loadSigner = jest.fn(async (): Promise<SignerModule> => aws4fetch);
    return { read: createSecretReader(loadSigner, env), loadSigner };
  }

  async function failureOf(promise: Promise<unknown>): Promise<Error> {
    try {
      await promise;
    } catch (error) {
      return error as Error;
    }
    throw new Error('The read did not fail');
  }

  describe('against the fake Secrets Manager', () => {
    let fake: FakeLambda;
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      fake = await FakeLambda.start();
    });

    beforeEach(() => {
      env = { ...ROLE_ENV, AWS_ENDPOINT_URL_SECRETS_MANAGER: fake.url };
    });

    afterEach(() => fake.reset());

    afterAll(async () => {
      await fake.close();
    });

    it('stops a hung read where it is when the signal aborts', async () => {
      fake.failWith('hang');
      const { read } = realReader(env);
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('deadline')), 100);

      await expect(read(SECRET_ARN, controller.signal)).rejects.toThrow('deadline');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(fake.abandonedRequests).toEqual(['secret']);
    });

    it('reads the secret string with a call signed for secretsmanager in the ARN\'s region, loading the signer only then', async () => {
      fake.putSecret(SECRET_ARN, 'webhook-signing-secret');
      const { read, loadSigner } = realReader({ ...env, AWS_SESSION_TOKEN: 'fake-session-token' });
      expect(loadSigner).not.toHaveBeenCalled();

      await expect(read(SECRET_ARN)).resolves.toBe('webhook-signing-secret');

      expect(loadSigner).toHaveBeenCalledTimes(1);
      expect(fake.secretReads).toEqual([SECRET_ARN]);
      expect(fake.secretRequests).toHaveLength(1);
      const [request] = fake.secretRequests;
      expect(request).toMatchObject({
        accessKeyId: FAKE_ROLE_CREDENTIALS.accessKeyId,
        region: 'eu-west-1',
        service: 'secretsmanager',
        target: 'secretsmanager.GetSecretValue',
        contentType: 'application/x-amz-json-1.1',
        sessionToken: 'fake-session-token',
      });
      expect(request.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-security-token', 'x-amz-target']));
      expect(JSON.parse(request.body)).toEqual({ SecretId: SECRET_ARN });
    });

    it('uses AWS_REGION for a secret given by name, and AWS_ENDPOINT_URL when no Secrets Manager endpoint is set', async () => {
      fake.putSecret('my-secret', 'value');
      const { read } = realReader({ ...ROLE_ENV, AWS_ENDPOINT_URL: fake.url });

      await expect(read('my-secret')).resolves.toBe('value');

      expect(fake.secretRequests).toEqual([expect.objectContaining({ region: 'us-east-1', service: 'secretsmanager', sessionToken: undefined })]);
    });

    it('names the status and error type of a refusal', async () => {
      const error = await failureOf(realReader(env).read(SECRET_ARN));

      expect(error).toEqual(new SecretError('Secrets Manager answered 400 (ResourceNotFoundException)'));
    });

    it('retries a server error twice, then fails without repeating the answer\'s message', async () => {
      fake.putSecret(SECRET_ARN, 'topsecret');
      fake.failWith('service-error');

      const error = await failureOf(realReader(env).read(SECRET_ARN));

      expect(error).toEqual(new SecretError('Secrets Manager answered 500 (InternalServiceError)'));
      expect(fake.secretReads).toEqual([SECRET_ARN, SECRET_ARN, SECRET_ARN]);
    });

    it('is refused by the fake when signed with another secret key', async () => {
      fake.putSecret(SECRET_ARN, 'value');

      const error = await failureOf(realReader({ ...env, AWS_SECRET_ACCESS_KEY: 'not-the-role-secret' }).read(SECRET_ARN));

      expect(error).toEqual(new SecretError('Secrets Manager answered 403 (InvalidSignatureException)'));
      expect(fake.secretReads).toEqual([]);
    });

    it.each([
      ['another operation', 'secretsmanager.ListSecrets', 'application/x-amz-json-1.1', 400, 'UnknownOperationException'],
      ['another content type', 'secretsmanager.GetSecretValue', 'application/json', 400, 'SerializationException'],
    ])('(the fake refuses %s, even when signed)', async (_, target, contentType, status, errorType) => {
      fake.putSecret(SECRET_ARN, 'value');
      const client = new aws4fetch.AwsClient({ ...FAKE_ROLE_CREDENTIALS, service: 'secretsmanager', region: 'eu-west-1', retries: 0 });

      const response = await client.fetch(fake.url, {
        method: 'POST', headers: { 'content-type': contentType, 'x-amz-target': target }, body: JSON.stringify({ SecretId: SECRET_ARN }),
      });

      expect(response.status).toBe(status);
      expect(await response.json()).toMatchObject({ __type: errorType });
      expect(fake.secretReads).toEqual([]);
    });

    it.each([
      ['unsigned', undefined, 'MissingAuthenticationTokenException'],
      ['signed for another service', 'lambda', 'InvalidSignatureException'],
    ])('(the fake refuses a call %s)', async (_, service, errorType) => {
      const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' };
      const init = { method: 'POST', headers, body: JSON.stringify({ SecretId: SECRET_ARN }) };
      const client = new aws4fetch.AwsClient({ ...FAKE_ROLE_CREDENTIALS, service, region: 'eu-west-1', retries: 0 });

      const response = service === undefined ? await fetch(fake.url, init) : await client.fetch(fake.url, init);

      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ __type: errorType });
    });

    it('refuses a secret without a string value', async () => {
      fake.putSecret(SECRET_ARN, '');

      await expect(realReader(env).read(SECRET_ARN)).rejects.toThrow(new SecretError('The secret has no string value'));
    });
  });

  describe('with a recording signer', () => {
    interface SignerCall {
      readonly options: ConstructorParameters<typeof aws4fetch.AwsClient>[0];
      readonly url: string;
      readonly init: RequestInit | null | undefined;
    }

    /** A stand-in for `aws4fetch` that answers every call with `answer`. */
    function recordingSigner(answer: () => Response) {
      const calls: SignerCall[] = [];
      class AwsClient {
        constructor(readonly options: SignerCall['options']) {}
        async fetch(input: { toString: () => string }, init?: RequestInit | null): Promise<Response> {
          calls.push({ options: this.options, url: input.toString(), init });
          return answer();
        }
      }
      const loadSigner = jest.fn(async () => ({ AwsClient }) as unknown as SignerModule);
      return { calls, loadSigner };
    }

    const json = (status: number, body: unknown) => () => new Response(JSON.stringify(body), { status });

    it.each([
      ['eu-west-1', 'https://secretsmanager.eu-west-1.amazonaws.com/'],
      ['us-gov-west-1', 'https://secretsmanager.us-gov-west-1.amazonaws.com/'],
      ['cn-north-1', 'https://secretsmanager.cn-north-1.amazonaws.com.cn/'],
    ])('calls the regional endpoint of %s with the role\'s credentials', async (region, endpoint) => {
      const { calls, loadSigner } = recordingSigner(json(200, { SecretString: 'value' }));
      const arn = `arn:aws:secretsmanager:${region}:123456789012:secret:x`;

      await expect(createSecretReader(loadSigner, { ...ROLE_ENV, AWS_SESSION_TOKEN: 'token' })(arn)).resolves.toBe('value');

      expect(calls).toEqual([{
        options: {
          accessKeyId: FAKE_ROLE_CREDENTIALS.accessKeyId,
          secretAccessKey: FAKE_ROLE_CREDENTIALS.secretAccessKey,
          sessionToken: 'token',
          service: 'secretsmanager',
          region,
          retries: 2,
        },
        url: endpoint,
        init: {
          method: 'POST',
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
          body: JSON.stringify({ SecretId: arn }),
        },
      }]);
    });

    it.each([
      ['the access key id', { AWS_ACCESS_KEY_ID: undefined }],
      ['the secret access key', { AWS_SECRET_ACCESS_KEY: '' }],
    ])('refuses to read without %s, before loading the signer', async (_, missing) => {
      const { loadSigner } = recordingSigner(json(200, { SecretString: 'value' }));

      const error = await failureOf(createSecretReader(loadSigner, { ...ROLE_ENV, ...missing })(SECRET_ARN));

      expect(error).toBeInstanceOf(SecretError);
      expect(error.message).toContain('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set');
      expect(loadSigner).not.toHaveBeenCalled();
    });

    it('refuses a secret given by name when no region is known', async () => {
      const { loadSigner } = recordingSigner(json(200, { SecretString: 'value' }));

      const error = await failureOf(createSecretReader(loadSigner, { ...ROLE_ENV, AWS_REGION: undefined })('my-secret'));

      expect(error).toBeInstanceOf(SecretError);
      expect(error.message).toContain('AWS_REGION is not set');
    });

    it.each([
      ['a body that is not JSON', () => new Response('<html>topsecret</html>', { status: 502 }), 'Secrets Manager answered 502'],
      ['a namespaced error type', json(400, { __type: 'com.amazonaws.secretsmanager#DecryptionFailure', message: 'topsecret' }), 'Secrets Manager answered 400 (DecryptionFailure)'],
      ['an error type that is not a name', json(403, { __type: 'topsecret value with spaces', message: 'topsecret' }), 'Secrets Manager answered 403'],
    ])('names only the status and error type of a failure with %s', async (_, answer, message) => {
      const { loadSigner } = recordingSigner(answer);

      const error = await failureOf(createSecretReader(loadSigner, ROLE_ENV)(SECRET_ARN));

      expect(error).toEqual(new SecretError(message));
      expect(error.message).not.toContain('topsecret');
    });

    it.each([
      ['only a binary value', json(200, { ARN: SECRET_ARN, SecretBinary: 'dG9wc2VjcmV0' })],
      ['a body that is not JSON', () => new Response('topsecret', { status: 200 })],
    ])('refuses an answer with %s', async (_, answer) => {
      const { loadSigner } = recordingSigner(answer);

      await expect(createSecretReader(loadSigner, ROLE_ENV)(SECRET_ARN)).rejects.toThrow(new SecretError('The secret has no string value'));
    });
  });
});
