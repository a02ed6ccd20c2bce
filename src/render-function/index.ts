import { ArnFormat, Duration, Names, Size, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { RENDER_ENV, RENDER_METRICS } from './contract';
import { handlerCode } from './handler-code';
import type { QueueWiring } from './queue-wiring';
import type { RecordsWiring } from './records-wiring';
import { RemotionPolicyPreset } from '../policy';
import { writeOwnLogsStatement } from '../private/log-statement';
import { COMPOSITION_ID_PATTERN, isBucketName, isOutputPrefix } from '../private/patterns';
import { checkDuration, checkEach, checkInteger, checkNotEmpty, checkSiteAttributes, checkSize, checkString } from '../private/validate';
import { checkFunctionNameVersion, findRemotion, followsNamingConvention, functionTimeoutSeconds, InstalledRemotion } from '../remotion';
import { IRemotionSite } from '../remotion-lambda';
import { holdsRemotionSites, isRemotionLambdaBucket, SITES_PREFIX } from '../remotion-lambda/naming';
import { RemotionRenderRole } from '../role';

/**
 * Codecs a caller may ask Remotion Lambda to render with.
 */
export enum RemotionCodec {
  /** H.264 in an `.mp4` file. */
  H264 = 'h264',
  /** H.265 in an `.mp4` file. */
  H265 = 'h265',
  /** VP8 in a `.webm` file. */
  VP8 = 'vp8',
  /** VP9 in a `.webm` file. */
  VP9 = 'vp9',
  /** Audio only, `.mp3`. */
  MP3 = 'mp3',
  /** Audio only, `.aac`. */
  AAC = 'aac',
  /** Audio only, `.wav`. */
  WAV = 'wav',
  /** Animated `.gif`. */
  GIF = 'gif',
  /** Apple ProRes in a `.mov` file. */
  PRORES = 'prores',
}

/**
 * Who may read a rendered file.
 */
export enum RemotionPrivacy {
  /** Only holders of a signed link (the API hands one to the render's owner). */
  PRIVATE = 'private',
  /** Anyone with the URL. */
  PUBLIC = 'public',
  /** No ACL is set: for buckets with ACLs disabled; access follows the bucket policy. */
  NO_ACL = 'no-acl',
}

/**
 * Properties of a `RemotionRenderFunction`; `AuthenticatedRenderApi` takes them as its `render`
 * prop.
 */
export interface RemotionRenderFunctionProps {
  /**
   * The Remotion site to render and the render function that renders it: a `RemotionSite` of a
   * `RemotionLambda` in this app (`remotionLambda.addSite()`), or a site and function deployed
   * with the Remotion CLI (`RemotionSite.fromSiteAttributes()`). Renders use its bucket, when it
   * names one, as Remotion's `forceBucketName`, and its region. The role is scoped to exactly
   * its function.
   */
  readonly site: IRemotionSite;

  /**
   * Composition ids a caller may render (at least one).
   */
  readonly compositions: string[];

  /**
   * Codec used when a request names none.
   *
   * @default RemotionCodec.H264
   */
  readonly defaultCodec?: RemotionCodec;

  /**
   * Codecs a request may ask for; must include `defaultCodec`.
   *
   * @default - only `defaultCodec`
   */
  readonly allowedCodecs?: RemotionCodec[];

  /**
   * Who may read the rendered files.
   *
   * @default RemotionPrivacy.PRIVATE, or RemotionPrivacy.NO_ACL when the renders go to a named
   * bucket (`outputBucketName`, or the site's `bucketName`): buckets created today have ACLs
   * disabled and refuse uploads that set one
   */
  readonly privacy?: RemotionPrivacy;

  /**
   * Bucket that Remotion renders into and writes the output to (Remotion's `forceBucketName`),
   * instead of the site's. The role is scoped to it. Remotion's own role (`remotion-lambda-role`)
   * must be able to write to it.
   *
   * @default - the site's `bucketName`; without one, Remotion's own bucket in the region
   * (`remotionlambda-<region>-*`)
   */
  readonly outputBucketName?: string;

  /**
   * Key prefix under which each caller's output lands, in a folder named after the caller's
   * Cognito `sub`, so one user's output never lands under another's key. With `outputBucketName`
   * the key is `<prefix><sub>/<uuid>/<outName>`. Without it, Remotion puts every output under
   * its own `renders/<renderId>/` folder, so the key is `renders/<renderId>/<prefix><sub>/<outName>`:
   * a per-user S3 policy there must allow any render id before `<prefix><sub>/`. In a bucket that
   * holds Remotion sites (a `RemotionLambda`'s, or any `remotionlambda-*` bucket) it must not
   * start with `sites/`, the public folder of the sites.
   *
   * @default 'renders-by-user/'
   */
  readonly outputPrefix?: string;

  /**
   * Largest `inputProps` a request may carry: the UTF-8 size of its compact JSON, however the
   * client escaped or indented it (the raw request body may be up to six times this plus 4 KiB,
   * room for six-character JSON unicode escapes). Remotion passes props of up
   * to about 194 KB inside the Lambda payload; beyond that its client uploads them to S3 first,
   * which costs a round trip and S3 write permissions. The default keeps requests well inside the
   * inline limit, and the maximum allowed is 190 KB.
   *
   * @default Size.kibibytes(64)
   */
  readonly maxInputPropsSize?: Size;

  /**
   * Remotion's `framesPerLambda`: how many frames each rendering Lambda renders (at least 4).
   * Only without the render queue (`recordsEnabled: false` on the API): the queue starts every
   * render with Remotion's `concurrency` instead, so that the Lambdas a render holds are known,
   * and Remotion refuses the two together.
   *
   * @default - Remotion chooses
   */
  readonly framesPerLambda?: number;

  /**
   * Remotion's `maxRetries`: how often a failed chunk is retried.
   *
   * @default - Remotion's default (1)
   */
  readonly maxRetries?: number;

  /**
   * HTTPS URL that Remotion calls when a render ends.
   *
   * @default - no webhook
   */
  readonly webhookUrl?: string;

  /**
   * Secret that signs the webhook calls (its plain-text value). Required with `webhookUrl`.
   *
   * @default - no webhook
   */
  readonly webhookSecret?: secretsmanager.ISecret;

  /**
   * Role of the render handler function (not of Remotion's render function). When given, you are responsible for its Remotion permissions (for
   * example with a `RemotionRenderPolicy`); the construct only adds log and secret access. With the render queue, cancelling a running
   * render also needs `s3:GetObject` on `renders/<renderId>/progress.json` and `s3:PutObject` on `renders/<renderId>/cancel.json` of the render bucket.
   * The render queue's dispatcher gets a role of its own, made as the default role is.
   *
   * @default - a `RemotionRenderRole` with the `RENDER_ONLY` preset scoped to exactly the
   * Remotion function, and to reading the outputs under `outputPrefix` of the bucket
   * (`readOnlyObjectKeys`): no S3 writes, so it can never touch a site
   */
  readonly role?: iam.IRole;

  /**
   * Remotion's documented alternative to a role: an access key pair kept in Secrets Manager as
   * JSON `{"accessKeyId": "...", "secretAccessKey": "..."}`, read once per cold start and handed
   * to Remotion's client. The function's role then gets only `secretsmanager:GetSecretValue` on
   * this secret and no Remotion permissions; so do the roles of the render queue's dispatcher and
   * sweeper, which call Remotion's client too.
   *
   * @default - the function renders with its role, no long-lived keys
   */
  readonly credentialsSecret?: secretsmanager.ISecret;

  /**
   * Log group of the render handler function.
   *
   * @default - a new log group kept for `logRetention`; like every CDK log group it is retained
   *   (not deleted) on `cdk destroy`
   */
  readonly logGroup?: logs.ILogGroup;

  /**
   * How long the render handler function's default log group keeps events. Ignored when
   * `logGroup` is given.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * X-Ray tracing of the render handler function.
   *
   * @default lambda.Tracing.DISABLED
   */
  readonly tracing?: lambda.Tracing;

  /**
   * Memory of the render handler function, in MiB (Remotion's render function keeps its own).
   *
   * @default 512
   */
  readonly memorySize?: number;

  /**
   * Timeout of the render handler function. Behind an HTTP API keep it under the API's 30 second
   * limit.
   *
   * @default Duration.seconds(28)
   */
  readonly timeout?: Duration;

  /**
   * How long a signed link to a private output stays valid: at most 12 hours, because the link is
   * signed with the function's temporary role credentials and stops working when they expire
   * (at most 7 days with `credentialsSecret`, whose keys do not expire).
   *
   * @default Duration.minutes(15)
   */
  readonly signedUrlExpiry?: Duration;

  /**
   * Folder of your installed `@remotion/lambda` (or `@remotion/lambda-client`), or of the app
   * whose `node_modules` holds it: for monorepos, and for Python and Java apps that install it with
   * `npm i @remotion/lambda@<version>` in their own folder. Its client file is copied, unmodified,
   * into the handler's code at synth; this library ships no Remotion code.
   *
   * @default - the folder `site`'s `RemotionLambda` reads, or else resolved from the current working directory
   */
  readonly remotionPackageDir?: string;
}

const DEFAULT_OUTPUT_PREFIX = 'renders-by-user/';
const DEFAULT_MAX_INPUT_PROPS = Size.kibibytes(64);
/** Remotion inlines up to 200,000 bytes minus a margin of about 6 KB; stay below that. */
const MAX_INLINE_INPUT_PROPS_BYTES = 190_000;
const MIN_FRAMES_PER_LAMBDA = 4;
const CLIENT_TIMEOUT_MARGIN = Duration.seconds(3);
/** Remotion's functions run for at most 900 seconds. */
const MAX_REMOTION_TIMEOUT = Duration.seconds(900);
/** Room for Remotion's finishing steps after its render function's timeout. */
const DEADLINE_MARGIN = Duration.seconds(60);
/** Named by string: `lambda.Runtime.NODEJS_24_X` needs aws-cdk-lib 2.224.0, our floor, at compile time. */
const HANDLER_RUNTIME = new lambda.Runtime('nodejs24.x', lambda.RuntimeFamily.NODEJS);
/** The SDK inside Remotion's client keeps connections alive; older SDKs needed this switch. */
const CONNECTION_REUSE = 'AWS_NODEJS_CONNECTION_REUSE_ENABLED';

/**
 * The Lambda function behind the render API: it checks an authenticated request against what
 * the construct allows, starts a render with Remotion's `renderMediaOnLambda`, and lets the same
 * user follow the render and fetch a signed link to the output.
 *
 * The handler is bundled when this library is built and ships inside the package; at synth the
 * construct puts your own installed Remotion client beside it, unmodified. You never run a
 * bundler or Docker, and this library ships no Remotion code.
 */
export class RemotionRenderFunction extends Construct {
  /** The handler function. */
  public readonly function: lambda.IFunction;

  /** The role of the handler function. */
  public readonly role: iam.IRole;

  /** The log group of the handler function. */
  public readonly logGroup: logs.ILogGroup;

  /**
   * The user's own webhook URL (`webhookUrl`), which Remotion calls instead of a render API's
   * completion webhook.
   */
  public readonly webhookUrl?: string;

  /** The Remotion site that is rendered, and its render function. */
  public readonly site: IRemotionSite;

  /** Name of the Remotion render function that is invoked. */
  public readonly remotionFunctionName: string;

  /** Region of the Remotion render function. */
  public readonly region: string;

  /**
   * Whether status reads of running renders compute the progress from the bucket, without
   * invoking the Remotion render function (Remotion's `skipLambdaInvocation`): true when the
   * render bucket is known at synth (`outputBucketName`, or the site's `bucketName`, which every
   * `RemotionLambda` site has) and `remotionFunctionName` follows Remotion's naming convention,
   * from which Remotion's client reads the function's memory and timeout. Without a known bucket
   * the caller names it, and only the invocation checks that Remotion's account owns it. The default role may then also read each render's
   * progress file, `progress.json` in its `renders/<renderId>/` folder; a `role` or
   * `credentialsSecret` of yours needs `s3:GetObject` on it too, or each read falls back to the
   * invocation.
   */
  public readonly progressFromBucket: boolean;

  /** URL of the Remotion site that is rendered. */
  public readonly serveUrl: string;

  /** Composition ids a caller may render. */
  public readonly compositions: string[];

  /** Codec used when a request names none. */
  public readonly defaultCodec: RemotionCodec;

  /** Codecs a caller may ask for. */
  public readonly allowedCodecs: RemotionCodec[];

  /** Who may read the rendered files. */
  public readonly privacy: RemotionPrivacy;

  /**
   * Version of the installed `@remotion/lambda-client` that the handler uses; Remotion renders
   * only on a render function of the same version.
   */
  public readonly remotionVersion: string;

  /** Key prefix of each caller's output folder. */
  public readonly outputPrefix: string;

  /** Largest accepted `inputProps`. */
  public readonly maxInputPropsSize: Size;

  /** Timeout of the handler function. */
  public readonly timeout: Duration;

  /**
   * The value of the `service` dimension of every render metric that this function, and the
   * render queue's dispatcher and sweeper, emit (namespace `RemotionConstructs`): made from the
   * construct's path, so it stays the same across deployments and tells two APIs in an account
   * apart.
   */
  public readonly metricsService: string;

  /** The handler function, whose environment only this construct writes. */
  private readonly handler: lambda.Function;

  /** The installed Remotion client that the handler uses. */
  private readonly remotion: InstalledRemotion;

  /** The bucket renders go to (Remotion's `forceBucketName`), when one is named. */
  private readonly bucketName?: string;

  /** Every variable this construct set on the handler, so that the queue's functions get the same. */
  private readonly environment: Record<string, string>;

  /** The props it was made with, for the roles of the queue's functions. */
  private readonly props: RemotionRenderFunctionProps;

  constructor(scope: Construct, id: string, props: RemotionRenderFunctionProps) {
    super(scope, id);
    validateProps(props);
    const site = props.site;
    this.site = site;
    this.bucketName = props.outputBucketName ?? site.bucketName;
    checkOutputOutsideSites(this, props, this.bucketName);
    checkPrivacy(this, props, this.bucketName);
    // The client must be the deployed function's version: read it from the same install.
    const remotion = findRemotion({ packageDir: props.remotionPackageDir ?? site.remotionPackageDir });
    if (!Token.isUnresolved(site.remotionFunctionName)) {
      checkFunctionNameVersion(remotion, 'site.remotionFunctionName', site.remotionFunctionName);
    }
    this.remotion = remotion;
    this.remotionVersion = remotion.version;

    const stack = Stack.of(this);
    this.remotionFunctionName = site.remotionFunctionName;
    // A token could name anything: only a name known at synth is parsed. Only a bucket known at
    // synth, too: without one the caller names the bucket (`?bucketName=`), and Remotion's client
    // reads the progress file without checking who owns the bucket, so a caller's own
    // `remotionlambda-*` bucket could hand the handler a progress of its choosing. The invocation
    // reads it with Remotion's own account as the expected owner.
    this.progressFromBucket = this.bucketName !== undefined
      && !Token.isUnresolved(site.remotionFunctionName) && followsNamingConvention(remotion, site.remotionFunctionName);
    this.region = site.region ?? stack.region;
    this.serveUrl = site.serveUrl;
    this.compositions = [...props.compositions];
    this.defaultCodec = props.defaultCodec ?? RemotionCodec.H264;
    this.allowedCodecs = props.allowedCodecs ? [...props.allowedCodecs] : [this.defaultCodec];
    this.privacy = props.privacy ?? (this.bucketName ? RemotionPrivacy.NO_ACL : RemotionPrivacy.PRIVATE);
    this.outputPrefix = props.outputPrefix ?? DEFAULT_OUTPUT_PREFIX;
    this.maxInputPropsSize = props.maxInputPropsSize ?? DEFAULT_MAX_INPUT_PROPS;
    this.timeout = props.timeout ?? Duration.seconds(28);
    this.webhookUrl = props.webhookUrl;
    const timeout = this.timeout;

    this.logGroup = props.logGroup ?? new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });
    this.props = props;
    if (props.role) {
      this.role = props.role;
      this.grantOwnLogsAndSecrets(props.role, this.logGroup);
    } else {
      this.role = this._createRuntimeRole(this, 'Role', this.logGroup);
    }

    // Letters, digits and '-' only: valid as a CloudWatch dimension value and as Powertools' service name.
    this.metricsService = Names.uniqueResourceName(this, { separator: '-', maxLength: 128 });
    this.environment = this.environmentFor(props, timeout);
    const handler = new lambda.Function(this, 'Handler', {
      ...this._functionSettings(),
      handler: 'index.handler',
      code: this._handlerCode(),
      description: `Starts and reports Remotion renders (@remotion/lambda-client ${remotion.version})`,
      memorySize: props.memorySize ?? 512,
      timeout,
      role: this.role,
      logGroup: this.logGroup,
      tracing: props.tracing ?? lambda.Tracing.DISABLED,
      environment: { ...this.environment },
    });
    handler.addEnvironment(CONNECTION_REUSE, '1', { removeInEdge: true });
    this.environment[CONNECTION_REUSE] = '1';
    this.handler = handler;
    this.function = handler;
  }

  /**
   * The number of invocations of the handler that failed with an error (a crash or a timeout,
   * not a 4xx or 5xx answer), summed over 5 minutes.
   */
  public metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricErrors(props);
  }

  /** The number of invocations of the handler that Lambda throttled, summed over 5 minutes. */
  public metricThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricThrottles(props);
  }

  /**
   * The handler's code asset (our prebuilt bundle with the installed Remotion client beside it),
   * whose `dispatcher.handler` and `sweeper.handler` entries the render queue runs.
   *
   * @internal
   */
  public _handlerCode(): lambda.Code {
    return handlerCode(this.remotion);
  }

  /**
   * The runtime, architecture and logging of the handler, which the queue's functions share.
   *
   * @internal
   */
  public _functionSettings(): Pick<lambda.FunctionProps, 'runtime' | 'architecture' | 'loggingFormat' | 'applicationLogLevelV2' | 'systemLogLevelV2'> {
    return {
      runtime: HANDLER_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
    };
  }

  /**
   * A copy of every variable this construct set on the handler so far (render settings, records,
   * queue), for the queue's functions, which read the same contract.
   *
   * @internal
   */
  public _runtimeEnvironment(): Record<string, string> {
    return { ...this.environment };
  }

  /**
   * A new role that starts renders as the handler does: without a `credentialsSecret`, a
   * `RemotionRenderRole` with the `RENDER_ONLY` preset scoped to exactly the Remotion function and
   * to reading the outputs (and progress files, where status reads skip the invocation) of the
   * render bucket; with one, a plain role that reads the secret, whose keys carry the Remotion
   * permissions. It may write to `logGroup`, and read the webhook secret when given. The handler's default role and
   * the render queue's dispatcher role are made here, so they cannot drift apart.
   *
   * @internal
   */
  public _createRuntimeRole(scope: Construct, id: string, logGroup: logs.ILogGroup): iam.IRole {
    const props = this.props;
    let role: iam.IRole;
    if (props.credentialsSecret) {
      // Keys come from the secret, so the role itself needs no Remotion permissions.
      role = new iam.Role(scope, id, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: 'Starts Remotion renders with an access key pair read from Secrets Manager',
      });
    } else {
      // Invoke the render function, read progress files and sign links to outputs, nothing more:
      // input props are capped below Remotion's inline limit, so its client never uploads or
      // looks for a bucket. Reads are limited to the outputs and, where status reads skip the
      // invocation, the progress files, so the role can neither read nor overwrite sites.
      role = new RemotionRenderRole(scope, id, {
        preset: RemotionPolicyPreset.RENDER_ONLY,
        remotionFunctionNames: [this.remotionFunctionName],
        bucketNames: [this.renderBucketPattern()],
        readOnlyObjectKeys: [outputKeyPattern(this.bucketName, this.outputPrefix), ...(this.progressFromBucket ? [PROGRESS_FILE_KEYS] : [])],
        region: this.site.region,
      });
    }
    this.grantOwnLogsAndSecrets(role, logGroup);
    return role;
  }

  /** Writing to its own log group, then reading the secrets it was given, in this order. */
  private grantOwnLogsAndSecrets(role: iam.IRole, logGroup: logs.ILogGroup): void {
    role.addToPrincipalPolicy(writeOwnLogsStatement(logGroup));
    for (const secret of [this.props.credentialsSecret, this.props.webhookSecret]) {
      if (secret) {
        grantGetSecretValue(secret, role);
      }
    }
  }

  /**
   * Lets `role` read the progress of running renders as `getRenderProgress` does: with a
   * `credentialsSecret`, read that secret (its keys carry the permissions); where status reads
   * skip the invocation, `s3:GetObject` on the progress files of the render bucket only; else
   * invoke exactly the Remotion function.
   *
   * @internal
   */
  public _grantProgressRead(role: iam.IRole): void {
    if (this.props.credentialsSecret) {
      grantGetSecretValue(this.props.credentialsSecret, role);
    } else if (this.progressFromBucket) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'ReadRemotionProgressFiles',
        actions: ['s3:GetObject'],
        resources: [this.renderObjectArn(PROGRESS_FILE_KEYS)],
      }));
    } else {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'InvokeRemotionRenderFunction',
        actions: ['lambda:InvokeFunction'],
        resources: [this.remotionFunctionArn()],
      }));
    }
  }

  /**
   * Tells the handler about the render queue: `POST /renders` then enqueues instead of starting.
   * Called by `RemotionRenderQueue`, which grants the queue access itself. The default role also
   * gets what Remotion's `cancelRenderOnLambda` does for `DELETE /renders/{renderId}`.
   *
   * @internal
   */
  public _enableQueue(queue: QueueWiring): void {
    if (this.props.framesPerLambda !== undefined) {
      throw new Error('framesPerLambda cannot be combined with the render queue (queue): the dispatcher starts every render with Remotion\'s '
        + '`concurrency` (queue.concurrencyPerRender), which Remotion refuses together with framesPerLambda. Leave framesPerLambda out, '
        + 'or turn the queue off with recordsEnabled: false.');
    }
    this.setEnvironment({
      [RENDER_ENV.QUEUE_URL]: queue.queueUrl,
      [RENDER_ENV.QUEUE_MAX_QUEUED_PER_USER]: String(queue.maxQueuedPerUser),
      [RENDER_ENV.QUEUE_MAX_AGE_SECONDS]: String(queue.maxQueueAgeSeconds),
      [RENDER_ENV.QUEUE_RENDER_CONCURRENCY]: String(queue.concurrencyPerRender),
      [RENDER_ENV.BUDGET_MAX_LAMBDAS]: String(queue.maxConcurrentLambdas),
    });
    if (this.props.role === undefined && this.props.credentialsSecret === undefined) {
      // cancelRenderOnLambda reads the render's progress file (where the render keeps its state)
      // and writes the cancel marker that Remotion's functions look for; it also asks STS who it
      // is, which needs no permission. The role reads progress files already where status reads
      // skip the invocation. With a role or keys of your own, grant these yourself.
      if (!this.progressFromBucket) {
        this.role.addToPrincipalPolicy(new iam.PolicyStatement({
          sid: 'CancelReadRemotionProgressFiles',
          actions: ['s3:GetObject'],
          resources: [this.renderObjectArn(PROGRESS_FILE_KEYS)],
        }));
      }
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'CancelWriteRemotionCancelMarkers',
        actions: ['s3:PutObject'],
        resources: [this.renderObjectArn(CANCEL_FILE_KEYS)],
      }));
    }
  }

  /**
   * Tells the handler where the render records are and which limits apply. Called by
   * `RenderRecords`, which grants the access itself.
   *
   * @internal
   */
  public _enableRecords(records: RecordsWiring): void {
    this.setEnvironment({
      [RENDER_ENV.RECORDS_TABLE_NAME]: records.tableName,
      [RENDER_ENV.RECORDS_RETENTION_SECONDS]: String(records.retention.toSeconds()),
      [RENDER_ENV.IDEMPOTENCY_ENABLED]: records.idempotency ? 'true' : undefined,
      [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: String(records.maxRendersInProgress),
      [RENDER_ENV.LIMIT_MAX_STARTS]: String(records.maxStartsPerWindow),
      [RENDER_ENV.LIMIT_WINDOW_SECONDS]: String(records.startWindow.toSeconds()),
      [RENDER_ENV.LIMIT_RENDER_DEADLINE_SECONDS]: String(this.renderDeadline().toSeconds()),
      [RENDER_ENV.COMPLETION_SECRET_ARN]: records.completionSecretArn,
      [RENDER_ENV.EVENT_BUS]: records.eventBusArn,
      [RENDER_ENV.RECORDS_TABLE_ARN]: records.tableArn,
    });
  }

  /** Sets each defined variable on the handler and remembers it for `_runtimeEnvironment()`. */
  private setEnvironment(environment: Record<string, string | undefined>): void {
    for (const [name, value] of Object.entries(environment)) {
      if (value !== undefined) {
        this.handler.addEnvironment(name, value);
        this.environment[name] = value;
      }
    }
  }

  /** The bucket renders go to, or the region's Remotion bucket pattern when none is named. */
  private renderBucketPattern(): string {
    return this.bucketName ?? defaultRemotionBucketPattern(this.region);
  }

  /** ARN of the objects under `keys` in the render bucket. */
  private renderObjectArn(keys: string): string {
    return Stack.of(this).formatArn({ service: 's3', region: '', account: '', resource: this.renderBucketPattern(), resourceName: keys });
  }

  /** ARN of exactly the Remotion render function, in its region. */
  private remotionFunctionArn(): string {
    return Stack.of(this).formatArn({
      service: 'lambda',
      region: this.region,
      resource: 'function',
      resourceName: this.remotionFunctionName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /**
   * When a render counts as over for the limits: Remotion's own timeout, which its function name
   * carries (`...-120sec`), plus a margin; the longest possible one for a token or a custom name.
   */
  private renderDeadline(): Duration {
    const name = this.remotionFunctionName;
    const seconds = Token.isUnresolved(name) ? undefined : functionTimeoutSeconds(this.remotion, name);
    const timeout = Math.min(seconds ?? MAX_REMOTION_TIMEOUT.toSeconds(), MAX_REMOTION_TIMEOUT.toSeconds());
    return Duration.seconds(timeout + DEADLINE_MARGIN.toSeconds());
  }

  private environmentFor(props: RemotionRenderFunctionProps, timeout: Duration): Record<string, string> {
    const stack = Stack.of(this);
    const environment: Record<string, string> = {
      [RENDER_ENV.REGION]: this.region,
      [RENDER_ENV.FUNCTION_NAME]: this.remotionFunctionName,
      [RENDER_ENV.SERVE_URL]: this.serveUrl,
      [RENDER_ENV.COMPOSITIONS]: stack.toJsonString(this.compositions),
      [RENDER_ENV.ALLOWED_CODECS]: stack.toJsonString(this.allowedCodecs),
      [RENDER_ENV.DEFAULT_CODEC]: this.defaultCodec,
      [RENDER_ENV.PRIVACY]: this.privacy,
      [RENDER_ENV.OUTPUT_PREFIX]: this.outputPrefix,
      [RENDER_ENV.MAX_INPUT_PROPS_BYTES]: String(this.maxInputPropsSize.toBytes()),
      [RENDER_ENV.PRESIGN_EXPIRES_SECONDS]: String((props.signedUrlExpiry ?? Duration.minutes(15)).toSeconds()),
      [RENDER_ENV.CALL_TIMEOUT_MS]: String(timeout.toMilliseconds() - CLIENT_TIMEOUT_MARGIN.toMilliseconds()),
      [RENDER_ENV.METRICS_SERVICE]: this.metricsService,
      [RENDER_ENV.METRICS_NAMESPACE]: RENDER_METRICS.namespace,
    };
    const optional: Record<string, string | undefined> = {
      [RENDER_ENV.BUCKET_NAME]: this.bucketName,
      [RENDER_ENV.FRAMES_PER_LAMBDA]: props.framesPerLambda?.toString(),
      [RENDER_ENV.MAX_RETRIES]: props.maxRetries?.toString(),
      [RENDER_ENV.WEBHOOK_URL]: props.webhookUrl,
      [RENDER_ENV.WEBHOOK_SECRET_ARN]: props.webhookSecret?.secretArn,
      [RENDER_ENV.CREDENTIALS_SECRET_ARN]: props.credentialsSecret?.secretArn,
      [RENDER_ENV.PROGRESS_FROM_BUCKET]: this.progressFromBucket ? 'true' : undefined,
    };
    for (const [name, value] of Object.entries(optional)) {
      if (value !== undefined) {
        environment[name] = value;
      }
    }
    return environment;
  }
}

/**
 * Outputs in a bucket that holds Remotion sites must not land under `sites/`: that folder is
 * public (Chromium loads sites anonymously), and Remotion takes every folder there for a site.
 * Keys are used as given (S3 and Remotion normalise nothing, and are case-sensitive); without an
 * output bucket, Remotion puts outputs under `renders/<renderId>/` instead.
 */
function checkOutputOutsideSites(scope: Construct, props: RemotionRenderFunctionProps, bucket: string | undefined): void {
  const prefix = props.outputPrefix ?? DEFAULT_OUTPUT_PREFIX;
  if (bucket === undefined || Token.isUnresolved(prefix) || !prefix.startsWith(SITES_PREFIX) || !holdsRemotionSites(scope, bucket)) {
    return;
  }
  const name = `"${Token.isUnresolved(bucket) ? 'of a RemotionLambda' : bucket}"`;
  const where = props.outputBucketName === undefined ? `the site's bucket ${name}` : `outputBucketName ${name}`;
  throw new Error(`outputPrefix "${prefix}" puts every caller's output under ${SITES_PREFIX} of ${where}, which is publicly readable `
    + `(Chromium loads Remotion sites from there anonymously) and where Remotion keeps its sites. Choose a prefix outside ${SITES_PREFIX}, `
    + `such as the default "${DEFAULT_OUTPUT_PREFIX}".`);
}

/**
 * A RemotionLambda's bucket blocks public ACLs (only `sites/*` is public, by bucket policy), so
 * Remotion's public-read upload of the output would fail at the end of every render.
 */
function checkPrivacy(scope: Construct, props: RemotionRenderFunctionProps, bucket: string | undefined): void {
  if (props.privacy === RemotionPrivacy.PUBLIC && bucket !== undefined && isRemotionLambdaBucket(scope, bucket)) {
    throw new Error(`privacy PUBLIC cannot be combined with ${bucketProp(props)}: RemotionLambda's bucket blocks public ACLs (only sites/* is public), `
      + 'so Remotion\'s public-read upload of the output would fail at the end of every render. Use PRIVATE or NO_ACL.');
  }
}

/** The prop that named the bucket renders go to. */
function bucketProp(props: RemotionRenderFunctionProps): string {
  return props.outputBucketName === undefined ? 'site' : 'outputBucketName';
}

/**
 * Remotion names its bucket `remotionlambda-<region without dashes>-<random>`; when the region is
 * known, scope to that region's bucket only.
 */
function defaultRemotionBucketPattern(region: string): string {
  return Token.isUnresolved(region) ? 'remotionlambda-*' : `remotionlambda-${region.replace(/-/g, '')}-*`;
}

/**
 * The keys of the outputs the handler signs links to: `<prefix><sub>/<uuid>/<outName>` in a named
 * bucket; in Remotion's own bucket, Remotion puts the name under `renders/<renderId>/`.
 */
function outputKeyPattern(outputBucketName: string | undefined, outputPrefix: string): string {
  return outputBucketName === undefined ? `renders/*/${outputPrefix}*` : `${outputPrefix}*`;
}

/**
 * The progress file Remotion's render function keeps for each render in the render's bucket
 * (`overallProgressKey()`: `renders/<renderId>/progress.json`), which `getRenderProgress` reads
 * when it skips the invocation.
 */
const PROGRESS_FILE_KEYS = 'renders/*/progress.json';

/**
 * The marker `cancelRenderOnLambda` writes (`renders/<renderId>/cancel.json`), which Remotion's
 * functions look for before each chunk.
 */
const CANCEL_FILE_KEYS = 'renders/*/cancel.json';

/** Only GetSecretValue: `ISecret.grantRead` would add DescribeSecret, which the handler never calls. */
function grantGetSecretValue(secret: secretsmanager.ISecret, role: iam.IRole): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['secretsmanager:GetSecretValue'],
    resources: [secret.secretFullArn ?? `${secret.secretArn}-??????`],
  }));
  secret.encryptionKey?.grantDecrypt(role);
}

