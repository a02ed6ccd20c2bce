import { CfnOutput, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { corsForRoutes } from './cors';
import { RemotionLimitRefusalsMetricOptions, RemotionStartsDeferredMetricOptions } from './metric-options';
import { checkInteger, checkNotEmpty, checkPositive } from '../private/validate';
import { RemotionRenderFunction, RemotionRenderFunctionProps } from '../render-function';
import { RENDER_ROUTES } from '../render-function/contract';
import { renderMetric } from '../render-function/metrics';
import { RemotionRenderQueue, RemotionRenderQueueOptions } from '../render-queue';
import { RemotionOnRenderFinishedOptions, RemotionRenderRecords, RemotionRenderRecordsOptions } from '../render-records';

export * from './metric-options';

/**
 * Properties of an `AuthenticatedRenderApi`.
 *
 * Give either `render` (the settings of the render function the API creates) or an existing
 * `renderFunction`.
 */
export interface AuthenticatedRenderApiProps {
  /**
   * Settings of the render function that the API creates and puts behind its routes: the
   * Remotion site, function and compositions, and any other render setting.
   *
   * @default - none; required unless `renderFunction` is given
   */
  readonly render?: RemotionRenderFunctionProps;

  /**
   * An existing render function to put behind the API, instead of `render`.
   *
   * @default - a `RemotionRenderFunction` made from `render`
   */
  readonly renderFunction?: RemotionRenderFunction;

  /**
   * An existing user pool whose tokens the API accepts. Nothing Cognito is created then.
   *
   * @default - a user pool with secure settings
   */
  readonly userPool?: cognito.IUserPool;

  /**
   * App clients of `userPool` whose tokens the API accepts (the JWT audience). Required with
   * `userPool`.
   *
   * @default - one app client without a secret
   */
  readonly userPoolClients?: cognito.IUserPoolClient[];

  /**
   * Whether anyone may sign up. Off, users are created or confirmed by an administrator.
   * Ignored with `userPool`.
   *
   * @default false
   */
  readonly selfSignUpEnabled?: boolean;

  /**
   * Multi-factor authentication of the created user pool (TOTP only, never SMS).
   * `cognito.Mfa.REQUIRED` makes every user enrol an authenticator app. Ignored with `userPool`.
   *
   * @default cognito.Mfa.OPTIONAL
   */
  readonly mfa?: cognito.Mfa;

  /**
   * Turns on Cognito threat protection (compromised-credential and adaptive-authentication
   * checks, enforced) on the created user pool. It needs the Plus feature plan, which Cognito
   * bills per monthly active user. Ignored with `userPool`.
   *
   * @default false - the Essentials feature plan
   */
  readonly threatProtection?: boolean;

  /**
   * What happens to the created user pool when it leaves the stack. Ignored with `userPool`.
   *
   * @default RemovalPolicy.RETAIN - users are never lost by accident
   */
  readonly userPoolRemovalPolicy?: RemovalPolicy;

  /**
   * Sign-in flows of the created app client. Ignored with `userPool`.
   *
   * @default - SRP (`userSrp`) and `USER_PASSWORD_AUTH` (`userPassword`)
   */
  readonly authFlows?: cognito.AuthFlow;

  /**
   * How long ID and access tokens of the created app client are valid. Ignored with `userPool`.
   *
   * @default Duration.hours(1)
   */
  readonly tokenValidity?: Duration;

  /**
   * How long refresh tokens of the created app client are valid. Ignored with `userPool`.
   *
   * @default Duration.days(1)
   */
  readonly refreshTokenValidity?: Duration;

  /**
   * OAuth scopes a token must carry, e.g. `['renders/write']`. Only access tokens carry scopes,
   * so setting this turns ID tokens away. A custom scope such as `renders/write` needs a pool
   * with a resource server that defines it (`userPool.addResourceServer`) and an app client with
   * an OAuth flow that asks for it (`oAuth: { flows: { authorizationCodeGrant: true }, scopes:
   * [ResourceServerScope...] }`, plus a user pool domain): bring them with `userPool` and
   * `userPoolClients`. The pool and client this construct creates have neither, so with them
   * leave this unset.
   *
   * @default - no scope required: ID tokens work, as in Remotion's example
   */
  readonly authorizationScopes?: string[];

  /**
   * Throttling of the API stage. Each render fans out to many Lambda invocations, so the default
   * is low.
   *
   * @default - 10 requests per second, bursts of 20
   */
  readonly throttle?: apigwv2.ThrottleSettings;

  /**
   * Log group for the API's access logs.
   *
   * @default - a new log group kept for `accessLogRetention`; like every CDK log group it is
   *   retained (not deleted) on `cdk destroy`
   */
  readonly accessLogGroup?: logs.ILogGroup;

  /**
   * How long the default access log group keeps events. Ignored with `accessLogGroup`.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly accessLogRetention?: logs.RetentionDays;

  /**
   * CORS settings, for calls from browsers. Preflight requests are answered by API Gateway
   * without a token. When `allowOrigins` is given, `allowHeaders` defaults to `authorization`
   * and `content-type` and `allowMethods` to `GET`, `POST` and `DELETE`, what the routes need.
   *
   * @default - no CORS: browsers on other origins cannot call the API
   */
  readonly corsPreflight?: apigwv2.CorsPreflightOptions;

  /**
   * Serves the API on a custom domain: an `apigwv2.DomainName` you create (with its
   * certificate), and optionally a mapping key (path) under it.
   *
   * @default - only the execute-api endpoint
   */
  readonly domainMapping?: apigwv2.DomainMappingOptions;

  /**
   * Whether the default execute-api endpoint is turned off, so that only the custom domain
   * (`domainMapping`) serves.
   *
   * @default false
   */
  readonly disableExecuteApiEndpoint?: boolean;

  /**
   * Name of the HTTP API.
   *
   * @default - named after the construct's path, unique in the stack's account and region
   *   (e.g. `MyStack-RenderApi-1A2B3C4D`)
   */
  readonly apiName?: string;

  /**
   * Whether to add the stack outputs `ApiUrl`, `Region`, `UserPoolId` and `UserPoolClientId`
   * (prefixed with this construct's id).
   *
   * @default true
   */
  readonly createOutputs?: boolean;

  /**
   * Whether renders are recorded: a table with one record per accepted render, the
   * `GET /renders` listing, `GET /renders/{renderId}` answered from the record once the render
   * has finished, the completion webhook with its events, and the render queue (`queue`) with
   * `DELETE /renders/{renderId}`. Off, the API has no `GET /renders`, `DELETE /renders/{renderId}`
   * and `POST /webhooks/remotion` routes, keeps no table and has no queue: `POST /renders` starts
   * each render directly, within API Gateway's 30 seconds, so a busy account becomes the caller's
   * 502, and a start that Remotion accepts after the handler stopped waiting cannot be recovered
   * (the render runs and is billed while the caller got a 502).
   *
   * @default true
   */
  readonly recordsEnabled?: boolean;

  /**
   * Settings of the render records. Not with `recordsEnabled: false`.
   *
   * @default - a created table and the defaults of `RemotionRenderRecordsOptions`
   */
  readonly records?: RemotionRenderRecordsOptions;

  /**
   * Settings of the render queue, which the API has whenever it keeps records: `POST /renders`
   * answers 202 with a `QUEUED` render, and a dispatcher starts it once its units
   * (`1 + concurrencyPerRender` concurrent Lambdas) fit in the budget (`maxConcurrentLambdas`).
   * Not with `recordsEnabled: false`.
   *
   * @default - the defaults of `RemotionRenderQueueOptions`: a budget of 800 concurrent Lambdas,
   * 20 renderers per render, 20 waiting renders per user, at most 1 hour in the queue
   */
  readonly queue?: RemotionRenderQueueOptions;
}

/** The access log line: one JSON object per request. */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  sub: '$context.authorizer.claims.sub',
  routeKey: '$context.routeKey',
  status: '$context.status',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  responseLength: '$context.responseLength',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
});

