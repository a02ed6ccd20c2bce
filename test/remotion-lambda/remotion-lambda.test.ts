import * as path from 'path';
import { App, Duration, RemovalPolicy, Size, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RemotionLambda, RemotionLayerVariant } from '../../src/remotion-lambda';
import { FLOOR_DIR, NEWEST_DIR } from '../remotion-versions';
import { flatten, newStack, statementsOf } from '../util';
import { FIXTURE_SITE } from './fixture-site';

const NAME = 'remotion-render-4-0-527-mem2048mb-disk2048mb-120sec';

function concrete(props: ConstructorParameters<typeof RemotionLambda>[2] = {}, region = 'eu-west-1') {
  const stack = newStack({ env: { account: '111122223333', region } });
  const remotion = new RemotionLambda(stack, 'Remotion', { remotionPackageDir: NEWEST_DIR, ...props });
  return { stack, remotion, template: () => Template.fromStack(stack) };
}

function only(template: Template, type: string): Record<string, any> {
  const resources = Object.values(template.findResources(type));
  expect(resources).toHaveLength(1);
  return resources[0];
}

describe('RemotionLambda render function', () => {
  it('is named as speculateFunctionName() names it, with Remotion\'s default settings', () => {
    const { remotion, template } = concrete();
    expect(remotion.functionName).toBe(NAME);
    const fn = only(template(), 'AWS::Lambda::Function');
    expect(fn.Properties).toMatchObject({
      FunctionName: NAME,
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Architectures: ['arm64'],
      MemorySize: 2048,
      EphemeralStorage: { Size: 2048 },
      Timeout: 120,
      Description: 'Renders a Remotion video.',
    });
  });

  it('has no environment variables', () => {
    const fn = only(concrete().template(), 'AWS::Lambda::Function');
    expect(fn.Properties.Environment).toBeUndefined();
  });

  it('deploys the zip from the consumer\'s installed @remotion/lambda, never a copy of ours', () => {
    const { stack } = concrete();
    const fn = stack.node.findChild('Remotion').node.findChild('Function') as lambda.Function;
    const asset = fn.node.findChild('Code').node.findChild('Stage') as unknown as { sourcePath: string };
    expect(asset.sourcePath).toBe(path.join(NEWEST_DIR, 'remotionlambda-arm64.zip'));
  });

  it('turns asynchronous invoke retries off, as the CLI does', () => {
    const config = only(concrete().template(), 'AWS::Lambda::EventInvokeConfig');
    expect(config.Properties).toEqual({ FunctionName: { Ref: expect.stringMatching(/^RemotionFunction/) }, MaximumRetryAttempts: 0, Qualifier: '$LATEST' });
  });

  it('pins the runtime to the version ARN the CLI pins', () => {
    const fn = only(concrete().template(), 'AWS::Lambda::Function');
    expect(fn.Properties.RuntimeManagementConfig).toEqual({
      UpdateRuntimeOn: 'Manual',
      RuntimeVersionArn: 'arn:aws:lambda:eu-west-1::runtime:58a37e8413ed69058c4ac3b1df642118591f17d40def93d6101f867c72cd03c2',
    });
  });

  it('lets the runtime pin be overridden', () => {
    const fn = only(concrete({ runtimeManagementMode: lambda.RuntimeManagementMode.AUTO }).template(), 'AWS::Lambda::Function');
    expect(fn.Properties.RuntimeManagementConfig).toEqual({ UpdateRuntimeOn: 'Auto' });
  });

  it('acknowledges only cfn-lint W2531 (deprecated runtime), since the runtime is the installed Remotion\'s choice', () => {
    const fn = only(concrete().template(), 'AWS::Lambda::Function');
    expect(fn.Metadata['cfn-lint']).toEqual({ config: { ignore_checks: ['W2531'] } });
  });

  it('carries the tags the CLI adds', () => {
    const fn = only(concrete().template(), 'AWS::Lambda::Function');
    expect(fn.Properties.Tags).toEqual([
      { Key: 'remotion-ephemereal-storage-in-mb', Value: '2048' },
      { Key: 'remotion-lambda', Value: 'true' },
      { Key: 'remotion-memory-in-mb', Value: '2048' },
      { Key: 'remotion-timeout-in-seconds', Value: '120' },
      { Key: 'remotion-version', Value: '4.0.527' },
    ]);
  });

  it('puts memory, disk and timeout into the function and its name', () => {
    const { remotion, template } = concrete({ memorySize: 3072, ephemeralStorageSize: Size.mebibytes(10240), timeout: Duration.minutes(15) });
    expect(remotion.functionName).toBe('remotion-render-4-0-527-mem3072mb-disk10240mb-900sec');
    expect(only(template(), 'AWS::Lambda::Function').Properties).toMatchObject({ MemorySize: 3072, EphemeralStorage: { Size: 10240 }, Timeout: 900 });
  });

  it('deploys the floor version with its own runtime, pin and name', () => {
    const stack = newStack({ env: { account: '111122223333', region: 'eu-west-1' } });
    const remotion = new RemotionLambda(stack, 'Remotion', { remotionPackageDir: FLOOR_DIR });
    expect(remotion.remotionVersion).toBe('4.0.365');
    expect(only(Template.fromStack(stack), 'AWS::Lambda::Function').Properties).toMatchObject({
      FunctionName: 'remotion-render-4-0-365-mem2048mb-disk2048mb-120sec',
      Runtime: 'nodejs20.x',
      RuntimeManagementConfig: { RuntimeVersionArn: 'arn:aws:lambda:eu-west-1::runtime:da57c20c4b965d5b75540f6865a35fc8030358e33ec44ecfed33e90901a27a72' },
    });
  });

  it.each([
    ['memorySize', { memorySize: 511 }, 'memorySize must be a whole number of MiB between 512 and 10240 (Remotion\'s limits); got 511.'],
    ['memorySize', { memorySize: 10241 }, 'got 10241'],
    ['memorySize', { memorySize: 585.9375 }, 'got 585.9375'],
    ['ephemeralStorageSize', { ephemeralStorageSize: Size.kibibytes(600_000) }, 'got 585.9375'],
    ['ephemeralStorageSize', { ephemeralStorageSize: Size.mebibytes(100) }, 'ephemeralStorageSize must be a whole number of MiB between 512 and 10240'],
    ['timeout', { timeout: Duration.seconds(14) }, 'timeout must be a whole number of seconds between 15 and 900 (Remotion\'s limits); got 14.'],
    ['timeout', { timeout: Duration.seconds(901) }, 'got 901'],
    ['timeout', { timeout: Duration.millis(20_500) }, 'got 20.5'],
  ])('refuses a %s outside Remotion\'s limits, naming the prop', (_prop, props, message) => {
    expect(() => concrete(props)).toThrow(message);
  });

  it('refuses a memory size known only at deploy time, since it is part of the name', () => {
    expect(() => concrete({ memorySize: Token.asNumber({ Ref: 'Memory' }) })).toThrow(/^memorySize must be known at synth time/);
  });

  it('refuses an ephemeral storage size known only at deploy time, since it is part of the name', () => {
    expect(() => concrete({ ephemeralStorageSize: Size.mebibytes(Token.asNumber({ Ref: 'Disk' })) })).toThrow(/^ephemeralStorageSize must be known at synth time/);
  });
});

