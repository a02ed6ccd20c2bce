import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cdk from 'aws-cdk-lib';
import { Duration, Size } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { findRemotion } from '../../src/remotion';
import { RemotionSiteAttributes } from '../../src/remotion-lambda';
import { RemotionRenderFunction, RemotionRenderFunctionProps, RemotionCodec, RemotionPrivacy } from '../../src/render-function';
import { REMOTION_CLIENT_FILE } from '../../src/render-function/contract';
import { loadConfig } from '../../src/render-function/runtime/config';
import { outputLocation } from '../../src/render-function/runtime/remotion-input';
import { allows } from '../remotion-lambda/evaluate';
import { INSTALLED_REMOTION_PACKAGES } from '../remotion-versions';
import { CLI_SITE, INSTALLED_REMOTION_VERSION, newStack, remotionFunctionName, renderSettings, statementsOf } from '../util';

const FUNCTION_NAME = CLI_SITE.remotionFunctionName;
const ROOT = path.join(__dirname, '..', '..');
const SERVE_URL = CLI_SITE.serveUrl;
const ENV = { account: '111122223333', region: 'us-east-1' };

/** A render function of `CLI_SITE` (with `site` over its attributes) and `props`. */
function build(props: Partial<RemotionRenderFunctionProps> = {}, site: Partial<RemotionSiteAttributes> = {}) {
  const stack = newStack({ env: ENV });
  const fn = new RemotionRenderFunction(stack, 'Render', { ...renderSettings(stack, site), ...props });
  return { stack, fn, template: Template.fromStack(stack) };
}

function logicalId(construct: { node: { defaultChild?: unknown } }, stack: ReturnType<typeof newStack>): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

