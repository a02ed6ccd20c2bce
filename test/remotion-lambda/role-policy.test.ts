import { Stack } from 'aws-cdk-lib';
import { readLambdaFacts } from '../../src/remotion/lambda-facts';
import { narrowRolePolicy } from '../../src/remotion-lambda/role-policy';
import { INSTALLED_REMOTION } from '../remotion-versions';

const TO = {
  bucketArn: 'arn:aws:s3:::remotionlambda-useast1-abc',
  functionArn: 'arn:aws:lambda:us-east-1:111122223333:function:remotion-render-x',
  logGroupArn: 'arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/remotion-render-x',
};

function resolved(statements: ReturnType<typeof narrowRolePolicy>) {
  const stack = new Stack();
  return statements.map((s) => stack.resolve(s.toStatementJson()));
}

describe('narrowRolePolicy', () => {
  it.each(INSTALLED_REMOTION)('narrows every statement of the $name version\'s getRolePolicy() to this bucket, function and log group', ({ dir }) => {
    expect(resolved(narrowRolePolicy(readLambdaFacts(dir).rolePolicy, TO))).toEqual([
      { Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['s3:CreateBucket', 's3:ListBucket', 's3:PutBucketAcl', 's3:GetObject', 's3:DeleteObject', 's3:PutObjectAcl', 's3:PutObject', 's3:GetBucketLocation'],
        Resource: [TO.bucketArn, `${TO.bucketArn}/*`],
      },
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: TO.functionArn },
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${TO.logGroupArn}:*` },
    ]);
  });

  it('drops Lambda Insights resources (the construct never adds the Insights layer) and the statement they leave empty', () => {
    const statements = narrowRolePolicy([
      { Effect: 'Allow', Action: ['logs:CreateLogGroup'], Resource: ['arn:aws:logs:*:*:log-group:/aws/lambda-insights'] },
    ], TO);
    expect(statements).toEqual([]);
  });

  it('refuses a resource it does not know, so a change of Remotion\'s policy fails synth', () => {
    expect(() => narrowRolePolicy([{ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: ['arn:aws:sqs:*:*:remotion-*'] }], TO))
      .toThrow(/Remotion's role policy names the resource "arn:aws:sqs:\*:\*:remotion-\*"/);
  });

  it('refuses a Deny statement rather than dropping it', () => {
    expect(() => narrowRolePolicy([{ Effect: 'Deny', Action: ['s3:*'], Resource: ['*'] }], TO)).toThrow(/"Deny" statement/);
  });
});