describe('RemotionLambda layers', () => {
  it('uses the hosted layers of the stack\'s region for the chosen variant', () => {
    const fn = only(concrete({ layerVariant: RemotionLayerVariant.APPLE_EMOJIS }, 'us-east-2').template(), 'AWS::Lambda::Function');
    expect(fn.Properties.Layers).toEqual([
      expect.stringMatching(/^arn:aws:lambda:us-east-2:678892195805:layer:remotion-binaries-fonts-arm64:\d+$/),
      expect.stringMatching(/^arn:aws:lambda:us-east-2:678892195805:layer:remotion-binaries-chromium-arm64:\d+$/),
      expect.stringMatching(/^arn:aws:lambda:us-east-2:678892195805:layer:remotion-binaries-emoji-apple-arm64:\d+$/),
    ]);
  });

  it('fails synth in a concrete region without layers, naming the regions that have them', () => {
    expect(() => concrete({}, 'cn-northwest-1')).toThrow(/hosts no Lambda layers in cn-northwest-1, .* Regions with layers: af-south-1, .*us-west-2\./);
  });

  it('uses a mapping and a deploy-time rule in a region-agnostic stack', () => {
    const stack = new Stack();
    new RemotionLambda(stack, 'Remotion', { remotionPackageDir: NEWEST_DIR });
    const template = Template.fromStack(stack);
    const fn = only(template, 'AWS::Lambda::Function');
    expect(fn.Properties.Layers).toEqual([0, 1, 2, 3].map((i) => ({ 'Fn::FindInMap': ['RemotionLayersdefault', { Ref: 'AWS::Region' }, `layer${i}`] })));
    expect(template.toJSON().Rules.RemotionLayersRegion.Assertions[0].Assert['Fn::Contains'][1]).toEqual({ Ref: 'AWS::Region' });
    expect(flatten(fn.Properties.RuntimeManagementConfig.RuntimeVersionArn)).toBe('arn:aws:lambda:${AWS::Region}::runtime:58a37e8413ed69058c4ac3b1df642118591f17d40def93d6101f867c72cd03c2');
  });
});

