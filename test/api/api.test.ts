import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { AuthenticatedRenderApi, AuthenticatedRenderApiProps } from '../../src/api';
import { RemotionRenderFunction, RenderCodec } from '../../src/render-function';
import { newStack } from '../util';

const FUNCTION_NAME = `remotion-render-${RemotionRenderFunction.REMOTION_VERSION.replace(/\./g, '-')}-mem2048mb-disk2048mb-120sec`;
const RENDER = {
  serveUrl: 'https://remotionlambda-useast1-abc.s3.us-east-1.amazonaws.com/sites/demo/index.html',
  remotionFunctionName: FUNCTION_NAME,
  compositions: ['HelloWorld'],
};
const ENV = { account: '111122223333', region: 'us-east-1' };

function build(props: Partial<AuthenticatedRenderApiProps> = {}) {
  const stack = newStack({ env: ENV });
  const api = new AuthenticatedRenderApi(stack, 'Render', { ...RENDER, ...props } as AuthenticatedRenderApiProps);
  return { stack, api, template: Template.fromStack(stack) };
}

/** Fails if any route in the template can be called without a JWT. */
function expectEveryRouteHasJwtAuthorizer(template: Template): void {
  const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
  expect(routes.length).toBeGreaterThan(0);
  for (const route of routes) {
    expect(route.Properties.AuthorizationType).toBe('JWT');
    expect(route.Properties.AuthorizerId).toBeDefined();
    expect(route.Properties.RouteKey).not.toMatch(/^ANY |\$default/);
  }
}

describe('AuthenticatedRenderApi with defaults', () => {
  const { stack, api, template } = build();
  const poolId = stack.getLogicalId(api.userPool.node.defaultChild as never);
  const clientId = stack.getLogicalId(api.userPoolClient.node.defaultChild as never);

  it('has exactly the routes POST /renders, GET /renders/{renderId} and the records listing GET /renders', () => {
    const keys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey).sort();
    expect(keys).toEqual(['GET /renders', 'GET /renders/{renderId}', 'POST /renders']);
  });

  it('puts every route behind the JWT authorizer', () => {
    expectEveryRouteHasJwtAuthorizer(template);
    const authorizers = template.findResources('AWS::ApiGatewayV2::Authorizer');
    const [authorizerId] = Object.keys(authorizers);
    for (const route of Object.values(template.findResources('AWS::ApiGatewayV2::Route'))) {
      expect(route.Properties.AuthorizerId).toEqual({ Ref: authorizerId });
    }
  });

  it('accepts tokens of its own user pool and app client only', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: { 'Fn::Join': ['', ['https://cognito-idp.us-east-1.amazonaws.com/', { Ref: poolId }]] },
        Audience: [{ Ref: clientId }],
      },
    });
  });

  it('creates a user pool with self sign-up off, a strong password policy and optional TOTP MFA', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 3,
        },
      },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UsernameAttributes: ['email'],
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    });
  });

  it('retains the user pool when it leaves the stack', () => {
    template.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('creates an app client without a secret, with SRP and USER_PASSWORD_AUTH and short-lived tokens', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      AllowedOAuthFlowsUserPoolClient: false,
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      IdTokenValidity: 60,
      AccessTokenValidity: 60,
      RefreshTokenValidity: 1440,
      TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'minutes' },
    });
  });

  it('throttles the stage at 10 requests per second with a burst of 20', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
    });
  });

  it('writes JSON access logs with request id, sub, route, status and latency to a log group kept three months', () => {
    const logGroupId = stack.getLogicalId(api.accessLogGroup.node.defaultChild as never);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    expect(stage.Properties.AccessLogSettings.DestinationArn).toEqual({ 'Fn::GetAtt': [logGroupId, 'Arn'] });
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      sub: '$context.authorizer.claims.sub',
      routeKey: '$context.routeKey',
      status: '$context.status',
      latencyMs: '$context.responseLatency',
    });
  });

  it('sends both routes to the render function with payload format 2.0', () => {
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  });

  it('adds the outputs ApiUrl, Region, UserPoolId and UserPoolClientId', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual(['RenderApiUrl', 'RenderRegion', 'RenderUserPoolClientId', 'RenderUserPoolId']);
    template.hasOutput('RenderRegion', { Value: 'us-east-1' });
    template.hasOutput('RenderUserPoolId', { Value: { Ref: poolId } });
    template.hasOutput('RenderUserPoolClientId', { Value: { Ref: clientId } });
  });

  it('exposes what it made', () => {
    expect(api.httpApi).toBeInstanceOf(apigwv2.HttpApi);
    expect(api.renderFunction).toBeInstanceOf(RemotionRenderFunction);
    expect(api.url).toBe(api.stage.url);
  });

  it('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('AuthenticatedRenderApi options', () => {
  it('turns self sign-up on and MFA to required when asked', () => {
    const { template } = build({ selfSignUpEnabled: true, mfa: cognito.Mfa.REQUIRED, userPoolRemovalPolicy: RemovalPolicy.DESTROY });
    template.hasResourceProperties('AWS::Cognito::UserPool', { AdminCreateUserConfig: { AllowAdminCreateUserOnly: false }, MfaConfiguration: 'ON' });
    template.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Delete' });
  });

  it('uses the Essentials plan by default and the Plus plan with enforced threat protection when asked', () => {
    build().template.hasResourceProperties('AWS::Cognito::UserPool', { UserPoolTier: 'ESSENTIALS', UserPoolAddOns: Match.absent() });
    build({ threatProtection: true }).template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
  });

  it('narrows the auth flows when asked', () => {
    const { template } = build({ authFlows: { userSrp: true } });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
  });

  describe('with a bring-your-own user pool', () => {
    const stack = newStack({ env: ENV });
    const userPool = cognito.UserPool.fromUserPoolId(stack, 'Pool', 'us-east-1_AbCdEf123');
    const client = cognito.UserPoolClient.fromUserPoolClientId(stack, 'Client', 'client123');
    const api = new AuthenticatedRenderApi(stack, 'Render', { ...RENDER, userPool, userPoolClients: [client] });
    const template = Template.fromStack(stack);

    it('creates nothing Cognito', () => {
      expect(Object.values(template.toJSON().Resources).filter((r) => (r as { Type: string }).Type.startsWith('AWS::Cognito::'))).toEqual([]);
      expect(api.userPool).toBe(userPool);
      expect(api.userPoolClient).toBe(client);
    });

    it('accepts tokens of the given pool and clients', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        JwtConfiguration: {
          Issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123',
          Audience: ['client123'],
        },
      });
      expectEveryRouteHasJwtAuthorizer(template);
    });
  });

  it('puts an existing render function behind the API', () => {
    const stack = newStack({ env: ENV });
    const renderFunction = new RemotionRenderFunction(stack, 'Fn', RENDER);
    const api = new AuthenticatedRenderApi(stack, 'Render', { renderFunction });
    expect(api.renderFunction).toBe(renderFunction);
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Function', 1);
  });

  it('requires access-token scopes on every route when asked', () => {
    const { template } = build({ authorizationScopes: ['renders/write'] });
    for (const route of Object.values(template.findResources('AWS::ApiGatewayV2::Route'))) {
      expect(route.Properties.AuthorizationScopes).toEqual(['renders/write']);
    }
  });

  it('sets custom throttling', () => {
    const { template } = build({ throttlingRateLimit: 2, throttlingBurstLimit: 5 });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 2, ThrottlingBurstLimit: 5 } });
  });

  it('configures CORS so that API Gateway answers preflight without a token, adding no OPTIONS route', () => {
    const { template } = build({ corsPreflight: { allowOrigins: ['https://app.example.com'], allowHeaders: ['authorization', 'content-type'], allowMethods: [apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.POST] } });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: { AllowOrigins: ['https://app.example.com'], AllowHeaders: ['authorization', 'content-type'], AllowMethods: ['GET', 'POST'] },
    });
    const keys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);
    expect(keys.some((k) => k.startsWith('OPTIONS') || k.startsWith('ANY'))).toBe(false);
    expectEveryRouteHasJwtAuthorizer(template);
  });

  it('maps a custom domain name', () => {
    const stack = newStack({ env: ENV });
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111122223333:certificate/abc');
    const api = new AuthenticatedRenderApi(stack, 'Render', { ...RENDER, domainName: 'render.example.com', certificate });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'render.example.com' });
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    expect(api.url).toBe('https://render.example.com/');
    expect(api.customDomain).toBeDefined();
  });

  it('adds no outputs when asked not to', () => {
    const { template } = build({ createOutputs: false });
    expect(template.findOutputs('*')).toEqual({});
  });

  it('keeps the access logs in a given log group', () => {
    const { template } = build({ accessLogRetention: 7 });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }) });
  });
});