/**
 * A secure-by-default HTTP API in front of a `RemotionRenderFunction`, with Cognito sign-in.
 *
 * - `POST /renders` accepts a render: it waits in the render queue (`QUEUED`) until it fits in
 *   the budget of concurrent Lambdas, then runs (`RENDERING`) and ends (`SUCCEEDED`, `FAILED`,
 *   `TIMED_OUT` or `CANCELLED`). With `recordsEnabled: false` it starts the render directly.
 * - `GET /renders/{renderId}` reports a render's status and progress and hands its owner a
 *   signed link to the output.
 * - `GET /renders` lists the caller's renders, newest first (with records).
 * - `DELETE /renders/{renderId}` cancels one of the caller's renders (with records).
 * - `POST /webhooks/remotion` receives Remotion's signed completion webhook (with records): the
 *   only route without a JWT; the handler verifies its signature.
 *
 * Every other route needs a JWT from the user pool; the stage is throttled and writes JSON
 * access logs.
 *
 * @example
 * new AuthenticatedRenderApi(this, 'Render', {
 *   render: {
 *     site: RemotionSite.fromSiteAttributes(this, 'Site', {
 *       serveUrl: 'https://remotionlambda-useast1-abcdef.s3.us-east-1.amazonaws.com/sites/my-site/index.html',
 *       remotionFunctionName: 'remotion-render-4-0-527-mem2048mb-disk2048mb-120sec',
 *     }),
 *     compositions: ['MyComp'],
 *   },
 * });
 */