function validateProps(props: RemotionRenderFunctionProps): void {
  if (!props.site) {
    throw new Error('site is required: a RemotionSite of a RemotionLambda in this app, or RemotionSite.fromSiteAttributes() for a site deployed with the Remotion CLI.');
  }
  // Again here: an IRemotionSite of the user's own is not checked by fromSiteAttributes.
  checkSiteAttributes('site.', props.site);
  checkNotEmpty('compositions', props.compositions, 'composition id that callers may render');
  checkEach('compositions', props.compositions, (id) => COMPOSITION_ID_PATTERN.test(id), 'is not a Remotion composition id (letters, digits and "-")');
  checkNotEmpty('allowedCodecs', props.allowedCodecs, 'codec');
  const defaultCodec = props.defaultCodec ?? RemotionCodec.H264;
  if (props.allowedCodecs !== undefined && !props.allowedCodecs.includes(defaultCodec)) {
    throw new Error(`allowedCodecs (${props.allowedCodecs.join(', ')}) must include defaultCodec "${defaultCodec}".`);
  }
  checkString('outputPrefix', props.outputPrefix, isOutputPrefix,
    'must be empty or S3 key folders ending in "/" (no leading "/", no "." or ".." folders)');
  checkString('outputBucketName', props.outputBucketName, isBucketName,
    'is not an S3 bucket name (3 to 63 lower-case letters, digits, "." or "-"; no patterns)');
  checkInteger('memorySize', props.memorySize, 128, 10_240, 'MiB');
  checkSize('maxInputPropsSize', props.maxInputPropsSize, 2, MAX_INLINE_INPUT_PROPS_BYTES, ', so input props travel inside the Lambda payload');
  checkInteger('framesPerLambda', props.framesPerLambda, MIN_FRAMES_PER_LAMBDA);
  checkInteger('maxRetries', props.maxRetries, 0);
  checkString('webhookUrl', props.webhookUrl, (url) => /^https:\/\/\S+$/.test(url), 'must be an https URL');
  if (props.webhookUrl !== undefined && !props.webhookSecret) {
    throw new Error('webhookSecret is required with webhookUrl, so that the receiver can verify that calls come from Remotion.');
  }
  if (props.webhookSecret && props.webhookUrl === undefined) {
    throw new Error('webhookSecret was given without webhookUrl.');
  }
  checkDuration('timeout', props.timeout, Duration.seconds(5), Duration.seconds(900));
  // A link signed with temporary role credentials dies with them; keys from a secret do not expire.
  checkDuration('signedUrlExpiry', props.signedUrlExpiry, Duration.seconds(1),
    props.credentialsSecret ? Duration.days(7) : Duration.hours(12),
    props.credentialsSecret ? '' : ' (links signed with the function\'s temporary credentials die with them; 7 days with credentialsSecret)');
  checkString('remotionPackageDir', props.remotionPackageDir, (dir) => dir.length > 0, 'must be a folder');
}
