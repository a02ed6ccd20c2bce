import { NagSuppressions } from 'cdk-nag';
import { acknowledgeCompletionFindings, nagFindings } from './findings';
import { acknowledgeRemotionLambdaFindings } from '../../examples/readme-remotion-lambda';
import { AuthenticatedRenderApi } from '../../src/api';
import { RemotionLambda } from '../../src/remotion-lambda';
import { FIXTURE_SITE } from '../remotion-lambda/fixture-site';
import { NEWEST_DIR } from '../remotion-versions';
import { newStack } from '../util';

function fullStack() {
  const stack = newStack({ env: { account: '111122223333', region: 'us-east-1' } });
  const remotion = new RemotionLambda(stack, 'Remotion', { remotionPackageDir: NEWEST_DIR });
  const site = remotion.addSite('demo', { bundleDir: FIXTURE_SITE });
  const api = new AuthenticatedRenderApi(stack, 'Render', { render: { site, compositions: ['HelloWorld'] } });
  return { stack, remotion, api };
}

const OUTPUTS_FINDING = {
  id: 'AwsSolutions-IAM5',
  reason: 'The render function reads only the outputs under its output prefix in RemotionLambda\'s bucket, to sign links to them.',
  appliesTo: [{ regex: '/^Resource::arn:[^:]+:s3:::remotionlambda-useast1-.*\\/renders-by-user\\/\\*$/' }],
};

const PROGRESS_FINDING = {
  id: 'AwsSolutions-IAM5',
  reason: 'Status reads (and the sweeper) compute a running render\'s progress from its renders/<render id>/progress.json in RemotionLambda\'s bucket, '
    + 'instead of invoking Remotion\'s render function.',
  appliesTo: [{ regex: '/^Resource::arn:[^:]+:s3:::remotionlambda-useast1-.*\\/renders\\/\\*\\/progress\\.json$/' }],
};

/** The suppressions of the API itself, as test/nag/nag.test.ts gives them, for a RemotionLambda-backed API. */
function acknowledgeApi(api: AuthenticatedRenderApi): void {
  acknowledgeCompletionFindings(api);
  NagSuppressions.addResourceSuppressions(api.renderFunction.role, [OUTPUTS_FINDING, PROGRESS_FINDING, {
    id: 'AwsSolutions-IAM5',
    reason: 'Cancelling a running render writes Remotion\'s marker renders/<render id>/cancel.json in RemotionLambda\'s bucket, and nothing else.',
    appliesTo: [{ regex: '/^Resource::arn:[^:]+:s3:::remotionlambda-useast1-.*\\/renders\\/\\*\\/cancel\\.json$/' }],
  }], true);
  // The dispatcher starts renders with the API handler's own RENDER_ONLY policy (one recipe for both).
  NagSuppressions.addResourceSuppressions(api.renderQueue!.dispatcherRole, [OUTPUTS_FINDING, PROGRESS_FINDING], true);
  NagSuppressions.addResourceSuppressions(api.renderQueue!.sweeperRole, [PROGRESS_FINDING], true);
  NagSuppressions.addResourceSuppressions(api.userPool, [
    { id: 'AwsSolutions-COG2', reason: 'MFA is optional (TOTP) by default.' },
    { id: 'AwsSolutions-COG8', reason: 'The Plus feature plan is billed per monthly active user.' },
  ], true);
}

