import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RemotionPolicyPreset, RemotionRenderPolicy } from '../../src/policy';
import { FLOOR_REMOTION_DIR, INSTALLED_REMOTION_PACKAGES } from '../remotion-versions';
import { FlatStatement, newStack, statementsOf } from '../util';

const ROOT = path.join(__dirname, '..', '..');

/** `getUserPolicy()` of one installed @remotion/lambda, read by path (the alias hides it from `import`). */
function userPolicyOf(packageDir: string): { Sid: string; Action: string[] }[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const policies = require(path.join(ROOT, packageDir, 'dist', 'policies.js')) as { getUserPolicy: () => string };
  return (JSON.parse(policies.getUserPolicy()) as { Statement: { Sid: string; Action: string[] }[] }).Statement;
}

const P = '${AWS::Partition}';
const R = '${AWS::Region}';
const A = '${AWS::AccountId}';

function policyStatements(props: ConstructorParameters<typeof RemotionRenderPolicy>[2], env?: { account: string; region: string }): FlatStatement[] {
  const stack = newStack({ env });
  new RemotionRenderPolicy(stack, 'Policy', props);
  return statementsOf(Template.fromStack(stack), 'AWS::IAM::ManagedPolicy');
}

function bySid(statements: FlatStatement[], sid: string): FlatStatement {
  const found = statements.find((s) => s.Sid === sid);
  if (!found) {
    throw new Error(`no statement ${sid} in ${JSON.stringify(statements.map((s) => s.Sid))}`);
  }
  return found;
}

describe('RENDER_ONLY preset (the default)', () => {
  describe('with default scope', () => {
    const statements = policyStatements({});

    it('grants exactly four statements', () => {
      expect(statements.map((s) => s.Sid)).toEqual([
        'RemotionInvokeRenderFunction', 'RemotionReadWriteRenderObjects', 'RemotionListRenderBucket', 'RemotionFindRenderBucket',
      ]);
    });

    it('grants lambda:InvokeFunction only on remotion-render-* in the stack region and account', () => {
      expect(bySid(statements, 'RemotionInvokeRenderFunction')).toEqual({
        Sid: 'RemotionInvokeRenderFunction',
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction'],
        Resource: [`arn:${P}:lambda:${R}:${A}:function:remotion-render-*`],
      });
    });

    it('grants object reads and writes only in remotionlambda-* buckets', () => {
      expect(bySid(statements, 'RemotionReadWriteRenderObjects')).toEqual({
        Sid: 'RemotionReadWriteRenderObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: [`arn:${P}:s3:::remotionlambda-*/*`],
      });
    });

    it('grants listing and location only of remotionlambda-* buckets', () => {
      expect(bySid(statements, 'RemotionListRenderBucket')).toEqual({
        Sid: 'RemotionListRenderBucket',
        Effect: 'Allow',
        Action: ['s3:ListBucket', 's3:GetBucketLocation'],
        Resource: [`arn:${P}:s3:::remotionlambda-*`],
      });
    });

    it('grants s3:ListAllMyBuckets on * (no resource-level permissions) to find the Remotion bucket', () => {
      expect(bySid(statements, 'RemotionFindRenderBucket')).toEqual({
        Sid: 'RemotionFindRenderBucket', Effect: 'Allow', Action: ['s3:ListAllMyBuckets'], Resource: ['*'],
      });
    });

    it('grants nothing but Allow statements and no wildcard actions', () => {
      for (const s of statements) {
        expect(s.Effect).toBe('Allow');
        s.Action.forEach((action) => expect(action).not.toContain('*'));
      }
    });
  });

  describe('with custom region, account, partition, functions and buckets', () => {
    const statements = policyStatements({
      remotionFunctionNames: ['remotion-render-4-0-527-mem2048mb-disk2048mb-120sec', 'remotion-render-other'],
      bucketNames: ['my-renders'],
      region: 'cn-northwest-1',
      account: '111122223333',
    }, { account: '999988887777', region: 'cn-north-1' });

    it('uses the stack partition (aws-cn) and the given region and account for function ARNs', () => {
      expect(bySid(statements, 'RemotionInvokeRenderFunction').Resource).toEqual([
        'arn:aws-cn:lambda:cn-northwest-1:111122223333:function:remotion-render-4-0-527-mem2048mb-disk2048mb-120sec',
        'arn:aws-cn:lambda:cn-northwest-1:111122223333:function:remotion-render-other',
      ]);
    });

    it('scopes objects and bucket listing to the named bucket only', () => {
      expect(bySid(statements, 'RemotionReadWriteRenderObjects').Resource).toEqual(['arn:aws-cn:s3:::my-renders/*']);
      expect(bySid(statements, 'RemotionListRenderBucket').Resource).toEqual(['arn:aws-cn:s3:::my-renders']);
    });

    it('drops s3:ListAllMyBuckets when the buckets are named', () => {
      expect(statements.map((s) => s.Sid)).not.toContain('RemotionFindRenderBucket');
      expect(statements.flatMap((s) => s.Resource)).not.toContain('*');
    });
  });

  it('uses the aws-us-gov partition of a GovCloud stack', () => {
    const statements = policyStatements({}, { account: '111122223333', region: 'us-gov-west-1' });
    expect(bySid(statements, 'RemotionInvokeRenderFunction').Resource).toEqual([
      'arn:aws-us-gov:lambda:us-gov-west-1:111122223333:function:remotion-render-*',
    ]);
  });

  it('takes a managed policy name such as remotion-executionrole-policy', () => {
    const stack = newStack();
    new RemotionRenderPolicy(stack, 'Policy', { managedPolicyName: 'remotion-executionrole-policy' });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: 'remotion-executionrole-policy' });
  });
});

