import { Duration, Size, Token } from 'aws-cdk-lib';
import { FUNCTION_NAME_PATTERN, isBucketName, REGION_PATTERN } from './patterns';

/**
 * Construct-time prop checks. Each one skips values that are tokens (known only at deploy time)
 * and throws an `Error` whose message names the prop and what it allows.
 */

/** Throws unless `value` (when given and not a token) passes `accepts`. */
export function checkString(prop: string, value: string | undefined, accepts: (value: string) => boolean, what: string): void {
  if (value !== undefined && !Token.isUnresolved(value) && !accepts(value)) {
    throw new Error(`${prop} "${value}" ${what}.`);
  }
}

/** Throws unless every item of `values` that is not a token passes `accepts`. */
export function checkEach(prop: string, values: readonly string[], accepts: (value: string) => boolean, what: string): void {
  for (const value of values) {
    if (!Token.isUnresolved(value) && !accepts(value)) {
      throw new Error(`${prop} contains "${value}", which ${what}.`);
    }
  }
}

/** Throws when a list that must name something is empty. */
export function checkNotEmpty(prop: string, values: readonly unknown[] | undefined, what: string): void {
  if (values !== undefined && values.length === 0) {
    throw new Error(`${prop} must name at least one ${what}.`);
  }
}

/** Throws unless `value` names an AWS region. */
export function checkRegion(prop: string, value: string | undefined): void {
  checkString(prop, value, (region) => REGION_PATTERN.test(region), 'is not an AWS region name such as "us-east-1"');
}

/** Throws unless `value` is an integer in `[min, max]` (`max` may be omitted). */
export function checkInteger(prop: string, value: number | undefined, min: number, max?: number, unit = ''): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  if (!Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
    const range = max === undefined ? `of at least ${min}` : `between ${min} and ${max}`;
    throw new Error(`${prop} must be an integer ${range}${unit ? ` ${unit}` : ''}; got ${value}.`);
  }
}

/** Throws unless `value` is a positive number. */
export function checkPositive(prop: string, value: number | undefined, what: string): void {
  if (value !== undefined && !Token.isUnresolved(value) && !(value > 0)) {
    throw new Error(`${prop} must be a positive ${what}; got ${value}.`);
  }
}

/** Throws unless `value` lies in `[min, max]`; `why` is appended to the message. */
export function checkDuration(prop: string, value: Duration | undefined, min: Duration, max: Duration, why = ''): void {
  if (value === undefined || value.isUnresolved()) {
    return;
  }
  const seconds = value.toSeconds({ integral: false });
  if (seconds < min.toSeconds({ integral: false }) || seconds > max.toSeconds({ integral: false })) {
    throw new Error(`${prop} must be between ${min.toHumanString()} and ${max.toHumanString()}${why}; got ${seconds} seconds.`);
  }
}

/** Throws unless `value` lies in `[minBytes, maxBytes]`; `why` is appended to the message. */
export function checkSize(prop: string, value: Size | undefined, minBytes: number, maxBytes: number, why = ''): void {
  if (value === undefined || value.isUnresolved()) {
    return;
  }
  const bytes = value.toBytes();
  if (bytes < minBytes || bytes > maxBytes) {
    throw new Error(`${prop} must be between ${minBytes} bytes and ${maxBytes} bytes${why}; got ${bytes} bytes.`);
  }
}

/** What names a Remotion site and its render function; the members of `IRemotionSite` checked at synth. */
export interface SiteAttributesToCheck {
  readonly serveUrl: string;
  readonly remotionFunctionName: string;
  readonly bucketName?: string;
  readonly region?: string;
}

/**
 * Checks a site's attributes wherever they come from (`fromSiteAttributes`, or an `IRemotionSite`
 * of the user's own), so that no pattern or wildcard reaches the render role; tokens are skipped.
 * `prefix` is how the error names them, e.g. `site.` for a render function's `site`.
 */
export function checkSiteAttributes(prefix: string, attrs: SiteAttributesToCheck): void {
  checkString(`${prefix}serveUrl`, attrs.serveUrl, (url) => /^https?:\/\/\S+$/.test(url), 'must be the http(s) URL of a deployed Remotion site');
  checkString(`${prefix}remotionFunctionName`, attrs.remotionFunctionName, (name) => FUNCTION_NAME_PATTERN.test(name),
    'must be a Lambda function name (1 to 64 letters, digits, "-" or "_")');
  checkString(`${prefix}bucketName`, attrs.bucketName, isBucketName,
    'is not an S3 bucket name (3 to 63 lower-case letters, digits, "." or "-"; no patterns)');
  checkRegion(`${prefix}region`, attrs.region);
}
