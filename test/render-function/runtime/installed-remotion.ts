/**
 * The Remotion versions installed side by side in this repository, as [version, package folder]:
 * the newest (`@remotion/lambda`) and the supported floor (the npm alias `remotion-lambda-floor`,
 * shared with RemotionLambda's tests). Tests that must hold for every supported Remotion run for each.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SUPPORTED_REMOTION } from '../../../src/remotion';

const ROOT = path.join(__dirname, '..', '..', '..');

function versionIn(packageDir: string): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, packageDir, 'package.json'), 'utf8')) as { version: string }).version;
}

export const NEWEST_REMOTION_DIR = 'node_modules/@remotion/lambda';
export const FLOOR_REMOTION_DIR = 'node_modules/remotion-lambda-floor';

export const INSTALLED_REMOTION_PACKAGES: ReadonlyArray<readonly [string, string]> = [
  [versionIn(NEWEST_REMOTION_DIR), NEWEST_REMOTION_DIR],
  [versionIn(FLOOR_REMOTION_DIR), FLOOR_REMOTION_DIR],
];

// The floor installed for the tests is the floor the library declares, so the tests prove it.
if (INSTALLED_REMOTION_PACKAGES[1][0] !== SUPPORTED_REMOTION.floor) {
  throw new Error(`${FLOOR_REMOTION_DIR} is ${INSTALLED_REMOTION_PACKAGES[1][0]}, but SUPPORTED_REMOTION.floor is ${SUPPORTED_REMOTION.floor}.`);
}
