import { Annotations, ArnFormat, CfnOutput, Duration, RemovalPolicy, Size, SizeRoundingBehavior, Stack, Tags, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, IConstruct } from 'constructs';
import { layerArnsFor } from './layers';
import { bucketNameProblem, defaultBucketName, registerRemotionLambda, serveUrlOf, SITES_PREFIX } from './naming';
import { narrowRolePolicy } from './role-policy';
import { bundleVersion, validateSite } from './site';
import { checkSiteAttributes } from '../private/validate';
import { readLambdaFacts, RemotionLambdaFacts } from '../remotion/lambda-facts';

/**
 * Remotion's hosted layer variants (Remotion's `runtimePreference`).
 */
export enum RemotionLayerVariant {
  /** Fonts, Chromium, Google emojis and CJK fonts. */
  DEFAULT = 'default',
  /** Fonts, Chromium and Apple emojis (no CJK fonts). */
  APPLE_EMOJIS = 'apple-emojis',
  /** Fonts, Chromium, Google emojis and CJK fonts. */
  CJK = 'cjk',
}

/**
 * Properties of a `RemotionLambda`.
 */
export interface RemotionLambdaProps {
  /**
   * Folder of `@remotion/lambda`, or of an app whose `node_modules` holds it. The function zip,
   * version, layers, naming rule and role policy are read from there at synth time.
   *
   * @default - resolved from the current working directory
   */
  readonly remotionPackageDir?: string;

  /**
   * Memory of Remotion's render function, in MiB (512 to 10240, whole MiB), as
   * `lambda.FunctionProps.memorySize`. Part of its name.
   *
   * @default 2048
   */
  readonly memorySize?: number;

  /**
   * Ephemeral storage (`/tmp`) of Remotion's render function (512 to 10240 MiB, whole MiB), as
   * `lambda.FunctionProps.ephemeralStorageSize`; Remotion calls it the disk size. Part of its name.
   *
   * @default Size.mebibytes(2048)
   */
  readonly ephemeralStorageSize?: Size;

  /**
   * Timeout of Remotion's render function (15 to 900 seconds, whole seconds). Part of its name.
   *
   * @default Duration.seconds(120)
   */
  readonly timeout?: Duration;

  /**
   * Which of Remotion's hosted layer sets the function uses.
   *
   * @default RemotionLayerVariant.DEFAULT
   */
  readonly layerVariant?: RemotionLayerVariant;

  /**
   * Runtime management of the function. The Remotion CLI pins the runtime version that Remotion
   * tested; a pin that AWS no longer offers only warns in the CLI but fails a CloudFormation
   * deployment, so it can be overridden (e.g. `lambda.RuntimeManagementMode.AUTO`).
   *
   * @default - manual, pinned to the runtime version ARN the installed Remotion's CLI pins
   */
  readonly runtimeManagementMode?: lambda.RuntimeManagementMode;

  /**
   * How long the function's log group `/aws/lambda/<name>` keeps events, and the log group of the
   * handler that deploys sites (one per stack, shared by every site).
   *
   * @default logs.RetentionDays.TWO_WEEKS (Remotion's default)
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Name of the bucket; must be `remotionlambda-<region without dashes>-<letters and digits>`,
   * which Remotion's client recognises as its bucket.
   *
   * @default - `remotionlambda-<region>-<20 hex digits of the stack id>`, stable for the stack
   */
  readonly bucketName?: string;

  /**
   * What happens to the bucket (renders and sites) when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether to delete every object in the bucket when the bucket is deleted (CDK's
   * `autoDeleteObjects`, a custom resource); needs `removalPolicy: RemovalPolicy.DESTROY`.
   *
   * @default false
   */
  readonly autoDeleteObjects?: boolean;

  /**
   * Adds Remotion's render-expiry lifecycle rules (`renders/1-day*`, `renders/3-days*`,
   * `renders/7-days*`, `renders/30-days*`), used by Remotion's `deleteAfter` render option.
   *
   * @default false
   */
  readonly renderExpiry?: boolean;

