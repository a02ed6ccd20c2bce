import * as fs from 'fs';
import * as path from 'path';
import { findRemotion, LAMBDA_PACKAGE } from './index';

/**
 * What `RemotionLambda` needs to deploy Remotion's own render function the way the Remotion CLI
 * does, read from the consumer's installed `@remotion/lambda` (never from a copy of ours): its
 * zip, version, hosted-layer table, naming rule, role policy, function settings and limits.
 * The package's `exports` map hides most of these modules, so they are required by absolute path
 * from the package folder. Internal: not exported from the package entry point.
 */

/** One Remotion-hosted layer of a region, as the installed table lists it. */
export interface HostedLayer {
  /** Layer ARN without version. */
  readonly layerArn: string;
  /** Layer version. */
  readonly version: number;
}

/** One IAM statement of Remotion's `getRolePolicy()`. */
export interface RemotionPolicyStatement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string[];
  readonly Resource: string[];
}

/** One of Remotion's render-expiry lifecycle rules (`getLifeCycleRules()`). */
export interface RemotionLifecycleRule {
  readonly id: string;
  readonly prefix: string;
  readonly expirationDays: number;
}

/** Remotion's limits and defaults for the render function, in MB and seconds. */
export interface RemotionFunctionLimits {
  readonly minMemory: number;
  readonly maxMemory: number;
  readonly defaultMemory: number;
  readonly minDisk: number;
  readonly maxDisk: number;
  readonly defaultDisk: number;
  readonly minTimeout: number;
  readonly maxTimeout: number;
  readonly defaultTimeout: number;
  readonly defaultLogRetentionDays: number;
}

/** The settings that the installed CLI's `createFunction()` gives the render function. */
export interface RemotionFunctionSettings {
  /** e.g. `nodejs24.x`. */
  readonly runtime: string;
  /** e.g. `index.handler`. */
  readonly handler: string;
  /** e.g. `arm64`. */
  readonly architecture: string;
  /** The hash in `arn:aws:lambda:<region>::runtime:<hash>` that the CLI pins the runtime to. */
  readonly runtimeVersionHash?: string;
  /** Whether the CLI sets event-invoke retries to 0. */
  readonly zeroRetries: boolean;
}

/** Everything read from one installed `@remotion/lambda`. */
export interface RemotionLambdaFacts {
  readonly version: string;
  readonly lambdaDir: string;
  /** `remotionlambda-arm64.zip` at the package root. */
  readonly zipPath: string;
  readonly settings: RemotionFunctionSettings;
  readonly limits: RemotionFunctionLimits;
  /** Region -> hosted layers, as the installed table lists them. */
  readonly hostedLayers: Readonly<Record<string, readonly HostedLayer[]>>;
  /** The layer variants (`runtimePreference`) the installed client accepts. */
  readonly layerVariants: readonly string[];
  /** The statements of `getRolePolicy()`. */
  readonly rolePolicy: readonly RemotionPolicyStatement[];
  readonly lifecycleRules: readonly RemotionLifecycleRule[];
  /** Remotion's own bundle-folder validator where the version has one; throws its error. */
  readonly validateBundleDir?: (dir: string) => void;
  /** Remotion's own `speculateFunctionName()`. */
  readonly functionName: (memoryMb: number, diskMb: number, timeoutSeconds: number) => string;
  /** Remotion's own `parseFunctionName()`. */
  readonly parseFunctionName: (name: string) => ParsedFunctionName | null;
  /** Remotion's own `getLayers()` for a region in the table. */
  readonly layersFor: (variant: string, region: string) => HostedLayer[];
  /** Remotion's own site-name validator; throws its error. */
  readonly validateSiteName: (name: string) => void;
}

/** What `parseFunctionName()` returns. */
export interface ParsedFunctionName {
  readonly version: string;
  readonly memorySizeInMb: number;
  readonly diskSizeInMb: number;
  readonly timeoutInSeconds: number;
}

const cache = new Map<string, RemotionLambdaFacts>();

/** Reads the facts of the `@remotion/lambda` that `findRemotion()` finds from `packageDir`. */
export function readLambdaFacts(packageDir?: string): RemotionLambdaFacts {
  const found = findRemotion({ packageDir });
  if (!found.lambdaDir) {
    throw new Error(`RemotionLambda deploys Remotion's render function from ${LAMBDA_PACKAGE}, but only @remotion/lambda-client `
      + `${found.version} was found (in ${found.clientDir}). Install "${LAMBDA_PACKAGE}@${found.version}" in your app's folder.`);
  }
  const cached = cache.get(found.lambdaDir);
  if (cached) {
    return cached;
  }
  const facts = readFrom(found.lambdaDir, found.clientDir, found.version);
  cache.set(found.lambdaDir, facts);
  return facts;
}

