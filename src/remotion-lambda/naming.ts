import { Fn, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Remotion's bucket prefix (`REMOTION_BUCKET_PREFIX` in its client). */
export const BUCKET_PREFIX = 'remotionlambda-';
/** The folder sites live in (`getSitesKey()`). */
export const SITES_PREFIX = 'sites/';

/** `remotionlambda-<region without dashes>-` for a concrete region, or a token for a region-agnostic stack. */
function bucketNameStart(stack: Stack): string {
  const region = Token.isUnresolved(stack.region)
    ? Fn.join('', Fn.split('-', stack.region))
    : stack.region.replace(/-/g, '');
  return `${BUCKET_PREFIX}${region}-`;
}

/**
 * A bucket name that Remotion's `parseBucketName` accepts (`remotionlambda-<region>-<[a-zA-Z0-9]+>`),
 * stable for the life of the stack and unique across stacks, accounts and regions: the suffix is
 * the first and last group of the stack's own id (a UUID), 20 hex digits, so a clash would need two
 * stacks created in the same 100 ns on the same CloudFormation host.
 */
export function defaultBucketName(stack: Stack): string {
  const uuidGroups = Fn.split('-', Fn.select(2, Fn.split('/', stack.stackId)));
  return Fn.join('', [bucketNameStart(stack), Fn.select(0, uuidGroups), Fn.select(4, uuidGroups)]);
}

/**
 * Why `name` is not a bucket Remotion recognises as its own in `region`, or undefined when it is.
 * Mirrors `parseBucketName` (`^remotionlambda-(.*)-([a-z0-9A-Z]+)$`, region without dashes) plus
 * S3's own naming rules.
 */
export function bucketNameProblem(name: string, region: string): string | undefined {
  const match = /^remotionlambda-([a-z0-9]+)-([a-zA-Z0-9]+)$/.exec(name);
  if (!match || name.length > 63 || /[A-Z]/.test(name)) {
    return 'must be "remotionlambda-<region without dashes>-<lower-case letters and digits>" (at most 63 characters), '
      + 'the form Remotion\'s parseBucketName recognises as its bucket';
  }
  if (!Token.isUnresolved(region) && match[1] !== region.replace(/-/g, '')) {
    return `must name the stack's region as "remotionlambda-${region.replace(/-/g, '')}-<suffix>"`;
  }
  return undefined;
}

/** `makeS3ServeUrl()`: `https://<bucket>.s3.<region>.<dns suffix>/sites/<name>/index.html`. */
export function serveUrlOf(stack: Stack, bucketName: string, siteName: string): string {
  return `https://${bucketName}.s3.${stack.region}.${stack.urlSuffix}/${SITES_PREFIX}${siteName}/index.html`;
}

/** The bucket names of the RemotionLambdas of each app, by the app's root construct. */
const DEPLOYED_BUCKETS = new WeakMap<IConstruct, Set<string>>();

/** Records a RemotionLambda's bucket name (a literal or a token's string) in its app. */
export function registerRemotionBucket(scope: IConstruct, bucketName: string): void {
  const root = scope.node.root;
  const names = DEPLOYED_BUCKETS.get(root) ?? new Set<string>();
  names.add(bucketName);
  DEPLOYED_BUCKETS.set(root, names);
}

/**
 * Whether `bucketName` holds Remotion sites under `sites/`: a RemotionLambda's bucket in this app
 * (its name may be a token), or any bucket whose name Remotion recognises as its own.
 */
export function holdsRemotionSites(scope: IConstruct, bucketName: string): boolean {
  return DEPLOYED_BUCKETS.get(scope.node.root)?.has(bucketName) === true
    || (!Token.isUnresolved(bucketName) && bucketName.startsWith(BUCKET_PREFIX));
}