/** The FULL preset's statements for a partition, region, account and function-name pattern. */
function expectedFullStatements(p: string, r: string, a: string): [string, string[], string[]][] {
  const fn = `arn:${p}:lambda:${r}:${a}:function:remotion-render-*`;
  return [
    ['HandleQuotas', ['servicequotas:GetServiceQuota', 'servicequotas:GetAWSDefaultServiceQuota', 'servicequotas:ListRequestedServiceQuotaChangeHistoryByQuota'], ['*']],
    ['HandleQuotasIncrease', ['servicequotas:RequestServiceQuotaIncrease'], [`arn:${p}:servicequotas:${r}:${a}:lambda/*`]],
    ['PermissionValidation', ['iam:SimulatePrincipalPolicy'], [`arn:${p}:iam::${a}:user/*`, `arn:${p}:iam::${a}:role/*`]],
    ['LambdaInvokation', ['iam:PassRole'], [`arn:${p}:iam::${a}:role/remotion-lambda-role`]],
    ['Storage', [
      's3:GetObject', 's3:DeleteObject', 's3:PutObjectAcl', 's3:PutObject', 's3:CreateBucket', 's3:ListBucket', 's3:GetBucketLocation',
      's3:PutBucketAcl', 's3:DeleteBucket', 's3:PutBucketOwnershipControls', 's3:PutBucketPublicAccessBlock', 's3:PutBucketPolicy',
      's3:PutLifecycleConfiguration',
    ], [`arn:${p}:s3:::remotionlambda-*`, `arn:${p}:s3:::remotionlambda-*/*`]],
    ['BucketListing', ['s3:ListAllMyBuckets'], ['*']],
    ['FunctionListing', ['lambda:ListFunctions'], ['*']],
    ['FunctionListingGetFunction', ['lambda:GetFunction'], [fn]],
    ['FunctionManagement', [
      'lambda:InvokeAsync', 'lambda:InvokeFunction', 'lambda:CreateFunction', 'lambda:DeleteFunction',
      'lambda:PutFunctionEventInvokeConfig', 'lambda:PutRuntimeManagementConfig', 'lambda:TagResource',
    ], [fn]],
    ['LogsRetention', ['logs:CreateLogGroup', 'logs:PutRetentionPolicy'], [
      `arn:${p}:logs:${r}:${a}:log-group:/aws/lambda/remotion-render-*`,
      `arn:${p}:logs:${r}:${a}:log-group:/aws/lambda/remotion-render-*:*`,
    ]],
    ['FetchBinaries', ['lambda:GetLayerVersion'], [
      `arn:${p}:lambda:${r}:678892195805:layer:remotion-binaries-*`,
      `arn:${p}:lambda:${r}:580247275435:layer:LambdaInsightsExtension*`,
    ]],
  ];
}

