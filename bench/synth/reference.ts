/**
 * Synth child: the same API written the reference app's way. The handler (bench/entries/
 * naive.lambda.ts: Remotion's client imported at the top) is bundled at synth time by
 * `NodejsFunction` as an unminified ES module (`@aws-sdk/*` external, its default), using the
 * local esbuild (no Docker).
 */
import * as path from 'node:path';
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { timeSynth } from './common';
import { handlerEnvironment } from '../lib/events';

const ROOT = path.join(__dirname, '..', '..');

timeSynth((app) => {
  const stack = new Stack(app, 'BenchReference', { env: { region: 'us-east-1' } });

  const userPool = new cognito.UserPool(stack, 'UserPool', {
    selfSignUpEnabled: false,
    signInAliases: { email: true },
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const userPoolClient = userPool.addClient('Client', { authFlows: { userSrp: true, userPassword: true }, generateSecret: false });

  const renderFunction = new nodejs.NodejsFunction(stack, 'RenderFunction', {
    entry: path.join(ROOT, 'bench/entries/naive.lambda.ts'),
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_24_X,
    memorySize: 512,
    timeout: Duration.seconds(30),
    projectRoot: ROOT,
    depsLockFilePath: path.join(ROOT, 'package-lock.json'),
    environment: handlerEnvironment(),
    bundling: { forceDockerBundling: false, format: nodejs.OutputFormat.ESM },
  });
  renderFunction.addToRolePolicy(new iam.PolicyStatement({
    actions: ['lambda:InvokeFunction'],
    resources: [stack.formatArn({ service: 'lambda', resource: 'function', resourceName: 'remotion-render-*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
  }));
  renderFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::remotionlambda-*/*'] }));

  const api = new apigwv2.HttpApi(stack, 'HttpApi', {
    defaultAuthorizer: new HttpUserPoolAuthorizer('JwtAuthorizer', userPool, { userPoolClients: [userPoolClient] }),
  });
  const integration = new HttpLambdaIntegration('RenderIntegration', renderFunction);
  api.addRoutes({ path: '/renders', methods: [apigwv2.HttpMethod.POST], integration });
  api.addRoutes({ path: '/renders/{renderId}', methods: [apigwv2.HttpMethod.GET], integration });

  new CfnOutput(stack, 'ApiUrl', { value: api.apiEndpoint });
  new CfnOutput(stack, 'UserPoolId', { value: userPool.userPoolId });
  new CfnOutput(stack, 'UserPoolClientId', { value: userPoolClient.userPoolClientId });
  return stack;
});
