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

/** One RemotionLambda as the duplicate checks see it. */
interface Deployed {
  readonly path: string;
  readonly stack: Stack;
  readonly bucketName: string;
  readonly functionName: string;
}

/** The RemotionLambdas of each app, by the app's root construct. */
const DEPLOYED = new WeakMap<IConstruct, Deployed[]>();

/** Whether two values name the same thing for sure: the same value once resolved in one stack, or equal literals. */
function sameName(a: Deployed, b: Deployed, value: (d: Deployed) => string): boolean {
  const x = value(a);
  const y = value(b);
  if (a.stack === b.stack) {
    return JSON.stringify(a.stack.resolve(x)) === JSON.stringify(a.stack.resolve(y));
  }
  return x === y && !Token.isUnresolved(x);
}

/** Whether two stacks deploy to the same account and region: the same stack, or equal literal environments. */
function sameEnvironment(a: Stack, b: Stack): boolean {
  const known = (stack: Stack) => !Token.isUnresolved(stack.account) && !Token.isUnresolved(stack.region);
  return a === b || (known(a) && known(b) && a.account === b.account && a.region === b.region);
}

/**
 * Records a RemotionLambda in its app, and refuses one whose bucket or function another
 * RemotionLambda of the app already deploys: CloudFormation would only fail at deploy time.
 * S3 bucket names are global; Remotion's function names are per account and region.
 */
export function registerRemotionLambda(scope: IConstruct, bucketName: string, functionName: string): void {
  const root = scope.node.root;
  const deployed = DEPLOYED.get(root) ?? [];
  const self: Deployed = { path: scope.node.path, stack: Stack.of(scope), bucketName, functionName };
  for (const other of deployed) {
    if (sameName(self, other, (d) => d.bucketName)) {
      const name = Token.isUnresolved(bucketName) ? 'the generated bucket name of this stack' : `bucket "${bucketName}"`;
      throw new Error(`bucketName: the RemotionLambda at ${other.path} already deploys ${name}, and S3 bucket names are global. `
        + 'Add sites to that RemotionLambda instead, or give this one its own bucketName ("remotionlambda-<region without dashes>-<suffix>").');
    }
    if (sameEnvironment(self.stack, other.stack) && sameName(self, other, (d) => d.functionName)) {
      throw new Error(`The RemotionLambda at ${other.path} already deploys the render function "${functionName}" in this account and region. `
        + 'Remotion names its function after its version, memorySize, ephemeralStorageSize and timeout: change one of these props, '
        + 'or add sites to that RemotionLambda instead.');
    }
  }
  deployed.push(self);
  DEPLOYED.set(root, deployed);
}

/**
 * Whether `bucketName` holds Remotion sites under `sites/`: a RemotionLambda's bucket in this app
 * (its name may be a token), or any bucket whose name Remotion recognises as its own.
 */
export function holdsRemotionSites(scope: IConstruct, bucketName: string): boolean {
  return isRemotionLambdaBucket(scope, bucketName) || (!Token.isUnresolved(bucketName) && bucketName.startsWith(BUCKET_PREFIX));
}

/**
 * Whether `bucketName` is the bucket of a RemotionLambda in this app (its name may be a token),
 * which blocks public ACLs.
 */
export function isRemotionLambdaBucket(scope: IConstruct, bucketName: string): boolean {
  return DEPLOYED.get(scope.node.root)?.some((d) => d.bucketName === bucketName) === true;
}
