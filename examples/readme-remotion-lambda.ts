import { Stack } from 'aws-cdk-lib';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { AuthenticatedRenderApi, RemotionLambda } from '../src';

export class VideoStack extends Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Remotion's render function, bucket and log group, from your installed @remotion/lambda.
    const remotion = new RemotionLambda(this, 'Remotion');
    // The output folder of `npx remotion bundle` in your Remotion project.
    const site = remotion.addSite('my-video', { bundleDir: 'remotion/build' });
    new AuthenticatedRenderApi(this, 'Render', {
      render: { site, compositions: ['HelloWorld'] },
    });
    acknowledgeRemotionLambdaFindings(this, remotion);
  }
}

/** cdk-nag AwsSolutions findings that RemotionLambda keeps by design, each with its reason. */
export function acknowledgeRemotionLambdaFindings(stack: Stack, remotion: RemotionLambda): void {
  NagSuppressions.addResourceSuppressions(remotion.bucket, [
    { id: 'AwsSolutions-S1', reason: 'Access logs are optional: set serverAccessLogsBucket to turn them on.' },
    {
      id: 'AwsSolutions-S2',
      reason: 'Chromium inside Remotion\'s function loads the site anonymously, so the bucket policy makes sites/* '
        + '(and nothing else) publicly readable; public ACLs stay blocked.',
    },
  ]);
  NagSuppressions.addResourceSuppressions(remotion.role, [{
    id: 'AwsSolutions-IAM5',
    reason: 'Remotion\'s own getRolePolicy(), narrowed to this stack: s3:ListAllMyBuckets names no resource, the function '
      + 'reads and writes objects anywhere in its own bucket, and writes log streams in its own log group.',
    appliesTo: [
      'Resource::*',
      { regex: '/^Resource::<RemotionBucket[0-9A-F]+\\.Arn>\\/\\*$/' },
      { regex: '/^Resource::arn:[^:]+:logs:.*:log-group:<RemotionLogGroup[0-9A-F]+>:\\*$/' },
    ],
  }], true);
  // CDK's BucketDeployment handler (one per stack) uploads the sites.
  for (const child of stack.node.children.filter((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'))) {
    NagSuppressions.addResourceSuppressions(child, [
      { id: 'AwsSolutions-IAM4', reason: 'CDK\'s BucketDeployment handler logs with AWSLambdaBasicExecutionRole.' },
      { id: 'AwsSolutions-IAM5', reason: 'CDK\'s BucketDeployment handler copies the site into sites/<name>/ of Remotion\'s bucket.' },
      { id: 'AwsSolutions-L1', reason: 'CDK chooses the runtime of its BucketDeployment handler.' },
    ], true);
  }
}
