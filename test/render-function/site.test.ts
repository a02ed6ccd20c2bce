import { CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { AuthenticatedRenderApi } from '../../src/api';
import { IRemotionSite, RemotionLambda, RemotionSite } from '../../src/remotion-lambda';
import { RemotionPrivacy, RemotionRenderFunction } from '../../src/render-function';
import { RENDER_ENV } from '../../src/render-function/contract';
import { allows } from '../remotion-lambda/evaluate';
import { FIXTURE_SITE } from '../remotion-lambda/fixture-site';
import { FLOOR_DIR, NEWEST_DIR } from '../remotion-versions';
import { flatten, newStack, statementsOf } from '../util';

const ENV = { account: '111122223333', region: 'us-east-1' };
const NAME = 'remotion-render-4-0-527-mem2048mb-disk2048mb-120sec';
const BUCKET = 'remotionlambda-useast1-mine';
const SERVE_URL = 'https://remotionlambda-useast1-abc.s3.us-east-1.amazonaws.com/sites/demo/index.html';

function deployment() {
  const stack = newStack({ env: ENV });
  const remotion = new RemotionLambda(stack, 'Remotion', { remotionPackageDir: NEWEST_DIR, bucketName: BUCKET });
  const site = remotion.addSite('demo', { bundleDir: FIXTURE_SITE });
  return { stack, remotion, site };
}

function handlerOf(template: Template): Record<string, any> {
  return Object.values(template.findResources('AWS::Lambda::Function'))
    .find((fn) => fn.Properties.Environment?.Variables?.[RENDER_ENV.FUNCTION_NAME] !== undefined)!;
}

describe('RemotionRenderFunction with a RemotionLambda site', () => {
  it('renders the site on that deployment\'s function, passing its bucket as forceBucketName', () => {
    const { stack, site } = deployment();
    const fn = new RemotionRenderFunction(stack, 'Render', { site, compositions: ['HelloWorld'] });
    expect(fn.remotionFunctionName).toBe(NAME);
    expect(fn.region).toBe('us-east-1');
    const variables = flatten(handlerOf(Template.fromStack(stack)).Properties.Environment.Variables) as Record<string, string>;
    expect(variables[RENDER_ENV.FUNCTION_NAME]).toBe(NAME);
    expect(variables[RENDER_ENV.BUCKET_NAME]).toBe(BUCKET);
    expect(variables[RENDER_ENV.REGION]).toBe('us-east-1');
    expect(variables[RENDER_ENV.SERVE_URL]).toBe(`https://${BUCKET}.s3.us-east-1.\${AWS::URLSuffix}/sites/demo/index.html`);
  });

  it('scopes the render role to exactly that function and the output prefix of that bucket, never sites/', () => {
    const { stack, site } = deployment();
    new RemotionRenderFunction(stack, 'Render', { site, compositions: ['HelloWorld'] });
    const statements = statementsOf(Template.fromStack(stack), 'AWS::IAM::ManagedPolicy');
    expect(statements).toEqual([
      { Sid: 'RemotionInvokeRenderFunction', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [`arn:aws:lambda:us-east-1:111122223333:function:${NAME}`] },
      { Sid: 'RemotionReadRenderObjects', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${BUCKET}/renders-by-user/*`, `arn:aws:s3:::${BUCKET}/renders/*/progress.json`] },
    ]);
    for (const action of ['s3:GetObject', 's3:PutObject']) {
      expect(allows(statements, action, `arn:aws:s3:::${BUCKET}/sites/demo/index.html`)).toBe(false);
    }
  });

  it('scopes to the generated bucket name of a region-agnostic deployment too', () => {
    const stack = newStack();
    const site = new RemotionLambda(stack, 'Remotion', { remotionPackageDir: NEWEST_DIR }).addSite('demo', { bundleDir: FIXTURE_SITE });
    new RemotionRenderFunction(stack, 'Render', { site, compositions: ['HelloWorld'] });
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'));
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
    expect(statements.map((s) => s.Sid)).toEqual(['RemotionInvokeRenderFunction', 'RemotionReadRenderObjects']);
    const text = JSON.stringify(statements);
    expect(text).not.toMatch(/remotion-render-\*|remotionlambda-\*/);
    expect(flatten(statements[0].Resource)).toBe(`arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${NAME}`);
    // The bucket statements name the deployment's generated bucket, remotionlambda-<region>-<stack id suffix>.
    for (const statement of statements.slice(1)) {
      expect(JSON.stringify(statement.Resource)).toContain('AWS::StackId');
    }
  });

  it('renders with the client of the deployment\'s own @remotion/lambda install, of the deployed version', () => {
    const stack = newStack({ env: ENV });
    const remotion = new RemotionLambda(stack, 'Remotion', { remotionPackageDir: FLOOR_DIR, bucketName: BUCKET });
    const site = remotion.addSite('demo', { bundleDir: FIXTURE_SITE });
    expect(site.remotionPackageDir).toBe(remotion.remotionPackageDir);
    expect(new RemotionRenderFunction(stack, 'Render', { site, compositions: ['HelloWorld'] }).remotionVersion).toBe('4.0.365');
  });

  it('writes the outputs to another bucket given as outputBucketName, and scopes the role to that bucket', () => {
    const { stack, site } = deployment();
    new RemotionRenderFunction(stack, 'Render', { site, compositions: ['HelloWorld'], outputBucketName: 'my-renders' });
    const template = Template.fromStack(stack);
    const variables = flatten(handlerOf(template).Properties.Environment.Variables) as Record<string, string>;
    expect(variables[RENDER_ENV.FUNCTION_NAME]).toBe(NAME);
    expect(variables[RENDER_ENV.BUCKET_NAME]).toBe('my-renders');
    expect(variables[RENDER_ENV.PRIVACY]).toBe('no-acl');
    expect(statementsOf(template, 'AWS::IAM::ManagedPolicy').find((s) => s.Sid === 'RemotionReadRenderObjects')!.Resource)
      .toEqual(['arn:aws:s3:::my-renders/renders-by-user/*', 'arn:aws:s3:::my-renders/renders/*/progress.json']);
  });

  it('refuses privacy PUBLIC, whose public-read upload the bucket would refuse at the end of every render', () => {
    const { stack, site } = deployment();
    expect(() => new RemotionRenderFunction(stack, 'Render', { site, compositions: ['HelloWorld'], privacy: RemotionPrivacy.PUBLIC }))
      .toThrow(/^privacy PUBLIC cannot be combined with site: RemotionLambda's bucket blocks public ACLs/);
    expect(new RemotionRenderFunction(stack, 'Private', { site, compositions: ['HelloWorld'], privacy: RemotionPrivacy.PRIVATE }).privacy)
      .toBe(RemotionPrivacy.PRIVATE);
  });

  it('refuses privacy PUBLIC when a RemotionLambda\'s bucket is named as outputBucketName, naming that prop', () => {
    const { stack, remotion } = deployment();
    const site = RemotionSite.fromSiteAttributes(stack, 'Cli', { serveUrl: SERVE_URL, remotionFunctionName: NAME });
    expect(() => new RemotionRenderFunction(stack, 'Render', { site, compositions: ['HelloWorld'], outputBucketName: remotion.bucketName, privacy: RemotionPrivacy.PUBLIC }))
      .toThrow(/^privacy PUBLIC cannot be combined with outputBucketName: RemotionLambda's bucket blocks public ACLs/);
  });

  it('allows privacy PUBLIC when the outputs go to another bucket than the RemotionLambda\'s', () => {
    const { stack, site } = deployment();
    const fn = new RemotionRenderFunction(stack, 'Render', { site, compositions: ['HelloWorld'], outputBucketName: 'my-renders', privacy: RemotionPrivacy.PUBLIC });
    expect(fn.privacy).toBe(RemotionPrivacy.PUBLIC);
  });
});

describe('RemotionRenderFunction with a site deployed by the Remotion CLI', () => {
  function variablesOf(stack: Stack): Record<string, string> {
    return flatten(handlerOf(Template.fromStack(stack)).Properties.Environment.Variables) as Record<string, string>;
  }

  it('renders the serve URL on the named function, in Remotion\'s own bucket of the stack\'s region, privately', () => {
    const stack = newStack({ env: ENV });
    const site = RemotionSite.fromSiteAttributes(stack, 'Site', { serveUrl: SERVE_URL, remotionFunctionName: NAME });
    const fn = new RemotionRenderFunction(stack, 'Render', { site, compositions: ['HelloWorld'] });
    expect(site.bucketName).toBeUndefined();
    expect(site.region).toBeUndefined();
    expect(fn.site).toBe(site);
    expect(fn.region).toBe('us-east-1');
    const variables = variablesOf(stack);
    expect(variables[RENDER_ENV.SERVE_URL]).toBe(SERVE_URL);
    expect(variables[RENDER_ENV.FUNCTION_NAME]).toBe(NAME);
    expect(variables[RENDER_ENV.REGION]).toBe('us-east-1');
    expect(variables[RENDER_ENV.PRIVACY]).toBe('private');
    expect(variables).not.toHaveProperty(RENDER_ENV.BUCKET_NAME);
  });

  it('renders in the site\'s region, scoping the role to the function there', () => {
    const stack = newStack({ env: ENV });
    const site = RemotionSite.fromSiteAttributes(stack, 'Site', { serveUrl: SERVE_URL, remotionFunctionName: NAME, region: 'eu-central-1' });
    expect(new RemotionRenderFunction(stack, 'Render', { site, compositions: ['HelloWorld'] }).region).toBe('eu-central-1');
    expect(variablesOf(stack)[RENDER_ENV.REGION]).toBe('eu-central-1');
    expect(statementsOf(Template.fromStack(stack), 'AWS::IAM::ManagedPolicy')).toEqual([
      { Sid: 'RemotionInvokeRenderFunction', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [`arn:aws:lambda:eu-central-1:111122223333:function:${NAME}`] },
      { Sid: 'RemotionReadRenderObjects', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::remotionlambda-eucentral1-*/renders/*/renders-by-user/*'] },
    ]);
  });

  it('passes the site\'s bucketName as forceBucketName and writes there without an ACL, as outputBucketName did', () => {
    const stack = newStack({ env: ENV });
    const site = RemotionSite.fromSiteAttributes(stack, 'Site', { serveUrl: SERVE_URL, remotionFunctionName: NAME, bucketName: 'remotionlambda-useast1-abc' });
    new RemotionRenderFunction(stack, 'Render', { site, compositions: ['HelloWorld'] });
    const variables = variablesOf(stack);
    expect(variables[RENDER_ENV.BUCKET_NAME]).toBe('remotionlambda-useast1-abc');
    expect(variables[RENDER_ENV.PRIVACY]).toBe('no-acl');
    expect(statementsOf(Template.fromStack(stack), 'AWS::IAM::ManagedPolicy').find((s) => s.Sid === 'RemotionReadRenderObjects')!.Resource)
      .toEqual(['arn:aws:s3:::remotionlambda-useast1-abc/renders-by-user/*', 'arn:aws:s3:::remotionlambda-useast1-abc/renders/*/progress.json']);
  });

  it('writes to outputBucketName rather than the site\'s bucketName when both are given', () => {
    const stack = newStack({ env: ENV });
    const site = RemotionSite.fromSiteAttributes(stack, 'Site', { serveUrl: SERVE_URL, remotionFunctionName: NAME, bucketName: 'remotionlambda-useast1-abc' });
    new RemotionRenderFunction(stack, 'Render', { site, compositions: ['HelloWorld'], outputBucketName: 'my-renders' });
    expect(variablesOf(stack)[RENDER_ENV.BUCKET_NAME]).toBe('my-renders');
  });

  it('skips the checks of attributes that are tokens', () => {
    const stack = newStack({ env: ENV });
    const token = (id: string) => new CfnParameter(stack, id).valueAsString;
    expect(() => RemotionSite.fromSiteAttributes(stack, 'Site', {
      serveUrl: token('Url'), remotionFunctionName: token('Name'), bucketName: token('Bucket'), region: token('Region'),
    })).not.toThrow();
  });

  it.each([
    [{ serveUrl: 'sites/demo' }, 'serveUrl "sites/demo" must be the http(s) URL of a deployed Remotion site.'],
    [{ remotionFunctionName: 'arn:aws:lambda:x' }, 'remotionFunctionName "arn:aws:lambda:x" must be a Lambda function name (1 to 64 letters, digits, "-" or "_").'],
    [{ bucketName: 'Bad_Bucket' }, 'bucketName "Bad_Bucket" is not an S3 bucket name (3 to 63 lower-case letters, digits, "." or "-"; no patterns).'],
    [{ region: 'nowhere' }, 'region "nowhere" is not an AWS region name such as "us-east-1".'],
  ])('refuses the attributes %j, naming the attribute', (attrs, message) => {
    const stack = newStack({ env: ENV });
    expect(() => RemotionSite.fromSiteAttributes(stack, 'Site', { serveUrl: SERVE_URL, remotionFunctionName: NAME, ...attrs })).toThrow(message);
  });
});

describe('RemotionRenderFunction with an IRemotionSite of the user\'s own', () => {
  /** A site implemented by hand, as a Python or Java user could: nothing checked it before the render function. */
  class HandMadeSite extends Construct implements IRemotionSite {
    constructor(scope: Construct, id: string,
      readonly serveUrl: string, readonly remotionFunctionName: string, readonly bucketName?: string, readonly region?: string) {
      super(scope, id);
    }
  }

  it.each([
    ['a wildcard function name', [SERVE_URL, '*'], 'site.remotionFunctionName "*" must be a Lambda function name'],
    ['a bucket pattern', [SERVE_URL, NAME, 'remotionlambda-*'], 'site.bucketName "remotionlambda-*" is not an S3 bucket name'],
    ['a serve URL that is no URL', ['sites/demo/index.html', NAME], 'site.serveUrl "sites/demo/index.html" must be the http(s) URL'],
    ['a region that is no region', [SERVE_URL, NAME, undefined, 'useast1'], 'site.region'],
  ])('refuses %s, so that no pattern reaches the render role', (_, args, message) => {
    const stack = newStack({ env: ENV });
    const [serveUrl, functionName, bucketName, region] = args as [string, string, string?, string?];
    const site = new HandMadeSite(stack, 'Site', serveUrl, functionName, bucketName, region);
    expect(() => new RemotionRenderFunction(stack, 'Render', { site, compositions: ['HelloWorld'] })).toThrow(message);
  });

  it('accepts one whose attributes are valid, as fromSiteAttributes would', () => {
    const stack = newStack({ env: ENV });
    const site = new HandMadeSite(stack, 'Site', SERVE_URL, NAME, 'remotionlambda-useast1-abc');
    new RemotionRenderFunction(stack, 'Render', { site, compositions: ['HelloWorld'] });
    expect(handlerOf(Template.fromStack(stack)).Properties.Environment.Variables[RENDER_ENV.BUCKET_NAME]).toBe('remotionlambda-useast1-abc');
  });
});

describe('outputs under the public sites/ folder', () => {
  const PUBLIC_FOLDER = /^outputPrefix "sites\/.*" puts every caller's output under sites\/ of .*, which is publicly readable .* Choose a prefix outside sites\//;

  it.each(['sites/', 'sites/x/', 'sites/demo/'])('are refused at synth for outputPrefix %j with a site, naming the prop and the fix', (outputPrefix) => {
    const { stack, site } = deployment();
    expect(() => new RemotionRenderFunction(stack, 'Render', { site, compositions: ['HelloWorld'], outputPrefix })).toThrow(PUBLIC_FOLDER);
  });

  it.each(['sites', './sites/', 'x/../sites/'])('cannot be reached through %j, which the outputPrefix pattern already refuses', (outputPrefix) => {
    const { stack, site } = deployment();
    expect(() => new RemotionRenderFunction(stack, 'Render', { site, compositions: ['HelloWorld'], outputPrefix })).toThrow(`outputPrefix "${outputPrefix}" must be empty or S3 key folders`);
  });

  it.each(['SITES/', 'sitesx/', 'renders/sites/', ''])('are not what %j gives: S3 keys are case-sensitive and only sites/ is public', (outputPrefix) => {
    const { stack, site } = deployment();
    expect(new RemotionRenderFunction(stack, 'Render', { site, compositions: ['HelloWorld'], outputPrefix }).outputPrefix).toBe(outputPrefix);
  });

  it('are refused when the site\'s bucket is named by hand as outputBucketName, even as the generated name (a token)', () => {
    const stack = newStack({ env: ENV });
    const remotion = new RemotionLambda(stack, 'Remotion', { remotionPackageDir: NEWEST_DIR });
    const site = remotion.addSite('demo', { bundleDir: FIXTURE_SITE });
    const byHand = RemotionSite.fromSiteAttributes(stack, 'ByHand', { serveUrl: site.serveUrl, remotionFunctionName: remotion.functionName });
    expect(() => new RemotionRenderFunction(stack, 'Render', {
      site: byHand, outputBucketName: remotion.bucketName, compositions: ['HelloWorld'], outputPrefix: 'sites/',
    })).toThrow(PUBLIC_FOLDER);
  });

  it('are refused in any bucket Remotion recognises as its own, whose sites/ is public too', () => {
    const stack = newStack({ env: ENV });
    expect(() => new RemotionRenderFunction(stack, 'Render', {
      site: RemotionSite.fromSiteAttributes(stack, 'Site', { serveUrl: SERVE_URL, remotionFunctionName: NAME }),
      outputBucketName: 'remotionlambda-useast1-abc',
      compositions: ['HelloWorld'],
      outputPrefix: 'sites/',
    })).toThrow(/outputBucketName "remotionlambda-useast1-abc", which is publicly readable/);
  });

  it('are allowed in your own bucket, and without an output bucket, where Remotion puts them under renders/<renderId>/', () => {
    const stack = newStack({ env: ENV });
    const site = RemotionSite.fromSiteAttributes(stack, 'Site', { serveUrl: SERVE_URL, remotionFunctionName: NAME });
    const byHand = { site, compositions: ['HelloWorld'], outputPrefix: 'sites/' };
    expect(new RemotionRenderFunction(stack, 'Own', { ...byHand, outputBucketName: 'my-renders' }).outputPrefix).toBe('sites/');
    expect(new RemotionRenderFunction(stack, 'Remotions', byHand).outputPrefix).toBe('sites/');
  });

  it('skips an outputPrefix that is a token', () => {
    const { stack, site } = deployment();
    const outputPrefix = new CfnParameter(stack, 'Prefix', { default: 'sites/' }).valueAsString;
    expect(() => new RemotionRenderFunction(stack, 'Render', { site, compositions: ['HelloWorld'], outputPrefix })).not.toThrow();
  });
});

describe('AuthenticatedRenderApi with a RemotionLambda site', () => {
  it('is the whole setup: the API renders the site on the deployment made in the same stack', () => {
    const { stack, site } = deployment();
    const api = new AuthenticatedRenderApi(stack, 'Api', { render: { site, compositions: ['HelloWorld'] } });
    expect(api.renderFunction.remotionFunctionName).toBe(NAME);
    expect(api.renderFunction.serveUrl).toBe(site.serveUrl);
  });
});