describe('RemotionRenderFunction with defaults', () => {
  const { stack, fn, template } = build();

  it('runs on a pinned Node.js 24 runtime on arm64', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 28,
      TracingConfig: Match.absent(),
    });
  });

  it('passes every render setting to the handler as environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          REMOTION_REGION: 'us-east-1',
          REMOTION_FUNCTION_NAME: FUNCTION_NAME,
          REMOTION_SERVE_URL: SERVE_URL,
          REMOTION_COMPOSITIONS: '["HelloWorld"]',
          REMOTION_ALLOWED_CODECS: '["h264"]',
          REMOTION_DEFAULT_CODEC: 'h264',
          REMOTION_PRIVACY: 'private',
          REMOTION_OUTPUT_PREFIX: 'renders-by-user/',
          REMOTION_MAX_INPUT_PROPS_BYTES: '65536',
          REMOTION_PRESIGN_EXPIRES_SECONDS: '900',
          REMOTION_CALL_TIMEOUT_MS: '25000',
          AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
        },
      },
    });
  });

  it('logs in JSON to its own log group kept for three months', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN', LogGroup: { Ref: logicalId(fn.logGroup as logs.LogGroup, stack) } },
    });
  });

  it('gets a RENDER_ONLY policy that invokes exactly this Remotion function and reads only outputs under renders/*/<outputPrefix>', () => {
    // No progress files: without a bucket known at synth, the caller names the bucket, so status
    // reads invoke Remotion's function, which checks that its own account owns the bucket.
    expect(statementsOf(template, 'AWS::IAM::ManagedPolicy')).toEqual([
      { Sid: 'RemotionInvokeRenderFunction', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [`arn:aws:lambda:us-east-1:111122223333:function:${FUNCTION_NAME}`] },
      { Sid: 'RemotionReadRenderObjects', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::remotionlambda-useast1-*/renders/*/renders-by-user/*'] },
    ]);
  });

  it('may write only to its own log group, and has no other inline statement', () => {
    expect(statementsOf(template, 'AWS::IAM::Policy')).toEqual([
      { Sid: 'WriteOwnFunctionLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [`\${${logicalId(fn.logGroup as logs.LogGroup, stack)}.Arn}`] },
    ]);
  });

  it('has no AWS managed policy on its role', () => {
    expect(JSON.stringify(template.toJSON())).not.toContain('AWSLambdaBasicExecutionRole');
  });

  it('exposes the settings it resolved', () => {
    expect(fn.region).toBe('us-east-1');
    expect(fn.compositions).toEqual(['HelloWorld']);
    expect(fn.defaultCodec).toBe(RemotionCodec.H264);
    expect(fn.allowedCodecs).toEqual([RemotionCodec.H264]);
    expect(fn.privacy).toBe(RemotionPrivacy.PRIVATE);
    expect(fn.outputPrefix).toBe('renders-by-user/');
    expect(fn.maxInputPropsSize.toBytes()).toBe(65536);
  });

  it('raises no version warning for a render function of the bundled version', () => {
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  it('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('RemotionRenderFunction options', () => {
  it('exposes the installed Remotion version and names it in the function description', () => {
    const { fn, template } = build();
    expect(fn.remotionVersion).toBe(INSTALLED_REMOTION_VERSION);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: `Starts and reports Remotion renders (@remotion/lambda-client ${INSTALLED_REMOTION_VERSION})`,
    });
  });

  it('fails at synth, naming both versions, when the site\'s remotionFunctionName is a render function of another Remotion version', () => {
    expect(() => build({}, { remotionFunctionName: remotionFunctionName('4.0.100') })).toThrow(
      new RegExp('site\\.remotionFunctionName "remotion-render-4-0-100-mem2048mb-disk2048mb-120sec" is a Remotion 4\\.0\\.100 render function, '
        + `but the installed @remotion/lambda-client is ${INSTALLED_REMOTION_VERSION.replace(/\./g, '\\.')}`),
    );
  });

  it.each([
    ['a custom name', 'my-renderer'],
    ['a name with the prefix but not the convention', 'remotion-render-custom'],
  ])('skips the version check for %s', (_label, name) => {
    expect(build({}, { remotionFunctionName: name }).fn.remotionFunctionName).toBe(name);
  });

  it('skips the version check for a token', () => {
    const stack = newStack({ env: ENV });
    const name = new cdk.CfnParameter(stack, 'FunctionName', { default: remotionFunctionName('4.0.100') }).valueAsString;
    expect(() => new RemotionRenderFunction(stack, 'Render', renderSettings(stack, { remotionFunctionName: name }))).not.toThrow();
  });

  it.each(INSTALLED_REMOTION_PACKAGES)('synthesizes with Remotion %s from remotionPackageDir %s, its client copied unmodified into the asset', (version, packageDir) => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Versioned', { env: ENV });
    const fn = new RemotionRenderFunction(stack, 'Render', {
      ...renderSettings(stack, { remotionFunctionName: remotionFunctionName(version) }),
      remotionPackageDir: path.join(ROOT, packageDir),
    });
    const assembly = app.synth();

    expect(fn.remotionVersion).toBe(version);
    const code = Template.fromStack(stack).findResources('AWS::Lambda::Function')[stack.getLogicalId(fn.function.node.defaultChild as lambda.CfnFunction)];
    expect(code.Properties.Description).toBe(`Starts and reports Remotion renders (@remotion/lambda-client ${version})`);
    const assetHash = String(code.Properties.Code.S3Key).replace(/\.zip$/, '');
    const assetDir = path.join(assembly.directory, `asset.${assetHash}`);
    const client = findRemotion({ packageDir: path.join(ROOT, packageDir) }).clientFile;
    expect(fs.readFileSync(path.join(assetDir, REMOTION_CLIENT_FILE)).equals(fs.readFileSync(client))).toBe(true);
    expect(fs.existsSync(path.join(assetDir, 'index.mjs'))).toBe(true);
  });

  it('passes optional settings on', () => {
    const { template } = build({
      defaultCodec: RemotionCodec.VP9,
      allowedCodecs: [RemotionCodec.VP9, RemotionCodec.H264],
      privacy: RemotionPrivacy.PUBLIC,
      outputBucketName: 'my-renders',
      outputPrefix: 'videos/',
      maxInputPropsSize: Size.kibibytes(8),
      framesPerLambda: 40,
      maxRetries: 2,
      signedUrlExpiry: Duration.hours(1),
      timeout: Duration.seconds(20),
      memorySize: 1024,
      tracing: lambda.Tracing.ACTIVE,
    }, { region: 'eu-west-1' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      Timeout: 20,
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: Match.objectLike({
          REMOTION_REGION: 'eu-west-1',
          REMOTION_ALLOWED_CODECS: '["vp9","h264"]',
          REMOTION_DEFAULT_CODEC: 'vp9',
          REMOTION_PRIVACY: 'public',
          REMOTION_BUCKET_NAME: 'my-renders',
          REMOTION_OUTPUT_PREFIX: 'videos/',
          REMOTION_MAX_INPUT_PROPS_BYTES: '8192',
          REMOTION_FRAMES_PER_LAMBDA: '40',
          REMOTION_MAX_RETRIES: '2',
          REMOTION_PRESIGN_EXPIRES_SECONDS: '3600',
          REMOTION_CALL_TIMEOUT_MS: '17000',
        }),
      },
    });
    const managed = statementsOf(template, 'AWS::IAM::ManagedPolicy');
    expect(managed.find((s) => s.Sid === 'RemotionInvokeRenderFunction')!.Resource).toEqual([`arn:aws:lambda:eu-west-1:111122223333:function:${FUNCTION_NAME}`]);
    expect(managed.find((s) => s.Sid === 'RemotionReadRenderObjects')!.Resource).toEqual(['arn:aws:s3:::my-renders/videos/*', 'arn:aws:s3:::my-renders/renders/*/progress.json']);
  });

  it('uses a given log group and sets a retention on the default one', () => {
    const stack = newStack({ env: ENV });
    const logGroup = new logs.LogGroup(stack, 'Mine', { retention: logs.RetentionDays.ONE_WEEK });
    new RemotionRenderFunction(stack, 'Render', { ...renderSettings(stack), logGroup });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    template.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: Match.objectLike({ LogGroup: { Ref: stack.getLogicalId(logGroup.node.defaultChild as never) } }) });

    const other = build({ logRetention: logs.RetentionDays.ONE_YEAR });
    other.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  describe('with a bring-your-own role', () => {
    const stack = newStack({ env: ENV });
    const role = new iam.Role(stack, 'MyRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const fn = new RemotionRenderFunction(stack, 'Render', { ...renderSettings(stack), role });
    const template = Template.fromStack(stack);

    it('uses the role as is and creates no Remotion policy', () => {
      expect(fn.role).toBe(role);
      template.resourceCountIs('AWS::IAM::Role', 1);
      template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
      template.hasResourceProperties('AWS::Lambda::Function', { Role: { 'Fn::GetAtt': [stack.getLogicalId(role.node.defaultChild as never), 'Arn'] } });
    });

    it('only adds write access to its own log group', () => {
      expect(statementsOf(template, 'AWS::IAM::Policy')).toEqual([
        { Sid: 'WriteOwnFunctionLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [`\${${stack.getLogicalId(fn.logGroup.node.defaultChild as never)}.Arn}`] },
      ]);
    });
  });

  describe('with an access key pair in Secrets Manager', () => {
    const stack = newStack({ env: ENV });
    const secret = new secretsmanager.Secret(stack, 'Keys');
    const fn = new RemotionRenderFunction(stack, 'Render', { ...renderSettings(stack), credentialsSecret: secret });
    const template = Template.fromStack(stack);
    const secretId = stack.getLogicalId(secret.node.defaultChild as never);

    it('gives the role no Remotion permissions', () => {
      template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    });

    it('gives the role only secretsmanager:GetSecretValue on that secret, besides its logs', () => {
      expect(statementsOf(template, 'AWS::IAM::Policy')).toEqual([
        { Sid: 'WriteOwnFunctionLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [`\${${stack.getLogicalId(fn.logGroup.node.defaultChild as never)}.Arn}`] },
        { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [`\${${secretId}}`] },
      ]);
    });

    it('tells the handler where the keys are', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ REMOTION_CREDENTIALS_SECRET_ARN: { Ref: secretId } }) },
      });
    });
  });

  it('rejects webhookSecret without webhookUrl, naming both props', () => {
    const stack = newStack({ env: ENV });
    const webhookSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Hook', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:hook-AbCdEf');
    expect(() => new RemotionRenderFunction(stack, 'Render', { ...renderSettings(stack), webhookSecret })).toThrow('webhookSecret was given without webhookUrl.');
  });

  it('reads a secret imported by name on that name plus Secrets Manager\'s six-character suffix only', () => {
    const stack = newStack({ env: ENV });
    const credentialsSecret = secretsmanager.Secret.fromSecretNameV2(stack, 'Keys', 'remotion/keys');
    const fn = new RemotionRenderFunction(stack, 'Render', { ...renderSettings(stack), credentialsSecret });
    const template = Template.fromStack(stack);

    expect(statementsOf(template, 'AWS::IAM::Policy')).toEqual([
      { Sid: 'WriteOwnFunctionLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [`\${${stack.getLogicalId(fn.logGroup.node.defaultChild as never)}.Arn}`] },
      { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: ['arn:aws:secretsmanager:us-east-1:111122223333:secret:remotion/keys-??????'] },
    ]);
  });

  it('reads the webhook secret with GetSecretValue only', () => {
    const stack = newStack({ env: ENV });
    const webhookSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Hook', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:hook-AbCdEf');
    new RemotionRenderFunction(stack, 'Render', { ...renderSettings(stack), webhookUrl: 'https://example.com/hook', webhookSecret });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ REMOTION_WEBHOOK_URL: 'https://example.com/hook', REMOTION_WEBHOOK_SECRET_ARN: webhookSecret.secretArn }) },
    });
    expect(statementsOf(template, 'AWS::IAM::Policy')).toContainEqual(
      { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: ['arn:aws:secretsmanager:us-east-1:111122223333:secret:hook-AbCdEf'] });
  });
});

