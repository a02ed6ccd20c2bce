import * as fs from 'fs';
import * as path from 'path';

/**
 * Finds the consumer's own installed Remotion Lambda packages at synth time and reads their
 * facts. We ship no Remotion code: the client file, the function zip and the version all come
 * from the app's `node_modules`. Internal: not exported from the package entry point.
 */

/** The Remotion versions this library supports, declared once: from `floor` up to, not including, `below`. */
export const SUPPORTED_REMOTION = {
  /** The oldest `@remotion/lambda` whose client API our handler uses unchanged (tested in CI). */
  floor: '4.0.261',
  /** The first version outside the range. */
  below: '5.0.0',
  /** The version the install command in error messages suggests (the newest we test). */
  suggested: '4.0.527',
} as const;

/** The packages we look for, in this order. */
export const LAMBDA_PACKAGE = '@remotion/lambda';
export const CLIENT_PACKAGE = '@remotion/lambda-client';

/** What was found. */
export interface InstalledRemotion {
  /** Version of the client (and of `@remotion/lambda`, which must match it). */
  readonly version: string;
  /** Folder of `@remotion/lambda-client`. */
  readonly clientDir: string;
  /** The client's self-contained ES module build, copied unmodified into the handler asset. */
  readonly clientFile: string;
  /** Folder of `@remotion/lambda`, when it is installed (it holds the function zip). */
  readonly lambdaDir?: string;
}

/** Where to look. */
export interface FindRemotionOptions {
  /**
   * Folder of `@remotion/lambda` or `@remotion/lambda-client`, or of an app whose `node_modules`
   * holds one of them.
   *
   * @default - resolved from the current working directory
   */
  readonly packageDir?: string;
}

const cache = new Map<string, InstalledRemotion>();

/** The command that installs a supported Remotion. */
export function installCommand(): string {
  return `npm i ${LAMBDA_PACKAGE}@${SUPPORTED_REMOTION.suggested}`;
}

function supportedRangeText(): string {
  return `>=${SUPPORTED_REMOTION.floor} <${SUPPORTED_REMOTION.below}`;
}

/**
 * Finds the installed Remotion, or throws an error that names the package, the supported range
 * and the command that installs it.
 */
export function findRemotion(options: FindRemotionOptions = {}): InstalledRemotion {
  const base = path.resolve(options.packageDir ?? process.cwd());
  const cached = cache.get(base);
  if (cached) {
    return cached;
  }
  const found = locate(base, options.packageDir !== undefined);
  cache.set(base, found);
  return found;
}

function locate(base: string, explicit: boolean): InstalledRemotion {
  const own = readPackageJson(base);
  let lambdaDir: string | undefined;
  let clientDir: string | undefined;
  if (own?.name === LAMBDA_PACKAGE) {
    lambdaDir = base;
  } else if (own?.name === CLIENT_PACKAGE) {
    clientDir = base;
  } else if (explicit && !fs.existsSync(base)) {
    throw new Error(`remotionPackageDir "${base}" does not exist. ${missingAdvice()}`);
  }
  lambdaDir ??= clientDir ? undefined : resolvePackageDir(LAMBDA_PACKAGE, base);
  clientDir ??= resolvePackageDir(CLIENT_PACKAGE, lambdaDir ?? base);
  if (!clientDir) {
    throw new Error(`${LAMBDA_PACKAGE} was not found from "${base}". ${missingAdvice()}`);
  }

  const version = readPackageJson(clientDir)?.version;
  if (typeof version !== 'string') {
    throw new Error(`${clientDir}/package.json has no version. ${missingAdvice()}`);
  }
  if (lambdaDir) {
    const lambdaVersion = readPackageJson(lambdaDir)?.version;
    if (lambdaVersion !== version) {
      throw new Error(`${LAMBDA_PACKAGE} ${lambdaVersion} and ${CLIENT_PACKAGE} ${version} are installed side by side; `
        + `Remotion needs one version of both. Reinstall with "${LAMBDA_PACKAGE}@${lambdaVersion}" alone.`);
    }
  }
  if (!isSupportedVersion(version)) {
    throw new Error(`${CLIENT_PACKAGE} ${version} (in ${clientDir}) is outside the Remotion versions this library supports `
      + `(${supportedRangeText()}). Install a supported one in your app's folder, e.g. "${installCommand()}".`);
  }
  const clientFile = path.join(clientDir, 'dist', 'esm', 'index.mjs');
  if (!fs.existsSync(clientFile)) {
    throw new Error(`${CLIENT_PACKAGE} ${version} has no ES module build at ${clientFile}. ${missingAdvice()}`);
  }
  return { version, clientDir, clientFile, lambdaDir };
}

function missingAdvice(): string {
  return `Install Remotion's Lambda package yourself, under Remotion's licence, in your app's folder: `
    + `"${installCommand()}" (supported: ${supportedRangeText()}), or point remotionPackageDir at the folder that holds it.`;
}

/** Resolves `<name>/package.json` from `from`, past the package's exports map. */
function resolvePackageDir(name: string, from: string): string | undefined {
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: [from] }));
  } catch {
    return undefined;
  }
}

function readPackageJson(dir: string): { name?: string; version?: string } | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Parses `major.minor.patch` (a prerelease suffix is ignored). */
export function parseVersion(version: string): [number, number, number] | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function compareVersions(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Whether `version` lies in `SUPPORTED_REMOTION`. */
export function isSupportedVersion(version: string): boolean {
  const parsed = parseVersion(version);
  return parsed !== undefined
    && compareVersions(parsed, parseVersion(SUPPORTED_REMOTION.floor)!) >= 0
    && compareVersions(parsed, parseVersion(SUPPORTED_REMOTION.below)!) < 0;
}

/** Forgets what was found (for tests that install several versions). */
export function clearRemotionCache(): void {
  cache.clear();
}
