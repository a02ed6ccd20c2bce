/**
 * The one place the tests learn which Remotion versions they run against: the range the library
 * supports (`SUPPORTED_REMOTION` in src/remotion) and the two `@remotion/lambda` installed side by
 * side in this repository, read from their package.json: the newest (`@remotion/lambda`) and the
 * supported floor (the npm alias `remotion-lambda-floor`). Tests that must hold for every
 * supported Remotion run for each of `INSTALLED_REMOTION`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SUPPORTED_REMOTION } from '../src/remotion';

const ROOT = path.join(__dirname, '..');

/** Relative to the repository root, as the handler tests pass them to the bundle harness. */
export const NEWEST_REMOTION_DIR = 'node_modules/@remotion/lambda';
export const FLOOR_REMOTION_DIR = 'node_modules/remotion-lambda-floor';

/** Absolute folders, as `remotionPackageDir` takes them. */
export const NEWEST_DIR = path.join(ROOT, NEWEST_REMOTION_DIR);
export const FLOOR_DIR = path.join(ROOT, FLOOR_REMOTION_DIR);

function versionIn(dir: string): string {
  return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The version of the newest `@remotion/lambda` installed here (what `require('@remotion/lambda')` finds). */
export const INSTALLED_REMOTION_VERSION = versionIn(NEWEST_DIR);
/** The version of the floor installed here; equal to `SUPPORTED_REMOTION.floor` (checked below). */
export const FLOOR_REMOTION_VERSION = versionIn(FLOOR_DIR);

/** Both installs, newest first. */
export const INSTALLED_REMOTION = [
  { name: 'newest', dir: NEWEST_DIR, relativeDir: NEWEST_REMOTION_DIR, version: INSTALLED_REMOTION_VERSION },
  { name: 'floor', dir: FLOOR_DIR, relativeDir: FLOOR_REMOTION_DIR, version: FLOOR_REMOTION_VERSION },
] as const;

/** The same as `[version, relativeDir]` tuples, for `describe.each` titles like `with Remotion %s (%s)`. */
export const INSTALLED_REMOTION_PACKAGES: ReadonlyArray<readonly [string, string]> =
  INSTALLED_REMOTION.map((r) => [r.version, r.relativeDir] as const);

export { SUPPORTED_REMOTION };

// What is installed is what package.json pins (npm ci would have failed otherwise, but a stale
// node_modules would not).
const devDependencies = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies;
for (const [name, pinned, installed] of [
  ['@remotion/lambda', devDependencies['@remotion/lambda'], INSTALLED_REMOTION_VERSION],
  ['remotion-lambda-floor', devDependencies['remotion-lambda-floor']?.replace(/^npm:@remotion\/lambda@/, ''), FLOOR_REMOTION_VERSION],
]) {
  if (pinned !== installed) {
    throw new Error(`package.json pins ${name} at ${pinned}, but ${installed} is installed: run npm ci.`);
  }
}

// The floor installed for the tests is the floor the library declares, so the tests prove it.
if (FLOOR_REMOTION_VERSION !== SUPPORTED_REMOTION.floor) {
  throw new Error(`${FLOOR_REMOTION_DIR} is ${FLOOR_REMOTION_VERSION}, but SUPPORTED_REMOTION.floor is ${SUPPORTED_REMOTION.floor}.`);
}
