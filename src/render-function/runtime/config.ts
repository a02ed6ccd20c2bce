import { BUCKET_NAME_PATTERN, OUTPUT_PREFIX_PATTERN } from '../../private/patterns';
import { CODEC_EXTENSIONS, RENDER_ENV } from '../contract';

/** Who may read the rendered file: Remotion's `privacy` option. */
export type OutputPrivacy = 'public' | 'private' | 'no-acl';

/** Everything the render handler needs to know about its deployment, read from the environment. */
export interface RenderHandlerConfig {
  readonly region: string;
  readonly functionName: string;
  /** Whether progress is read from the bucket, without invoking `functionName` (see `RENDER_ENV.PROGRESS_FROM_BUCKET`). */
  readonly progressFromBucket: boolean;
  readonly serveUrl: string;
  readonly compositions: readonly string[];
  readonly allowedCodecs: readonly string[];
  readonly defaultCodec: string;
  readonly privacy: OutputPrivacy;
  /** When set, Remotion uses this bucket for the render and the output. */
  readonly bucketName?: string;
  /** Empty, or a key prefix that ends with `/`. */
  readonly outputPrefix: string;
  readonly maxInputPropsBytes: number;
  readonly framesPerLambda?: number;
  readonly maxRetries?: number;
  readonly webhookUrl?: string;
  readonly webhookSecretArn?: string;
  readonly credentialsSecretArn?: string;
  readonly presignExpiresSeconds: number;
  readonly callTimeoutMs: number;
}

/** S3 refuses presigned URLs that live longer than seven days. */
const MAX_PRESIGN_EXPIRES_SECONDS = 7 * 24 * 60 * 60;
/** Lambda's synchronous payload limit is 6 MB; props larger than that could never be sent. */
const MAX_INPUT_PROPS_LIMIT_BYTES = 6 * 1024 * 1024;
/** A Lambda function runs for at most 15 minutes. */
const MAX_CALL_TIMEOUT_MS = 15 * 60 * 1000;
const PRIVACY_VALUES: readonly OutputPrivacy[] = ['public', 'private', 'no-acl'];

type Environment = Readonly<Record<string, string | undefined>>;

