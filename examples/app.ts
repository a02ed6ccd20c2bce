/**
 * The example app that the README's first command synthesizes: an AuthenticatedRenderApi with
 * built-in defaults, synthesized offline, followed by a short summary of what it made.
 *
 *   npx ts-node --project tsconfig.dev.json examples/app.ts
 *
 * Override the defaults with the environment: REMOTION_SERVE_URL, REMOTION_FUNCTION_NAME,
 * REMOTION_COMPOSITIONS (comma-separated), CDK_DEFAULT_REGION.
 */
import { App, Stack } from 'aws-cdk-lib';
import { AuthenticatedRenderApi } from '../src';
import { DEFAULT_FUNCTION_NAME, DEFAULT_SERVE_URL } from './defaults';
import { summarize } from './summary';

const app = new App({ outdir: process.env.CDK_OUTDIR ?? 'examples/cdk.out' });
const region = process.env.CDK_DEFAULT_REGION ?? 'us-east-1';
const stack = new Stack(app, 'RemotionRenderExample', {
  env: { region, account: process.env.CDK_DEFAULT_ACCOUNT },
});

new AuthenticatedRenderApi(stack, 'Render', {
  render: {
    serveUrl: process.env.REMOTION_SERVE_URL ?? DEFAULT_SERVE_URL,
    remotionFunctionName: process.env.REMOTION_FUNCTION_NAME ?? DEFAULT_FUNCTION_NAME,
    compositions: (process.env.REMOTION_COMPOSITIONS ?? 'HelloWorld').split(',').map((c) => c.trim()),
  },
});

const assembly = app.synth();
console.log(summarize(assembly.getStackByName(stack.stackName).template, assembly.directory));