describe('RENDER_ONLY preset with readOnlyObjectKeys', () => {
  const statements = policyStatements({
    remotionFunctionNames: ['remotion-render-x'],
    bucketNames: ['remotionlambda-useast1-abc'],
    readOnlyObjectKeys: ['renders/*/out/*', 'exports/*'],
  }, { account: '111122223333', region: 'us-east-1' });

  it('grants exactly the invoke and GetObject on those keys of each named bucket, and no write or listing', () => {
    expect(statements).toEqual([
      { Sid: 'RemotionInvokeRenderFunction', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: ['arn:aws:lambda:us-east-1:111122223333:function:remotion-render-x'] },
      {
        Sid: 'RemotionReadRenderObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: [
          'arn:aws:s3:::remotionlambda-useast1-abc/renders/*/out/*',
          'arn:aws:s3:::remotionlambda-useast1-abc/exports/*',
        ],
      },
    ]);
  });

  it('grants no s3:ListAllMyBuckets with the default buckets either: a caller that uploads nothing never looks for a bucket', () => {
    const defaults = policyStatements({ readOnlyObjectKeys: ['renders/*'] });
    expect(defaults.map((s) => s.Sid)).toEqual(['RemotionInvokeRenderFunction', 'RemotionReadRenderObjects']);
    expect(bySid(defaults, 'RemotionReadRenderObjects').Resource).toEqual([`arn:${P}:s3:::remotionlambda-*/renders/*`]);
  });

  it('leaves the preset as Remotion documents it when not given', () => {
    expect(policyStatements({}).map((s) => s.Sid)).toEqual(
      ['RemotionInvokeRenderFunction', 'RemotionReadWriteRenderObjects', 'RemotionListRenderBucket', 'RemotionFindRenderBucket']);
  });

  it.each([
    [{ readOnlyObjectKeys: [] }, /^readOnlyObjectKeys must name at least one object key/],
    [{ readOnlyObjectKeys: ['/renders/*'] }, /^readOnlyObjectKeys contains "\/renders\/\*", which is not an S3 object key or pattern/],
    [{ readOnlyObjectKeys: ['renders/*'], preset: RemotionPolicyPreset.FULL }, /^readOnlyObjectKeys applies to the RENDER_ONLY preset only/],
  ])('rejects %j with a message naming the prop', (props, message) => {
    expect(() => new RemotionRenderPolicy(newStack(), 'Policy', props)).toThrow(message);
  });
});

describe('FULL preset', () => {
  const statements = policyStatements({ preset: RemotionPolicyPreset.FULL }, { account: '111122223333', region: 'eu-central-1' });

  describe.each([
    ['a concrete environment (aws, eu-central-1)', statements, expectedFullStatements('aws', 'eu-central-1', '111122223333')],
    ['the stack defaults (pseudo parameters)', policyStatements({ preset: RemotionPolicyPreset.FULL }), expectedFullStatements(P, R, A)],
    ['a custom region and account in aws-cn',
      policyStatements({ preset: RemotionPolicyPreset.FULL, region: 'cn-northwest-1', account: '444455556666' }, { account: '111122223333', region: 'cn-north-1' }),
      expectedFullStatements('aws-cn', 'cn-northwest-1', '444455556666')],
  ])('with %s', (_label, actual, expected) => {
    it.each(expected)('statement %s grants exactly its actions on exactly its resources', (sid, actions, resources) => {
      expect(bySid(actual, sid)).toEqual({ Sid: sid, Effect: 'Allow', Action: actions, Resource: resources });
    });

    it('has no other statements', () => {
      expect(actual).toHaveLength(expected.length);
    });
  });

  it('is read from the installed version: the floor\'s Storage statement has no s3:PutBucketPolicy', () => {
    const floor = policyStatements({ preset: RemotionPolicyPreset.FULL, remotionPackageDir: path.join(ROOT, FLOOR_REMOTION_DIR) });
    expect(bySid(floor, 'Storage').Action).not.toContain('s3:PutBucketPolicy');
    expect(bySid(statements, 'Storage').Action).toContain('s3:PutBucketPolicy');
  });
});

