import * as iam from 'aws-cdk-lib/aws-iam';
import type { RemotionPolicyStatement } from '../remotion/lambda-facts';

/** What Remotion's wildcards are narrowed to. */
export interface NarrowTo {
  /** ARN of this stack's bucket. */
  readonly bucketArn: string;
  /** ARN of this render function, built from its name. */
  readonly functionArn: string;
  /** ARN of the function's log group (`arn:...:log-group:/aws/lambda/<name>`, without `:*`). */
  readonly logGroupArn: string;
}

const BUCKETS = 'arn:aws:s3:::remotionlambda-*';
const FUNCTIONS = 'arn:aws:lambda:*:*:function:remotion-render-*';
const LOG_GROUPS = 'arn:aws:logs:*:*:log-group:/aws/lambda/remotion-render-*';
const INSIGHTS = /^arn:aws:logs:\*:\*:log-group:\/aws\/lambda-insights(:\*)?$/;

/**
 * Remotion's `getRolePolicy()` statements, each resource narrowed to this stack: its bucket (and
 * the objects in it), its function, its log group. Lambda Insights resources are dropped because
 * the construct never adds the Insights layer (it pushes the function past Lambda's 250 MB
 * limit), and a statement left with no resource is dropped. `*` stays only where Remotion uses it
 * (`s3:ListAllMyBuckets`, which names no resource). A resource we do not recognise is an error,
 * so a change of Remotion's policy fails synth (and the drift test) instead of going unnoticed.
 */
export function narrowRolePolicy(statements: readonly RemotionPolicyStatement[], to: NarrowTo): iam.PolicyStatement[] {
  const narrowed: iam.PolicyStatement[] = [];
  for (const statement of statements) {
    if (statement.Effect !== 'Allow') {
      throw new Error(`Remotion's role policy has a "${statement.Effect}" statement, which RemotionLambda does not know how to narrow.`);
    }
    const resources = statement.Resource.flatMap((resource): string[] => {
      if (resource === '*') {
        return ['*'];
      }
      if (resource === BUCKETS) {
        return [to.bucketArn, `${to.bucketArn}/*`];
      }
      if (resource === FUNCTIONS) {
        return [to.functionArn];
      }
      if (resource === LOG_GROUPS) {
        return [`${to.logGroupArn}:*`];
      }
      if (INSIGHTS.test(resource)) {
        return [];
      }
      throw new Error(`Remotion's role policy names the resource "${resource}", which RemotionLambda does not know how to narrow; `
        + 'this Remotion version is not supported yet.');
    });
    if (resources.length > 0) {
      narrowed.push(new iam.PolicyStatement({ actions: [...statement.Action], resources }));
    }
  }
  return narrowed;
}