describe('RemotionLambda log group', () => {
  it('is created by the stack as /aws/lambda/<name> with Remotion\'s 14-day retention, and the function logs to it', () => {
    const template = concrete().template();
    const group = only(template, 'AWS::Logs::LogGroup');
    expect(group.Properties).toEqual({ LogGroupName: `/aws/lambda/${NAME}`, RetentionInDays: 14 });
    const fn = only(template, 'AWS::Lambda::Function');
    expect(fn.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: expect.stringMatching(/^RemotionLogGroup/) } });
  });

  it('keeps events as long as logRetention says', () => {
    const group = only(concrete({ logRetention: logs.RetentionDays.ONE_YEAR }).template(), 'AWS::Logs::LogGroup');
    expect(group.Properties.RetentionInDays).toBe(365);
  });
});

describe('RemotionLambda role', () => {
  it('has a generated name, no managed policy, and only Remotion\'s statements narrowed to this bucket, function and log group', () => {
    const template = concrete().template();
    const role = only(template, 'AWS::IAM::Role');
    expect(role.Properties.RoleName).toBeUndefined();
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
    const bucket = Object.keys(template.findResources('AWS::S3::Bucket'))[0];
    const logGroup = Object.keys(template.findResources('AWS::Logs::LogGroup'))[0];
    expect(statementsOf(template, 'AWS::IAM::Policy')).toEqual([
      { Effect: 'Allow', Action: ['s3:ListAllMyBuckets'], Resource: ['*'] },
      {
        Effect: 'Allow',
        Action: ['s3:CreateBucket', 's3:ListBucket', 's3:PutBucketAcl', 's3:GetObject', 's3:DeleteObject', 's3:PutObjectAcl', 's3:PutObject', 's3:GetBucketLocation'],
        Resource: [`\${${bucket}.Arn}`, `\${${bucket}.Arn}/*`],
      },
      { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [`arn:aws:lambda:eu-west-1:111122223333:function:${NAME}`] },
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [`arn:aws:logs:eu-west-1:111122223333:log-group:\${${logGroup}}:*`] },
    ]);
  });

  it('takes a permissions boundary', () => {
    const stack2 = newStack({ env: { account: '111122223333', region: 'eu-west-1' } });
    const boundary = iam.ManagedPolicy.fromManagedPolicyName(stack2, 'Boundary', 'remotion-boundary');
    new RemotionLambda(stack2, 'Remotion', { remotionPackageDir: NEWEST_DIR, permissionsBoundary: boundary });
    expect(flatten(only(Template.fromStack(stack2), 'AWS::IAM::Role').Properties.PermissionsBoundary))
      .toBe('arn:aws:iam::111122223333:policy/remotion-boundary');
  });
});