describe('FULL preset of a Remotion with a statement this library cannot scope', () => {
  it('fails at synth, naming the statement and the version, instead of granting it on "*"', () => {
    const remotionPackageDir = path.join(ROOT, 'test/remotion/fixtures/unknown-statement-app');
    expect(() => policyStatements({ preset: RemotionPolicyPreset.FULL, remotionPackageDir })).toThrow(
      'The FULL preset does not know how to scope statement "NewThing" (ec2:RunInstances) of the user policy of @remotion/lambda 4.0.400.',
    );
  });
});

describe.each(INSTALLED_REMOTION_PACKAGES)('against the getUserPolicy() of Remotion %s (%s)', (_version, packageDir) => {
  const remotion = userPolicyOf(packageDir);
  const full = policyStatements({ preset: RemotionPolicyPreset.FULL, remotionPackageDir: path.join(ROOT, packageDir) });

  it.each(remotion.map((s) => [s.Sid, s.Action] as const))('FULL grants the same actions as Remotion statement %s', (sid, actions) => {
    const ours = full.filter((s) => s.Sid!.startsWith(sid)).flatMap((s) => s.Action);
    expect([...ours].sort()).toEqual([...actions].sort());
  });

  it('FULL has no statement that Remotion does not have', () => {
    const remotionSids = remotion.map((s) => s.Sid);
    for (const s of full) {
      expect(remotionSids.some((sid) => s.Sid!.startsWith(sid))).toBe(true);
    }
  });

  it('RENDER_ONLY grants no action that Remotion\'s own user policy does not', () => {
    const remotionActions = new Set(remotion.flatMap((s) => s.Action));
    const renderOnly = policyStatements({}).flatMap((s) => s.Action);
    expect(renderOnly.filter((action) => !remotionActions.has(action))).toEqual([]);
  });
});

describe('validation', () => {
  it.each([
    [{ remotionFunctionNames: [] }, /remotionFunctionNames must name at least one/],
    [{ remotionFunctionNames: ['not a function name'] }, /remotionFunctionNames contains "not a function name"/],
    [{ bucketNames: [] }, /bucketNames must name at least one/],
    [{ bucketNames: ['Bad_Bucket'] }, /bucketNames contains "Bad_Bucket"/],
    [{ bucketNames: ['a..b'] }, /bucketNames contains "a..b"/],
    [{ region: 'mars-1' }, /region "mars-1"/],
    [{ account: '12345' }, /account "12345"/],
  ])('rejects %j with a message naming the prop', (props, message) => {
    expect(() => new RemotionRenderPolicy(newStack(), 'Policy', props)).toThrow(message);
  });
});

