import { awscdk } from 'projen';

/** The API handler's entry file: everything under its folder runs in Lambda, never at synth. */
export const HANDLER_ENTRY = 'src/render-function/runtime/render.lambda.ts';

/**
 * Every function's entry, by the file name it gets in the asset (`<name>.mjs`, handler
 * `<name>.handler`): the API handler, the render queue's dispatcher and its sweeper. One asset
 * for all three, so they share chunks and the one staged copy of the consumer's Remotion client.
 */
export const HANDLER_ENTRIES: Readonly<Record<string, string>> = {
  index: HANDLER_ENTRY,
  dispatcher: 'src/render-function/runtime/dispatcher.lambda.ts',
  sweeper: 'src/render-function/runtime/sweeper.lambda.ts',
};

/** Where the bundled handler is written; it ships in the package beside `lib/`. */
export const HANDLER_ASSET_DIR = 'assets/render-handler';

/** Licence texts of the open-source code the bundle holds; a test keeps it in step with the bundle. */
export const NOTICES_FILE = 'THIRD-PARTY-NOTICES';

/** The projen task that writes `HANDLER_ASSET_DIR`. */
export const HANDLER_BUNDLE_TASK = 'bundle:render-handler';

/**
 * The esbuild options of the handler bundle, shared with the bench's copy of it.
 *
 * - The AWS SDK inside Remotion's client is bundled too: Remotion's client pins exact SDK
 *   versions, and the runtime's copy changes under us. The DynamoDB clients of the render
 *   records are not: nothing pins them, and the runtime's copy saves their size in the bundle.
 * - ESM, because `@remotion/lambda-client` reads `import.meta.url`, which a CommonJS bundle leaves
 *   undefined; the banner gives bundled CommonJS code a `require`.
 * - Code splitting: the entry chunk holds only our code; the signer is a chunk that `import()`
 *   reads when a request needs it. Remotion's client is not in the bundle at all: the handler
 *   imports the consumer's own copy, which the construct puts beside `index.mjs` at synth
 *   (src/render-function/handler-code.ts). So every request refused during validation is answered
 *   without reading or compiling either.
 */
export const HANDLER_ESBUILD_ARGS: readonly string[] = [
  '--bundle',
  '--target=node24',
  '--platform=node',
  '--tsconfig=tsconfig.dev.json',
  '--format=esm',
  '--minify',
  "--banner:js=import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
  '--splitting',
  '--entry-names=[name]',
  '--chunk-names=chunks/[name]-[hash]',
  '--out-extension:.js=.mjs',
  // The render records' DynamoDB clients come from Lambda's Node.js runtime (AWS SDK v3).
  '--external:@aws-sdk/client-dynamodb',
  '--external:@aws-sdk/lib-dynamodb',
  '--external:@aws-sdk/util-dynamodb',
  '--external:@aws-sdk/client-sqs',
];

/**
 * Adds the handler bundle task and runs it from projen's `bundle` task (so before every compile).
 * projen's own lambda bundling is turned off (`lambdaAutoDiscover: false`): it writes one file and
 * generates a `lambda.Function` subclass beside the handler, while ours is a split folder that the
 * construct in `src/render-function/` loads itself.
 */
export function addHandlerBundle(project: awscdk.AwsCdkConstructLibrary): void {
  const task = project.addTask(HANDLER_BUNDLE_TASK, {
    description: `Bundle ${Object.values(HANDLER_ENTRIES).join(', ')} into ${HANDLER_ASSET_DIR}/`,
  });
  task.execArgs(['node', '-e', `require('fs').rmSync('${HANDLER_ASSET_DIR}', { recursive: true, force: true })`]);
  task.execArgs([
    'esbuild',
    ...Object.entries(HANDLER_ENTRIES).map(([name, entry]) => `${name}=${entry}`),
    ...HANDLER_ESBUILD_ARGS,
    `--outdir=${HANDLER_ASSET_DIR}`,
  ]);
  // The asset carries the licence texts of what it bundles (and nothing of Remotion's).
  task.execArgs(['node', '-e', `require('fs').copyFileSync('${NOTICES_FILE}', '${HANDLER_ASSET_DIR}/${NOTICES_FILE}')`]);
  project.bundler.bundleTask.spawn(task);
}