describe('RemotionLambda bucket', () => {
  it('is named remotionlambda-<region>-<suffix of the stack id> by default', () => {
    const { stack, remotion } = concrete();
    expect(flatten(stack.resolve(remotion.bucketName))).toMatch(/^remotionlambda-euwest1-/);
    expect(JSON.stringify(stack.resolve(remotion.bucketName))).toContain('AWS::StackId');
  });

  it('takes a bucket name that Remotion recognises', () => {
    const { remotion, template } = concrete({ bucketName: 'remotionlambda-euwest1-mine' });
    expect(remotion.bucketName).toBe('remotionlambda-euwest1-mine');
    expect(only(template(), 'AWS::S3::Bucket').Properties.BucketName).toBe('remotionlambda-euwest1-mine');
  });

  it('refuses a bucket name Remotion would not recognise, naming the prop', () => {
    expect(() => concrete({ bucketName: 'my-renders' })).toThrow(/^bucketName "my-renders" must be "remotionlambda-<region without dashes>-/);
  });

  it('is encrypted, retained by default, and owned by the bucket owner while accepting Remotion\'s private ACLs', () => {
    const bucket = only(concrete().template(), 'AWS::S3::Bucket');
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    expect(bucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false,
    });
  });

  it('follows removalPolicy', () => {
    expect(only(concrete({ removalPolicy: RemovalPolicy.DESTROY }).template(), 'AWS::S3::Bucket').DeletionPolicy).toBe('Delete');
  });

  it('denies non-TLS access and lets anyone read sites/* only', () => {
    const template = concrete().template();
    const bucket = Object.keys(template.findResources('AWS::S3::Bucket'))[0];
    const policy = only(template, 'AWS::S3::BucketPolicy');
    expect(flatten(policy.Properties.PolicyDocument.Statement)).toEqual([
      {
        Action: 's3:*',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Resource: [`\${${bucket}.Arn}`, `\${${bucket}.Arn}/*`],
      },
      { Sid: 'PublicReadOfRemotionSites', Action: 's3:GetObject', Effect: 'Allow', Principal: { AWS: '*' }, Resource: `\${${bucket}.Arn}/sites/*` },
    ]);
  });

  it('has no lifecycle rules unless renderExpiry is on, then Remotion\'s own', () => {
    expect(only(concrete().template(), 'AWS::S3::Bucket').Properties.LifecycleConfiguration).toBeUndefined();
    expect(only(concrete({ renderExpiry: true }).template(), 'AWS::S3::Bucket').Properties.LifecycleConfiguration).toEqual({
      Rules: [
        { Id: 'delete-after-1-day', Prefix: 'renders/1-day', ExpirationInDays: 1, Status: 'Enabled' },
        { Id: 'delete-after-3-days', Prefix: 'renders/3-days', ExpirationInDays: 3, Status: 'Enabled' },
        { Id: 'delete-after-7-days', Prefix: 'renders/7-days', ExpirationInDays: 7, Status: 'Enabled' },
        { Id: 'delete-after-30-days', Prefix: 'renders/30-days', ExpirationInDays: 30, Status: 'Enabled' },
      ],
    });
  });
});

describe('RemotionLambda sites', () => {
  it('deploys the bundle folder under sites/<name>/ and gives the serve URL makeS3ServeUrl() forms', () => {
    const { stack, remotion, template } = concrete({ bucketName: 'remotionlambda-euwest1-mine' });
    const site = remotion.addSite('demo', { bundleDir: FIXTURE_SITE });
    expect(flatten(stack.resolve(site.serveUrl))).toBe('https://remotionlambda-euwest1-mine.s3.eu-west-1.${AWS::URLSuffix}/sites/demo/index.html');
    expect(site.siteName).toBe('demo');
    expect(site.bundleVersion).toBe('4.0.527');
    expect(remotion.sites).toEqual([site]);
    const deployment = only(template(), 'Custom::CDKBucketDeployment');
    expect(deployment.Properties).toMatchObject({ DestinationBucketName: { Ref: expect.stringMatching(/^RemotionBucket/) }, DestinationBucketKeyPrefix: 'sites/demo/', Prune: true });
  });

  it('names the site after its id unless siteName is given', () => {
    const { remotion } = concrete();
    expect(remotion.addSite('demo', { bundleDir: FIXTURE_SITE }).siteName).toBe('demo');
    const named = remotion.addSite('Other', { siteName: 'other-site', bundleDir: FIXTURE_SITE });
    expect([named.siteName, named.node.id]).toEqual(['other-site', 'Other']);
  });

  it('refuses an id that is no site name when siteName is left out, saying so', () => {
    const { remotion } = concrete();
    expect(() => remotion.addSite('My Video', { bundleDir: FIXTURE_SITE }))
      .toThrow('siteName "My Video" (the construct id, since no siteName was given) must match /^[-0-9a-zA-Z!_.*\'()]+$/ and not be "." or "..", as Remotion\'s validateSiteName requires.');
  });

  it('refuses the same siteName twice, also under another id', () => {
    const { remotion } = concrete();
    remotion.addSite('Demo', { siteName: 'demo', bundleDir: FIXTURE_SITE });
    expect(() => remotion.addSite('Again', { siteName: 'demo', bundleDir: FIXTURE_SITE })).toThrow('siteName "demo" was already added to this RemotionLambda.');
  });

  it('refuses the same site name twice', () => {
    const { remotion } = concrete();
    remotion.addSite('demo', { bundleDir: FIXTURE_SITE });
    expect(() => remotion.addSite('demo', { bundleDir: FIXTURE_SITE })).toThrow('siteName "demo" was already added to this RemotionLambda.');
  });

  it('warns when the bundle was made with another Remotion version than the function', () => {
    const stack = newStack({ env: { account: '111122223333', region: 'eu-west-1' } });
    new RemotionLambda(stack, 'Remotion', { remotionPackageDir: FLOOR_DIR }).addSite('demo', { bundleDir: FIXTURE_SITE });
    Annotations.fromStack(stack).hasWarning('/TestStack/Remotion/demo', Match.stringLikeRegexp('made with Remotion 4.0.527, but the render function is Remotion 4.0.365'));
  });
});

