import { awscdk, github, javascript } from 'projen';
import { addHandlerBundle } from './projenrc/handler-bundle';
import { addLayerRules } from './projenrc/layers';

// The lowest aws-cdk-lib that has everything the library uses: `lambda.Runtime.NODEJS_24_X`
// (added in 2.224.0) is the newest API we touch; the stable apigatewayv2 modules (2.112.0) and
// HttpStage access logs (2.190.0) are older. Tests run against exactly this version.
const CDK_FLOOR = '2.224.0';
// Remotion is the consumer's: these dev dependencies only let the tests synthesize and run the
// handler against the newest and the oldest supported versions (src/remotion SUPPORTED_REMOTION).
// The floor is the first @remotion/lambda-client whose ES module build is self-contained (no
// dependencies), so that the construct can copy it, unmodified, beside our handler.
const REMOTION_NEWEST = '4.0.527';
const REMOTION_FLOOR = '4.0.365';
// Go: the first aws-cdk-go that compiles with constructs-go v10.5 (aws-cdk-lib 2.239.0 is the first
// release built against constructs 10.5); see the package:go task below.
const GO_CDK_FLOOR = '2.239.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: '@org/remotion-constructs',
  description: 'AWS CDK constructs that render Remotion videos on AWS Lambda behind an authenticated HTTP API, with IAM roles instead of IAM users.',
  author: 'Org',
  authorAddress: 'opensource@org.example',
  repositoryUrl: 'https://github.com/org/remotion-constructs.git',
  license: 'Apache-2.0',
  // Construct Hub lists packages with the `awscdk` keyword (and a jsii assembly); the rest is search.
  keywords: ['awscdk', 'aws-cdk', 'cdk', 'constructs', 'remotion', 'lambda', 'video', 'video-rendering', 'cognito', 'apigateway'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  // Release: projen generates .github/workflows (build on every PR, release on main) and the
  // release tasks; versions and CHANGELOG.md come from conventional commits. Nothing publishes
  // from a local build: publishing happens only in the release workflow, with its secrets.
  github: true,
  release: true,
  releaseToNpm: true,
  // jsii 5.9 supports Node.js ^22 and ^24 only (Node 20 is past its end of life). CI builds on 24,
  // the version of the Lambda runtime (nodejs24.x) the handler runs on; scripts/node.sh brings it
  // from the npm registry where the machine's Node is older.
  workflowNodeVersion: '24.x',
  minNodeVersion: '22.0.0',
  // No Mergify app, and no weekly upgrade PRs: the aws-cdk-lib floor and the exact Remotion pin
  // are deliberate, and moving them is a reviewed change (see CONTRIBUTING.md).
  githubOptions: {
    mergify: false,
    // The PR title becomes the squashed commit on main, from which the release computes the version
    // and the changelog: every Conventional Commits type we use (.githooks/commit-msg checks the same).
    pullRequestLintOptions: {
      semanticTitleOptions: { types: ['feat', 'fix', 'perf', 'refactor', 'docs', 'test', 'build', 'ci', 'chore', 'revert'] },
    },
  },
  depsUpgrade: false,
  // Construct Hub and pacmak pick up this tablet of translated snippets from the npm package.
  // See rosetta/ and the rosetta:extract task below.
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
    // The release workflow's OIDC identity instead of a long-lived PyPI token (configure the
    // trusted publisher on pypi.org once). npm and Maven Central publish with tokens (CONTRIBUTING.md).
    trustedPublishing: true,
  },
  publishToMaven: {
    javaPackage: 'org.remotion.constructs',
    mavenGroupId: 'org.remotion',
    mavenArtifactId: 'remotion-constructs',
    // Maven Central's Central Portal (OSSRH's successor): publib's `central-ossrh` server id
    // publishes through the Portal's API, and takes no custom endpoint (projen rejects one).
    mavenServerId: 'central-ossrh',
  },
  // Go: `import "github.com/org/remotion-constructs-go/remotionconstructs"`, used as
  // `remotionconstructs.NewAuthenticatedRenderApi(...)`. jsii pushes the generated module to its own
  // repository (the `-go` suffix, as cdk-nag-go and datadog-cdk-constructs-go do), in a folder named
  // after the package. The package name is the library's name in one lowercase word, as Go wants
  // (no `org`, no dashes or underscores), and reads like aws-cdk-go's `awscdk` and cdk-nag's `cdknag`;
  // every export already starts with `Remotion`, so a shorter `remotion` would not tell it apart
  // from Remotion's own packages.
  publishToGo: {
    moduleName: 'github.com/org/remotion-constructs-go',
    packageName: 'remotionconstructs',
    // A deploy key (secret GO_GITHUB_DEPLOY_KEY) can push to that one repository only, where a
    // personal access token could push to every repository its owner can.
    githubUseSsh: true,
    gitUserName: 'remotion-constructs-release',
    gitUserEmail: 'opensource@org.example',
  },

  // The handler is bundled by projenrc/handler-bundle.ts, and the construct loads it itself.
  lambdaAutoDiscover: false,
  // The handler runtime reaches consumers only through its bundle: keep it out of jsii and lib/.
  excludeTypescript: ['src/render-function/runtime/**'],

  devDeps: [
    // jsii 5.9 compiles with TypeScript 5.9; ts-jest and eslint must see the same language.
    'typescript@~5.9.0',
    '@types/node@^22',
    `@remotion/lambda@${REMOTION_NEWEST}`,
    // The oldest supported @remotion/lambda (SUPPORTED_REMOTION.floor), under an alias beside the
    // newest: the handler, policy, RemotionLambda drift and client-agreement tests run against both.
    `remotion-lambda-floor@npm:@remotion/lambda@${REMOTION_FLOOR}`,
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
    // The render queue: POST /renders sends, the dispatcher defers (ChangeMessageVisibility).
    // External like the DynamoDB clients.
    '@aws-sdk/client-sqs@3.986.0',
    // Idempotency-Key on POST /renders (MIT-0): DynamoDB persistence, payload validation,
    // in-progress detection and expiry. Bundled; its DynamoDB client stays external as above.
    '@aws-lambda-powertools/idempotency@2.35.0',
    // The OpenAPI document (openapi/): checked against the OpenAPI 3.1 schema, every handler
    // test's answer checked against it (Ajv's JSON Schema 2020-12, the dialect of OpenAPI 3.1),
    // and the typed client the README shows generated from it (all MIT).
    '@seriousme/openapi-schema-validator@2.11.0',
    'ajv@8.20.0',
    'ajv-formats@3.0.1',
    'openapi-typescript@7.13.0',
    'openapi-fetch@0.17.0',
    // Render metrics (RENDER_METRICS) as CloudWatch embedded metric format (MIT-0). Bundled, and
    // imported lazily: an invocation that records no metric never evaluates it.
    '@aws-lambda-powertools/metrics@2.35.0',
  ],

  jestOptions: {
    // A changed template must fail its snapshot, locally and in CI: `test` runs jest with `--ci`
    // and never rewrites snapshots. Update them on purpose with `npx projen test:update`.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      snapshotSerializers: ['<rootDir>/test/snapshot-serializer.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/dump-templates.ts'],
      // ES module imports name the compiled file (`./remotion-client.js`); jest loads the .ts source.
      moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
      testTimeout: 30_000,
    },
  },
  gitignore: ['/cdk.out', '/.venv-cfn-lint', '/.venv-moto', '/.toolchain', '/examples/cdk.out', '/bench/out', '__pycache__'],
  npmignoreEnabled: true,
  // Only what consumers load ships: no build scripts, no virtualenvs (scripts/cfn-lint.sh makes
  // .venv-cfn-lint in the repository root); fixtures stay (Construct Hub compiles with them).
  npmIgnoreOptions: {
    ignorePatterns: ['/bench', '/examples', '/test', '/.ci', 'cdk.out', '/scripts', '/docs', '/CONTRIBUTING.md', '/.venv-*', '/.toolchain'],
  },
});

