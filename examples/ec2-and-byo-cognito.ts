/**
 * The second example: Remotion's guidance beyond Lambda. An EC2 instance renders through a
 * `RemotionRenderRole` (no IAM user, no keys), and an `AuthenticatedRenderApi` accepts tokens
 * of a user pool that the team already has.
 *
 *   npx ts-node --project tsconfig.dev.json examples/ec2-and-byo-cognito.ts
 */
import { App, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AuthenticatedRenderApi, RemotionRenderRole, RemotionSite } from '../src';
import { DEFAULT_FUNCTION_NAME, DEFAULT_SERVE_URL } from './defaults';
import { summarize } from './summary';

const app = new App({ outdir: process.env.CDK_OUTDIR ?? 'examples/cdk.out' });
const stack = new Stack(app, 'RemotionEc2AndOwnCognito', { env: { region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' } });

// A renderer on EC2: the instance profile hands the instance short-lived credentials.
const renderRole = new RemotionRenderRole(stack, 'Ec2RenderRole', {
  assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
  remotionFunctionNames: [DEFAULT_FUNCTION_NAME],
});
new iam.InstanceProfile(stack, 'Ec2RenderProfile', { role: renderRole });

// An existing user pool and app client (imported by id here; `new cognito.UserPool` works too).
const userPool = cognito.UserPool.fromUserPoolId(stack, 'ExistingPool', 'us-east-1_EXAMPLE');
const userPoolClient = cognito.UserPoolClient.fromUserPoolClientId(stack, 'ExistingClient', 'exampleclientid123');

new AuthenticatedRenderApi(stack, 'Render', {
  render: {
    site: RemotionSite.fromSiteAttributes(stack, 'Site', { serveUrl: DEFAULT_SERVE_URL, remotionFunctionName: DEFAULT_FUNCTION_NAME }),
    compositions: ['HelloWorld'],
  },
  userPool,
  userPoolClients: [userPoolClient],
});

const assembly = app.synth();
console.log(summarize(assembly.getStackByName(stack.stackName).template, assembly.directory));
