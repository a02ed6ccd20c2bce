/**
 * Integration test of `AuthenticatedRenderApi`, for `@aws-cdk/integ-runner`.
 *
 * What a deploy checks, in order:
 *  1. two users sign up to the stack's user pool (self sign-up is on in this stack);
 *  2. an administrator confirms both;
 *  3. each signs in with `USER_PASSWORD_AUTH` and gets an ID token;
 *  4. `POST /renders` without a token is turned away by API Gateway (401);
 *  5. user A asks for a render: `POST /renders` answers 202 with `renderId` (the render waits in
 *     the render queue, `QUEUED`, until the dispatcher starts it);
 *  6. user B asks for A's render: `GET /renders/{renderId}` answers 404, as if it did not exist;
 *  7. the same `GET` without a token is turned away by API Gateway (401);
 *  8. user B tries to cancel A's render: `DELETE /renders/{renderId}` answers 404 (owner only);
 *  9. the same `DELETE` without a token is turned away by API Gateway (401).
 *
 * Remotion's side is deployed by the test stack itself with `RemotionLambda` (Remotion's render
 * function, bucket and a site: the output folder of `npx remotion bundle` named by
 * INTEG_REMOTION_BUNDLE_DIR, or the tests' fixture folder, which Remotion accepts as a site but
 * cannot render; a render of it starts, so step 5 holds, and then fails inside Remotion). The
 * function is made from the `@remotion/lambda` installed here. To use a Remotion deployment made
 * outside the stack instead, set:
 *
 *   INTEG_REMOTION_SERVE_URL       URL of the deployed Remotion site
 *   INTEG_REMOTION_FUNCTION_NAME   name of the deployed Remotion render function (version 4.0.527)
 *   INTEG_REMOTION_REGION          region of the Remotion function (default: the stack's region)
 *
 * and, either way, optionally INTEG_REMOTION_COMPOSITION (a composition id of that site).
 *
 * and run, with AWS credentials:
 *
 *   npx integ-runner --directory test --language typescript \
 *     --app 'ts-node --transpile-only --project tsconfig.dev.json {filePath}' \
 *     --parallel-regions us-east-1 --force integ.render-api.ts
 *
 * A real deploy rewrites the snapshot with the real values: restore it afterwards with
 * `scripts/integ.sh --update` (or `git checkout test/integ.render-api.ts.snapshot`).
 * `scripts/integ.sh` only compares the committed snapshot, offline, and never deploys.
 */
import * as path from 'path';
import { ActualResult, ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { remotionFunctionName } from './util';
import { AuthenticatedRenderApi } from '../src/api';
import { IRemotionSite, RemotionLambda, RemotionSite } from '../src/remotion-lambda';

const PLACEHOLDER_COMPOSITION = 'HelloWorld';
const FIXTURE_BUNDLE_DIR = path.join(__dirname, 'remotion-lambda', 'fixtures', 'site');

function setting(name: string, placeholder?: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? placeholder : value;
}

const composition = setting('INTEG_REMOTION_COMPOSITION', PLACEHOLDER_COMPOSITION)!;

const app = new App();
const stack = new Stack(app, 'RemotionRenderApiInteg');

/** Remotion's side: made outside the stack when named, else deployed by the stack itself. */
function remotionSite(): IRemotionSite {
  const serveUrl = setting('INTEG_REMOTION_SERVE_URL');
  if (serveUrl !== undefined) {
    return RemotionSite.fromSiteAttributes(stack, 'Site', {
      serveUrl,
      remotionFunctionName: setting('INTEG_REMOTION_FUNCTION_NAME', remotionFunctionName())!,
      region: setting('INTEG_REMOTION_REGION'),
    });
  }
  const remotion = new RemotionLambda(stack, 'Remotion', { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true });
  return remotion.addSite('integ', { bundleDir: setting('INTEG_REMOTION_BUNDLE_DIR', FIXTURE_BUNDLE_DIR)! });
}

const api = new AuthenticatedRenderApi(stack, 'RenderApi', {
  render: { site: remotionSite(), compositions: [composition] },
  // The test signs its users up itself, and a deploy must leave nothing behind.
  selfSignUpEnabled: true,
  userPoolRemovalPolicy: RemovalPolicy.DESTROY,
});

const integ = new IntegTest(app, 'RenderApiInteg', {
  testCases: [stack],
  // The snapshot holds templates only, not the handler bundle (which changes with every handler
  // edit): without the update workflow, integ-runner leaves the stack's assets out of it.
  stackUpdateWorkflow: false,
  // Asset hashes are not compared (integ-runner's default, spelled out).
  diffAssets: false,
});

const userPoolId = api.userPool.userPoolId;
const clientId = api.userPoolClient.userPoolClientId;

// Labelled addresses of the SES mailbox simulator, so that the verification mail Cognito sends on
// sign-up reaches no real mailbox. The password only ever exists in this test's short-lived pool.
const USER_PASSWORD = 'Integ-Test-Passw0rd!';
const users = {
  a: { email: 'success+remotion-integ-a@simulator.amazonses.com' },
  b: { email: 'success+remotion-integ-b@simulator.amazonses.com' },
};

function signUp(email: string) {
  return integ.assertions.awsApiCall('CognitoIdentityServiceProvider', 'signUp', {
    ClientId: clientId,
    Username: email,
    Password: USER_PASSWORD,
    UserAttributes: [{ Name: 'email', Value: email }],
  }).expect(ExpectedResult.objectLike({ UserConfirmed: false }));
}

function confirmSignUp(email: string) {
  return integ.assertions.awsApiCall('CognitoIdentityServiceProvider', 'adminConfirmSignUp', {
    UserPoolId: userPoolId,
    Username: email,
  });
}

function signIn(email: string) {
  return integ.assertions.awsApiCall('CognitoIdentityServiceProvider', 'initiateAuth', {
    ClientId: clientId,
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: email, PASSWORD: USER_PASSWORD },
  });
}