// The handler asset ships inside the npm package; jsii targets must carry it too.
project.npmignore?.include('/assets');
// Licence texts of what the handler bundle holds (valibot, aws4fetch); also copied into the asset.
project.npmignore?.include('/THIRD-PARTY-NOTICES');
// The HTTP API's OpenAPI document, for users to generate clients from (README: OpenAPI).
project.npmignore?.include('/openapi');
addHandlerBundle(project);

// Docs in every language: every README and `@example` snippet is compiled against the fixtures in
// rosetta/ and translated once, into .jsii.tabl.json; a snippet that does not compile fails the
// build (strict, also declared in package.json for Construct Hub). pacmak then uses only that
// tablet, and fails rather than translate a snippet it never compiled.
// The README's cdk-nag suppression snippet imports cdk-nag (a devDependency, also what the nag test runs).
project.package.addField('jsiiRosetta', { strict: true, exampleDependencies: { 'cdk-nag': '2.38.2' } });
const rosetta = project.addTask('rosetta:extract', {
  description: 'Compile every README and @example snippet against rosetta/*.ts-fixture and translate it (fails on any error)',
  exec: 'jsii-rosetta extract --strict',
});
// Go: aws-cdk-lib's translations of the static-method examples Go re-declares on our classes, and
// a comment instead of each Go translation that misleads (projenrc/rosetta-go.ts says which).
rosetta.exec('ts-node --project tsconfig.dev.json projenrc/rosetta-go.ts');
project.postCompileTask.spawn(rosetta);
for (const language of ['python', 'java', 'go']) {
  project.tasks.tryFind(`package:${language}`)?.env('JSII_PACMAK_ROSETTA_UNKNOWN_SNIPPETS', 'fail');
}
const packageGo = project.tasks.tryFind('package:go')!;
// aws-cdk-go older than GO_CDK_FLOOR declares `With()` twice on every L1 construct once
// constructs-go is v10.5 (our floor): "ambiguous selector" and nothing compiles. pacmak writes
// aws-cdk-lib's floor (2.224.0) into go.mod and builds with it, so: code only, then the go.mod
// requires the first aws-cdk-go that compiles; the Go consumer (scripts/consumers-go.sh) builds it.
packageGo.reset('jsii-pacmak -v --target go --code-only');
packageGo.exec(`go mod edit -require=github.com/aws/aws-cdk-go/awscdk/v2@v${GO_CDK_FLOOR} go.mod`, { cwd: 'dist/go/remotionconstructs' });
project.npmignore?.include('/.jsii.tabl.json');