describe('RemotionLambda outputs', () => {
  it('outputs the function name, bucket name and each serve URL', () => {
    const { remotion, template } = concrete({ bucketName: 'remotionlambda-euwest1-mine' });
    remotion.addSite('demo', { bundleDir: FIXTURE_SITE });
    const outputs = Object.values(template().findOutputs('*')).map((o) => flatten(o.Value));
    expect(outputs).toEqual([NAME, 'remotionlambda-euwest1-mine', 'https://remotionlambda-euwest1-mine.s3.eu-west-1.${AWS::URLSuffix}/sites/demo/index.html']);
  });

  it('adds none with createOutputs: false', () => {
    const { remotion, template } = concrete({ createOutputs: false });
    remotion.addSite('demo', { bundleDir: FIXTURE_SITE });
    expect(template().findOutputs('*')).toEqual({});
  });
});

describe('RemotionLambda members', () => {
  it('exposes what it made', () => {
    const { stack, remotion } = concrete();
    expect(remotion.region).toBe('eu-west-1');
    expect(remotion.remotionVersion).toBe('4.0.527');
    expect(remotion.memorySize).toBe(2048);
    expect(remotion.ephemeralStorageSize.toMebibytes()).toBe(2048);
    expect(remotion.timeout.toSeconds()).toBe(120);
    expect(stack.resolve(remotion.function.functionName)).toEqual({ Ref: expect.stringMatching(/^RemotionFunction/) });
    expect(stack.resolve(remotion.logGroup.logGroupName)).toEqual({ Ref: expect.stringMatching(/^RemotionLogGroup/) });
    expect(stack.resolve(remotion.role.roleArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^RemotionRole/), 'Arn'] });
    expect(stack.resolve(remotion.bucket.bucketName)).toEqual({ Ref: expect.stringMatching(/^RemotionBucket/) });
  });
});

describe('RemotionLambda access logs', () => {
  it('has none by default and logs to serverAccessLogsBucket under remotion-lambda/ when given', () => {
    expect(only(concrete().template(), 'AWS::S3::Bucket').Properties.LoggingConfiguration).toBeUndefined();
    const stack = newStack({ env: { account: '111122223333', region: 'eu-west-1' } });
    const logsBucket = s3.Bucket.fromBucketName(stack, 'Logs', 'my-access-logs');
    new RemotionLambda(stack, 'Remotion', { remotionPackageDir: NEWEST_DIR, serverAccessLogsBucket: logsBucket });
    const bucket = Object.values(Template.fromStack(stack).findResources('AWS::S3::Bucket'))[0];
    expect(bucket.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: 'my-access-logs', LogFilePrefix: 'remotion-lambda/' });
  });
});

