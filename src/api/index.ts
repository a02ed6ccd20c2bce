import { CfnOutput, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { RemotionRenderFunction, RemotionRenderFunctionProps, RemotionRenderOptions } from '../render-function';
import { RenderRecords, RenderRecordsOptions } from '../render-records';

/**
 * Properties of an `AuthenticatedRenderApi`.
 *
 * Give either `serveUrl`, `remotionFunctionName` and `compositions` (with any other render
 * setting), or an existing `renderFunction`.
 */
export interface AuthenticatedRenderApiProps extends RemotionRenderOptions {
  /**
   * URL of the deployed Remotion site. Required unless `renderFunction` is given.
   *
   * @default - taken from `renderFunction`
   */
  readonly serveUrl?: string;

  /**
   * Name of the deployed Remotion render function. Required unless `renderFunction` is given.
   *
   * @default - taken from `renderFunction`
   */
  readonly remotionFunctionName?: string;

  /**
   * Composition ids a caller may render. Required unless `renderFunction` is given.
   *
   * @default - taken from `renderFunction`
   */
  readonly compositions?: string[];

  /**
   * An existing render function to put behind the API, instead of the render settings.
   *
   * @default - a `RemotionRenderFunction` made from the render settings
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
   * OAuth scopes a token must carry, e.g. `['renders/write']` from a resource server. Only access
   * tokens carry scopes, so setting this turns ID tokens away.
   *
   * @default - no scope required: ID tokens work, as in Remotion's example
   */
  readonly authorizationScopes?: string[];

  /**
   * Steady-state request rate limit of the API stage, requests per second.
   *
   * @default 10
   */
  readonly throttlingRateLimit?: number;

  /**
   * Burst limit of the API stage, requests.
   *
   * @default 20
   */
  readonly throttlingBurstLimit?: number;

  /**
   * Log group for the API's access logs.
   *
   * @default - a new log group kept for `accessLogRetention`
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
   * without a token.
   *
   * @default - no CORS: browsers on other origins cannot call the API
   */
  readonly corsPreflight?: apigwv2.CorsPreflightOptions;

  /**
   * Custom domain name of the API, e.g. `render.example.com`. Requires `certificate`.
   *
   * @default - only the execute-api endpoint
   */
  readonly domainName?: string;

  /**
   * Certificate for `domainName`, in the stack's region.
   *
   * @default - no custom domain
   */
  readonly certificate?: acm.ICertificate;

  /**
   * Whether the default execute-api endpoint is turned off, so that only the custom domain serves.
   *
   * @default false
   */
  readonly disableExecuteApiEndpoint?: boolean;

  /**
   * Name of the HTTP API.
   *
   * @default - the construct's path
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
   * Render records: a table with one record per accepted render, the `GET /renders` listing, and
   * `GET /renders/{renderId}` answered from the record once the render has finished.
   *
   * @default - on, with a created table (see `RenderRecordsOptions`)
   */
  readonly records?: RenderRecordsOptions;
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
 * A secure-by-default HTTP API in front of a `RemotionRenderFunction`, with Cognito sign-in:
 * `POST /renders` starts a render, `GET /renders/{renderId}` reports its progress and hands the
 * owner a signed link. Both routes need a JWT from the user pool; the stage is throttled and
 * writes JSON access logs.
 *
 * @example
 * new AuthenticatedRenderApi(this, 'Render', {
 *   serveUrl: 'https://remotionlambda-useast1-abcdef.s3.us-east-1.amazonaws.com/sites/my-site/index.html',
 *   remotionFunctionName: 'remotion-render-4-0-527-mem2048mb-disk2048mb-120sec',
 *   compositions: ['MyComp'],
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

  /** The custom domain, when `domainName` was given. */
  public readonly customDomain?: apigwv2.DomainName;

  /** The render records, unless `records.enabled` is false. */
  public readonly records?: RenderRecords;

  constructor(scope: Construct, id: string, props: AuthenticatedRenderApiProps) {
    super(scope, id);
    validateApiProps(props);

    this.renderFunction = props.renderFunction ?? new RemotionRenderFunction(this, 'RenderFunction', {
      ...props,
      serveUrl: props.serveUrl!,
      remotionFunctionName: props.remotionFunctionName!,
      compositions: props.compositions!,
    });

    const clients = this.userPoolAndClients(props);
    this.userPool = clients.userPool;
    this.userPoolClient = clients.clients[0];

    const authorizer = new HttpUserPoolAuthorizer('CognitoAuthorizer', this.userPool, {
      userPoolClients: clients.clients,
    });

    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: props.apiName,
      description: 'Starts and reports Remotion renders for signed-in users',
      createDefaultStage: false,
      corsPreflight: props.corsPreflight,
      disableExecuteApiEndpoint: props.disableExecuteApiEndpoint,
    });

    if (props.domainName !== undefined) {
      this.customDomain = new apigwv2.DomainName(this, 'DomainName', {
        domainName: props.domainName,
        certificate: props.certificate!,
      });
    }

    this.accessLogGroup = props.accessLogGroup ?? new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.THREE_MONTHS,
    });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: {
        rateLimit: props.throttlingRateLimit ?? 10,
        burstLimit: props.throttlingBurstLimit ?? 20,
      },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: apigateway.AccessLogFormat.custom(ACCESS_LOG_FORMAT),
      },
      domainMapping: this.customDomain ? { domainName: this.customDomain } : undefined,
    });
    this.url = this.customDomain ? `https://${props.domainName}/` : this.stage.url;

    const integration = new HttpLambdaIntegration('RenderIntegration', this.renderFunction.function);
    const routeOptions = { integration, authorizer, authorizationScopes: props.authorizationScopes };
    this.httpApi.addRoutes({ path: '/renders', methods: [apigwv2.HttpMethod.POST], ...routeOptions });
    this.httpApi.addRoutes({ path: '/renders/{renderId}', methods: [apigwv2.HttpMethod.GET], ...routeOptions });
    if (props.records?.enabled ?? true) {
      this.records = new RenderRecords(this, 'Records', { ...props.records, renderFunction: this.renderFunction });
      this.httpApi.addRoutes({ path: '/renders', methods: [apigwv2.HttpMethod.GET], ...routeOptions });
    }

    if (props.createOutputs ?? true) {
      this.addOutputs(id);
    }
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

