import { awscdk, javascript } from 'projen';
import { SLIM_CLIENT_FILE, SLIM_CLIENT_SCRIPT } from './projenrc/slim-remotion-client';

// The lowest aws-cdk-lib that has everything the library uses: `lambda.Runtime.NODEJS_24_X`
// (added in 2.224.0) is the newest API we touch; the stable apigatewayv2 modules (2.112.0) and
// HttpStage access logs (2.190.0) are older. Tests run against exactly this version.
const CDK_FLOOR = '2.224.0';
// Remotion refuses a client whose version differs from the deployed render function, so the
// version is pinned exactly and exposed as `RemotionRenderFunction.REMOTION_VERSION`.
const REMOTION_VERSION = '4.0.527';

// projen's lambda options type only names `externals` and `sourcemap`, but it passes every
// field on to `Bundler.addBundle`, so we type the options as what they really are.
const handlerBundling: Omit<javascript.AddBundleOptions, 'target' | 'platform'> = {
  // Bundle the AWS SDK too: Remotion's client pins exact SDK versions, and the runtime's copy
  // changes under us. ESM because `@remotion/lambda-client` reads `import.meta.url`, which a
  // CommonJS bundle leaves undefined; the banner gives bundled CommonJS code a `require`.
  externals: [],
  format: 'esm',
  outfile: 'index.mjs',
  minify: true,
  sourcemap: false,
  banner: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
};

const project = new awscdk.AwsCdkConstructLibrary({
  name: '@org/remotion-constructs',
  description: 'AWS CDK constructs that render Remotion videos on AWS Lambda behind an authenticated HTTP API, with IAM roles instead of IAM users.',
  author: 'Org',
  authorAddress: 'opensource@org.example',
  repositoryUrl: 'https://github.com/org/remotion-constructs.git',
  license: 'Apache-2.0',
  keywords: ['cdk', 'remotion', 'lambda', 'video', 'cognito', 'apigateway'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  github: false,
  release: false,
  sampleCode: false,

  cdkVersion: CDK_FLOOR,
  constructsVersion: '10.5.1',
  jsiiVersion: '~5.9.0',
  tsconfigDevFile: 'tsconfig.dev.json',
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'bench', 'projenrc'],
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
  },

  publishToPypi: {
    distName: 'org-remotion-constructs',
    module: 'org_remotion_constructs',
  },
  publishToMaven: {
    javaPackage: 'org.remotion.constructs',
    mavenGroupId: 'org.remotion',
    mavenArtifactId: 'remotion-constructs',
  },

  lambdaOptions: {
    runtime: awscdk.LambdaRuntime.NODEJS_24_X,
    bundlingOptions: handlerBundling,
  },

  devDeps: [
    // jsii 5.9 compiles with TypeScript 5.9; ts-jest and eslint must see the same language.
    'typescript@~5.9.0',
    '@types/node@^20',
    `@remotion/lambda@${REMOTION_VERSION}`,
    // Validates request bodies in the handler; modular, so the bundle keeps only what it uses.
    'valibot@1.5.0',
    '@types/aws-lambda',
    'cdk-nag@2.38.2',
    '@aws-cdk/integ-runner@2.197.10',
    '@aws-cdk/integ-tests-alpha@2.214.0-alpha.0',
    'esbuild',
    // Signs the one Secrets Manager call the handler makes (webhook secret, Remotion's
    // keys-in-Secrets-Manager mode): 7 KB in the bundle where the SDK client took 500 KB, because
    // Remotion's client carries its own copy of the AWS SDK that other clients cannot share.
    'aws4fetch@1.0.20',
  ],

  jestOptions: {
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      snapshotSerializers: ['<rootDir>/test/snapshot-serializer.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/dump-templates.ts'],
      // ES module imports name the compiled file (`./remotion-client.js`); jest loads the .ts source.
      moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
      testTimeout: 30_000,
    },
  },
  gitignore: ['/cdk.out', '/.venv-cfn-lint', '/examples/cdk.out', '/bench/out', '__pycache__'],
  npmignoreEnabled: true,
  npmIgnoreOptions: { ignorePatterns: ['/bench', '/examples', '/test', '/.ci', 'cdk.out'] },
});