describe('RemotionLambda autoDeleteObjects', () => {
  it('empties the bucket on deletion when asked, with removalPolicy DESTROY', () => {
    const template = concrete({ removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true }).template();
    expect(Object.keys(template.findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(1);
    expect(Object.keys(concrete().template().findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(0);
  });

  it('refuses autoDeleteObjects on a retained bucket, naming both props', () => {
    expect(() => concrete({ autoDeleteObjects: true })).toThrow('autoDeleteObjects needs removalPolicy: RemovalPolicy.DESTROY');
  });
});

describe('RemotionLambda with your own role', () => {
  it('uses the given role and adds no statement to it', () => {
    const stack = newStack({ env: { account: '111122223333', region: 'eu-west-1' } });
    const role = new iam.Role(stack, 'Mine', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const remotion = new RemotionLambda(stack, 'Remotion', { remotionPackageDir: NEWEST_DIR, role });
    expect(remotion.role).toBe(role);
    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('AWS::IAM::Role'))).toEqual([stack.getLogicalId(role.node.defaultChild as iam.CfnRole)]);
    expect(template.findResources('AWS::IAM::Policy')).toEqual({});
    expect(only(template, 'AWS::Lambda::Function').Properties.Role).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(role.node.defaultChild as iam.CfnRole), 'Arn'] });
  });

  it('refuses a permissions boundary beside a given role', () => {
    const stack = newStack({ env: { account: '111122223333', region: 'eu-west-1' } });
    const role = iam.Role.fromRoleName(stack, 'Mine', 'mine');
    const permissionsBoundary = iam.ManagedPolicy.fromManagedPolicyName(stack, 'Boundary', 'b');
    expect(() => new RemotionLambda(stack, 'Remotion', { remotionPackageDir: NEWEST_DIR, role, permissionsBoundary }))
      .toThrow('permissionsBoundary cannot be combined with role');
  });
});

describe('RemotionLambda at the bounds of Remotion\'s limits', () => {
  it('accepts Remotion\'s own minimums, 512 MiB memory and disk and 15 s, and names the function after them', () => {
    const { remotion, template } = concrete({ memorySize: 512, ephemeralStorageSize: Size.mebibytes(512), timeout: Duration.seconds(15) });
    expect(remotion.functionName).toBe('remotion-render-4-0-527-mem512mb-disk512mb-15sec');
    expect(only(template(), 'AWS::Lambda::Function').Properties).toMatchObject({ MemorySize: 512, EphemeralStorage: { Size: 512 }, Timeout: 15 });
  });

  it('accepts Remotion\'s own maximums, 10240 MiB memory and disk and 900 s', () => {
    const { remotion } = concrete({ memorySize: 10240, ephemeralStorageSize: Size.mebibytes(10240), timeout: Duration.seconds(900) });
    expect(remotion.functionName).toBe('remotion-render-4-0-527-mem10240mb-disk10240mb-900sec');
  });

  it.each([
    ['memorySize', '511 MiB', { memorySize: 511 }, 'memorySize must be a whole number of MiB between 512 and 10240 (Remotion\'s limits); got 511.'],
    ['memorySize', '10241 MiB', { memorySize: 10241 }, 'memorySize must be a whole number of MiB between 512 and 10240 (Remotion\'s limits); got 10241.'],
    ['ephemeralStorageSize', '511 MiB', { ephemeralStorageSize: Size.mebibytes(511) }, 'ephemeralStorageSize must be a whole number of MiB between 512 and 10240 (Remotion\'s limits); got 511.'],
    ['ephemeralStorageSize', '10241 MiB', { ephemeralStorageSize: Size.mebibytes(10241) }, 'ephemeralStorageSize must be a whole number of MiB between 512 and 10240 (Remotion\'s limits); got 10241.'],
    ['timeout', '14 s', { timeout: Duration.seconds(14) }, 'timeout must be a whole number of seconds between 15 and 900 (Remotion\'s limits); got 14.'],
    ['timeout', '901 s', { timeout: Duration.seconds(901) }, 'timeout must be a whole number of seconds between 15 and 900 (Remotion\'s limits); got 901.'],
  ])('refuses a %s of %s, one past Remotion\'s limit, naming the prop', (_prop, _value, props, message) => {
    expect(() => concrete(props)).toThrow(message);
  });
});