  /**
   * Permissions boundary of the function's role. Not with `role`.
   *
   * @default - none
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;

  /**
   * Role of Remotion's render function. When given, you are responsible for its permissions: it
   * needs what Remotion's `getRolePolicy()` lists for this bucket, this function and its log group.
   *
   * @default - a role with the statements of Remotion's `getRolePolicy()`, narrowed to this stack
   */
  readonly role?: iam.IRole;

  /**
   * Whether to add stack outputs for the function name, the bucket name and each site's serve URL.
   *
   * @default true
   */
  readonly createOutputs?: boolean;

  /**
   * Bucket that receives the server access logs of Remotion's bucket, under `remotion-lambda/`.
   *
   * @default - no server access logs
   */
  readonly serverAccessLogsBucket?: s3.IBucket;
}

/**
 * A deployed Remotion site and the Remotion render function that renders it: what a render
 * names as its target. A `RemotionSite` made by a `RemotionLambda` in this app is one; for a site
 * and function deployed with the Remotion CLI, use `RemotionSite.fromSiteAttributes()`.
 */
export interface IRemotionSite extends IConstruct {
  /** The site's URL (Remotion's `serveUrl`). */
  readonly serveUrl: string;

  /**
   * Name of the Remotion render function that renders the site, e.g.
   * `remotion-render-4-0-527-mem2048mb-disk2048mb-120sec`.
   */
  readonly remotionFunctionName: string;

  /**
   * Name of Remotion's bucket that holds the site; renders use it as Remotion's
   * `forceBucketName` and write their output there, unless the render names another bucket.
   *
   * @default - not known: Remotion finds its own `remotionlambda-*` bucket in the region
   */
  readonly bucketName?: string;

  /**
   * Region of the render function and of the bucket.
   *
   * @default - the region of the stack that renders
   */
  readonly region?: string;

  /**
   * Folder of the `@remotion/lambda` that the render function was deployed from; a render reads
   * Remotion's client from the same install, so that both have the same version.
   *
   * @default - not known: a render reads the client that it finds itself
   */
  readonly remotionPackageDir?: string;
}

/**
 * A Remotion site and render function deployed outside this app, e.g. with
 * `npx remotion lambda sites create` and `npx remotion lambda functions deploy`.
 */
export interface RemotionSiteAttributes {
  /** URL of the deployed site (printed by `npx remotion lambda sites create`). */
  readonly serveUrl: string;

  /**
   * Name of the deployed Remotion render function, e.g.
   * `remotion-render-4-0-527-mem2048mb-disk2048mb-120sec`. When it follows Remotion's naming
   * convention, its version must equal the installed `@remotion/lambda` (checked when a render
   * function uses the site); tokens and custom names are not checked.
   */
  readonly remotionFunctionName: string;

  /**
   * Name of the bucket that renders use (Remotion's `forceBucketName`) and write their output to.
   * Remotion's own role (`remotion-lambda-role`) must be able to write to it.
   *
   * @default - Remotion's own bucket in the region (`remotionlambda-<region>-*`)
   */
  readonly bucketName?: string;

  /**
   * Region of the render function (and of its bucket).
   *
   * @default - the region of the stack that renders
   */
  readonly region?: string;
}

/** A site named by its attributes; it deploys nothing. */
class ImportedRemotionSite extends Construct implements IRemotionSite {
  public readonly serveUrl: string;
  public readonly remotionFunctionName: string;
  public readonly bucketName?: string;
  public readonly region?: string;

  constructor(scope: Construct, id: string, attrs: RemotionSiteAttributes) {
    super(scope, id);
    checkSiteAttributes('', attrs);
    this.serveUrl = attrs.serveUrl;
    this.remotionFunctionName = attrs.remotionFunctionName;
    this.bucketName = attrs.bucketName;
    this.region = attrs.region;
  }
}

/**
 * Options of `RemotionLambda.addSite()`: a Remotion site to deploy.
 */