export class AuthenticatedRenderApi extends Construct {
  /** The HTTP API. */
  public readonly httpApi: apigwv2.HttpApi;

  /** The stage that serves the API, with throttling and access logs. */
  public readonly stage: apigwv2.HttpStage;

  /** The URL of the API, ending in `/`. */
  public readonly url: string;

  /** The user pool whose tokens the API accepts. */
  public readonly userPool: cognito.IUserPool;

  /** The (first) app client whose tokens the API accepts. */
  public readonly userPoolClient: cognito.IUserPoolClient;

  /** The function behind the routes. */
  public readonly renderFunction: RemotionRenderFunction;

  /** The log group of the access logs. */
  public readonly accessLogGroup: logs.ILogGroup;

  /** The custom domain, when `domainMapping` was given. */
  public readonly customDomain?: apigwv2.IDomainName;

  /** The render records, unless `recordsEnabled` is false. */
  public readonly records?: RemotionRenderRecords;

  /** The render queue, with its dispatcher and sweeper; present with records. */
  public readonly renderQueue?: RemotionRenderQueue;

  /** The queue of accepted renders (`renderQueue.queue`); present with records. */
  public readonly queue?: sqs.IQueue;

  /** The render queue's dead-letter queue (`renderQueue.deadLetterQueue`); present with records. */
  public readonly deadLetterQueue?: sqs.IQueue;

  /** The function that starts queued renders (`renderQueue.dispatcher`); present with records. */
  public readonly dispatcher?: lambda.IFunction;

  /** The function that finishes unreported renders (`renderQueue.sweeper`); present with records. */
  public readonly sweeper?: lambda.IFunction;

  /**
   * `POST /webhooks/remotion`, the route without a JWT authorizer that receives Remotion's signed
   * completion webhook; present with records.
   */
  public readonly completionWebhookRoute?: apigwv2.HttpRoute;