describe('cdk-nag AwsSolutions on RemotionLambda + AuthenticatedRenderApi', () => {
  it('reports exactly these findings without suppressions', () => {
    const { stack } = fullStack();
    const deployment = '/TestStack/Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C';
    expect(nagFindings(stack).sort()).toEqual([
      `${deployment}/Resource: AwsSolutions-L1`,
      `${deployment}/ServiceRole/DefaultPolicy/Resource: AwsSolutions-IAM5[Action::s3:Abort*]`,
      `${deployment}/ServiceRole/DefaultPolicy/Resource: AwsSolutions-IAM5[Action::s3:DeleteObject*]`,
      `${deployment}/ServiceRole/DefaultPolicy/Resource: AwsSolutions-IAM5[Action::s3:GetBucket*]`,
      `${deployment}/ServiceRole/DefaultPolicy/Resource: AwsSolutions-IAM5[Action::s3:GetObject*]`,
      `${deployment}/ServiceRole/DefaultPolicy/Resource: AwsSolutions-IAM5[Action::s3:List*]`,
      `${deployment}/ServiceRole/DefaultPolicy/Resource: AwsSolutions-IAM5[Resource::<RemotionBucket798B735E.Arn>/*]`,
      `${deployment}/ServiceRole/DefaultPolicy/Resource: AwsSolutions-IAM5[Resource::arn:aws:s3:::cdk-hnb659fds-assets-111122223333-us-east-1/*]`,
      `${deployment}/ServiceRole/Resource: AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]`,
      '/TestStack/Remotion/Bucket/Resource: AwsSolutions-S1',
      '/TestStack/Remotion/Bucket/Resource: AwsSolutions-S2',
      '/TestStack/Remotion/Role/DefaultPolicy/Resource: AwsSolutions-IAM5[Resource::*]',
      '/TestStack/Remotion/Role/DefaultPolicy/Resource: AwsSolutions-IAM5[Resource::<RemotionBucket798B735E.Arn>/*]',
      '/TestStack/Remotion/Role/DefaultPolicy/Resource: AwsSolutions-IAM5[Resource::arn:aws:logs:us-east-1:111122223333:log-group:<RemotionLogGroupD9CA8E2A>:*]',
      '/TestStack/Render/Queue/DispatcherRole/RemotionPolicy/Resource: AwsSolutions-IAM5[Resource::arn:aws:s3:::remotionlambda-useast1-<stack id suffix>/renders-by-user/*]',
      '/TestStack/Render/Queue/DispatcherRole/RemotionPolicy/Resource: AwsSolutions-IAM5[Resource::arn:aws:s3:::remotionlambda-useast1-<stack id suffix>/renders/*/progress.json]',
      '/TestStack/Render/Queue/SweeperRole/DefaultPolicy/Resource: AwsSolutions-IAM5[Resource::arn:aws:s3:::remotionlambda-useast1-<stack id suffix>/renders/*/progress.json]',
      '/TestStack/Render/RenderFunction/Role/DefaultPolicy/Resource: AwsSolutions-IAM5[Resource::arn:aws:s3:::remotionlambda-useast1-<stack id suffix>/renders/*/cancel.json]',
      '/TestStack/Render/RenderFunction/Role/RemotionPolicy/Resource: AwsSolutions-IAM5[Resource::arn:aws:s3:::remotionlambda-useast1-<stack id suffix>/renders-by-user/*]',
      '/TestStack/Render/RenderFunction/Role/RemotionPolicy/Resource: AwsSolutions-IAM5[Resource::arn:aws:s3:::remotionlambda-useast1-<stack id suffix>/renders/*/progress.json]',
      '/TestStack/Render/HttpApi/POST--webhooks--remotion/Resource: AwsSolutions-APIG4',
      '/TestStack/Render/Records/CompletionWebhookSecret/Resource: AwsSolutions-SMG4',
      '/TestStack/Render/UserPool/Resource: AwsSolutions-COG2',
      '/TestStack/Render/UserPool/Resource: AwsSolutions-COG8',
    ].sort());
  });

  it('leaves no finding once each is acknowledged with the reasons the README gives', () => {
    const { stack, remotion, api } = fullStack();
    // The code the README shows (examples/readme-remotion-lambda.ts).
    acknowledgeRemotionLambdaFindings(stack, remotion);
    acknowledgeApi(api);
    expect(nagFindings(stack)).toEqual([]);
  });
});
