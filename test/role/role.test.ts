import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { RemotionPolicyPreset } from '../../src/policy';
import { RemotionRenderRole } from '../../src/role';
import { newStack, statementsOf } from '../util';

const P = '${AWS::Partition}';
const R = '${AWS::Region}';
const A = '${AWS::AccountId}';

describe('RemotionRenderRole', () => {
  describe('with defaults', () => {
    const stack = newStack();
    const role = new RemotionRenderRole(stack, 'Role');
    const template = Template.fromStack(stack);

    it('is assumed by the Lambda service only', () => {
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
        },
      });
      expect(role.assumedByLambda).toBe(true);
    });

    it('carries the RENDER_ONLY Remotion policy as its only managed policy', () => {
      template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
      template.hasResourceProperties('AWS::IAM::Role', {
        ManagedPolicyArns: [{ Ref: stack.getLogicalId(role.policy.node.defaultChild as never) }],
      });
      expect(role.policy.preset).toBe(RemotionPolicyPreset.RENDER_ONLY);
      expect(statementsOf(template, 'AWS::IAM::ManagedPolicy')).toEqual([
        { Sid: 'RemotionInvokeRenderFunction', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [`arn:${P}:lambda:${R}:${A}:function:remotion-render-*`] },
        { Sid: 'RemotionReadWriteRenderObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: [`arn:${P}:s3:::remotionlambda-*/*`] },
        { Sid: 'RemotionListRenderBucket', Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetBucketLocation'], Resource: [`arn:${P}:s3:::remotionlambda-*`] },
        { Sid: 'RemotionFindRenderBucket', Effect: 'Allow', Action: ['s3:ListAllMyBuckets'], Resource: ['*'] },
      ]);
    });

    it('never gets the AWS managed AWSLambdaBasicExecutionRole', () => {
      expect(JSON.stringify(template.toJSON())).not.toContain('AWSLambdaBasicExecutionRole');
    });

    it('has no inline policy until a log group is added', () => {
      template.resourceCountIs('AWS::IAM::Policy', 0);
    });

    it('matches the snapshot', () => {
      expect(template.toJSON()).toMatchSnapshot();
    });
  });

  it('writes only to its own function log group', () => {
    const stack = newStack();
    const logGroup = new logs.LogGroup(stack, 'FunctionLogs');
    new RemotionRenderRole(stack, 'Role', { logGroup });
    const logGroupId = stack.getLogicalId(logGroup.node.defaultChild as never);
    expect(statementsOf(Template.fromStack(stack), 'AWS::IAM::Policy')).toEqual([{
      Sid: 'WriteOwnFunctionLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [`\${${logGroupId}.Arn}`],
    }]);
  });

  describe('assumed by EC2 for an instance profile', () => {
    const stack = newStack();
    const role = new RemotionRenderRole(stack, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      preset: RemotionPolicyPreset.FULL,
      managedPolicyName: 'remotion-executionrole-policy',
    });
    new iam.InstanceProfile(stack, 'Profile', { role });
    const template = Template.fromStack(stack);

    it('trusts ec2.amazonaws.com', () => {
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] },
      });
      expect(role.assumedByLambda).toBe(false);
    });

    it('carries the FULL policy under the name Remotion documents', () => {
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: 'remotion-executionrole-policy' });
      expect(statementsOf(template, 'AWS::IAM::ManagedPolicy').map((s) => s.Sid)).toContain('FunctionManagement');
    });

    it('is usable as an instance profile', () => {
      template.hasResourceProperties('AWS::IAM::InstanceProfile', { Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as never) }] });
    });

    it('refuses Lambda log permissions', () => {
      expect(() => role.addLogGroup(new logs.LogGroup(stack, 'Logs'))).toThrow(/not assumed by lambda.amazonaws.com/);
    });
  });

  it('passes its scope on to the policy', () => {
    const stack = newStack({ env: { account: '111122223333', region: 'us-east-1' } });
    new RemotionRenderRole(stack, 'Role', { remotionFunctionNames: ['remotion-render-a'], bucketNames: ['out-bucket'] });
    expect(statementsOf(Template.fromStack(stack), 'AWS::IAM::ManagedPolicy')).toEqual([
      { Sid: 'RemotionInvokeRenderFunction', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: ['arn:aws:lambda:us-east-1:111122223333:function:remotion-render-a'] },
      { Sid: 'RemotionReadWriteRenderObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::out-bucket/*'] },
      { Sid: 'RemotionListRenderBucket', Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetBucketLocation'], Resource: ['arn:aws:s3:::out-bucket'] },
    ]);
  });

  it.each([
    ['a service name string', 'ec2.amazonaws.com', /assumedBy must be an iam.IPrincipal .*got the string "ec2.amazonaws.com"/],
    ['a plain object', { service: 'ec2' }, /assumedBy must be an iam.IPrincipal .*got object/],
  ])('rejects %s as assumedBy, naming the prop', (_label, assumedBy, message) => {
    expect(() => new RemotionRenderRole(newStack(), 'Role', { assumedBy: assumedBy as unknown as iam.IPrincipal })).toThrow(message);
  });

  it('rejects an empty function list, naming the prop', () => {
    expect(() => new RemotionRenderRole(newStack(), 'Role', { remotionFunctionNames: [] })).toThrow(/remotionFunctionNames/);
  });
});
