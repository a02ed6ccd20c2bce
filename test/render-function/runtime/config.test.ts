import { constructEnvironment, REMOTION_FUNCTION_NAME, SERVE_URL } from './handler-events';
import { RENDER_ENV } from '../../../src/render-function/contract';
import { loadConfig, RenderConfigError } from '../../../src/render-function/runtime/config';

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof RenderConfigError) return error.problems;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  it('reads the environment the construct sets', () => {
    expect(loadConfig(constructEnvironment())).toEqual({
      region: 'us-east-1',
      functionName: REMOTION_FUNCTION_NAME,
      progressFromBucket: false,
      serveUrl: SERVE_URL,
      compositions: ['Intro', 'Outro'],
      allowedCodecs: ['h264', 'vp9'],
      defaultCodec: 'h264',
      privacy: 'private',
      bucketName: undefined,
      outputPrefix: 'renders-by-user/',
      maxInputPropsBytes: 1024,
      framesPerLambda: undefined,
      maxRetries: undefined,
      webhookUrl: undefined,
      webhookSecretArn: undefined,
      credentialsSecretArn: undefined,
      presignExpiresSeconds: 900,
      callTimeoutMs: 5000,
    });
  });

  it('reads the optional settings', () => {
    const config = loadConfig(constructEnvironment({
      [RENDER_ENV.BUCKET_NAME]: 'my-render-bucket',
      [RENDER_ENV.FRAMES_PER_LAMBDA]: '20',
      [RENDER_ENV.MAX_RETRIES]: '0',
      [RENDER_ENV.WEBHOOK_URL]: 'https://hooks.example.com/remotion',
      [RENDER_ENV.WEBHOOK_SECRET_ARN]: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hook',
      [RENDER_ENV.CREDENTIALS_SECRET_ARN]: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:keys',
    }));

    expect(config).toMatchObject({
      bucketName: 'my-render-bucket',
      framesPerLambda: 20,
      maxRetries: 0,
      webhookUrl: 'https://hooks.example.com/remotion',
      webhookSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hook',
      credentialsSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:keys',
    });
  });

  it('reads progress from the bucket only when the construct says the function name allows it', () => {
    expect(loadConfig(constructEnvironment({ [RENDER_ENV.PROGRESS_FROM_BUCKET]: 'true' })).progressFromBucket).toBe(true);
    expect(loadConfig(constructEnvironment({ [RENDER_ENV.PROGRESS_FROM_BUCKET]: 'false' })).progressFromBucket).toBe(false);
    expect(problemsOf(constructEnvironment({ [RENDER_ENV.PROGRESS_FROM_BUCKET]: 'yes' }))).toEqual([
      `${RENDER_ENV.PROGRESS_FROM_BUCKET} must be one of false, true`,
    ]);
  });

  it('requires the settings the construct always sets, with no defaults of its own', () => {
    expect(problemsOf(constructEnvironment({
      [RENDER_ENV.PRIVACY]: undefined,
      [RENDER_ENV.MAX_INPUT_PROPS_BYTES]: undefined,
      [RENDER_ENV.PRESIGN_EXPIRES_SECONDS]: undefined,
      [RENDER_ENV.CALL_TIMEOUT_MS]: undefined,
    }))).toEqual([
      'REMOTION_PRIVACY is required',
      'REMOTION_MAX_INPUT_PROPS_BYTES is required',
      'REMOTION_PRESIGN_EXPIRES_SECONDS is required',
      'REMOTION_CALL_TIMEOUT_MS is required',
    ]);
  });

  it('reads an empty output prefix as "no prefix"', () => {
    expect(loadConfig(constructEnvironment({ [RENDER_ENV.OUTPUT_PREFIX]: '' })).outputPrefix).toBe('');
  });

  it('names every missing required variable at once', () => {
    expect(problemsOf({})).toEqual([
      'REMOTION_REGION is required',
      'REMOTION_FUNCTION_NAME is required',
      'REMOTION_SERVE_URL is required',
      'REMOTION_COMPOSITIONS is required',
      'REMOTION_ALLOWED_CODECS is required',
      'REMOTION_DEFAULT_CODEC is required',
      'REMOTION_PRIVACY is required',
      'REMOTION_MAX_INPUT_PROPS_BYTES is required',
      'REMOTION_PRESIGN_EXPIRES_SECONDS is required',
      'REMOTION_CALL_TIMEOUT_MS is required',
    ]);
    expect(() => loadConfig({})).toThrow(/^Invalid render handler environment: REMOTION_REGION is required; REMOTION_FUNCTION_NAME is required;/);
  });

  it.each([
    [RENDER_ENV.COMPOSITIONS, 'Intro', 'REMOTION_COMPOSITIONS must be a non-empty JSON array of non-empty strings'],
    [RENDER_ENV.COMPOSITIONS, '[]', 'REMOTION_COMPOSITIONS must be a non-empty JSON array of non-empty strings'],
    [RENDER_ENV.ALLOWED_CODECS, '["h264","mkv"]', 'REMOTION_ALLOWED_CODECS contains "mkv", which is not one of h264, h265, vp8, vp9, mp3, aac, wav, gif, prores'],
    [RENDER_ENV.DEFAULT_CODEC, 'gif', 'REMOTION_DEFAULT_CODEC "gif" is not in REMOTION_ALLOWED_CODECS'],
    [RENDER_ENV.PRIVACY, 'secret', 'REMOTION_PRIVACY must be one of public, private, no-acl'],
    [RENDER_ENV.BUCKET_NAME, 'My_Bucket', 'REMOTION_BUCKET_NAME must be a valid S3 bucket name'],
    [RENDER_ENV.OUTPUT_PREFIX, 'renders', 'REMOTION_OUTPUT_PREFIX must be empty or folder names each ending in "/"'],
    [RENDER_ENV.OUTPUT_PREFIX, '/renders/', 'REMOTION_OUTPUT_PREFIX must be empty or folder names each ending in "/"'],
    [RENDER_ENV.MAX_INPUT_PROPS_BYTES, '64KB', 'REMOTION_MAX_INPUT_PROPS_BYTES must be an integer from 2 to 6291456'],
    [RENDER_ENV.FRAMES_PER_LAMBDA, '0', `REMOTION_FRAMES_PER_LAMBDA must be an integer from 1 to ${Number.MAX_SAFE_INTEGER}`],
    [RENDER_ENV.MAX_RETRIES, '-1', `REMOTION_MAX_RETRIES must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}`],
    [RENDER_ENV.PRESIGN_EXPIRES_SECONDS, '604801', 'REMOTION_PRESIGN_EXPIRES_SECONDS must be an integer from 1 to 604800'],
    [RENDER_ENV.CALL_TIMEOUT_MS, '1.5', 'REMOTION_CALL_TIMEOUT_MS must be an integer from 1 to 900000'],
    [RENDER_ENV.WEBHOOK_URL, 'ftp://hooks.example.com', 'REMOTION_WEBHOOK_URL must be an http(s) URL'],
  ])('rejects %s=%s', (name, value, problem) => {
    expect(problemsOf(constructEnvironment({ [name]: value }))).toEqual([problem]);
  });

  it('rejects a webhook secret without a webhook URL', () => {
    expect(problemsOf(constructEnvironment({ [RENDER_ENV.WEBHOOK_SECRET_ARN]: 'arn:aws:secretsmanager:us-east-1:1:secret:x' })))
      .toEqual(['REMOTION_WEBHOOK_SECRET_ARN is set but REMOTION_WEBHOOK_URL is not']);
  });

  it('treats empty and blank values as unset', () => {
    expect(loadConfig(constructEnvironment({ [RENDER_ENV.BUCKET_NAME]: '', [RENDER_ENV.WEBHOOK_URL]: '  ' }))).toMatchObject({
      bucketName: undefined,
      webhookUrl: undefined,
    });
  });
});
