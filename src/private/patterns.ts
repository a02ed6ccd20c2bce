/**
 * Name patterns shared by the constructs and the handler runtime. The bottom layer: this file
 * imports nothing, so both sides (and every construct) may depend on it.
 */

/** An AWS region name such as `us-east-1` or `cn-northwest-1`. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** An S3 bucket name, without patterns: what `outputBucketName` and the handler's bucket must be. */
export const BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** An S3 bucket name or an IAM `*` pattern of one, as a policy scope accepts. */
export const BUCKET_NAME_OR_PATTERN = /^[a-z0-9*][a-z0-9.*-]{1,61}[a-z0-9*]$/;

/** A Lambda function name. */
export const FUNCTION_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** A Lambda function name or an IAM `*` pattern of one, as a policy scope accepts. */
export const FUNCTION_NAME_OR_PATTERN = /^[A-Za-z0-9_*-]{1,64}$/;

/** A 12-digit AWS account id. */
export const ACCOUNT_PATTERN = /^\d{12}$/;

/** The output prefix: empty, or folder names of S3's safe characters, each ending in "/". */
export const OUTPUT_PREFIX_PATTERN = /^(?:[A-Za-z0-9!_.*'()-]+\/)*$/;

/** An S3 object key or an IAM `*` pattern of one, as a policy scope accepts: S3's safe characters, no leading "/". */
export const OBJECT_KEY_OR_PATTERN = /^[A-Za-z0-9!_.*'()-][A-Za-z0-9!_.*'()/-]{0,1023}$/;

/** A Remotion composition id, as Remotion's `validateCompositionId` accepts. */
export const COMPOSITION_ID_PATTERN = /^[a-zA-Z0-9-\u4E00-\u9FFF]+$/;

/** Whether `name` is a bucket name: the pattern, and no empty label between two dots. */
export function isBucketName(name: string): boolean {
  return BUCKET_NAME_PATTERN.test(name) && !name.includes('..');
}

/** Whether `prefix` is an output prefix: the pattern, and no "." or ".." folders. */
export function isOutputPrefix(prefix: string): boolean {
  return OUTPUT_PREFIX_PATTERN.test(prefix) && !prefix.split('/').some((part) => part === '.' || part === '..');
}
