import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AuthenticatedRenderApi, AuthenticatedRenderApiProps } from '../../src/api';
import { RemotionRenderFunction, RemotionCodec } from '../../src/render-function';
import { RENDER_ROUTES, routeKeyOf } from '../../src/render-function/contract';
import { RemotionRenderQueue } from '../../src/render-queue';
import { newStack, renderSettings, TEST_ENV } from '../util';

const ENV = TEST_ENV;

function build(props: Partial<AuthenticatedRenderApiProps> = {}) {
  const stack = newStack({ env: ENV });
  const api = new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack), ...props } as AuthenticatedRenderApiProps);
  return { stack, api, template: Template.fromStack(stack) };
}

/** The one route without a JWT: Remotion's signed completion webhook, verified by the handler. */
const WEBHOOK_ROUTE_KEY = routeKeyOf(RENDER_ROUTES.completionWebhook);

/** Every route needs a JWT, except exactly the completion webhook, which has no authorizer at all. */
function expectEveryRouteHasJwtAuthorizer(template: Template): void {
  const all = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
  const webhook = all.filter((route) => route.Properties.RouteKey === WEBHOOK_ROUTE_KEY);
  expect(webhook).toHaveLength(1);
  expect(webhook[0].Properties.AuthorizationType).toBe('NONE');
  expect(webhook[0].Properties.AuthorizerId).toBeUndefined();
  expect(webhook[0].Properties.AuthorizationScopes).toBeUndefined();
  const routes = all.filter((route) => route.Properties.RouteKey !== WEBHOOK_ROUTE_KEY);
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

  it('has exactly the routes POST /renders, GET /renders/{renderId}, the records listing GET /renders, the cancel DELETE /renders/{renderId} and the completion webhook', () => {
    const keys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey).sort();
    expect(keys).toEqual([
      routeKeyOf(RENDER_ROUTES.cancelRender),
      routeKeyOf(RENDER_ROUTES.listRenders),
      routeKeyOf(RENDER_ROUTES.getRender),
      routeKeyOf(RENDER_ROUTES.startRender),
      routeKeyOf(RENDER_ROUTES.completionWebhook),
    ]);
  });

  it('puts every route behind the JWT authorizer', () => {
    expectEveryRouteHasJwtAuthorizer(template);
    const authorizers = template.findResources('AWS::ApiGatewayV2::Authorizer');
    const [authorizerId] = Object.keys(authorizers);
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).filter((r) => r.Properties.RouteKey !== WEBHOOK_ROUTE_KEY);
    expect(routes).toHaveLength(4);
    for (const route of routes) {
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

  it('sends every route to the render function with payload format 2.0', () => {
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
    expect(Object.keys(integrations)).toHaveLength(1);
    const [[integrationId, integration]] = Object.entries(integrations);
    expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    const functionId = stack.getLogicalId(api.renderFunction.function.node.defaultChild as never);
    expect(integration.Properties.IntegrationUri).toEqual({ 'Fn::GetAtt': [functionId, 'Arn'] });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    expect(routes).toHaveLength(5);
    for (const route of routes) {
      expect(route.Properties.Target).toEqual({ 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] });
    }
  });

  it('names the API after the construct\'s path', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { Name: Match.stringLikeRegexp('^TestStack-Render-[0-9A-F]{8}$') });
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
    expect(api.renderQueue).toBeInstanceOf(RemotionRenderQueue);
    expect(api.queue).toBe(api.renderQueue!.queue);
    expect(api.deadLetterQueue).toBe(api.renderQueue!.deadLetterQueue);
    expect(api.dispatcher).toBe(api.renderQueue!.dispatcher);
    expect(api.sweeper).toBe(api.renderQueue!.sweeper);
  });

  it('creates the render queue under the id Queue, with its dispatcher and sweeper beside the API handler', () => {
    expect(api.renderQueue!.node.path).toBe('TestStack/Render/Queue');
    expect(Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => fn.Properties.Handler).sort())
      .toEqual(['dispatcher.handler', 'index.handler', 'sweeper.handler']);
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
    const api = new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack), userPool, userPoolClients: [client] });
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
    const renderFunction = new RemotionRenderFunction(stack, 'Fn', renderSettings(stack));
    const api = new AuthenticatedRenderApi(stack, 'Render', { renderFunction });
    expect(api.renderFunction).toBe(renderFunction);
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }))).toHaveLength(1);
  });

  it('requires access-token scopes on every route when asked', () => {
    const { template } = build({ authorizationScopes: ['renders/write'] });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    for (const route of routes.filter((r) => r.Properties.RouteKey !== WEBHOOK_ROUTE_KEY)) {
      expect(route.Properties.AuthorizationScopes).toEqual(['renders/write']);
    }
    // Remotion's webhook carries no token, so no scope either.
    expect(routes.find((r) => r.Properties.RouteKey === WEBHOOK_ROUTE_KEY)!.Properties.AuthorizationScopes).toBeUndefined();
  });

  it('sets custom throttling', () => {
    const { template } = build({ throttle: { rateLimit: 2, burstLimit: 5 } });
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
    const domainName = new apigwv2.DomainName(stack, 'Domain', { domainName: 'render.example.com', certificate });
    const api = new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack), domainMapping: { domainName } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'render.example.com' });
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', {
      DomainName: { Ref: stack.getLogicalId(domainName.node.defaultChild as never) },
      ApiId: { Ref: stack.getLogicalId(api.httpApi.node.defaultChild as never) },
      Stage: '$default',
    });
    expect(stack.resolve(api.url)).toEqual({ 'Fn::Join': ['', ['https://', { Ref: stack.getLogicalId(domainName.node.defaultChild as never) }, '/']] });
    expect(api.customDomain).toBe(domainName);
  });

  it('maps a custom domain under a mapping key', () => {
    const stack = newStack({ env: ENV });
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111122223333:certificate/abc');
    const domainName = new apigwv2.DomainName(stack, 'Domain', { domainName: 'api.example.com', certificate });
    const api = new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack), domainMapping: { domainName, mappingKey: 'video' } });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', { ApiMappingKey: 'video' });
    expect(stack.resolve(api.url)).toEqual({ 'Fn::Join': ['', ['https://', { Ref: stack.getLogicalId(domainName.node.defaultChild as never) }, '/video/']] });
  });

  it('adds no outputs when asked not to', () => {
    const { template } = build({ createOutputs: false });
    expect(template.findOutputs('*')).toEqual({});
  });

  it('keeps the access logs in a given log group', () => {
    const stack = newStack({ env: ENV });
    const accessLogGroup = new logs.LogGroup(stack, 'MyAccessLogs', { retention: logs.RetentionDays.ONE_WEEK });
    const api = new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack), accessLogGroup });
    const template = Template.fromStack(stack);

    const givenId = stack.getLogicalId(accessLogGroup.node.defaultChild as never);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: Match.objectLike({ DestinationArn: { 'Fn::GetAtt': [givenId, 'Arn'] } }),
    });
    expect(api.accessLogGroup).toBe(accessLogGroup);
    // Only the given group and the functions' own: no default access log group.
    const functionGroups = [api.renderFunction.logGroup, api.renderQueue!.dispatcherLogGroup, api.renderQueue!.sweeperLogGroup];
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup')).sort()).toEqual(
      [givenId, ...functionGroups.map((group) => stack.getLogicalId(group.node.defaultChild as never))].sort());
  });

  it('keeps the default access log group for accessLogRetention', () => {
    const { template } = build({ accessLogRetention: 7 });
    const groups = template.findResources('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 7 } });
    expect(Object.keys(groups)).toHaveLength(1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: Match.objectLike({ DestinationArn: { 'Fn::GetAtt': [Object.keys(groups)[0], 'Arn'] } }),
    });
  });

  it('turns the execute-api endpoint off when asked, with a custom domain', () => {
    const stack = newStack({ env: ENV });
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111122223333:certificate/abc');
    const domainName = new apigwv2.DomainName(stack, 'Domain', { domainName: 'render.example.com', certificate });
    new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack), domainMapping: { domainName }, disableExecuteApiEndpoint: true });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
  });

  it('leaves the execute-api endpoint on by default', () => {
    const { template } = build();
    const [apiResource] = Object.values(template.findResources('AWS::ApiGatewayV2::Api'));
    expect(apiResource.Properties.DisableExecuteApiEndpoint).not.toBe(true);
  });

  describe('CORS for browser clients', () => {
    it('allows the headers and methods the routes need, Idempotency-Key and DELETE for the cancel included, when only origins are given', () => {
      const { stack, template } = build({ corsPreflight: { allowOrigins: ['https://app.example.com'] } });
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        CorsConfiguration: {
          AllowOrigins: ['https://app.example.com'],
          AllowHeaders: ['authorization', 'content-type', 'idempotency-key'],
          AllowMethods: ['GET', 'POST', 'DELETE'],
        },
      });
      Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('corsPreflight'));
    });

    it('keeps headers and methods that are given, warning when a header the routes need is left out', () => {
      const { stack, template } = build({
        corsPreflight: { allowOrigins: ['https://app.example.com'], allowHeaders: ['Content-Type'], allowMethods: [apigwv2.CorsHttpMethod.POST] },
      });
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: { AllowHeaders: ['Content-Type'], AllowMethods: ['POST'] } });
      Annotations.fromStack(stack).hasWarning('/TestStack/Render', Match.stringLikeRegexp('corsPreflight.allowHeaders leaves out authorization'));
    });

    it('adds no CORS without origins', () => {
      const { template } = build();
      const [apiResource] = Object.values(template.findResources('AWS::ApiGatewayV2::Api'));
      expect(apiResource.Properties.CorsConfiguration).toBeUndefined();
    });
  });
});