// API compatibility: projen's `compat` task (jsii-diff against the latest npm release, breaking
// changes fail unless listed in .compatignore) runs after every compile once a release exists.
// `compat: true` would run it unconditionally, and jsii-diff fails while nothing is published.
project.compileTask.spawn(project.tasks.tryFind('compat')!, {
  // (`--silent`: no error output while the package is unpublished; projen conditions take no redirects.)
  condition: `npm view ${project.package.packageName} version --silent`,
});
project.gitignore.exclude('/.jsii.tabl.json');

// The handler runtime only reaches consumers through the esbuild bundle, so it may import
// bundled dev dependencies (valibot, Remotion's client).
project.eslint?.allowDevDeps('src/render-function/runtime/**');
// Arrows point down only (projenrc/layers.ts): one rule, generated from one list of layers.
addLayerRules(project);

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

// The handler tests run against moto in server mode (pinned, from PyPI, in .venv-moto/): `test`
// installs it first, so `npm ci && npx projen test` passes on a clean clone (idempotent, ~0 s warm).
const motoInstall = project.addTask('moto:install', {
  description: 'Install the pinned moto server into .venv-moto/ for the handler tests (idempotent)',
  exec: 'bash scripts/moto.sh install',
});
project.testTask.prependSpawn(motoInstall);

