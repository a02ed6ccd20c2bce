import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { RemotionLambda } from '../../src/remotion-lambda';
import { FakeLambda } from '../render-function/runtime/fake-lambda';
import { newStack } from '../util';
import { evaluate, STACK_ID } from './evaluate';
import { addDeployment } from './fake-remotion-aws';
import { INSTALLED_REMOTION } from '../remotion-versions';
import { FIXTURE_SITE } from './fixture-site';

/**
 * Remotion's own client (the floor and the newest version, each from its own install) against a
 * local fake of the AWS calls it makes, holding exactly what the synthesized template deploys:
 * the client must find and use the deployment as it would a CLI deployment.
 */

const REGION = 'us-east-1';
const ACCOUNT = '111122223333';
const PSEUDO = { region: REGION, stackId: STACK_ID };
/** A second Remotion bucket in the region, which makes the function refuse to guess. */
const OTHER_BUCKET = 'remotionlambda-useast1-someoneelse';

type Site = { id: string; serveUrl: string; bucketName: string; version?: string | null };

interface RemotionClientModule {
  readonly LambdaClientInternals: {
    parseFunctionName(name: string): unknown;
    makeS3ServeUrl(o: { bucketName: string; subFolder: string; region: string }): string;
  };
  speculateFunctionName(o: { memorySizeInMb: number; diskSizeInMb: number; timeoutInSeconds: number }): string;
  getFunctions(o: { region: string; compatibleOnly: boolean }): Promise<{ functionName: string; version: string | null }[]>;
  getSites(o: { region: string; forceBucketName?: string }): Promise<{ sites: Site[] }>;
  renderMediaOnLambda(o: Record<string, unknown>): Promise<{ renderId: string; bucketName: string }>;
}

let fake: FakeLambda;
const originalEnv = process.env;

beforeAll(async () => {
  fake = await FakeLambda.start();
  // Every service at the fake: getSites() also calls S3 and STS.
  process.env = { ...originalEnv, ...fake.sdkEnvironment(), AWS_REGION: REGION, AWS_ENDPOINT_URL: fake.url };
  delete process.env.REMOTION_AWS_ACCESS_KEY_ID;
  delete process.env.REMOTION_AWS_SECRET_ACCESS_KEY;
});

afterEach(() => fake.reset());

afterAll(async () => {
  await fake.close();
  process.env = originalEnv;
});

const CASES = INSTALLED_REMOTION.flatMap((v) => [{ ...v, stackKind: 'in us-east-1' }, { ...v, stackKind: 'region-agnostic' }]);

describe.each(CASES)('the $name Remotion client ($version) and the synthesized deployment, $stackKind', ({ dir, version, stackKind }) => {
  // GIVEN the template of a RemotionLambda with a site, made from this version's install; a
  // region-agnostic stack is evaluated as CloudFormation would in us-east-1
  const stack = newStack(stackKind === 'region-agnostic' ? {} : { env: { account: ACCOUNT, region: REGION } });
  const remotion = new RemotionLambda(stack, 'Remotion', { remotionPackageDir: dir });
  const site = remotion.addSite('demo', { bundleDir: FIXTURE_SITE });
  const template = Template.fromStack(stack).toJSON();
  const fn = Object.values(template.Resources as Record<string, any>).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName)!;
  const bucket = Object.values(template.Resources as Record<string, any>).find((r) => r.Type === 'AWS::S3::Bucket')!;
  const functionName = fn.Properties.FunctionName as string;
  const bucketName = evaluate(bucket.Properties.BucketName, PSEUDO) as string;
  const serveUrl = evaluate(stack.resolve(site.serveUrl), PSEUDO) as string;
  const client = jest.requireActual(path.join(dir, 'dist', 'client.js')) as RemotionClientModule;

  beforeEach(() => {
    addDeployment(fake, {
      account: ACCOUNT,
      functionName,
      memorySizeInMb: fn.Properties.MemorySize,
      timeoutInSeconds: fn.Properties.Timeout,
      diskSizeInMb: fn.Properties.EphemeralStorage.Size,
      version,
      bucketName,
      sites: { demo: FIXTURE_SITE },
      otherBuckets: [OTHER_BUCKET, 'unrelated-bucket'],
    });
  });

  it('speculateFunctionName() and parseFunctionName() agree with the synthesized name', () => {
    expect(client.speculateFunctionName({
      memorySizeInMb: fn.Properties.MemorySize,
      diskSizeInMb: fn.Properties.EphemeralStorage.Size,
      timeoutInSeconds: fn.Properties.Timeout,
    })).toBe(functionName);
    expect(client.LambdaClientInternals.parseFunctionName(functionName)).toEqual({
      version: version.replace(/\./g, '-'), memorySizeInMb: 2048, diskSizeInMb: 2048, timeoutInSeconds: 120,
    });
  });

  it('makeS3ServeUrl() forms the synthesized serve URL', () => {
    expect(client.LambdaClientInternals.makeS3ServeUrl({ bucketName, subFolder: 'sites/demo', region: REGION })).toBe(serveUrl);
  });

  it('getFunctions({ compatibleOnly: true }) finds the function', async () => {
    const functions = await client.getFunctions({ region: REGION, compatibleOnly: true });
    expect(functions.map((f) => [f.functionName, f.version])).toEqual([[functionName, version]]);
  });

  it('getSites() finds the site at the synthesized serve URL, in the synthesized bucket', async () => {
    const { sites } = await client.getSites({ region: REGION });
    expect(sites).toEqual([expect.objectContaining({ id: 'demo', serveUrl, bucketName })]);
    // Versions that read the bundle's version (newer than the floor) read the fixture's.
    if ('version' in sites[0]) {
      expect(sites[0].version).toBe('4.0.527');
    }
  });

  it('renderMediaOnLambda({ functionName, serveUrl, forceBucketName }) invokes that function with that bucket', async () => {
    const { bucketName: used } = await client.renderMediaOnLambda({
      region: REGION, functionName, serveUrl, composition: 'HelloWorld', codec: 'h264', forceBucketName: bucketName,
    });
    expect(used).toBe(bucketName);
    const starts = fake.invocationsOfType('start');
    expect(starts).toHaveLength(1);
    expect(starts[0].functionName).toBe(functionName);
    expect(starts[0].payload).toMatchObject({ serveUrl, bucketName });
  });
});
