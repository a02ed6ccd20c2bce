import { NagSuppressions } from 'cdk-nag';
import { acknowledgeCompletionFindings, nagFindings } from './findings';
import { AuthenticatedRenderApi } from '../../src/api';
import { RemotionRenderMonitoring } from '../../src/monitoring';
import { cliSite, newStack } from '../util';

const OUTPUTS_FINDING = {
  id: 'AwsSolutions-IAM5',
  reason: 'The function only reads outputs, to sign links to them: Remotion names its bucket remotionlambda-<region>-<random suffix>, '
    + 'unknown at synth time, and each output lands under renders/<render id>/, so the pattern is narrowed to the region\'s Remotion bucket '
    + 'and the output prefix within each render. Set outputBucketName to scope to one named bucket.',
  appliesTo: ['Resource::arn:aws:s3:::remotionlambda-useast1-*/renders/*/renders-by-user/*'],
};

const PROGRESS_FINDING = {
  id: 'AwsSolutions-IAM5',
  reason: 'Status reads (and the sweeper, and a cancel) compute a running render\'s progress from its progress file, renders/<render id>/progress.json, '
    + 'instead of invoking Remotion\'s render function: one read-only object per render, in the bucket the render runs in, whose render id is only '
    + 'known at run time.',
  appliesTo: [{ regex: '/^Resource::arn:aws:s3:::[^/]+\\/renders\\/\\*\\/progress\\.json$/' }],
};

const CANCEL_FINDING = {
  id: 'AwsSolutions-IAM5',
  reason: 'DELETE /renders/{renderId} cancels a running render with Remotion\'s cancelRenderOnLambda, which writes the marker '
    + 'renders/<render id>/cancel.json that Remotion\'s functions look for: one object name per render, whose render id is only known at run time, '
    + 'and no other write.',
  appliesTo: [{ regex: '/^Resource::arn:aws:s3:::[^/]+\\/renders\\/\\*\\/cancel\\.json$/' }],
};

/**
 * What stays after everything that the construct can fix is fixed. Each reason is also listed in
 * the README; a new finding, or one of these going away, fails the test.
 */
function acknowledgeRemainingFindings(api: AuthenticatedRenderApi): void {
  acknowledgeCompletionFindings(api);
  NagSuppressions.addResourceSuppressions(api.renderFunction.role, [OUTPUTS_FINDING, PROGRESS_FINDING, CANCEL_FINDING], true);
  // The dispatcher starts renders with the API handler's own RENDER_ONLY policy (one recipe for both).
  NagSuppressions.addResourceSuppressions(api.renderQueue!.dispatcherRole, [OUTPUTS_FINDING, PROGRESS_FINDING], true);
  NagSuppressions.addResourceSuppressions(api.renderQueue!.sweeperRole, [PROGRESS_FINDING], true);
  NagSuppressions.addResourceSuppressions(api.userPool, [
    {
      id: 'AwsSolutions-COG2',
      reason: 'MFA is optional (TOTP) by default so that the documented admin-confirm + USER_PASSWORD_AUTH flow works; '
        + 'set mfa: cognito.Mfa.REQUIRED to require it.',
    },
    {
      id: 'AwsSolutions-COG8',
      reason: 'The Plus feature plan is billed per monthly active user; set threatProtection: true to turn it on with enforced threat protection.',
    },
  ], true);
}

function defaultApi() {
  const stack = newStack({ env: { account: '111122223333', region: 'us-east-1' } });
  const api = new AuthenticatedRenderApi(stack, 'Render', {
    render: { site: cliSite(stack), compositions: ['HelloWorld'] },
  });
  return { stack, api };
}