describe('AuthenticatedRenderApi validation', () => {
  it.each([
    [{ render: undefined }, /Give exactly one of render .* or renderFunction/],
    [{ throttle: { rateLimit: 0 } }, /throttle.rateLimit must be a positive number/],
    [{ throttle: { burstLimit: 1.5 } }, /throttle.burstLimit must be an integer of at least 1/],
    [{ throttle: { burstLimit: 0 } }, /throttle.burstLimit must be an integer of at least 1/],
    [{ disableExecuteApiEndpoint: true }, /disableExecuteApiEndpoint needs domainMapping/],
    [{ authorizationScopes: [] }, /authorizationScopes must name at least one scope/],
  ])('rejects %j with a message naming the prop', (props, message) => {
    expect(() => build(props as Partial<AuthenticatedRenderApiProps>)).toThrow(message);
  });

  it('rejects a site whose serveUrl is not a URL, naming the attribute', () => {
    const stack = newStack({ env: ENV });
    expect(() => new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack, { serveUrl: 'sites/demo' }) }))
      .toThrow(/serveUrl "sites\/demo" must be the http\(s\) URL/);
  });

  it('rejects render settings whose timeout outlasts the HTTP API', () => {
    const stack = newStack({ env: ENV });
    expect(() => new AuthenticatedRenderApi(stack, 'Render', { render: { ...renderSettings(stack), timeout: Duration.seconds(60) } }))
      .toThrow(/timeout must be at most 29 seconds behind the HTTP API/);
  });

  it('rejects a user pool without clients', () => {
    const stack = newStack({ env: ENV });
    const userPool = cognito.UserPool.fromUserPoolId(stack, 'Pool', 'us-east-1_AbCdEf123');
    expect(() => new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack), userPool })).toThrow(/userPoolClients is required with userPool/);
  });

  it('rejects render settings beside an existing render function', () => {
    const stack = newStack({ env: ENV });
    const renderFunction = new RemotionRenderFunction(stack, 'Fn', renderSettings(stack));
    expect(() => new AuthenticatedRenderApi(stack, 'Render', { renderFunction, render: { ...renderSettings(stack), defaultCodec: RemotionCodec.VP9 } }))
      .toThrow(/Give exactly one of render .* or renderFunction/);
  });

  it('rejects an existing render function whose timeout outlasts the HTTP API', () => {
    const stack = newStack({ env: ENV });
    const renderFunction = new RemotionRenderFunction(stack, 'Fn', { ...renderSettings(stack), timeout: Duration.seconds(60) });
    expect(() => new AuthenticatedRenderApi(stack, 'Render', { renderFunction })).toThrow(/timeout must be at most 29 seconds behind the HTTP API/);
  });
});
