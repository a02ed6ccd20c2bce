/** The part of `aws4fetch` the reader uses; loaded only when a secret is read. */
export type SignerModule = Pick<typeof import('aws4fetch'), 'AwsClient'>;

/** Raised when a secret cannot be used. The message never contains the secret's value. */
export class SecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretError';
  }
}

/** Attempts after the first for throttling and 5xx answers, like the AWS SDK's standard mode (3 in all). */
const RETRIES = 2;

/**
 * Returns a function that reads a secret's string value with Secrets Manager's `GetSecretValue`,
 * signed (SigV4) with the function's role credentials, which the Lambda runtime puts in `env`.
 * `loadSigner` is called by each read and never before, so requests that read no secret never
 * evaluate the signing module. The call goes to the region named by the ARN (a secret may live
 * outside the function's region), else to `AWS_REGION`. `signal` aborts the request (and its
 * retries) where it is, so a hung read ends at the caller's deadline instead of fetch's own.
 */
export function createSecretReader(
  loadSigner: () => Promise<SignerModule>,
  env: NodeJS.ProcessEnv = process.env,
): (secretId: string, signal?: AbortSignal) => Promise<string> {
  return async (secretId, signal) => {
    const region = regionOfArn(secretId) ?? nonEmpty(env.AWS_REGION);
    if (region === undefined) {
      throw new SecretError('No region for Secrets Manager: the secret is not named by ARN and AWS_REGION is not set');
    }
    const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
    const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
    if (accessKeyId === undefined || secretAccessKey === undefined) {
      throw new SecretError('No credentials to read the secret with: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set');
    }
    const { AwsClient } = await loadSigner();
    const client = new AwsClient({
      accessKeyId,
      secretAccessKey,
      sessionToken: nonEmpty(env.AWS_SESSION_TOKEN),
      service: 'secretsmanager',
      region,
      retries: RETRIES,
    });
    const response = await client.fetch(secretsManagerEndpoint(region, env), {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
      body: JSON.stringify({ SecretId: secretId }),
      signal,
    });
    const answer = await readJson(response);
    if (!response.ok) {
      const errorType = errorTypeOf(answer);
      throw new SecretError(`Secrets Manager answered ${response.status}${errorType === undefined ? '' : ` (${errorType})`}`);
    }
    const secretString = typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>).SecretString : undefined;
    if (typeof secretString !== 'string' || secretString === '') {
      throw new SecretError('The secret has no string value');
    }
    return secretString;
  };
}

/** The endpoint the AWS SDK would use: a configured one, or the regional one of the region's partition. */
export function secretsManagerEndpoint(region: string, env: NodeJS.ProcessEnv): string {
  const configured = nonEmpty(env.AWS_ENDPOINT_URL_SECRETS_MANAGER) ?? nonEmpty(env.AWS_ENDPOINT_URL);
  if (configured !== undefined) return configured;
  const domain = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://secretsmanager.${region}.${domain}/`;
}

export function regionOfArn(secretId: string): string | undefined {
  const parts = secretId.split(':');
  return parts[0] === 'arn' && parts.length > 4 && parts[3] !== '' ? parts[3] : undefined;
}

export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** The body as JSON, or undefined; always consumes it, so the connection can be reused. */
export async function readJson(response: Response): Promise<unknown> {
  try {
    return JSON.parse(await response.text());
  } catch {
    return undefined;
  }
}

/**
 * The error's name from the JSON protocol's `__type` (`ResourceNotFoundException`, or with a
 * `namespace#` prefix). Anything that does not look like a name is dropped, so no other part of
 * the body reaches the message.
 */
export function errorTypeOf(answer: unknown): string | undefined {
  if (typeof answer !== 'object' || answer === null) return undefined;
  const type = (answer as Record<string, unknown>).__type;
  if (typeof type !== 'string') return undefined;
  const name = type.split('#').pop()?.split(':')[0] ?? '';
  return /^[A-Za-z][A-Za-z0-9_.]{0,99}$/.test(name) ? name : undefined;
}

/** An IAM access key pair for Remotion's client. */
export interface AccessKeyPair {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/**
 * Reads `{"accessKeyId": "...", "secretAccessKey": "..."}`, or the names Remotion's docs use
 * (`remotion_aws_client_id`, `remotion_aws_client_secret`).
 */
export function parseAccessKeySecret(secretString: string): AccessKeyPair {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new SecretError('The credentials secret is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SecretError('The credentials secret is not a JSON object');
  }
  const fields = new Map<string, unknown>(Object.entries(parsed));
  const accessKeyId = fields.get('accessKeyId') ?? fields.get('remotion_aws_client_id');
  const secretAccessKey = fields.get('secretAccessKey') ?? fields.get('remotion_aws_client_secret');
  if (typeof accessKeyId !== 'string' || accessKeyId === '' || typeof secretAccessKey !== 'string' || secretAccessKey === '') {
    throw new SecretError('The credentials secret needs non-empty accessKeyId and secretAccessKey (or remotion_aws_client_id and remotion_aws_client_secret)');
  }
  return { accessKeyId, secretAccessKey };
}

/** Remotion's client prefers these variables over the function's own role credentials. */
export function setRemotionAccessKeys(keys: AccessKeyPair, env: NodeJS.ProcessEnv): void {
  env.REMOTION_AWS_ACCESS_KEY_ID = keys.accessKeyId;
  env.REMOTION_AWS_SECRET_ACCESS_KEY = keys.secretAccessKey;
}
