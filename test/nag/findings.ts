import { Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { AuthenticatedRenderApi } from '../../src/api';

/** Runs cdk-nag's AwsSolutions pack on `stack` and lists each finding as `path: rule[detail]`. */
export function nagFindings(stack: Stack): string[] {
  Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
  const annotations = Annotations.fromStack(stack);
  return [
    ...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
  ].map((f) => {
    // A generated bucket name is CloudFormation JSON inside the finding: shorten it.
    const data = String(f.entry.data).replace(/remotionlambda-useast1-\{"Fn::Select".*"AWS::StackId"\}(?:\]\})+(\/[^\]]*)\]/, 'remotionlambda-useast1-<stack id suffix>$1]');
    return `${f.id}: ${/^AwsSolutions-[A-Z0-9]+(\[[^\]]*\])?/.exec(data)![0]}`;
  });
}

/** The findings of the completion webhook (no JWT by design) and its signing secret, with their reasons. */
export function acknowledgeCompletionFindings(api: AuthenticatedRenderApi): void {
  NagSuppressions.addResourceSuppressions(api.completionWebhookRoute!, [{
    id: 'AwsSolutions-APIG4',
    reason: 'Remotion calls the completion webhook without a JWT; the handler verifies its HMAC-SHA512 signature and refuses anything else with 401.',
  }], true);
  NagSuppressions.addResourceSuppressions(api.records!.completionSecret, [{
    id: 'AwsSolutions-SMG4',
    reason: 'Each render carries the secret it was started with; rotating it would make the webhooks of running renders fail verification.',
  }], true);
}