describe('RemotionLambda log groups of a stack with sites', () => {
  /** Each function's log group (its LoggingConfig) and that group's retention, in days. */
  function retentionOfEachFunction(template: Template): Record<string, number | undefined> {
    const groups = template.findResources('AWS::Logs::LogGroup');
    return Object.fromEntries(Object.entries(template.findResources('AWS::Lambda::Function')).map(([id, fn]) => {
      const ref = fn.Properties.LoggingConfig?.LogGroup?.Ref as string | undefined;
      return [id, ref === undefined ? undefined : groups[ref]?.Properties.RetentionInDays];
    }));
  }

  it('gives every function a log group kept for logRetention, the site deployment handler included', () => {
    const { remotion, template } = concrete({ logRetention: logs.RetentionDays.ONE_MONTH });
    remotion.addSite('demo', { bundleDir: FIXTURE_SITE });
    const retentions = retentionOfEachFunction(template());
    expect(Object.keys(retentions)).toHaveLength(2);
    expect(Object.values(retentions)).toEqual([30, 30]);
  });

  it('uses Remotion\'s 14 days for the site deployment handler by default', () => {
    const { remotion, template } = concrete();
    remotion.addSite('demo', { bundleDir: FIXTURE_SITE });
    expect(Object.values(retentionOfEachFunction(template()))).toEqual([14, 14]);
  });

  it('shares one handler and one log group between two sites, leaving no unused log group', () => {
    const { remotion, template } = concrete({ logRetention: logs.RetentionDays.ONE_WEEK });
    remotion.addSite('demo', { bundleDir: FIXTURE_SITE });
    remotion.addSite('other', { bundleDir: FIXTURE_SITE });
    const t = template();
    expect(Object.values(retentionOfEachFunction(t))).toEqual([7, 7]);
    // The render function's /aws/lambda/<name> group and the deployment handler's group.
    t.resourceCountIs('AWS::Logs::LogGroup', 2);
  });
});

describe('RemotionLambda duplicates in one app', () => {
  const ENV = { account: '111122223333', region: 'eu-west-1' };

  it('refuses a second one in the same stack with the generated bucket name, naming bucketName', () => {
    const { stack } = concrete();
    expect(() => new RemotionLambda(stack, 'Second', { remotionPackageDir: NEWEST_DIR, memorySize: 3008 }))
      .toThrow(/^bucketName: the RemotionLambda at TestStack\/Remotion already deploys the generated bucket name of this stack, and S3 bucket names are global/);
  });

  it('refuses a second one with the same function name in the same stack, naming the props that make the name', () => {
    const { stack } = concrete();
    expect(() => new RemotionLambda(stack, 'Second', { remotionPackageDir: NEWEST_DIR, bucketName: 'remotionlambda-euwest1-second' }))
      .toThrow(`The RemotionLambda at TestStack/Remotion already deploys the render function "${NAME}" in this account and region. `
        + 'Remotion names its function after its version, memorySize, ephemeralStorageSize and timeout');
  });

  it('accepts a second one in the same stack with its own bucket name and another timeout', () => {
    const { stack, template } = concrete();
    const second = new RemotionLambda(stack, 'Second', { remotionPackageDir: NEWEST_DIR, bucketName: 'remotionlambda-euwest1-second', timeout: Duration.seconds(300), createOutputs: false });
    expect(second.functionName).toBe('remotion-render-4-0-527-mem2048mb-disk2048mb-300sec');
    template().resourceCountIs('AWS::Lambda::Function', 2);
  });

  it('refuses the same literal bucket name in another stack of the app, whatever its environment', () => {
    const app = new App();
    new RemotionLambda(new Stack(app, 'One', { env: ENV }), 'Remotion', { remotionPackageDir: NEWEST_DIR, bucketName: 'remotionlambda-euwest1-shared' });
    const other = new Stack(app, 'Two', { env: { ...ENV, account: '444455556666' } });
    expect(() => new RemotionLambda(other, 'Remotion', { remotionPackageDir: NEWEST_DIR, bucketName: 'remotionlambda-euwest1-shared' }))
      .toThrow(/^bucketName: the RemotionLambda at One\/Remotion already deploys bucket "remotionlambda-euwest1-shared"/);
  });

  it('refuses the same function in another stack of the same account and region, and accepts it in another account or an unknown one', () => {
    const app = new App();
    new RemotionLambda(new Stack(app, 'One', { env: ENV }), 'Remotion', { remotionPackageDir: NEWEST_DIR });
    expect(() => new RemotionLambda(new Stack(app, 'Two', { env: ENV }), 'Remotion', { remotionPackageDir: NEWEST_DIR }))
      .toThrow(`The RemotionLambda at One/Remotion already deploys the render function "${NAME}" in this account and region.`);
    expect(() => new RemotionLambda(new Stack(app, 'Three', { env: { ...ENV, account: '444455556666' } }), 'Remotion', { remotionPackageDir: NEWEST_DIR })).not.toThrow();
    expect(() => new RemotionLambda(new Stack(app, 'Agnostic'), 'Remotion', { remotionPackageDir: NEWEST_DIR })).not.toThrow();
  });
});