const signUpA = signUp(users.a.email);
const signUpB = signUp(users.b.email);
const confirmA = confirmSignUp(users.a.email);
const confirmB = confirmSignUp(users.b.email);
const signInA = signIn(users.a.email);
const signInB = signIn(users.b.email);
// Only the ID token goes back to CloudFormation (getAttString narrows the response to it): the
// ID, access and refresh tokens together come close to the 4 KB limit of a custom resource's answer.
const idTokenA = signInA.getAttString('AuthenticationResult.IdToken');
const idTokenB = signInB.getAttString('AuthenticationResult.IdToken');

const rendersUrl = `${api.url}renders`;

/**
 * Matches exactly this JSON value. `ExpectedResult.exact(202)` would not: it sends
 * `{"$Exact":202}`, which the assertion handler (integ-tests-alpha 2.214.0) does not unwrap, so
 * it compares the number 202 with that object and fails.
 */
function exactly(value: number): ExpectedResult {
  return { result: JSON.stringify(value) };
}

const startRenderWithoutToken = integ.assertions.httpApiCall(rendersUrl, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ composition }),
}).expect(ExpectedResult.objectLike({ status: 401 }));

// The API queues the render and answers 202 at once; the dispatcher starts it with the deployed
// Remotion function and site (see the top of this file).
const startRender = integ.assertions.httpApiCall(rendersUrl, {
  method: 'POST',
  headers: { 'Authorization': `Bearer ${idTokenA}`, 'Content-Type': 'application/json' },
  body: JSON.stringify({ composition, inputProps: {} }),
});
const renderId = startRender.getAttString('body.renderId');
// `startRender.expect(ExpectedResult.objectLike({ status: 202 }))` cannot be used here: once
// getAttString flattens the response (`apiCallResponse.status`, `apiCallResponse.body.renderId`),
// the handler matches `expect` against the unflattened `apiCallResponse`, which is then missing.
// So the status is asserted on its own, from the flattened attribute (an assertion that runs as
// soon as the POST has answered, next to the GETs, which need the POST's answer too).
integ.assertions.expect(
  'StartRenderAccepted',
  exactly(202),
  ActualResult.fromAwsApiCall(startRender, 'status'),
);

// Our render id names the record, which knows the bucket: no `?bucketName=` with the queue.
const renderStatusUrl = `${rendersUrl}/${renderId}`;

const readOthersRender = integ.assertions.httpApiCall(renderStatusUrl, {
  method: 'GET',
  headers: { Authorization: `Bearer ${idTokenB}` },
}).expect(ExpectedResult.objectLike({ status: 404 }));

const readRenderWithoutToken = integ.assertions.httpApiCall(renderStatusUrl, {
  method: 'GET',
}).expect(ExpectedResult.objectLike({ status: 401 }));

const cancelOthersRender = integ.assertions.httpApiCall(renderStatusUrl, {
  method: 'DELETE',
  headers: { Authorization: `Bearer ${idTokenB}` },
}).expect(ExpectedResult.objectLike({ status: 404 }));

const cancelRenderWithoutToken = integ.assertions.httpApiCall(renderStatusUrl, {
  method: 'DELETE',
}).expect(ExpectedResult.objectLike({ status: 401 }));

signUpA
  .next(signUpB)
  .next(confirmA)
  .next(confirmB)
  .next(signInA)
  .next(signInB)
  .next(startRenderWithoutToken)
  .next(startRender)
  .next(readOthersRender)
  .next(readRenderWithoutToken)
  .next(cancelOthersRender)
  .next(cancelRenderWithoutToken);
