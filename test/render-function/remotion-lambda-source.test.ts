import { CfnParameter } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AuthenticatedRenderApi } from '../../src/api';
import { RemotionLambda } from '../../src/remotion-lambda';
import { RemotionPrivacy, RemotionRenderFunction } from '../../src/render-function';
import { RENDER_ENV } from '../../src/render-function/contract';
import { allows } from '../remotion-lambda/evaluate';
import { FIXTURE_SITE, NEWEST_DIR } from '../remotion-lambda/versions';
import { flatten, newStack, statementsOf } from '../util';

const ENV = { account: '111122223333', region: 'us-east-1' };
const NAME = 'remotion-render-4-0-527-mem2048mb-disk2048mb-120sec';
const BUCKET = 'remotionlambda-useast1-mine';

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
      { Sid: 'RemotionReadRenderObjects', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${BUCKET}/renders-by-user/*`] },
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

  it('accepts the remotionLambda beside its own site', () => {
    const { stack, remotion, site } = deployment();
    expect(new RemotionRenderFunction(stack, 'Render', { remotionLambda: remotion, site, compositions: ['HelloWorld'] }).remotionFunctionName).toBe(NAME);
  });

  it.each([
    [{ serveUrl: 'https://example.com/index.html' }, 'serveUrl cannot be combined with site'],
    [{ remotionFunctionName: NAME }, 'remotionFunctionName cannot be combined with site'],
    [{ outputBucketName: 'other-bucket' }, 'outputBucketName cannot be combined with site'],
    [{ region: 'us-east-1', outputBucketName: 'b-b-b' }, 'outputBucketName, region cannot be combined with site'],
  ])('refuses %j beside a site, naming the props', (extra, message) => {
    const { stack, site } = deployment();
    expect(() => new RemotionRenderFunction(stack, 'Render', { site, compositions: ['HelloWorld'], ...extra })).toThrow(message);
  });

  it('refuses privacy PUBLIC, whose public-read upload the bucket would refuse at the end of every render', () => {
    const { stack, site } = deployment();
    expect(() => new RemotionRenderFunction(stack, 'Render', { site, compositions: ['HelloWorld'], privacy: RemotionPrivacy.PUBLIC }))
      .toThrow(/^privacy PUBLIC cannot be combined with site: RemotionLambda's bucket blocks public ACLs/);
    expect(new RemotionRenderFunction(stack, 'Private', { site, compositions: ['HelloWorld'], privacy: RemotionPrivacy.PRIVATE }).privacy)
      .toBe(RemotionPrivacy.PRIVATE);
  });

  it('refuses remotionLambda without a site', () => {
    const { stack, remotion } = deployment();
    expect(() => new RemotionRenderFunction(stack, 'Render', { remotionLambda: remotion, compositions: ['HelloWorld'] }))
      .toThrow('site is required with remotionLambda');
  });

  it('refuses a site of another RemotionLambda', () => {
    const { stack, site } = deployment();
    const other = new RemotionLambda(stack, 'Other', { remotionPackageDir: NEWEST_DIR, bucketName: 'remotionlambda-useast1-other', memorySize: 3008, createOutputs: false });
    expect(() => new RemotionRenderFunction(stack, 'Render', { remotionLambda: other, site, compositions: ['HelloWorld'] }))
      .toThrow('site "demo" belongs to another RemotionLambda (TestStack/Remotion) than remotionLambda (TestStack/Other).');
  });

  it('still requires serveUrl and remotionFunctionName without a site', () => {
    const stack = newStack({ env: ENV });
    expect(() => new RemotionRenderFunction(stack, 'Render', { remotionFunctionName: NAME, compositions: ['HelloWorld'] }))
      .toThrow('serveUrl is required unless site');
    expect(() => new RemotionRenderFunction(stack, 'Render2', { serveUrl: 'https://example.com/index.html', compositions: ['HelloWorld'] }))
      .toThrow('remotionFunctionName is required unless site');
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
    expect(() => new RemotionRenderFunction(stack, 'Render', {
      serveUrl: site.serveUrl, remotionFunctionName: remotion.functionName, outputBucketName: remotion.bucketName, compositions: ['HelloWorld'], outputPrefix: 'sites/',
    })).toThrow(PUBLIC_FOLDER);
  });

  it('are refused in any bucket Remotion recognises as its own, whose sites/ is public too', () => {
    const stack = newStack({ env: ENV });
    expect(() => new RemotionRenderFunction(stack, 'Render', {
      serveUrl: 'https://remotionlambda-useast1-abc.s3.us-east-1.amazonaws.com/sites/demo/index.html',
      remotionFunctionName: NAME,
      outputBucketName: 'remotionlambda-useast1-abc',
      compositions: ['HelloWorld'],
      outputPrefix: 'sites/',
    })).toThrow(/outputBucketName "remotionlambda-useast1-abc", which is publicly readable/);
  });

  it('are allowed in your own bucket, and without an output bucket, where Remotion puts them under renders/<renderId>/', () => {
    const stack = newStack({ env: ENV });
    const byHand = { serveUrl: 'https://remotionlambda-useast1-abc.s3.us-east-1.amazonaws.com/sites/demo/index.html', remotionFunctionName: NAME, compositions: ['HelloWorld'], outputPrefix: 'sites/' };
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
