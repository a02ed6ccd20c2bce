import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readFunctionSettings, readLambdaFacts } from '../../src/remotion/lambda-facts';
import { FLOOR_DIR, INSTALLED_REMOTION, NEWEST_DIR } from '../remotion-versions';

describe('readLambdaFacts', () => {
  it.each(INSTALLED_REMOTION)('reads the version and the zip at the package root of the $name version', ({ dir, version }) => {
    const facts = readLambdaFacts(dir);
    expect(facts.version).toBe(version);
    expect(facts.zipPath).toBe(path.join(dir, 'remotionlambda-arm64.zip'));
    expect(fs.statSync(facts.zipPath).size).toBeGreaterThan(1_000_000);
  });

  it('reads the settings that the newest CLI gives the function from its createFunction()', () => {
    expect(readLambdaFacts(NEWEST_DIR).settings).toEqual({
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      architecture: 'arm64',
      runtimeVersionHash: '58a37e8413ed69058c4ac3b1df642118591f17d40def93d6101f867c72cd03c2',
      zeroRetries: true,
    });
  });

  it('reads the floor version\'s older runtime and pin, so each version deploys as its own CLI does', () => {
    expect(readLambdaFacts(FLOOR_DIR).settings).toEqual({
      runtime: 'nodejs20.x',
      handler: 'index.handler',
      architecture: 'arm64',
      runtimeVersionHash: 'da57c20c4b965d5b75540f6865a35fc8030358e33ec44ecfed33e90901a27a72',
      zeroRetries: true,
    });
  });

  it.each(INSTALLED_REMOTION)('reads Remotion\'s limits and defaults from the $name client', ({ dir }) => {
    expect(readLambdaFacts(dir).limits).toEqual({
      minMemory: 512,
      maxMemory: 10240,
      defaultMemory: 2048,
      minDisk: 512,
      maxDisk: 10240,
      defaultDisk: 2048,
      minTimeout: 15,
      maxTimeout: 900,
      defaultTimeout: 120,
      defaultLogRetentionDays: 14,
    });
  });

  it.each(INSTALLED_REMOTION)('names functions with the $name client\'s own speculateFunctionName', ({ dir, version }) => {
    const facts = readLambdaFacts(dir);
    const dashed = version.replace(/\./g, '-');
    expect(facts.functionName(3008, 4096, 300)).toBe(`remotion-render-${dashed}-mem3008mb-disk4096mb-300sec`);
    expect(facts.parseFunctionName(`remotion-render-${dashed}-mem3008mb-disk4096mb-300sec`))
      .toEqual({ version: dashed, memorySizeInMb: 3008, diskSizeInMb: 4096, timeoutInSeconds: 300 });
  });

  it.each(INSTALLED_REMOTION)('reads the $name version\'s layer variants and lifecycle rules', ({ dir }) => {
    const facts = readLambdaFacts(dir);
    expect(facts.layerVariants).toEqual(['default', 'apple-emojis', 'cjk']);
    expect(facts.lifecycleRules).toEqual([
      { id: 'delete-after-1-day', prefix: 'renders/1-day', expirationDays: 1 },
      { id: 'delete-after-3-days', prefix: 'renders/3-days', expirationDays: 3 },
      { id: 'delete-after-7-days', prefix: 'renders/7-days', expirationDays: 7 },
      { id: 'delete-after-30-days', prefix: 'renders/30-days', expirationDays: 30 },
    ]);
  });

  it('has a bundle-folder validator only where the installed version ships one', () => {
    expect(readLambdaFacts(NEWEST_DIR).validateBundleDir).toBeInstanceOf(Function);
    expect(readLambdaFacts(FLOOR_DIR).validateBundleDir).toBeUndefined();
  });

  it('refuses a Remotion whose createFunction() it cannot read, naming what is missing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'create-function-'));
    const file = path.join(dir, 'create-function.js');
    fs.writeFileSync(file, "new CreateFunctionCommand({ Handler: 'index.handler', Architectures: ['arm64'] })");
    expect(() => readFunctionSettings(file)).toThrow(/Could not read the render function's runtime from .*create-function\.js/);
  });
});
