/**
 * The contract between the construct `RemotionRenderFunction` (which sets these variables) and
 * the handler in `runtime/` (which reads them once per cold start). Both sides import this file,
 * and it imports nothing. Internal: not exported from the package entry point.
 */
export const RENDER_ENV = {
  /** Region of the deployed Remotion render function. */
  REGION: 'REMOTION_REGION',
  /** Name of the deployed Remotion render function, e.g. `remotion-render-4-0-527-mem2048mb-disk2048mb-120sec`. */
  FUNCTION_NAME: 'REMOTION_FUNCTION_NAME',
  /** URL of the deployed Remotion site. */
  SERVE_URL: 'REMOTION_SERVE_URL',
  /** JSON array of the composition ids a caller may render. */
  COMPOSITIONS: 'REMOTION_COMPOSITIONS',
  /** JSON array of the codecs a caller may ask for. */
  ALLOWED_CODECS: 'REMOTION_ALLOWED_CODECS',
  /** Codec used when the request names none; always one of ALLOWED_CODECS. */
  DEFAULT_CODEC: 'REMOTION_DEFAULT_CODEC',
  /** `private`, `public` or `no-acl`. */
  PRIVACY: 'REMOTION_PRIVACY',
  /** Optional: Remotion's `forceBucketName`, also the bucket the output is written to. */
  BUCKET_NAME: 'REMOTION_BUCKET_NAME',
  /** Key prefix under which each caller gets a folder named after their `sub`, e.g. `renders-by-user/`. */
  OUTPUT_PREFIX: 'REMOTION_OUTPUT_PREFIX',
  /** Largest accepted `inputProps`: the UTF-8 size of its compact JSON (the raw body may be 6 times this plus 4 KiB). */
  MAX_INPUT_PROPS_BYTES: 'REMOTION_MAX_INPUT_PROPS_BYTES',
  /** Optional: Remotion's `framesPerLambda`. */
  FRAMES_PER_LAMBDA: 'REMOTION_FRAMES_PER_LAMBDA',
  /** Optional: Remotion's `maxRetries`. */
  MAX_RETRIES: 'REMOTION_MAX_RETRIES',
  /** Optional: webhook URL that Remotion calls when a render ends. */
  WEBHOOK_URL: 'REMOTION_WEBHOOK_URL',
  /** Optional: ARN of the Secrets Manager secret whose plain-text value is the webhook secret. */
  WEBHOOK_SECRET_ARN: 'REMOTION_WEBHOOK_SECRET_ARN',
  /**
   * Optional: ARN of a Secrets Manager secret holding an access key pair as JSON
   * (`{"accessKeyId": "...", "secretAccessKey": "..."}`); when set, the handler hands the keys
   * to Remotion's client as REMOTION_AWS_ACCESS_KEY_ID / REMOTION_AWS_SECRET_ACCESS_KEY.
   */
  CREDENTIALS_SECRET_ARN: 'REMOTION_CREDENTIALS_SECRET_ARN',
  /** Lifetime of the signed output link, in seconds. */
  PRESIGN_EXPIRES_SECONDS: 'REMOTION_PRESIGN_EXPIRES_SECONDS',
  /** How long the handler waits for Remotion before answering 502, in milliseconds. */
  CALL_TIMEOUT_MS: 'REMOTION_CALL_TIMEOUT_MS',
  /** Optional: name of the render records table (see `RECORDS_TABLE`); without it nothing is recorded. */
  RECORDS_TABLE_NAME: 'RENDER_RECORDS_TABLE_NAME',
  /** How long a record is kept after it was created, in seconds (DynamoDB TTL on `RECORDS_TABLE.ttl`). */
  RECORDS_RETENTION_SECONDS: 'RENDER_RECORDS_RETENTION_SECONDS',
  /** `true` when `POST /renders` honours the Idempotency-Key header (kept in the records table). */
  IDEMPOTENCY_ENABLED: 'RENDER_IDEMPOTENCY_ENABLED',
  /** Renders a user may have in progress; unset or `0` for no limit. */
  LIMIT_MAX_IN_PROGRESS: 'RENDER_LIMIT_MAX_IN_PROGRESS',
  /** Starts a user may make per `LIMIT_WINDOW_SECONDS`; unset or `0` for no limit. */
  LIMIT_MAX_STARTS: 'RENDER_LIMIT_MAX_STARTS',
  /** The rolling window of `LIMIT_MAX_STARTS`, in seconds. */
  LIMIT_WINDOW_SECONDS: 'RENDER_LIMIT_WINDOW_SECONDS',
  /** After this many seconds a render counts as finished for the limits, recorded or not (Remotion's timeout plus a margin). */
  LIMIT_RENDER_DEADLINE_SECONDS: 'RENDER_LIMIT_RENDER_DEADLINE_SECONDS',
} as const;

/**
 * The key schema of the render records table, which the construct creates (or checks the
 * documentation of, for a table brought by the user) and the handler reads and writes.
 * One partition per user (`USER#<sub>`), one item per render (`RENDER#<renderId>`), and a local
 * secondary index sorted by creation time for the newest-first listing.
 */
export const RECORDS_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Local secondary index: partition `pk`, sort key `createdAt` (ISO 8601 text, so it sorts by time). */
  byCreatedAtIndex: 'byCreatedAt',
  createdAt: 'createdAt',
  /** TTL attribute: epoch seconds after which DynamoDB may delete the record. */
  ttl: 'expiresAt',
} as const;

/** Codecs that Remotion Lambda renders, with the file extension its output must carry. */
export const CODEC_EXTENSIONS: Record<string, string> = {
  h264: 'mp4',
  h265: 'mp4',
  vp8: 'webm',
  vp9: 'webm',
  mp3: 'mp3',
  aac: 'aac',
  wav: 'wav',
  gif: 'gif',
  prores: 'mov',
};

/** The key in Remotion's render `metadata` that records who started a render. */
export const OWNER_METADATA_KEY = 'ownerSub';

/**
 * Where, relative to the handler's entry file (`index.mjs`), the construct puts the consumer's own
 * `@remotion/lambda-client` ES module build, copied unmodified at synth; the handler imports it
 * lazily from there. We ship no Remotion code.
 */
export const REMOTION_CLIENT_FILE = 'remotion/lambda-client.mjs';
