/**
 * The example app that the README's first command synthesizes: an AuthenticatedRenderApi with
 * built-in defaults in front of a Remotion deployment made elsewhere, and the full stack
 * (RemotionLambda + a site + AuthenticatedRenderApi), synthesized offline, each followed by a
 * short summary of what it made.
 *
 *   npx ts-node --project tsconfig.dev.json examples/app.ts
 *
 * Override the defaults with the environment: REMOTION_SERVE_URL, REMOTION_FUNCTION_NAME,
 * REMOTION_COMPOSITIONS (comma-separated), CDK_DEFAULT_REGION.
 */
import { App, Stack } from 'aws-cdk-lib';
import { AuthenticatedRenderApi, RemotionSite } from '../src';
import { DEFAULT_FUNCTION_NAME, DEFAULT_SERVE_URL } from './defaults';
import { FullStack } from './full-stack';
import { summarize } from './summary';

const app = new App({ outdir: process.env.CDK_OUTDIR ?? 'examples/cdk.out' });
const region = process.env.CDK_DEFAULT_REGION ?? 'us-east-1';
const stack = new Stack(app, 'RemotionRenderExample', {
  env: { region, account: process.env.CDK_DEFAULT_ACCOUNT },
});

new AuthenticatedRenderApi(stack, 'Render', {
  render: {
    site: RemotionSite.fromSiteAttributes(stack, 'Site', {
      serveUrl: process.env.REMOTION_SERVE_URL ?? DEFAULT_SERVE_URL,
      remotionFunctionName: process.env.REMOTION_FUNCTION_NAME ?? DEFAULT_FUNCTION_NAME,
    }),
    compositions: (process.env.REMOTION_COMPOSITIONS ?? 'HelloWorld').split(',').map((c) => c.trim()),
  },
});

// The whole setup, Remotion's side included (see examples/full-stack.ts); REMOTION_BUNDLE_DIR
// names the output folder of `npx remotion bundle` to deploy as its site.
const fullStack = new FullStack(app, 'RemotionFullStackExample', {
  env: { region, account: process.env.CDK_DEFAULT_ACCOUNT },
  bundleDir: process.env.REMOTION_BUNDLE_DIR,
  compositions: (process.env.REMOTION_COMPOSITIONS ?? 'HelloWorld').split(',').map((c) => c.trim()),
});

const assembly = app.synth();
for (const synthesized of [stack, fullStack]) {
  console.log(`\n== ${synthesized.stackName}`);
  console.log(summarize(assembly.getStackByName(synthesized.stackName).template, assembly.directory));
}