// Checks the integ-runner snapshots offline (never deploys); `scripts/integ.sh --update` rewrites them.
project.addTask('integ:snapshot', { description: 'Verify the integ test snapshots without deploying', exec: 'scripts/integ.sh' });

// Prints bundle size, cold start and synth time against the reference approach (not a test).
const bench = project.addTask('bench', {
  description: 'Measure the handler bundle and synthesis against the reference approach',
});
bench.spawn(project.tasks.tryFind('bundle')!);
bench.exec('ts-node --project tsconfig.dev.json bench/run.ts');
bench.exec('ts-node --project tsconfig.dev.json bench/metrics.ts');

// unrs-resolver (under eslint-import-resolver-typescript) 1.13 names platform bindings that are
// not all published, so `npm ci` rejects the lock file npm writes; 1.12.2 has all of them.
// npm leaves the other platforms' optional compositor binaries of the aliased floor Remotion out of
// the lock file, and `npm ci` then refuses it; pointing them at the newest's (never run: nothing
// renders locally) lets them dedupe to the entries the lock does have.
const COMPOSITOR_PLATFORMS = ['darwin-arm64', 'darwin-x64', 'linux-arm64-gnu', 'linux-arm64-musl', 'linux-x64-gnu', 'linux-x64-musl', 'win32-x64-msvc'];
project.package.addField('overrides', {
  'unrs-resolver': '1.12.2',
  'remotion-lambda-floor': Object.fromEntries(COMPOSITOR_PLATFORMS.map((platform) => [`@remotion/compositor-${platform}`, REMOTION_NEWEST])),
});

// projen's build workflow runs `npx projen build` and packages; this one runs every test, as
// .ci/run does (cfn-lint, integ snapshots, the Python and Java consumers that execute the
// translated doc snippets, and the Go consumer), with the same action versions as the generated workflows.
const testAll = project.github!.addWorkflow('test-all');
testAll.on({ pullRequest: {}, workflowDispatch: {} });
testAll.addJobs({
  'test-all': {
    runsOn: ['ubuntu-latest'],
    permissions: { contents: github.workflows.JobPermission.READ },
    steps: [
      { name: 'Checkout', uses: 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1' },
      { name: 'Setup Node.js', uses: 'actions/setup-node@v7.0.0', with: { 'node-version': '22.x' } },
      { name: 'Setup Python', uses: 'actions/setup-python@v7.0.0', with: { 'python-version': '3.x' } },
      { name: 'Setup Java', uses: 'actions/setup-java@v6.0.0', with: { 'distribution': 'corretto', 'java-version': '17' } },
      // The Go consumer's go.mod names the oldest Go it builds with; scripts/consumers-go.sh never downloads another.
      { name: 'Setup Go', uses: 'actions/setup-go@v7.0.0', with: { 'go-version-file': 'test/consumers/go/go.mod', 'cache': false } },
      { name: 'Every test (what .ci/run runs)', run: 'bash .ci/run' },
    ],
  },
});

// Build output of the integ runner and the consumers; added last, after projen's `!/test/`.
project.gitignore.exclude('/test/cdk-integ.out.*', '/test/docs/.snippet-*', '/test/consumers/python/.venv', '/test/consumers/java/target', '.pytest_cache');
// The consumers' own `npm i @remotion/lambda` (scripts/consumers-common.sh), read by RemotionLambda at synth.
project.gitignore.exclude('/test/consumers/*/node_modules');
// Small stand-ins for broken or unsupported Remotion installs (test/remotion/index.test.ts).
project.gitignore.include('/test/remotion/fixtures/*/node_modules/');

project.synth();
