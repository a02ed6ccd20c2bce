import { awscdk, javascript } from 'projen';
import { addHandlerBundle } from './projenrc/handler-bundle';

// The lowest aws-cdk-lib that has everything the library uses: `lambda.Runtime.NODEJS_24_X`
// (added in 2.224.0) is the newest API we touch; the stable apigatewayv2 modules (2.112.0) and
// HttpStage access logs (2.190.0) are older. Tests run against exactly this version.
const CDK_FLOOR = '2.224.0';
// Remotion refuses a client whose version differs from the deployed render function, so the
// version is pinned exactly and exposed as `RemotionRenderFunction.REMOTION_VERSION`.
const REMOTION_VERSION = '4.0.527';

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

  // The handler is bundled by projenrc/handler-bundle.ts, and the construct loads it itself.
  lambdaAutoDiscover: false,
  // The handler runtime reaches consumers only through its bundle: keep it out of jsii and lib/.
  excludeTypescript: ['src/render-function/runtime/**'],

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
    // Render records (src/render-function/runtime/records/): the handler imports these lazily and
    // the bundle leaves them external, because Lambda's Node.js runtime ships AWS SDK v3; they are
    // dev dependencies so that tests of the source and of the bundle resolve them. Same release as
    // the SDK inside Remotion's client, so node_modules holds one copy of the shared packages.
    '@aws-sdk/client-dynamodb@3.986.0',
    '@aws-sdk/lib-dynamodb@3.986.0',
    // Imported by Powertools' DynamoDB persistence layer; external like the two above.
    '@aws-sdk/util-dynamodb@3.986.0',
    // Idempotency-Key on POST /renders (MIT-0): DynamoDB persistence, payload validation,
    // in-progress detection and expiry. Bundled; its DynamoDB client stays external as above.
    '@aws-lambda-powertools/idempotency@2.35.0',
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
  gitignore: ['/cdk.out', '/.venv-cfn-lint', '/.venv-moto', '/examples/cdk.out', '/bench/out', '__pycache__'],
  npmignoreEnabled: true,
  npmIgnoreOptions: { ignorePatterns: ['/bench', '/examples', '/test', '/.ci', 'cdk.out'] },
});

// The handler asset ships inside the npm package; jsii targets must carry it too.
project.npmignore?.include('/assets');
addHandlerBundle(project);

// Translate the TypeScript `@example` blocks into Python and Java in the generated docstrings
// and Javadoc, instead of copying TypeScript into them.
for (const language of ['python', 'java']) {
  project.tasks.tryFind(`package:${language}`)?.env('JSII_PACMAK_ROSETTA_UNKNOWN_SNIPPETS', 'translate');
}

// The handler runtime only reaches consumers through the esbuild bundle, so it may import
// bundled dev dependencies (valibot, Remotion's client).
project.eslint?.allowDevDeps('src/render-function/runtime/**');
// Arrows point down only: construct code never imports the handler runtime, and the runtime
// imports nothing of the constructs but their shared contract and name patterns.
project.eslint?.addRules({
  'import/no-restricted-paths': ['error', {
    zones: [
      {
        target: ['./src/*.ts', './src/!(render-function)/**/*', './src/render-function/*.ts'],
        from: './src/render-function/runtime',
        message: 'Construct code runs at synth; the handler runtime reaches Lambda only through its bundle.',
      },
      {
        target: './src/render-function/runtime',
        from: './src',
        except: ['./render-function/runtime', './render-function/contract.ts', './private/patterns.ts'],
        message: 'The handler runtime may import only its contract (src/render-function/contract.ts) and src/private/patterns.ts.',
      },
      {
        target: './src/private',
        from: './src',
        except: ['./private'],
        message: 'src/private is the bottom layer and imports nothing above it.',
      },
      {
        target: './src/remotion',
        from: './src',
        except: ['./remotion', './private'],
        message: 'src/remotion reads the consumer\'s Remotion install and imports nothing above it.',
      },
      {
        target: './src/policy',
        from: ['./src/role', './src/render-function', './src/remotion-lambda', './src/api'],
        message: 'Arrows point down: api -> render-function / remotion-lambda -> role -> policy -> remotion, private.',
      },
      {
        target: './src/role',
        from: ['./src/render-function', './src/remotion-lambda', './src/api'],
        message: 'Arrows point down: api -> render-function / remotion-lambda -> role -> policy -> remotion, private.',
      },
      {
        target: './src/render-function',
        from: ['./src/api', './src/render-records'],
        message: 'Arrows point down: api -> render-records -> render-function -> role -> policy -> remotion, private.',
      },
      {
        target: './src/render-records',
        from: ['./src/api', './src/render-function/runtime'],
        message: 'Arrows point down: api -> render-records -> render-function -> role -> policy -> remotion, private.',
      },
      {
        target: './src/render-function',
        from: ['./src/api'],
        message: 'Arrows point down: api -> render-function / remotion-lambda -> role -> policy -> remotion, private.',
      },
    ],
  }],
});

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
