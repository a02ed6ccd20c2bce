import * as fs from 'fs';
import * as path from 'path';
import type { RemotionLambdaFacts } from '../remotion/lambda-facts';

/**
 * The folder names `getSites()` recognises under `sites/` (`/sites\/([0-9a-zA-Z-!_.*'()]+)\/`),
 * which is also what Remotion's newest `validateSiteName()` allows; older versions checked less.
 */
const SITE_NAME = /^[-0-9a-zA-Z!_.*'()]+$/;

/**
 * Checks a site name (`siteName`) and an `npx remotion bundle` output folder at synth time with the rules of
 * Remotion's own validators (the installed version's, where it has them), and returns the
 * folder's absolute path.
 */
export function validateSite(facts: RemotionLambdaFacts, name: string, bundleDir: string, nameIsId = false): string {
  const fromId = nameIsId ? ' (the construct id, since no siteName was given)' : '';
  if (!SITE_NAME.test(name) || name === '.' || name === '..') {
    throw new Error(`siteName "${name}"${fromId} must match /${SITE_NAME.source}/ and not be "." or "..", as Remotion's validateSiteName requires.`);
  }
  rethrowFor(`siteName${fromId}`, () => facts.validateSiteName(name));
  const dir = path.resolve(bundleDir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new Error(`bundleDir "${dir}" is not a folder; pass the output folder of "npx remotion bundle" in your Remotion project.`);
  }
  const indexHtml = path.join(dir, 'index.html');
  if (!fs.existsSync(indexHtml) || !fs.statSync(indexHtml).isFile()) {
    throw new Error(`bundleDir "${dir}" has no index.html at its root; pass the output folder of "npx remotion bundle".`);
  }
  const validateBundleDir = facts.validateBundleDir;
  if (validateBundleDir) {
    rethrowFor('bundleDir', () => validateBundleDir(dir));
  }
  return dir;
}

/**
 * The Remotion version a bundle's index.html was made with (`window.remotion_version = '...'`,
 * read with the pattern of Remotion's `getRemotionVersionFromIndexHtml`), if it says.
 */
export function bundleVersion(bundleDir: string): string | undefined {
  const html = fs.readFileSync(path.join(bundleDir, 'index.html'), 'utf8');
  return /window\.remotion_version\s*=\s*'([^']+)'/.exec(html)?.[1];
}

function rethrowFor(prop: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    throw new Error(`${prop}: ${(error as Error).message}`);
  }
}
