import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { installedClientEntry, LAZY_NAMESPACE_HELPER, slimRemotionClient, UNUSED_SERVICE_CLIENTS } from '../../projenrc/slim-remotion-client';

const ROOT = path.join(__dirname, '..', '..');
const installed = installedClientEntry(ROOT);
const source = fs.readFileSync(installed.file, 'utf8');

/** Bundles an entry that imports what the handler imports from `code`, as the bundle task does (minified ESM). */
async function bundledBytes(code: string): Promise<{ bytes: number; text: string }> {
  const dir = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.cache', 'slim-test-'));
  try {
    const client = path.join(dir, 'client.mjs');
    fs.writeFileSync(client, code);
    const result = await esbuild.build({
      stdin: { contents: `export { getRenderProgress, presignUrl, renderMediaOnLambda } from ${JSON.stringify(client)};`, resolveDir: dir, loader: 'js' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node24',
      minify: true,
      logLevel: 'silent',
    });
    const text = result.outputFiles[0].text;
    return { bytes: Buffer.byteLength(text), text };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('slimRemotionClient on the installed @remotion/lambda-client', () => {
  const slim = slimRemotionClient(source);

  it('marks every CommonJS wrapper pure and makes every top-level import lazy', () => {
    expect(slim.pureWrappers).toBeGreaterThan(100);
    expect(slim.lazyImports).toBeGreaterThan(10);
    // None is left as it was.
    expect(slim.source).not.toMatch(/^var require_\w+ = __commonJS\(/m);
    expect(slim.source).not.toMatch(/^var \w+ = __toESM\(require_\w+\(\), 1\);$/m);
    expect(slim.source.match(/^var import_client_lambda = .*$/m)?.[0]).toMatch(
      /^var import_client_lambda = \/\* @__PURE__ \*\/ __lazyESM\(\(\) => __toESM\(require_\w+\(\), 1\)\);$/);
    const pureMarks = (text: string) => text.match(/\/\* @__PURE__ \*\//g)?.length ?? 0;
    expect(pureMarks(slim.source) - pureMarks(source)).toBe(slim.pureWrappers + slim.lazyImports);
    expect(slim.source.indexOf(LAZY_NAMESPACE_HELPER)).toBeLessThan(slim.source.indexOf('var __commonJS = '));
  });

  it('makes getServiceClient refuse the three clients rendering never asks for, and keep the others', () => {
    expect(slim.removedClients).toEqual(['CloudWatchLogsClient', 'IAMClient', 'ServiceQuotasClient']);
    for (const { binding, client } of UNUSED_SERVICE_CLIENTS) {
      expect(slim.source).not.toContain(`return ${binding}.${client};`);
      expect(slim.source).toContain(`throw new Error("${client} is not bundled into this handler`);
    }
    for (const kept of ['return import_client_lambda.LambdaClient;', 'return import_client_s3.S3Client;', 'return import_client_sts.STSClient;']) {
      expect(slim.source).toContain(kept);
    }
  });

  it('lets esbuild drop the unused AWS SDK clients from what the handler imports', async () => {
    const [before, after] = await Promise.all([bundledBytes(source), bundledBytes(slim.source)]);

    expect(before.text).toMatch(/"IAMClient"/);
    expect(after.text).not.toMatch(/"IAMClient"|"ServiceQuotasClient"|"CloudWatchLogsClient"/);
    expect(after.text).toMatch(/"LambdaClient"/);
    expect(after.text).toMatch(/"S3Client"/);
    expect(before.bytes - after.bytes).toBeGreaterThan(200_000);
  });
});

describe('the lazy namespace', () => {
  const lazyESM = new Function(`${LAZY_NAMESPACE_HELPER}; return __lazyESM;`)() as (load: () => object) => Record<string, unknown>;
  class Command {}

  it('loads on the first read, once, and then behaves as the namespace', () => {
    const load = jest.fn(() => ({ Command, lookup: (key: string) => `type of ${key}`, default: { version: 3 } }));
    const namespace = lazyESM(load);
    expect(load).not.toHaveBeenCalled();

    const CommandClass = namespace.Command as typeof Command;
    expect(new CommandClass()).toBeInstanceOf(Command);
    expect((namespace.lookup as (key: string) => string)('a.mp4')).toBe('type of a.mp4');
    expect(namespace.default).toEqual({ version: 3 });
    expect('Command' in namespace).toBe(true);
    expect('Missing' in namespace).toBe(false);
    expect(Object.keys(namespace)).toEqual(['Command', 'lookup', 'default']);
    expect({ ...namespace }.Command).toBe(Command);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('fails the same way on every read when the module fails to load', () => {
    const load = jest.fn(() => {
      throw new Error('module failed');
    });
    const namespace = lazyESM(load);

    expect(() => namespace.Command).toThrow('module failed');
    expect(() => namespace.Other).toThrow('module failed');
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('reads through esbuild\'s getter-only namespaces', () => {
    const target: Record<string, unknown> = {};
    Object.defineProperty(target, 'Command', { get: () => Command, enumerable: true });
    const namespace = lazyESM(() => target);
    expect(Object.getOwnPropertyDescriptor(namespace, 'Command')).toMatchObject({ enumerable: true, configurable: true });
    expect(Object.entries(namespace)).toEqual([['Command', Command]]);
  });
});

describe('slimRemotionClient on a client whose build changed', () => {
  it.each([
    ['without the CommonJS helper', source.replace(/^var __commonJS = /m, 'var __cjsHelper = '), /no `var __commonJS = ` helper/],
    ['without CommonJS wrappers', source.replace(/^var (require_\w+) = __commonJS\(/gm, 'var $1 = __cjs('), /no `var require_x = __commonJS\(` wrappers/],
    ['without top-level imports', source.replace(/^var (\w+) = __toESM\(/gm, 'var $1 = __esm('), /no top-level `var x = __toESM\(require_y\(\), 1\);` imports/],
    ['whose getServiceClient changed', source.replace('return import_client_iam.IAMClient;', 'return import_client_iam.IAM;'), /"iam" branch returning import_client_iam.IAMClient found 0 times, expected once/],
  ])('fails %s, naming the file to update', (_case, changed, reason) => {
    expect(() => slimRemotionClient(changed, '@remotion/lambda-client 9.9.9')).toThrow(reason);
    expect(() => slimRemotionClient(changed, '@remotion/lambda-client 9.9.9')).toThrow(/^@remotion\/lambda-client 9\.9\.9 no longer has the shape projenrc\/slim-remotion-client\.ts expects/);
  });
});