/** Thrown when the environment the construct set up is missing or malformed. */
export class RenderConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid render handler environment: ${problems.join('; ')}`);
    this.name = 'RenderConfigError';
  }
}

/**
 * Reads the handler's configuration from environment variables (see `RENDER_ENV`).
 * Collects every problem before throwing, so one failed deployment shows them all.
 */
export function loadConfig(env: Environment): RenderHandlerConfig {
  const problems: string[] = [];
  const reader = new EnvironmentReader(env, problems);

  const region = reader.required(RENDER_ENV.REGION);
  const functionName = reader.required(RENDER_ENV.FUNCTION_NAME);
  const serveUrl = reader.required(RENDER_ENV.SERVE_URL);
  const compositions = reader.stringArray(RENDER_ENV.COMPOSITIONS);
  const allowedCodecs = reader.stringArray(RENDER_ENV.ALLOWED_CODECS);
  for (const codec of allowedCodecs) {
    if (!isKnownCodec(codec)) {
      problems.push(`${RENDER_ENV.ALLOWED_CODECS} contains "${codec}", which is not one of ${Object.keys(CODEC_EXTENSIONS).join(', ')}`);
    }
  }
  const defaultCodec = reader.required(RENDER_ENV.DEFAULT_CODEC);
  if (defaultCodec !== '' && allowedCodecs.length > 0 && !allowedCodecs.includes(defaultCodec)) {
    problems.push(`${RENDER_ENV.DEFAULT_CODEC} "${defaultCodec}" is not in ${RENDER_ENV.ALLOWED_CODECS}`);
  }

  const webhookUrl = reader.optionalUrl(RENDER_ENV.WEBHOOK_URL);
  const webhookSecretArn = reader.optional(RENDER_ENV.WEBHOOK_SECRET_ARN);
  if (webhookSecretArn !== undefined && webhookUrl === undefined) {
    problems.push(`${RENDER_ENV.WEBHOOK_SECRET_ARN} is set but ${RENDER_ENV.WEBHOOK_URL} is not`);
  }

  const config: RenderHandlerConfig = {
    region,
    functionName,
    progressFromBucket: reader.oneOf(RENDER_ENV.PROGRESS_FROM_BUCKET, ['false', 'true'], 'false') === 'true',
    serveUrl,
    compositions,
    allowedCodecs,
    defaultCodec,
    privacy: reader.oneOf(RENDER_ENV.PRIVACY, PRIVACY_VALUES),
    bucketName: reader.matching(RENDER_ENV.BUCKET_NAME, BUCKET_NAME_PATTERN, 'a valid S3 bucket name'),
    outputPrefix: reader.matching(RENDER_ENV.OUTPUT_PREFIX, OUTPUT_PREFIX_PATTERN, 'empty or folder names each ending in "/"') ?? '',
    maxInputPropsBytes: reader.requiredInteger(RENDER_ENV.MAX_INPUT_PROPS_BYTES, { min: 2, max: MAX_INPUT_PROPS_LIMIT_BYTES }),
    framesPerLambda: reader.integer(RENDER_ENV.FRAMES_PER_LAMBDA, { min: 1 }),
    maxRetries: reader.integer(RENDER_ENV.MAX_RETRIES, { min: 0 }),
    webhookUrl,
    webhookSecretArn,
    credentialsSecretArn: reader.optional(RENDER_ENV.CREDENTIALS_SECRET_ARN),
    presignExpiresSeconds: reader.requiredInteger(RENDER_ENV.PRESIGN_EXPIRES_SECONDS, { min: 1, max: MAX_PRESIGN_EXPIRES_SECONDS }),
    callTimeoutMs: reader.requiredInteger(RENDER_ENV.CALL_TIMEOUT_MS, { min: 1, max: MAX_CALL_TIMEOUT_MS }),
  };

  if (problems.length > 0) {
    throw new RenderConfigError(problems);
  }
  return config;
}

/** Whether Remotion Lambda can render this codec (the keys of `CODEC_EXTENSIONS`). */
export function isKnownCodec(codec: string): boolean {
  return Object.prototype.hasOwnProperty.call(CODEC_EXTENSIONS, codec);
}

function isNonEmptyStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((item: unknown) => typeof item === 'string' && item !== '');
}

/** Reads variables and records a problem, instead of throwing, for each one that is wrong. */
class EnvironmentReader {
  constructor(private readonly env: Environment, private readonly problems: string[]) {}

  /** Treats an empty string as unset, as CloudFormation cannot remove a variable by other means. */
  optional(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  required(name: string): string {
    const value = this.optional(name);
    if (value === undefined) {
      this.problems.push(`${name} is required`);
      return '';
    }
    return value;
  }

  stringArray(name: string): string[] {
    const text = this.required(name);
    if (text === '') return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!isNonEmptyStringList(parsed)) {
      this.problems.push(`${name} must be a non-empty JSON array of non-empty strings`);
      return [];
    }
    return parsed;
  }

  /**
   * A value out of `allowed`, required unless it has a `fallback` for when it is unset; on a
   * problem, the first allowed value stands in.
   */
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: T): T {
    if (fallback !== undefined && this.optional(name) === undefined) return fallback;
    const value = this.required(name);
    if (value === '') return allowed[0];
    const match = allowed.find((candidate) => candidate === value);
    if (match === undefined) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')}`);
      return allowed[0];
    }
    return match;
  }

  /** A required integer; on a problem, 0 stands in (the config is refused anyway). */
  requiredInteger(name: string, range: { min: number; max?: number }): number {
    if (this.optional(name) === undefined) {
      this.problems.push(`${name} is required`);
      return 0;
    }
    return this.integer(name, range) ?? 0;
  }

  matching(name: string, pattern: RegExp, description: string): string | undefined {
    const value = this.optional(name);
    if (value !== undefined && !pattern.test(value)) {
      this.problems.push(`${name} must be ${description}`);
      return undefined;
    }
    return value;
  }

  integer(name: string, range: { min: number; max?: number }): number | undefined {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    const max = range.max ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isSafeInteger(parsed) || parsed < range.min || parsed > max) {
      this.problems.push(`${name} must be an integer from ${range.min} to ${max}`);
      return undefined;
    }
    return parsed;
  }

  optionalUrl(name: string): string | undefined {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    if (!URL.canParse(value) || !['https:', 'http:'].includes(new URL(value).protocol)) {
      this.problems.push(`${name} must be an http(s) URL`);
      return undefined;
    }
    return value;
  }
}
