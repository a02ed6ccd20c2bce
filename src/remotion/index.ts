import * as fs from 'fs';
import * as path from 'path';

/**
 * Finds the consumer's own installed Remotion Lambda packages at synth time and reads their
 * facts. We ship no Remotion code: the client file, the function zip and the version all come
 * from the app's `node_modules`. Internal: not exported from the package entry point.
 */

/** The Remotion versions this library supports, declared once: from `floor` up to, not including, `below`. */
export const SUPPORTED_REMOTION = {
  /**
   * The oldest `@remotion/lambda` whose client our handler uses unchanged (tested in CI): the first
   * whose `@remotion/lambda-client` ES module build is self-contained (4.0.363 and older import
   * AWS SDK packages), so that the construct can copy that one file beside our handler.
   */
  floor: '4.0.365',
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
  if (!lambdaDir && !clientDir) {
    // Whichever of the two is installed nearest to the app wins: an app with only the client must
    // not pick up an @remotion/lambda of another version further up (a monorepo root).
    const lambdaFound = resolvePackageDir(LAMBDA_PACKAGE, base);
    const clientFound = resolvePackageDir(CLIENT_PACKAGE, base);
    if (lambdaFound && (!clientFound || installRoot(lambdaFound).length >= installRoot(clientFound).length)) {
      lambdaDir = lambdaFound;
    } else {
      clientDir = clientFound;
    }
  }
  clientDir ??= lambdaDir ? resolvePackageDir(CLIENT_PACKAGE, lambdaDir) : undefined;
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
  return 'Install Remotion\'s Lambda package yourself, under Remotion\'s licence, in your app\'s folder: '
    + `"${installCommand()}" (supported: ${supportedRangeText()}), or point remotionPackageDir at the folder that holds it.`;
}

/** The folder whose `node_modules` holds a package folder (`<root>/node_modules/@scope/name`). */
function installRoot(packageDir: string): string {
  return path.dirname(path.dirname(path.dirname(packageDir)));
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

/** What Remotion's own `LambdaClientInternals.parseFunctionName` returns for one of its names. */
interface ParsedFunctionName {
  readonly version: string;
  /** The function's memory, the `mem<n>mb` of the name. */
  readonly memorySizeInMb?: number;
  /** The function's timeout, the `<n>sec` at the end of the name. */
  readonly timeoutInSeconds?: number;
}

type FunctionNameParser = (name: string) => ParsedFunctionName | null;

const parsers = new Map<string, FunctionNameParser>();

/** The prefix of every render function name Remotion's CLI deploys. */
export const RENDER_FUNCTION_PREFIX = 'remotion-render-';

/** How a Remotion version appears in its function names (`LAMBDA_VERSION_STRING` in the client). */
export function versionInFunctionName(version: string): string {
  return version.replace(/\./g, '-').replace(/\+/g, '-').substring(0, 10);
}

/**
 * The installed client's own function-name parser (loaded only for names that start with
 * `remotion-render-`, since loading the client takes a few hundred milliseconds), or, if a
 * future client no longer exports it, the same pattern that 4.0.x clients use.
 */
function parserOf(remotion: InstalledRemotion): FunctionNameParser {
  let parser = parsers.get(remotion.clientDir);
  if (!parser) {
    let internal: FunctionNameParser | undefined;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const client = require(remotion.clientDir) as { LambdaClientInternals?: { parseFunctionName?: FunctionNameParser } };
      internal = client.LambdaClientInternals?.parseFunctionName;
    } catch {
      internal = undefined;
    }
    parser = internal ?? ((name) => {
      const match = new RegExp(`^${RENDER_FUNCTION_PREFIX}(.*)-mem(\\d+)mb-disk(\\d+)mb-(\\d+)sec$`).exec(name);
      return match ? { version: match[1], memorySizeInMb: Number(match[2]), timeoutInSeconds: Number(match[4]) } : null;
    });
    parsers.set(remotion.clientDir, parser);
  }
  return parser;
}

/**
 * The timeout, in seconds, that a render function name of Remotion's convention carries
 * (`...-120sec`), read with the installed client's own parser; undefined for custom names.
 */
export function functionTimeoutSeconds(remotion: InstalledRemotion, functionName: string): number | undefined {
  if (!functionName.startsWith(RENDER_FUNCTION_PREFIX)) {
    return undefined;
  }
  const seconds = parserOf(remotion)(functionName)?.timeoutInSeconds;
  return typeof seconds === 'number' && Number.isInteger(seconds) ? seconds : undefined;
}

/**
 * Whether the installed client's own parser reads memory and timeout from `functionName`, as
 * `getRenderProgress({ skipLambdaInvocation: true })` does before it reads the progress from the
 * bucket (it throws for any other name).
 */
export function followsNamingConvention(remotion: InstalledRemotion, functionName: string): boolean {
  if (!functionName.startsWith(RENDER_FUNCTION_PREFIX)) {
    return false;
  }
  const parsed = parserOf(remotion)(functionName);
  return parsed !== null && Number.isInteger(parsed.memorySizeInMb) && Number.isInteger(parsed.timeoutInSeconds);
}

/**
 * Throws when `functionName` follows Remotion's naming convention for a version other than the
 * installed client's: Remotion refuses to render across versions. Custom names pass (the caller
 * skips tokens).
 */
export function checkFunctionNameVersion(remotion: InstalledRemotion, prop: string, functionName: string): void {
  if (!functionName.startsWith(RENDER_FUNCTION_PREFIX)) {
    return;
  }
  const parsed = parserOf(remotion)(functionName);
  if (!parsed) {
    return;
  }
  const expected = versionInFunctionName(remotion.version);
  if (parsed.version !== expected) {
    const deployed = parsed.version.replace(/-/g, '.');
    throw new Error(`${prop} "${functionName}" is a Remotion ${deployed} render function, but the installed `
      + `${CLIENT_PACKAGE} is ${remotion.version} (in ${remotion.clientDir}); Remotion refuses to render across versions. `
      + `Install the function's version in your app's folder ("npm i ${LAMBDA_PACKAGE}@${deployed}") or deploy a `
      + `${remotion.version} render function ("npx remotion lambda functions deploy" with remotion ${remotion.version}).`);
  }
}

/** One statement of Remotion's published user policy. */
export interface RemotionPolicyStatement {
  readonly Sid: string;
  readonly Action: string[];
}

/**
 * `getUserPolicy()` of the installed `@remotion/lambda/policies` (a pure function), read by
 * absolute path past the package's exports map. Only `@remotion/lambda` has it.
 */
export function userPolicyStatements(remotion: InstalledRemotion): RemotionPolicyStatement[] {
  if (!remotion.lambdaDir) {
    throw new Error(`Remotion's user policy comes from ${LAMBDA_PACKAGE}/policies, but only ${CLIENT_PACKAGE} ${remotion.version} `
      + `is installed (in ${remotion.clientDir}). Install "${LAMBDA_PACKAGE}@${remotion.version}" in your app's folder.`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const policies = require(path.join(remotion.lambdaDir, 'dist', 'policies.js')) as { getUserPolicy: () => string };
  const document = JSON.parse(policies.getUserPolicy()) as { Statement: Array<{ Sid: string; Action: string | string[] }> };
  return document.Statement.map((s) => ({ Sid: s.Sid, Action: typeof s.Action === 'string' ? [s.Action] : [...s.Action] }));
}