describe('cdk-nag AwsSolutions on the default AuthenticatedRenderApi', () => {
  it('reports exactly the acknowledged findings without suppressions', () => {
    const { stack } = defaultApi();
    expect(nagFindings(stack).sort()).toEqual([
      '/TestStack/Render/HttpApi/POST--webhooks--remotion/Resource: AwsSolutions-APIG4',
      '/TestStack/Render/Queue/DispatcherRole/RemotionPolicy/Resource: AwsSolutions-IAM5[Resource::arn:aws:s3:::remotionlambda-useast1-*/renders/*/renders-by-user/*]',
      '/TestStack/Render/Records/CompletionWebhookSecret/Resource: AwsSolutions-SMG4',
      '/TestStack/Render/RenderFunction/Role/DefaultPolicy/Resource: AwsSolutions-IAM5[Resource::arn:aws:s3:::remotionlambda-useast1-*/renders/*/cancel.json]',
      '/TestStack/Render/RenderFunction/Role/DefaultPolicy/Resource: AwsSolutions-IAM5[Resource::arn:aws:s3:::remotionlambda-useast1-*/renders/*/progress.json]',
      '/TestStack/Render/RenderFunction/Role/RemotionPolicy/Resource: AwsSolutions-IAM5[Resource::arn:aws:s3:::remotionlambda-useast1-*/renders/*/renders-by-user/*]',
      '/TestStack/Render/UserPool/Resource: AwsSolutions-COG2',
      '/TestStack/Render/UserPool/Resource: AwsSolutions-COG8',
    ]);
  });

  it('leaves no finding unaddressed once each is acknowledged with a reason', () => {
    const { stack, api } = defaultApi();
    acknowledgeRemainingFindings(api);
    expect(nagFindings(stack)).toEqual([]);
  });

  it('narrows the wildcards to the output prefix and the progress files of a named output bucket, and threat protection clears COG8', () => {
    const stack = newStack({ env: { account: '111122223333', region: 'us-east-1' } });
    new AuthenticatedRenderApi(stack, 'Render', {
      render: { site: cliSite(stack), compositions: ['HelloWorld'], outputBucketName: 'my-render-output' },
      threatProtection: true,
    });
    expect(nagFindings(stack).sort()).toEqual([
      '/TestStack/Render/HttpApi/POST--webhooks--remotion/Resource: AwsSolutions-APIG4',
      '/TestStack/Render/Queue/DispatcherRole/RemotionPolicy/Resource: AwsSolutions-IAM5[Resource::arn:aws:s3:::my-render-output/renders-by-user/*]',
      '/TestStack/Render/Queue/DispatcherRole/RemotionPolicy/Resource: AwsSolutions-IAM5[Resource::arn:aws:s3:::my-render-output/renders/*/progress.json]',
      '/TestStack/Render/Queue/SweeperRole/DefaultPolicy/Resource: AwsSolutions-IAM5[Resource::arn:aws:s3:::my-render-output/renders/*/progress.json]',
      '/TestStack/Render/Records/CompletionWebhookSecret/Resource: AwsSolutions-SMG4',
      '/TestStack/Render/RenderFunction/Role/DefaultPolicy/Resource: AwsSolutions-IAM5[Resource::arn:aws:s3:::my-render-output/renders/*/cancel.json]',
      '/TestStack/Render/RenderFunction/Role/RemotionPolicy/Resource: AwsSolutions-IAM5[Resource::arn:aws:s3:::my-render-output/renders-by-user/*]',
      '/TestStack/Render/RenderFunction/Role/RemotionPolicy/Resource: AwsSolutions-IAM5[Resource::arn:aws:s3:::my-render-output/renders/*/progress.json]',
      '/TestStack/Render/UserPool/Resource: AwsSolutions-COG2',
    ]);
  });
});

describe('cdk-nag AwsSolutions on an API with RemotionRenderMonitoring', () => {
  // This cdk-nag has no SNS2, and its SNS3 passes any KMS-encrypted topic: test/monitoring asserts the key and the TLS-only policy.
  it('adds no finding for the dashboard, the alarms, the alarm topic and its key', () => {
    const { stack, api } = defaultApi();
    new RemotionRenderMonitoring(stack, 'Monitoring', { api });
    acknowledgeRemainingFindings(api);
    expect(nagFindings(stack)).toEqual([]);
  });
});