export interface RemotionSiteOptions {
  /**
   * Folder name under `sites/`: letters, digits and `-!_.*'()`, not `.` or `..` (Remotion's
   * `validateSiteName()`).
   *
   * @default - the construct id
   */
  readonly siteName?: string;

  /**
   * Path of the output folder of `npx remotion bundle` in your Remotion project (it must hold
   * an `index.html`).
   */
  readonly bundleDir: string;
}

/**
 * Properties of a `RemotionSite`.
 */
export interface RemotionSiteProps extends RemotionSiteOptions {
  /** The deployment whose bucket receives the site. */
  readonly remotionLambda: RemotionLambda;
}

/**
 * A Remotion site (the output folder of `npx remotion bundle`) deployed under `sites/<name>/`
 * of a `RemotionLambda`'s bucket. Usually made with `RemotionLambda.addSite()`.
 */
export class RemotionSite extends Construct implements IRemotionSite {
  /**
   * A site and render function deployed outside this app (with the Remotion CLI), to render
   * with a `RemotionRenderFunction` or an `AuthenticatedRenderApi`. Checks the attributes that
   * are not tokens.
   */
  public static fromSiteAttributes(scope: Construct, id: string, attrs: RemotionSiteAttributes): IRemotionSite {
    return new ImportedRemotionSite(scope, id, attrs);
  }

  /** The deployment it belongs to. */
  public readonly remotionLambda: RemotionLambda;

  /** The site name (its folder under `sites/`). */
  public readonly siteName: string;

  /** The URL Remotion's `makeS3ServeUrl()` forms for the site. */
  public readonly serveUrl: string;

  /** Name of the deployment's render function. */
  public readonly remotionFunctionName: string;

  /**
   * Name of the deployment's bucket, which holds the site; renders use it as `forceBucketName`.
   * Always set (optional only because `IRemotionSite` declares it so).
   */
  public readonly bucketName?: string;

  /** Region of the deployment (the stack's). Always set. */
  public readonly region?: string;

  /** Folder of the `@remotion/lambda` that the deployment comes from. Always set. */
  public readonly remotionPackageDir?: string;

  /** The Remotion version the bundle's index.html names (`window.remotion_version`), if it names one. */
  public readonly bundleVersion?: string;

  /** The deployment that uploads the folder. */
  public readonly deployment: s3deploy.BucketDeployment;

  constructor(scope: Construct, id: string, props: RemotionSiteProps) {
    super(scope, id);
    const owner = props.remotionLambda;
    const internals = INTERNALS.get(owner)!;
    const siteName = props.siteName ?? id;
    const dir = validateSite(internals.facts, siteName, props.bundleDir, props.siteName === undefined);
    this.remotionLambda = owner;
    this.siteName = siteName;
    this.remotionFunctionName = owner.functionName;
    this.bucketName = owner.bucketName;
    this.region = owner.region;
    this.remotionPackageDir = owner.remotionPackageDir;
    this.bundleVersion = bundleVersion(dir);
    if (this.bundleVersion !== undefined && this.bundleVersion !== owner.remotionVersion) {
      Annotations.of(this).addWarningV2('@org/remotion-constructs:siteVersionMismatch',
        `The bundle in ${dir} was made with Remotion ${this.bundleVersion}, but the render function is Remotion ${owner.remotionVersion}; `
        + 'getSites({ compatibleOnly: true }) will not list it. Rebundle with the same Remotion version.');
    }
    this.serveUrl = serveUrlOf(Stack.of(this), owner.bucketName, siteName);
    this.deployment = new s3deploy.BucketDeployment(this, 'Deployment', {
      sources: [s3deploy.Source.asset(dir)],
      destinationBucket: owner.bucket,
      destinationKeyPrefix: `${SITES_PREFIX}${siteName}/`,
      // Files of a previous bundle under this site's folder are removed; nothing else is touched.
      prune: true,
      logGroup: siteDeploymentLogGroup(Stack.of(this), internals.logRetention),
    });
    if (internals.createOutputs) {
      new CfnOutput(this, 'ServeUrl', { value: this.serveUrl, description: `Serve URL of the Remotion site "${siteName}"` });
    }
  }
}