describe('AuthenticatedRenderApi validation', () => {
  it.each([
    [{ serveUrl: undefined }, /serveUrl is required unless renderFunction is given/],
    [{ serveUrl: undefined, compositions: undefined }, /serveUrl, compositions are required/],
    [{ throttlingRateLimit: 0 }, /throttlingRateLimit must be a positive number/],
    [{ throttlingBurstLimit: 1.5 }, /throttlingBurstLimit must be a positive integer/],
    [{ domainName: 'render.example.com' }, /domainName and certificate go together/],
    [{ disableExecuteApiEndpoint: true }, /disableExecuteApiEndpoint needs domainName/],
    [{ authorizationScopes: [] }, /authorizationScopes must name at least one scope/],
    [{ timeout: Duration.seconds(60) }, /timeout must be at most 29 seconds behind the HTTP API/],
  ])('rejects %j with a message naming the prop', (props, message) => {
    expect(() => build(props as Partial<AuthenticatedRenderApiProps>)).toThrow(message);
  });

  it('rejects a user pool without clients', () => {
    const stack = newStack({ env: ENV });
    const userPool = cognito.UserPool.fromUserPoolId(stack, 'Pool', 'us-east-1_AbCdEf123');
    expect(() => new AuthenticatedRenderApi(stack, 'Render', { ...RENDER, userPool })).toThrow(/userPoolClients is required with userPool/);
  });

  it('rejects render settings beside an existing render function', () => {
    const stack = newStack({ env: ENV });
    const renderFunction = new RemotionRenderFunction(stack, 'Fn', RENDER);
    expect(() => new AuthenticatedRenderApi(stack, 'Render', { renderFunction, serveUrl: RENDER.serveUrl })).toThrow(/either renderFunction or the render settings.*serveUrl/);
    expect(() => new AuthenticatedRenderApi(stack, 'Render2', { renderFunction, timeout: Duration.seconds(10), defaultCodec: RenderCodec.VP9 }))
      .toThrow(/either renderFunction or the render settings, not both: defaultCodec, timeout would be ignored/);
  });
});