  constructor(scope: Construct, id: string, props: AuthenticatedRenderApiProps) {
    super(scope, id);
    validateApiProps(props);

    this.renderFunction = props.renderFunction ?? new RemotionRenderFunction(this, 'RenderFunction', props.render!);
    checkIntegrationTimeout(this.renderFunction);

    const clients = this.userPoolAndClients(props);
    this.userPool = clients.userPool;
    this.userPoolClient = clients.clients[0];

    const authorizer = new HttpUserPoolAuthorizer('CognitoAuthorizer', this.userPool, {
      userPoolClients: clients.clients,
    });

    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: props.apiName ?? Names.uniqueResourceName(this, { separator: '-', maxLength: 128 }),
      description: 'Starts and reports Remotion renders for signed-in users',
      createDefaultStage: false,
      corsPreflight: corsForRoutes(this, props.corsPreflight),
      disableExecuteApiEndpoint: props.disableExecuteApiEndpoint,
    });

    this.customDomain = props.domainMapping?.domainName;
    this.accessLogGroup = props.accessLogGroup ?? new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.THREE_MONTHS,
    });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttle?.rateLimit ?? 10, burstLimit: props.throttle?.burstLimit ?? 20 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: apigateway.AccessLogFormat.custom(ACCESS_LOG_FORMAT),
      },
      domainMapping: props.domainMapping,
    });
    this.url = props.domainMapping ? customDomainUrl(props.domainMapping) : this.stage.url;

    const integration = new HttpLambdaIntegration('RenderIntegration', this.renderFunction.function);
    const records = props.recordsEnabled ?? true;
    if (records) {
      this.records = new RemotionRenderRecords(this, 'Records', { ...props.records, renderFunction: this.renderFunction });
      this.renderQueue = new RemotionRenderQueue(this, 'Queue', { ...props.queue, renderFunction: this.renderFunction, records: this.records });
      this.queue = this.renderQueue.queue;
      this.deadLetterQueue = this.renderQueue.deadLetterQueue;
      this.dispatcher = this.renderQueue.dispatcher;
      this.sweeper = this.renderQueue.sweeper;
    }
    // Every route of the contract's table; the completion webhook has no JWT (Remotion cannot send
    // one): the handler verifies its HMAC signature instead.
    for (const [name, route] of Object.entries(RENDER_ROUTES)) {
      if (route.needsRecords && !records) continue;
      const [added] = this.httpApi.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration,
        ...(route.authorization === 'JWT'
          ? { authorizer, authorizationScopes: props.authorizationScopes }
          : { authorizer: new apigwv2.HttpNoneAuthorizer() }),
      });
      if (name === 'completionWebhook') this.completionWebhookRoute = added;
    }

    if (props.createOutputs ?? true) {
      this.addOutputs(id);
    }
  }

  /**
   * An EventBridge rule on the records' event bus that matches this API's finished renders (by
   * source, detail-type and the records table's ARN in `resources`), e.g.
   * `api.onRenderFinished('Done', { target: new targets.SqsQueue(queue) })`. Needs records.
   */
  public onRenderFinished(id: string, options?: RemotionOnRenderFinishedOptions): events.Rule {
    if (this.records === undefined) {
      throw new Error('onRenderFinished needs render records: recordsEnabled is false, so no events are put.');
    }
    return this.records.onRenderFinished(id, options);
  }

  /** Renders that `POST /renders` accepted (202, queued or started), summed over 5 minutes. */
  public metricRendersAccepted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return renderMetric(this.renderFunction.metricsService, 'rendersAccepted', props);
  }

  /** Renders that Remotion accepted a start of, summed over 5 minutes. */
  public metricRendersStarted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return renderMetric(this.renderFunction.metricsService, 'rendersStarted', props);
  }

  /** Renders that ended `SUCCEEDED`, summed over 5 minutes. */
  public metricRendersSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return renderMetric(this.renderFunction.metricsService, 'rendersSucceeded', props);
  }

  /** Renders that ended `FAILED` (Remotion failed, a refused start, or too long in the queue), summed over 5 minutes. */
  public metricRendersFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return renderMetric(this.renderFunction.metricsService, 'rendersFailed', props);
  }

  /** Renders that ended `TIMED_OUT`, summed over 5 minutes. */
  public metricRendersTimedOut(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return renderMetric(this.renderFunction.metricsService, 'rendersTimedOut', props);
  }

  /** Renders that ended `CANCELLED`, summed over 5 minutes. */
  public metricRendersCancelled(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return renderMetric(this.renderFunction.metricsService, 'rendersCancelled', props);
  }

  /** How long renders waited in the queue, from accepted to started, in milliseconds: the average over 5 minutes. */
  public metricQueueWait(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return renderMetric(this.renderFunction.metricsService, 'queueWait', props);
  }

  /** How long renders ran, from started to finished, in milliseconds: the average over 5 minutes. */
  public metricRenderTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return renderMetric(this.renderFunction.metricsService, 'renderTime', props);
  }

  /** What Remotion reported the finished renders cost, in USD, summed over 5 minutes. */
  public metricRenderCost(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return renderMetric(this.renderFunction.metricsService, 'renderCost', props);
  }

  /**
   * The units of the render budget in use (concurrent Lambdas held by running renders): the
   * maximum over 5 minutes. Emitted with the render queue only.
   */
  public metricBudgetUnitsInUse(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return renderMetric(this.renderFunction.metricsService, 'budgetUnitsInUse', props);
  }

  /** The size of the render budget (`maxConcurrentLambdas`): the maximum over 5 minutes. Emitted with the render queue only. */
  public metricBudgetSize(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return renderMetric(this.renderFunction.metricsService, 'budgetSize', props);
  }

  /** Starts that the dispatcher put off (budget full, owner busy, Lambda throttling), summed over 5 minutes. */
  public metricStartsDeferred(props?: RemotionStartsDeferredMetricOptions): cloudwatch.Metric {
    return renderMetric(this.renderFunction.metricsService, 'startsDeferred', metricOptionsOf(props), props?.reason);
  }

  /** Requests refused with 429 by a per-user limit, summed over 5 minutes. */
  public metricLimitRefusals(props?: RemotionLimitRefusalsMetricOptions): cloudwatch.Metric {
    return renderMetric(this.renderFunction.metricsService, 'limitRefusals', metricOptionsOf(props), props?.limit);
  }

  /** Completion webhooks refused with 401 (unsigned, a bad signature, malformed, an unknown render), summed over 5 minutes. */
  public metricWebhookRefusals(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return renderMetric(this.renderFunction.metricsService, 'webhookRefusals', props);
  }

  /** Repeated `Idempotency-Key` requests answered with the first answer, summed over 5 minutes. */
  public metricIdempotentReplays(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return renderMetric(this.renderFunction.metricsService, 'idempotentReplays', props);
  }

  /** Requests the API answered with a 5xx (`httpApi.metricServerError`), summed over 5 minutes. */
  public metricServerError(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.httpApi.metricServerError(props);
  }

  /** Requests the API answered with a 4xx (`httpApi.metricClientError`), summed over 5 minutes. */
  public metricClientError(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.httpApi.metricClientError(props);
  }

  /** The time from a request to the API's answer (`httpApi.metricLatency`), in milliseconds: the average over 5 minutes. */
  public metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.httpApi.metricLatency(props);
  }

  /** Requests to the API (`httpApi.metricCount`), summed over 5 minutes. */
  public metricCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.httpApi.metricCount(props);
  }

  private userPoolAndClients(props: AuthenticatedRenderApiProps): { userPool: cognito.IUserPool; clients: cognito.IUserPoolClient[] } {
    if (props.userPool) {
      return { userPool: props.userPool, clients: props.userPoolClients! };
    }
    const userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: props.selfSignUpEnabled ?? false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: props.mfa ?? cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: props.threatProtection ? cognito.FeaturePlan.PLUS : cognito.FeaturePlan.ESSENTIALS,
      standardThreatProtectionMode: props.threatProtection ? cognito.StandardThreatProtectionMode.FULL_FUNCTION : undefined,
      removalPolicy: props.userPoolRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    const tokenValidity = props.tokenValidity ?? Duration.hours(1);
    const client = userPool.addClient('AppClient', {
      generateSecret: false,
      authFlows: props.authFlows ?? { userSrp: true, userPassword: true },
      // No hosted UI: OAuth grants would only add redirect URLs to guard.
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: tokenValidity,
      accessTokenValidity: tokenValidity,
      refreshTokenValidity: props.refreshTokenValidity ?? Duration.days(1),
    });
    return { userPool, clients: [client] };
  }

  private addOutputs(id: string): void {
    const prefix = id.replace(/[^A-Za-z0-9]/g, '');
    const outputs: Record<string, { value: string; description: string }> = {
      ApiUrl: { value: this.url, description: 'Base URL of the render API' },
      Region: { value: Stack.of(this).region, description: 'Region of the render API and user pool' },
      UserPoolId: { value: this.userPool.userPoolId, description: 'Cognito user pool whose tokens the API accepts' },
      UserPoolClientId: { value: this.userPoolClient.userPoolClientId, description: 'Cognito app client to sign in with' },
    };
    for (const [name, output] of Object.entries(outputs)) {
      // A readable, stable logical id (e.g. RenderApiUrl) instead of one with a hash suffix.
      new CfnOutput(this, name, output).overrideLogicalId(`${prefix}${name}`);
    }
  }
}