// The handler asset ships inside the npm package; jsii targets must carry it too.
project.npmignore?.include('/assets');

// Code splitting: projen's bundler writes one file (`--outfile`), so every cold start would read
// and compile all of Remotion's client even for requests refused during validation. Split, the
// entry chunk holds only our code; Remotion's client and the signer are chunks that `import()`
// reads when a request needs them. Same esbuild, same options, an output folder instead of a file.
const HANDLER_ASSET_DIR = 'assets/render-function/render.lambda';
const handlerBundle = project.tasks.tryFind('bundle:render-function/render.lambda')!;
const projenBundleArgs = (handlerBundle.steps[0].execArgs ?? []).filter((arg) => !arg.startsWith('--outfile='));
handlerBundle.reset();
handlerBundle.execArgs(['node', '-e', `require('fs').rmSync('${HANDLER_ASSET_DIR}', { recursive: true, force: true })`]);
// Remotion's client, made tree-shakable (it drops ~300 KB of AWS SDK clients that rendering never
// runs, 40-110 ms of each cold start that starts a render): see projenrc/slim-remotion-client.ts.
handlerBundle.exec(`ts-node --project tsconfig.dev.json ${SLIM_CLIENT_SCRIPT}`);
handlerBundle.execArgs([
  ...projenBundleArgs,
  `--alias:@remotion/lambda-client=./${SLIM_CLIENT_FILE}`,
  '--splitting',
  `--outdir=${HANDLER_ASSET_DIR}`,
  '--entry-names=index',
  '--chunk-names=chunks/[name]-[hash]',
  '--out-extension:.js=.mjs',
]);
// Translate the TypeScript `@example` blocks into Python and Java in the generated docstrings
// and Javadoc, instead of copying TypeScript into them.
for (const language of ['python', 'java']) {
  project.tasks.tryFind(`package:${language}`)?.env('JSII_PACMAK_ROSETTA_UNKNOWN_SNIPPETS', 'translate');
}

// The generated watch task would rebuild a single file; the handler is small enough to rebuild.
project.removeTask('bundle:render-function/render.lambda:watch');

// The handler's helpers, like the handler entry, only reach consumers through the esbuild bundle,
// so they may import bundled dev dependencies (valibot, Remotion's client).
project.eslint?.allowDevDeps('src/render-function/request.ts');
project.eslint?.allowDevDeps('src/render-function/remotion-client.ts');

// Examples and benchmarks are type-checked with the tests, not compiled into the library.
project.tsconfigDev.addInclude('.projenrc.ts');
project.tsconfigDev.addInclude('examples/**/*.ts');
project.tsconfigDev.addInclude('bench/**/*.ts');

// The README's first command: bundle the handler, then synthesize the example app offline.
const example = project.addTask('example', {
  description: 'Synthesize examples/app.ts with built-in defaults and print what it made',
});
example.spawn(project.tasks.tryFind('bundle')!);
example.exec('ts-node --project tsconfig.dev.json examples/app.ts');

// Checks the integ-runner snapshots offline (never deploys); `scripts/integ.sh --update` rewrites them.
project.addTask('integ:snapshot', { description: 'Verify the integ test snapshots without deploying', exec: 'scripts/integ.sh' });

// Prints bundle size, cold start and synth time against the reference approach (not a test).
const bench = project.addTask('bench', {
  description: 'Measure the handler bundle and synthesis against the reference approach',
});
bench.spawn(project.tasks.tryFind('bundle')!);
bench.exec('ts-node --project tsconfig.dev.json bench/run.ts');

// unrs-resolver (under eslint-import-resolver-typescript) 1.13 names platform bindings that are
// not all published, so `npm ci` rejects the lock file npm writes; 1.12.2 has all of them.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// Build output of the integ runner and the consumers; added last, after projen's `!/test/`.
project.gitignore.exclude('/test/cdk-integ.out.*', '/test/consumers/python/.venv', '/test/consumers/java/target', '.pytest_cache');

project.synth();