/** What a site needs from its deployment that is not public API. */
const INTERNALS = new WeakMap<RemotionLambda, { facts: RemotionLambdaFacts; createOutputs: boolean; logRetention: logs.RetentionDays }>();

const SITE_DEPLOYMENT_LOG_GROUP_ID = 'RemotionSiteDeploymentLogGroup';

/**
 * The log group of the site deployments' handler. BucketDeployment makes one handler per stack
 * (a singleton), which keeps the log group of the first deployment that created it, so the stack
 * gets one log group for all sites, with the retention of the first RemotionLambda that adds one.
 */
function siteDeploymentLogGroup(stack: Stack, retention: logs.RetentionDays): logs.ILogGroup {
  const existing = stack.node.tryFindChild(SITE_DEPLOYMENT_LOG_GROUP_ID) as logs.ILogGroup | undefined;
  return existing ?? new logs.LogGroup(stack, SITE_DEPLOYMENT_LOG_GROUP_ID, { retention });
}

/**
 * What the Remotion CLI deploys (`npx remotion lambda functions deploy` and `sites create`), from
 * the consumer's own installed `@remotion/lambda`, as part of the stack: Remotion's render
 * function with its hosted layers, its role and log group, its bucket, and sites. For Remotion's
 * own client it is indistinguishable from a CLI deployment of the same version, and it needs no
 * IAM user and no credentials outside `cdk deploy`.
 *
 * Sites are loaded anonymously by Chromium inside the function, so `sites/*` is publicly
 * readable; account-level S3 Block Public Access stops them from loading.
 */
export class RemotionLambda extends Construct {
  /** Name of the render function, as Remotion's `speculateFunctionName()` forms it. */
  public readonly functionName: string;

  /** Remotion's render function. */
  public readonly function: lambda.IFunction;

  /** The function's role. */
  public readonly role: iam.IRole;

  /** The function's log group, `/aws/lambda/<functionName>`. */
  public readonly logGroup: logs.ILogGroup;

  /** Remotion's bucket: sites, renders and progress files. */
  public readonly bucket: s3.IBucket;

  /** Name of the bucket (pass it to renders as `forceBucketName`). */
  public readonly bucketName: string;

  /** Region of the function and the bucket (the stack's). */
  public readonly region: string;

  /** Version of the installed `@remotion/lambda` that was deployed. */
  public readonly remotionVersion: string;

  /** Memory of the function, in MiB (whole MiB, as `memorySize` of `lambda.FunctionProps`). */
  public readonly memorySize: number;

  /** Ephemeral storage of the function (whole MiB). */
  public readonly ephemeralStorageSize: Size;

  /** Timeout of the function (whole seconds). */
  public readonly timeout: Duration;

  /** The sites added so far. */
  public readonly sites: RemotionSite[] = [];

  /** Folder of the installed `@remotion/lambda` that the function's code and facts come from. */
  public readonly remotionPackageDir: string;

  private readonly createOutputs: boolean;

