import type { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** The parts of `@aws-sdk/client-secrets-manager` the handler uses; loaded only when a secret is configured. */
export interface SecretsManagerModule {
  readonly SecretsManagerClient: typeof SecretsManagerClient;
  readonly GetSecretValueCommand: typeof GetSecretValueCommand;
}

/** Raised when a secret cannot be used. The message never contains the secret's value. */
export class SecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretError';
  }
}

/**
 * Returns a function that reads a secret's string value. The SDK module is loaded on the
 * first read, in the region named by the ARN (a secret may live outside the function's region).
 */
export function createSecretReader(loadSecretsManager: () => Promise<SecretsManagerModule>): (secretId: string) => Promise<string> {
  return async (secretId) => {
    const { SecretsManagerClient: Client, GetSecretValueCommand: GetSecretValue } = await loadSecretsManager();
    const region = regionOfArn(secretId);
    const client = new Client(region === undefined ? {} : { region });
    try {
      const answer = await client.send(new GetSecretValue({ SecretId: secretId }));
      if (typeof answer.SecretString !== 'string' || answer.SecretString === '') {
        throw new SecretError('The secret has no string value');
      }
      return answer.SecretString;
    } finally {
      client.destroy();
    }
  };
}

function regionOfArn(secretId: string): string | undefined {
  const parts = secretId.split(':');
  return parts[0] === 'arn' && parts.length > 4 && parts[3] !== '' ? parts[3] : undefined;
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