function readFrom(lambdaDir: string, clientDir: string, version: string): RemotionLambdaFacts {
  const zipPath = path.join(lambdaDir, 'remotionlambda-arm64.zip');
  if (!fs.existsSync(zipPath)) {
    throw new Error(`${LAMBDA_PACKAGE} ${version} in ${lambdaDir} has no remotionlambda-arm64.zip; reinstall it.`);
  }
  const fromLambda = (file: string) => requireFrom(lambdaDir, file);
  // The client that @remotion/lambda itself requires, so the naming rule matches its version.
  const client = requireFrom(clientDir, '.') as ClientModule;
  const internals = client.LambdaClientInternals;
  const hostedLayers = (fromLambda('dist/shared/hosted-layers.js') as { hostedLayers: Record<string, HostedLayer[]> }).hostedLayers;
  const { getLayers } = fromLambda('dist/shared/get-layers.js') as { getLayers: (o: { option: string; region: string }) => HostedLayer[] };
  const { validateSiteName } = fromLambda('dist/shared/validate-site-name.js') as { validateSiteName: (name: string) => void };
  const bundleDirValidator = path.join(lambdaDir, 'dist', 'shared', 'validate-bundle-dir.js');
  const validateBundleDir = fs.existsSync(bundleDirValidator)
    ? (load(bundleDirValidator) as { validateBundleDir: (dir: string) => void }).validateBundleDir
    : undefined;
  const constants = requireFrom(clientDir, 'dist/cjs/constants.js', 'dist/constants.js') as Record<string, number>;
  const rolePolicy = readRolePolicy(lambdaDir);

  return {
    version,
    lambdaDir,
    zipPath,
    settings: readFunctionSettings(path.join(lambdaDir, 'dist', 'api', 'create-function.js')),
    limits: {
      minMemory: constants.MIN_MEMORY,
      maxMemory: constants.MAX_MEMORY,
      defaultMemory: constants.DEFAULT_MEMORY_SIZE,
      minDisk: constants.MIN_EPHEMERAL_STORAGE_IN_MB,
      maxDisk: constants.MAX_EPHEMERAL_STORAGE_IN_MB,
      defaultDisk: constants.DEFAULT_EPHEMERAL_STORAGE_IN_MB,
      minTimeout: constants.MIN_TIMEOUT,
      maxTimeout: constants.MAX_TIMEOUT,
      defaultTimeout: constants.DEFAULT_TIMEOUT,
      defaultLogRetentionDays: constants.DEFAULT_CLOUDWATCH_RETENTION_PERIOD,
    },
    hostedLayers,
    layerVariants: [...internals.runtimePreferenceOptions],
    rolePolicy,
    lifecycleRules: internals.getLifeCycleRules().map((rule) => ({
      id: rule.ID,
      prefix: rule.Filter.Prefix,
      expirationDays: rule.Expiration.Days,
    })),
    functionName: (memorySizeInMb, diskSizeInMb, timeoutInSeconds) =>
      client.speculateFunctionName({ memorySizeInMb, diskSizeInMb, timeoutInSeconds }),
    parseFunctionName: (name) => internals.parseFunctionName(name),
    layersFor: (option, region) => getLayers({ option, region }).map(({ layerArn, version: v }) => ({ layerArn, version: v })),
    validateSiteName,
    validateBundleDir,
  };
}

interface ClientModule {
  readonly LambdaClientInternals: {
    readonly runtimePreferenceOptions: string[];
    readonly getLifeCycleRules: () => { ID: string; Filter: { Prefix: string }; Expiration: { Days: number } }[];
    readonly parseFunctionName: (name: string) => ParsedFunctionName | null;
  };
  readonly speculateFunctionName: (o: { memorySizeInMb: number; diskSizeInMb: number; timeoutInSeconds: number }) => string;
}

/**
 * Loads a module of the consumer's install by absolute path, at synth time: these files are not
 * ours and are not reachable through an `import` (the package's exports map hides them).
 */
function load(file: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file);
}

/** Requires the first of `files` that exists in `dir` (`.` is the package's CommonJS entry). */
function requireFrom(dir: string, ...files: string[]): unknown {
  for (const file of files) {
    const target = file === '.' ? dir : path.join(dir, file);
    if (file === '.' || fs.existsSync(target)) {
      return load(require.resolve(target));
    }
  }
  throw new Error(`None of ${files.join(', ')} exists in ${dir}; this Remotion version is not supported by RemotionLambda.`);
}

/** `getRolePolicy()` from the module that the package's `./policies` export names. */
function readRolePolicy(lambdaDir: string): RemotionPolicyStatement[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(lambdaDir, 'package.json'), 'utf8'));
  const entry = manifest.exports?.['./policies'];
  const file = typeof entry === 'string' ? entry : entry?.require;
  if (typeof file !== 'string') {
    throw new Error(`${LAMBDA_PACKAGE} in ${lambdaDir} exports no "./policies"; this version is not supported by RemotionLambda.`);
  }
  const policies = load(path.join(lambdaDir, file)) as { getRolePolicy(): string };
  const document = JSON.parse(policies.getRolePolicy()) as { Statement: RemotionPolicyStatement[] };
  return document.Statement.map((s) => ({
    ...(s.Sid !== undefined ? { Sid: s.Sid } : {}),
    Effect: s.Effect,
    Action: [s.Action].flat(),
    Resource: [s.Resource].flat(),
  }));
}

/**
 * Reads the settings the CLI gives the function from the source of its `createFunction()`, the
 * only place they live. A shape we do not recognise is an error, so a Remotion change shows up.
 */
export function readFunctionSettings(file: string): RemotionFunctionSettings {
  const source = fs.readFileSync(file, 'utf8');
  const pick = (what: string, pattern: RegExp) => {
    const match = pattern.exec(source);
    if (!match) {
      throw new Error(`Could not read the render function's ${what} from ${file}; this Remotion version is not supported by RemotionLambda.`);
    }
    return match[1];
  };
  return {
    runtime: pick('runtime', /\bRuntime:\s*'([^']+)'/),
    handler: pick('handler', /\bHandler:\s*'([^']+)'/),
    architecture: pick('architecture', /\bArchitectures:\s*\[\s*'([^']+)'\s*\]/),
    runtimeVersionHash: /::runtime:([0-9a-f]{64})/.exec(source)?.[1],
    zeroRetries: /MaximumRetryAttempts:\s*0\b/.test(source),
  };
}