/** The plain metric options of options that add a dimension filter. */
function metricOptionsOf(props: (cloudwatch.MetricOptions & { limit?: string; reason?: string }) | undefined): cloudwatch.MetricOptions {
  if (props === undefined) return {};
  const { limit: _limit, reason: _reason, ...options } = props;
  return options;
}

/** API Gateway ends an HTTP API integration after 30 seconds. */
const MAX_INTEGRATION_SECONDS = 29;

function validateApiProps(props: AuthenticatedRenderApiProps): void {
  if ((props.render === undefined) === (props.renderFunction === undefined)) {
    throw new Error('Give exactly one of render (the settings of a new render function) or renderFunction (an existing one).');
  }
  if (props.userPool && (!props.userPoolClients || props.userPoolClients.length === 0)) {
    throw new Error('userPoolClients is required with userPool: the API accepts tokens issued to these app clients only.');
  }
  if (!props.userPool && props.userPoolClients) {
    throw new Error('userPoolClients was given without userPool; give the pool the clients belong to.');
  }
  if (props.disableExecuteApiEndpoint && props.domainMapping === undefined) {
    throw new Error('disableExecuteApiEndpoint needs domainMapping: otherwise the API has no endpoint at all.');
  }
  checkPositive('throttle.rateLimit', props.throttle?.rateLimit, 'number of requests per second');
  checkInteger('throttle.burstLimit', props.throttle?.burstLimit, 1);
  checkNotEmpty('authorizationScopes', props.authorizationScopes, 'scope, or be left out to accept ID tokens');
  if (props.recordsEnabled === false && props.records !== undefined) {
    throw new Error('records was given with recordsEnabled: false, so its settings would be ignored; leave it out.');
  }
  if (props.recordsEnabled === false && props.queue !== undefined) {
    throw new Error('queue was given with recordsEnabled: false: the render queue keeps its renders in the records, so without them there is no queue '
      + 'and renders start directly. Leave queue out, or turn records on.');
  }
}

/** Holds for a given `renderFunction` too: a longer handler would be cut off by API Gateway. */
function checkIntegrationTimeout(renderFunction: RemotionRenderFunction): void {
  const timeout = renderFunction.timeout;
  if (!timeout.isUnresolved() && timeout.toSeconds() > MAX_INTEGRATION_SECONDS) {
    throw new Error(`timeout must be at most ${MAX_INTEGRATION_SECONDS} seconds behind the HTTP API, which gives up after 30 seconds; got ${timeout.toSeconds()} seconds.`);
  }
}

function customDomainUrl(mapping: apigwv2.DomainMappingOptions): string {
  return `https://${mapping.domainName.name}/${mapping.mappingKey ? `${mapping.mappingKey}/` : ''}`;
}