describe('attachToRole and grantRender', () => {
  const IMPORTED_ROLE_ARN = 'arn:aws:iam::111122223333:role/renderer';
  const policyOf = (stack: ReturnType<typeof newStack>) => Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy');

  it('attachToRole attaches it to an imported role (Role.fromRoleArn) by name, without recursing', () => {
    const stack = newStack();
    const policy = new RemotionRenderPolicy(stack, 'Policy');
    const imported = iam.Role.fromRoleArn(stack, 'Imported', IMPORTED_ROLE_ARN);

    policy.attachToRole(imported);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', { Roles: ['renderer'] });
  });

  it('an imported role\'s addManagedPolicy attaches it the same way, without recursing', () => {
    const stack = newStack();
    const policy = new RemotionRenderPolicy(stack, 'Policy');
    const imported = iam.Role.fromRoleArn(stack, 'Imported', IMPORTED_ROLE_ARN);

    imported.addManagedPolicy(policy);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', { Roles: ['renderer'] });
  });

  it('attachToRole attaches it to a created role once, even when called twice', () => {
    const stack = newStack();
    const policy = new RemotionRenderPolicy(stack, 'Policy');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });

    policy.attachToRole(role);
    policy.attachToRole(role);

    const [managed] = Object.values(policyOf(stack));
    expect(managed.Properties.Roles).toEqual([{ Ref: stack.getLogicalId(role.node.defaultChild as never) }]);
  });

  it('a created role\'s addManagedPolicy lists it in the role\'s managed policies', () => {
    const stack = newStack();
    const policy = new RemotionRenderPolicy(stack, 'Policy');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });

    role.addManagedPolicy(policy);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [{ Ref: stack.getLogicalId(policy.node.defaultChild as never) }],
    });
  });

  it('grants the same statements inline to any grantee, and the grant succeeds', () => {
    const stack = newStack();
    const policy = new RemotionRenderPolicy(stack, 'Policy', { remotionFunctionNames: ['remotion-render-x'], bucketNames: ['my-renders'] });
    const imported = iam.Role.fromRoleArn(stack, 'Imported', 'arn:aws:iam::111122223333:role/renderer');
    const grant = policy.grantRender(imported);
    expect(grant.success).toBe(true);
    expect(() => grant.assertSuccess()).not.toThrow();
    const inline = statementsOf(Template.fromStack(stack), 'AWS::IAM::Policy');
    expect(inline.map(({ Action, Resource }) => ({ Action, Resource }))).toEqual([
      { Action: ['lambda:InvokeFunction'], Resource: [`arn:${P}:lambda:${R}:${A}:function:remotion-render-x`] },
      { Action: ['s3:GetObject', 's3:PutObject'], Resource: [`arn:${P}:s3:::my-renders/*`] },
      { Action: ['s3:ListBucket', 's3:GetBucketLocation'], Resource: [`arn:${P}:s3:::my-renders`] },
    ]);
  });
});

describe('statementsFor', () => {
  /** The statements as an inline policy of a fresh stack holds them, flattened like the policy tests'. */
  function inlineStatements(preset: RemotionPolicyPreset): FlatStatement[] {
    const stack = newStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    for (const statement of RemotionRenderPolicy.statementsFor(stack, preset, { bucketNames: ['my-renders'] })) {
      role.addToPrincipalPolicy(statement);
    }
    return statementsOf(Template.fromStack(stack), 'AWS::IAM::Policy');
  }

  it.each([RemotionPolicyPreset.RENDER_ONLY, RemotionPolicyPreset.FULL])('returns the statements of preset %s, as the policy grants them', (preset) => {
    const granted = statementsOf(Template.fromStack((() => {
      const stack = newStack();
      new RemotionRenderPolicy(stack, 'Policy', { preset, bucketNames: ['my-renders'] });
      return stack;
    })()), 'AWS::IAM::ManagedPolicy');

    expect(inlineStatements(preset)).toEqual(granted);
  });

  it('returns different statements for the two presets: FULL adds what RENDER_ONLY leaves out', () => {
    const renderOnly = inlineStatements(RemotionPolicyPreset.RENDER_ONLY).map((statement) => statement.Sid);
    const full = inlineStatements(RemotionPolicyPreset.FULL).map((statement) => statement.Sid);

    expect(renderOnly).toEqual(['RemotionInvokeRenderFunction', 'RemotionReadWriteRenderObjects', 'RemotionListRenderBucket']);
    expect(full.length).toBeGreaterThan(renderOnly.length);
  });
});
