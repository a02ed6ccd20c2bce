import type { RemotionRenderFunctionProps } from './index';

/** The render settings that name Remotion's side, as either a RemotionLambda/site or by hand. */
export interface RemotionTarget {
  readonly serveUrl: string;
  readonly remotionFunctionName: string;
  readonly outputBucketName?: string;
  readonly region?: string;
  /** Where Remotion's client comes from: the deployment's own install, unless given. */
  readonly remotionPackageDir?: string;
}

const BY_HAND = ['serveUrl', 'remotionFunctionName', 'outputBucketName', 'region'] as const;

/**
 * Where renders go: the `site` (and its `remotionLambda`) deployed in this app, or the function,
 * site and bucket named by hand. A deployment passes its bucket (Remotion's `forceBucketName`,
 * which the function needs when a region holds more than one `remotionlambda-*` bucket) and its
 * region. Combining both ways is an error naming the props.
 */
export function remotionTarget(props: RemotionRenderFunctionProps): RemotionTarget {
  const { site, remotionLambda } = props;
  if (!site && !remotionLambda) {
    for (const prop of ['serveUrl', 'remotionFunctionName'] as const) {
      if (props[prop] === undefined) {
        throw new Error(`${prop} is required unless site (a RemotionSite of a RemotionLambda in this app) is given.`);
      }
    }
    return {
      serveUrl: props.serveUrl!,
      remotionFunctionName: props.remotionFunctionName!,
      outputBucketName: props.outputBucketName,
      region: props.region,
      remotionPackageDir: props.remotionPackageDir,
    };
  }
  const combined = BY_HAND.filter((prop) => props[prop] !== undefined);
  if (combined.length > 0) {
    throw new Error(`${combined.join(', ')} cannot be combined with ${site ? 'site' : 'remotionLambda'}: the RemotionLambda deployment `
      + 'gives its own function, serve URL, bucket and region.');
  }
  if (!site) {
    throw new Error('site is required with remotionLambda: pass the RemotionSite that remotionLambda.addSite() returned.');
  }
  if (remotionLambda && site.remotionLambda !== remotionLambda) {
    throw new Error(`site "${site.siteName}" belongs to another RemotionLambda (${site.remotionLambda.node.path}) than remotionLambda (${remotionLambda.node.path}).`);
  }
  // RemotionPrivacy.PUBLIC, by value: importing the enum from ./index would be a circular import.
  if (props.privacy === 'public') {
    throw new Error('privacy PUBLIC cannot be combined with site: RemotionLambda\'s bucket blocks public ACLs (only sites/* is public), '
      + 'so Remotion\'s public-read upload of the output would fail at the end of every render. Use PRIVATE or NO_ACL.');
  }
  const deployment = site.remotionLambda;
  return {
    serveUrl: site.serveUrl,
    remotionFunctionName: deployment.functionName,
    outputBucketName: deployment.bucketName,
    region: deployment.region,
    // The client must be the deployed function's version: read it from the same install.
    remotionPackageDir: props.remotionPackageDir ?? deployment.remotionPackageDir,
  };
}