describe('the environment contract between the construct and its handler', () => {
  function handlerConfigOf(props: Partial<RemotionRenderFunctionProps>) {
    const { template } = build(props);
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    return loadConfig(fn.Properties.Environment.Variables);
  }

  it('gives the handler a valid configuration with defaults', () => {
    expect(handlerConfigOf({})).toEqual({
      region: 'us-east-1',
      functionName: FUNCTION_NAME,
      progressFromBucket: false,
      serveUrl: SERVE_URL,
      compositions: ['HelloWorld'],
      allowedCodecs: ['h264'],
      defaultCodec: 'h264',
      privacy: 'private',
      outputPrefix: 'renders-by-user/',
      maxInputPropsBytes: 65536,
      presignExpiresSeconds: 900,
      callTimeoutMs: 25000,
    });
  });

  it('gives the handler every optional setting in a form it reads', () => {
    const stack = newStack({ env: ENV });
    const webhookSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Hook', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:hook-AbCdEf');
    const credentialsSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Keys', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:keys-AbCdEf');
    new RemotionRenderFunction(stack, 'Render', {
      ...renderSettings(stack, { region: 'eu-west-1' }),
      compositions: ['HelloWorld', 'Outro'],
      defaultCodec: RemotionCodec.VP9,
      allowedCodecs: [RemotionCodec.VP9, RemotionCodec.H264, RemotionCodec.GIF],
      outputBucketName: 'my-renders',
      outputPrefix: 'videos/by-user/',
      maxInputPropsSize: Size.kibibytes(100),
      framesPerLambda: 20,
      maxRetries: 0,
      webhookUrl: 'https://example.com/hook',
      webhookSecret,
      credentialsSecret,
      signedUrlExpiry: Duration.days(2),
      timeout: Duration.seconds(25),
    });
    const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    expect(loadConfig(fn.Properties.Environment.Variables)).toEqual({
      region: 'eu-west-1',
      functionName: FUNCTION_NAME,
      progressFromBucket: true,
      serveUrl: SERVE_URL,
      compositions: ['HelloWorld', 'Outro'],
      allowedCodecs: ['vp9', 'h264', 'gif'],
      defaultCodec: 'vp9',
      privacy: 'no-acl',
      bucketName: 'my-renders',
      outputPrefix: 'videos/by-user/',
      maxInputPropsBytes: 102400,
      framesPerLambda: 20,
      maxRetries: 0,
      webhookUrl: 'https://example.com/hook',
      webhookSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:hook-AbCdEf',
      credentialsSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:keys-AbCdEf',
      presignExpiresSeconds: 172800,
      callTimeoutMs: 22000,
    });
  });

  it('writes to a named output bucket without an ACL unless privacy is set', () => {
    expect(handlerConfigOf({ outputBucketName: 'my-renders' }).privacy).toBe('no-acl');
    expect(handlerConfigOf({ outputBucketName: 'my-renders', privacy: RemotionPrivacy.PRIVATE }).privacy).toBe('private');
  });
});