/** Every render setting, which belongs to `renderFunction` when one is given. */
const RENDER_SETTINGS: readonly (keyof RemotionRenderFunctionProps)[] = [
  'serveUrl', 'remotionFunctionName', 'compositions', 'region', 'defaultCodec', 'allowedCodecs', 'privacy',
  'outputBucketName', 'outputPrefix', 'maxInputPropsSize', 'framesPerLambda', 'maxRetries', 'webhookUrl',
  'webhookSecret', 'role', 'credentialsSecret', 'logGroup', 'logRetention', 'tracing', 'memorySize', 'timeout',
  'signedUrlExpiry',
];
/** API Gateway ends an HTTP API integration after 30 seconds. */
const MAX_INTEGRATION_SECONDS = 29;

function validateApiProps(props: AuthenticatedRenderApiProps): void {
  const settings = ['serveUrl', 'remotionFunctionName', 'compositions'] as const;
  if (props.renderFunction) {
    const given = RENDER_SETTINGS.filter((name) => props[name] !== undefined);
    if (given.length > 0) {
      throw new Error(`Give either renderFunction or the render settings, not both: ${given.join(', ')} would be ignored.`);
    }
  } else {
    const missing = settings.filter((name) => props[name] === undefined);
    if (missing.length > 0) {
      throw new Error(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} required unless renderFunction is given.`);
    }
  }
  if (props.userPool && (!props.userPoolClients || props.userPoolClients.length === 0)) {
    throw new Error('userPoolClients is required with userPool: the API accepts tokens issued to these app clients only.');
  }
  if (!props.userPool && props.userPoolClients) {
    throw new Error('userPoolClients was given without userPool; give the pool the clients belong to.');
  }
  if ((props.domainName === undefined) !== (props.certificate === undefined)) {
    throw new Error('domainName and certificate go together: give both for a custom domain, or neither.');
  }
  if (props.disableExecuteApiEndpoint && props.domainName === undefined) {
    throw new Error('disableExecuteApiEndpoint needs domainName: otherwise the API has no endpoint at all.');
  }
  if (props.timeout !== undefined && !props.timeout.isUnresolved() && props.timeout.toSeconds() > MAX_INTEGRATION_SECONDS) {
    throw new Error(`timeout must be at most ${MAX_INTEGRATION_SECONDS} seconds behind the HTTP API, which gives up after 30 seconds; got ${props.timeout.toSeconds()} seconds.`);
  }
  const rate = props.throttlingRateLimit;
  if (rate !== undefined && !Token.isUnresolved(rate) && !(rate > 0)) {
    throw new Error(`throttlingRateLimit must be a positive number of requests per second; got ${rate}.`);
  }
  const burst = props.throttlingBurstLimit;
  if (burst !== undefined && !Token.isUnresolved(burst) && !(Number.isInteger(burst) && burst > 0)) {
    throw new Error(`throttlingBurstLimit must be a positive integer; got ${burst}.`);
  }
  const records = props.records;
  if (records?.enabled === false && (records.table !== undefined || records.removalPolicy !== undefined || records.retention !== undefined
    || records.idempotency !== undefined || records.maxRendersInProgress !== undefined || records.maxStartsPerWindow !== undefined
    || records.startWindow !== undefined)) {
    throw new Error('records.enabled is false, so the other records settings would be ignored; leave them out.');
  }
  if (props.authorizationScopes !== undefined && props.authorizationScopes.length === 0) {
    throw new Error('authorizationScopes must name at least one scope, or be left out to accept ID tokens.');
  }
}