  constructor(scope: Construct, id: string, props: RemotionLambdaProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const facts = readLambdaFacts(props.remotionPackageDir);
    this.createOutputs = props.createOutputs ?? true;
    INTERNALS.set(this, { facts, createOutputs: this.createOutputs, logRetention: props.logRetention ?? logs.RetentionDays.TWO_WEEKS });
    this.remotionVersion = facts.version;
    this.remotionPackageDir = facts.lambdaDir;
    this.region = stack.region;
    const { limits } = facts;
    const memoryMb = wholeNumber('memorySize', props.memorySize !== undefined && Token.isUnresolved(props.memorySize) ? NaN : props.memorySize,
      limits.defaultMemory, limits.minMemory, limits.maxMemory, 'MiB');
    const diskMb = wholeNumber('ephemeralStorageSize', mebibytes(props.ephemeralStorageSize), limits.defaultDisk, limits.minDisk, limits.maxDisk, 'MiB');
    const timeoutSeconds = wholeNumber('timeout', props.timeout && (props.timeout.isUnresolved() ? NaN : props.timeout.toSeconds({ integral: false })),
      limits.defaultTimeout, limits.minTimeout, limits.maxTimeout, 'seconds');
    this.memorySize = memoryMb;
    this.ephemeralStorageSize = Size.mebibytes(diskMb);
    this.timeout = Duration.seconds(timeoutSeconds);
    const variant = props.layerVariant ?? RemotionLayerVariant.DEFAULT;
    if (!facts.layerVariants.includes(variant)) {
      throw new Error(`layerVariant "${variant}" is not one of Remotion ${facts.version}'s: ${facts.layerVariants.join(', ')}.`);
    }
    if (props.bucketName !== undefined && !Token.isUnresolved(props.bucketName)) {
      const problem = bucketNameProblem(props.bucketName, stack.region);
      if (problem) {
        throw new Error(`bucketName "${props.bucketName}" ${problem}.`);
      }
    }
    if (props.autoDeleteObjects && props.removalPolicy !== RemovalPolicy.DESTROY) {
      throw new Error('autoDeleteObjects needs removalPolicy: RemovalPolicy.DESTROY (a retained bucket keeps its objects).');
    }
    if (facts.settings.architecture !== 'arm64') {
      throw new Error(`Remotion ${facts.version} deploys its function for ${facts.settings.architecture}; RemotionLambda knows only arm64.`);
    }

    this.functionName = facts.functionName(memoryMb, diskMb, timeoutSeconds);
    const functionArn = stack.formatArn({ service: 'lambda', resource: 'function', resourceName: this.functionName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });

    this.bucketName = props.bucketName ?? defaultBucketName(stack);
    registerRemotionLambda(this, this.bucketName, this.functionName);
    this.bucket = this.createBucket(props, facts);

    // The function's role cannot create log groups, so the stack creates it, as the CLI does.
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/lambda/${this.functionName}`,
      retention: INTERNALS.get(this)!.logRetention,
      // The name is fixed by Remotion's naming rule: a retained group would block the next deployment.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    if (props.role && props.permissionsBoundary) {
      throw new Error('permissionsBoundary cannot be combined with role: set the boundary on your role itself.');
    }
    const role = props.role ?? new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Role of Remotion's render function ${this.functionName} (Remotion's getRolePolicy(), narrowed to this stack)`,
      permissionsBoundary: props.permissionsBoundary,
    });
    if (!props.role) {
      // The function's ARN is built from its name, so the policy does not depend on the function.
      for (const statement of narrowRolePolicy(facts.rolePolicy, {
        bucketArn: this.bucket.bucketArn,
        functionArn,
        logGroupArn: stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: this.logGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      })) {
        role.addToPrincipalPolicy(statement);
      }
    }
    this.role = role;

    const fn = new lambda.Function(this, 'Function', {
      functionName: this.functionName,
      description: 'Renders a Remotion video.',
      code: lambda.Code.fromAsset(facts.zipPath),
      handler: facts.settings.handler,
      runtime: new lambda.Runtime(facts.settings.runtime, lambda.RuntimeFamily.NODEJS),
      architecture: lambda.Architecture.ARM_64,
      memorySize: this.memorySize,
      ephemeralStorageSize: this.ephemeralStorageSize,
      timeout: this.timeout,
      layers: layerArnsFor(this, facts, variant).map((arn, index) => lambda.LayerVersion.fromLayerVersionArn(this, `Layer${index}`, arn)),
      role,
      logGroup: this.logGroup,
      // Remotion retries chunks itself; the CLI turns Lambda's asynchronous retries off.
      retryAttempts: 0,
      runtimeManagementMode: props.runtimeManagementMode ?? this.pinnedRuntime(facts),
    });
    fn.node.addDependency(this.logGroup);
    // The runtime is the one the installed Remotion's CLI deploys; an older Remotion's runtime
    // may be deprecated by AWS, which cfn-lint reports (W2531): upgrading means upgrading Remotion.
    (fn.node.defaultChild as lambda.CfnFunction).addMetadata('cfn-lint', { config: { ignore_checks: ['W2531'] } });
    // The tags the CLI adds after creating the function.
    for (const [key, value] of Object.entries({
      'remotion-lambda': 'true',
      'remotion-version': facts.version,
      'remotion-memory-in-mb': String(memoryMb),
      'remotion-timeout-in-seconds': String(timeoutSeconds),
      'remotion-ephemereal-storage-in-mb': String(diskMb),
    })) {
      Tags.of(fn).add(key, value);
    }
    this.function = fn;

    if (this.createOutputs) {
      new CfnOutput(this, 'FunctionName', { value: this.functionName, description: 'Name of Remotion\'s render function' });
      new CfnOutput(this, 'BucketName', { value: this.bucketName, description: 'Remotion\'s bucket (pass it as forceBucketName)' });
    }
  }

  /**
   * Deploys a Remotion site, the output folder of `npx remotion bundle` (it must hold an
   * `index.html`), under `sites/<siteName>/` of the bucket.
   *
   * @param id construct id of the site, and its `siteName` unless the options give one
   * @param options the bundle folder and the site name
   */
  public addSite(id: string, options: RemotionSiteOptions): RemotionSite {
    const siteName = options.siteName ?? id;
    if (this.sites.some((site) => site.siteName === siteName)) {
      throw new Error(`siteName "${siteName}" was already added to this RemotionLambda.`);
    }
    const site = new RemotionSite(this, id, { ...options, remotionLambda: this });
    this.sites.push(site);
    return site;
  }

  private createBucket(props: RemotionLambdaProps, facts: RemotionLambdaFacts): s3.IBucket {
    const bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: this.bucketName,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      serverAccessLogsPrefix: props.serverAccessLogsBucket ? 'remotion-lambda/' : undefined,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      autoDeleteObjects: props.autoDeleteObjects,
      // Remotion writes its progress, chunk and output files with an ACL ("private" by default):
      // a bucket with ACLs disabled would refuse those writes.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      // Only a bucket policy may make objects public (sites/*, below); public ACLs stay blocked.
      blockPublicAccess: new s3.BlockPublicAccess({
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: false,
        restrictPublicBuckets: false,
      }),
      lifecycleRules: props.renderExpiry ? facts.lifecycleRules.map((rule) => ({
        id: rule.id,
        prefix: rule.prefix,
        expiration: Duration.days(rule.expirationDays),
      })) : undefined,
    });
    // Chromium inside the function loads the serve URL anonymously; renders stay private.
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'PublicReadOfRemotionSites',
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects(`${SITES_PREFIX}*`)],
    }));
    return bucket;
  }

  private pinnedRuntime(facts: RemotionLambdaFacts): lambda.RuntimeManagementMode {
    if (!facts.settings.runtimeVersionHash) {
      return lambda.RuntimeManagementMode.AUTO;
    }
    return lambda.RuntimeManagementMode.manual(`arn:aws:lambda:${this.region}::runtime:${facts.settings.runtimeVersionHash}`);
  }
}

/** A whole number of `unit` in `[min, max]`, or `fallback`; the error names the prop. */
function wholeNumber(prop: string, value: number | undefined, fallback: number, min: number, max: number, unit: string): number {
  if (value === undefined) {
    return fallback;
  }
  if (Number.isNaN(value)) {
    throw new Error(`${prop} must be known at synth time: it is part of the function name Remotion's clients look up.`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${prop} must be a whole number of ${unit} between ${min} and ${max} (Remotion's limits); got ${value}.`);
  }
  return value;
}

/** Size in MiB, fractions kept; NaN for a token. */
function mebibytes(size: Size | undefined): number | undefined {
  if (size === undefined) {
    return undefined;
  }
  return size.isUnresolved() ? NaN : size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
}