describe('RemotionRenderFunction validation', () => {
  it.each([
    [{ compositions: [] }, /compositions must name at least one/],
    [{ compositions: ['Bad Id'] }, /compositions contains "Bad Id"/],
    [{ allowedCodecs: [RemotionCodec.VP8] }, /allowedCodecs .* must include defaultCodec "h264"/],
    [{ allowedCodecs: [] }, /allowedCodecs must name at least one codec/],
    [{ outputPrefix: '/abs/' }, /outputPrefix "\/abs\/"/],
    [{ outputPrefix: 'a/../' }, /outputPrefix "a\/..\/"/],
    [{ maxInputPropsSize: Size.kibibytes(200) }, /maxInputPropsSize must be between/],
    [{ framesPerLambda: 2 }, /framesPerLambda must be an integer of at least 4/],
    [{ maxRetries: -1 }, /maxRetries must be an integer of at least 0/],
    [{ webhookUrl: 'https://example.com/hook' }, /webhookSecret is required with webhookUrl/],
    [{ webhookUrl: 'http://example.com/hook' }, /webhookUrl "http:\/\/example.com\/hook" must be an https URL/],
    [{ timeout: Duration.seconds(1) }, /timeout must be between 5 seconds and 15 minutes/],
    [{ signedUrlExpiry: Duration.hours(13) }, /signedUrlExpiry must be between 1 second and 12 hours \(links signed with the function's temporary credentials/],
    [{ outputBucketName: 'my-bucket-*' }, /outputBucketName "my-bucket-\*" is not an S3 bucket name/],
    [{ memorySize: 64 }, /memorySize must be an integer between 128 and 10240/],
  ])('rejects %j with a message naming the prop', (props, message) => {
    expect(() => build(props as Partial<RemotionRenderFunctionProps>)).toThrow(message);
  });

  it.each([
    [{ serveUrl: 'sites/demo' }, /serveUrl "sites\/demo" must be the http\(s\) URL/],
    [{ remotionFunctionName: 'arn:aws:lambda:x' }, /remotionFunctionName "arn:aws:lambda:x" must be a Lambda function name/],
    [{ region: 'nowhere' }, /region "nowhere"/],
    [{ bucketName: 'my-bucket-*' }, /bucketName "my-bucket-\*" is not an S3 bucket name/],
  ])('rejects the site attributes %j with a message naming the attribute', (site, message) => {
    expect(() => build({}, site)).toThrow(message);
  });

  it('rejects props without a site, naming the prop and both ways to make one', () => {
    const stack = newStack({ env: ENV });
    expect(() => new RemotionRenderFunction(stack, 'Render', { compositions: ['HelloWorld'] } as unknown as RemotionRenderFunctionProps))
      .toThrow(/^site is required: a RemotionSite of a RemotionLambda in this app, or RemotionSite\.fromSiteAttributes\(\)/);
  });
});

describe('the render handler\'s S3 access, evaluated as IAM would', () => {
  const SUB = '3f1c2a9e-6b7d-4e21-9c3a-0d5e8f7a1b2c';
  const UUID = 'b3c1e7a2-5d4f-4e6a-9b8c-7d6e5f4a3b2c';

  /** The handler's config and the statements of its role, from the synthesized template. */
  function synthesized(props: Partial<RemotionRenderFunctionProps>, site: Partial<RemotionSiteAttributes> = {}) {
    const { template } = build(props, site);
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    const statements = [...statementsOf(template, 'AWS::IAM::ManagedPolicy'), ...statementsOf(template, 'AWS::IAM::Policy')];
    return { config: loadConfig(fn.Properties.Environment.Variables), statements };
  }

  /** The ARN of the object the handler presigns, with the handler's own key rule and Remotion's `renders/<renderId>/` for a bare name. */
  function presignedObject(config: ReturnType<typeof loadConfig>, bucket: string): string {
    const location = outputLocation(config, SUB, 'video.mp4', UUID);
    return typeof location === 'string' ? `arn:aws:s3:::${bucket}/renders/abcdef1234/${location}` : `arn:aws:s3:::${location.bucketName}/${location.key}`;
  }

  it.each([
    ['Remotion\'s bucket of the region', {}, 'remotionlambda-useast1-abc'],
    ['a named output bucket', { outputBucketName: 'remotionlambda-useast1-abc' }, 'remotionlambda-useast1-abc'],
    ['a named output bucket and prefix', { outputBucketName: 'my-renders', outputPrefix: 'videos/by-user/' }, 'my-renders'],
  ])('allows GetObject on the exact output key the handler presigns, in %s', (_, props, bucket) => {
    const { config, statements } = synthesized(props);
    expect(allows(statements, 's3:GetObject', presignedObject(config, bucket))).toBe(true);
  });

  it.each([
    ['Remotion\'s bucket of the region', {}],
    ['the same bucket named as output bucket', { outputBucketName: 'remotionlambda-useast1-abc' }],
  ])('can neither read nor overwrite the public site, in %s', (_, props) => {
    const { statements } = synthesized(props);
    for (const action of ['s3:GetObject', 's3:PutObject']) {
      expect(allows(statements, action, 'arn:aws:s3:::remotionlambda-useast1-abc/sites/demo/index.html')).toBe(false);
    }
  });

  it('may write no object anywhere, not even its own outputs, input props or progress files', () => {
    for (const props of [{}, { outputBucketName: 'remotionlambda-useast1-abc' }]) {
      const { config, statements } = synthesized(props);
      for (const object of [
        presignedObject(config, 'remotionlambda-useast1-abc'),
        'arn:aws:s3:::remotionlambda-useast1-abc/input-props/abc.json',
        'arn:aws:s3:::remotionlambda-useast1-abc/renders/abcdef1234/progress.json',
        'arn:aws:s3:::remotionlambda-useast1-abc/sites/demo/bundle.js',
      ]) {
        expect(allows(statements, 's3:PutObject', object)).toBe(false);
      }
      expect(allows(statements, 's3:DeleteObject', presignedObject(config, 'remotionlambda-useast1-abc'))).toBe(false);
    }
  });

  it('cannot read Remotion\'s progress and chunk files when the function name is custom, so that only the render function reads them', () => {
    const { statements } = synthesized({}, { remotionFunctionName: 'my-renderer' });
    expect(allows(statements, 's3:GetObject', 'arn:aws:s3:::remotionlambda-useast1-abc/renders/abcdef1234/progress.json')).toBe(false);
  });

  it('cannot read progress files in Remotion\'s bucket of the region, which the caller names and could own', () => {
    const { statements } = synthesized({});
    expect(allows(statements, 's3:GetObject', 'arn:aws:s3:::remotionlambda-useast1-abc/renders/abcdef1234/progress.json')).toBe(false);
  });

  it.each([
    ['the site\'s bucket', {}, { bucketName: 'remotionlambda-useast1-abc' }, 'remotionlambda-useast1-abc'],
    ['a named output bucket', { outputBucketName: 'my-renders', outputPrefix: 'videos/by-user/' }, {}, 'my-renders'],
  ])('reads the progress file of a render of a function named by Remotion\'s convention, and no chunk file, in %s', (_, props, site, bucket) => {
    const { statements } = synthesized(props, site);
    expect(allows(statements, 's3:GetObject', `arn:aws:s3:::${bucket}/renders/abcdef1234/progress.json`)).toBe(true);
    expect(allows(statements, 's3:GetObject', `arn:aws:s3:::${bucket}/renders/abcdef1234/chunks/chunk:0000000:video`)).toBe(false);
    expect(allows(statements, 's3:GetObject', `arn:aws:s3:::${bucket}/sites/demo/index.html`)).toBe(false);
    expect(allows(statements, 's3:PutObject', `arn:aws:s3:::${bucket}/renders/abcdef1234/progress.json`)).toBe(false);
    expect(allows(statements, 's3:ListBucket', `arn:aws:s3:::${bucket}`)).toBe(false);
  });

  it('lists no bucket and looks for none', () => {
    const { statements } = synthesized({});
    expect(allows(statements, 's3:ListBucket', 'arn:aws:s3:::remotionlambda-useast1-abc')).toBe(false);
    expect(allows(statements, 's3:GetBucketLocation', 'arn:aws:s3:::remotionlambda-useast1-abc')).toBe(false);
    expect(allows(statements, 's3:ListAllMyBuckets', '*')).toBe(false);
  });
});

describe('status reads without the Lambda invocation', () => {
  it('reads progress from the bucket when the bucket is known at synth and the function name follows Remotion\'s convention', () => {
    const { fn, template } = build({}, { bucketName: 'remotionlambda-useast1-abc' });
    expect(fn.progressFromBucket).toBe(true);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ REMOTION_PROGRESS_FROM_BUCKET: 'true' }) },
    });
  });

  it.each([
    ['a custom name', 'my-renderer'],
    ['a name without memory and timeout', 'remotion-render-custom'],
  ])('invokes the render function for %s, and may not read progress files', (_, name) => {
    const { fn, template } = build({}, { remotionFunctionName: name });
    expect(fn.progressFromBucket).toBe(false);
    const [handler] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(handler.Properties.Environment.Variables.REMOTION_PROGRESS_FROM_BUCKET).toBeUndefined();
    expect(statementsOf(template, 'AWS::IAM::ManagedPolicy').find((s) => s.Sid === 'RemotionReadRenderObjects')!.Resource)
      .toEqual(['arn:aws:s3:::remotionlambda-useast1-*/renders/*/renders-by-user/*']);
  });

  it('invokes the render function when no bucket is known at synth: the caller names it, and may own a remotionlambda-* bucket', () => {
    const { fn, template } = build();
    expect(fn.progressFromBucket).toBe(false);
    const [handler] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(handler.Properties.Environment.Variables.REMOTION_PROGRESS_FROM_BUCKET).toBeUndefined();
  });

  it('invokes the render function when its name is a token, which cannot be parsed at synth', () => {
    const stack = newStack({ env: ENV });
    const name = new cdk.CfnParameter(stack, 'FunctionName').valueAsString;
    const fn = new RemotionRenderFunction(stack, 'Render', { ...renderSettings(stack, { remotionFunctionName: name }) });
    expect(fn.progressFromBucket).toBe(false);
  });
});
