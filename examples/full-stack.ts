/**
 * The whole setup in one stack: Remotion's own render function, bucket and site (RemotionLambda),
 * and the Cognito-authenticated render API in front of it. `cdk deploy` of this stack is all it
 * takes: no `npx remotion lambda ...` step, no IAM user, no long-lived keys.
 *
 * The site is the output folder of `npx remotion bundle` in your Remotion project; the example
 * uses a small fixture folder of the tests unless REMOTION_BUNDLE_DIR names one.
 */
import * as path from 'path';
import { App, Stack, StackProps } from 'aws-cdk-lib';
import { AuthenticatedRenderApi, RemotionLambda } from '../src';

/** A stand-in for `npx remotion bundle` output, with the index.html Remotion's tools read. */
export const FIXTURE_BUNDLE_DIR = path.join(__dirname, '..', 'test', 'remotion-lambda', 'fixtures', 'site');

export interface FullStackProps extends StackProps {
  /** Output folder of `npx remotion bundle`. */
  readonly bundleDir?: string;
  /** Composition ids callers may render. */
  readonly compositions?: string[];
}

export class FullStack extends Stack {
  public readonly remotion: RemotionLambda;
  public readonly api: AuthenticatedRenderApi;

  constructor(scope: App, id: string, props: FullStackProps = {}) {
    super(scope, id, props);
    this.remotion = new RemotionLambda(this, 'Remotion');
    const site = this.remotion.addSite('my-video', { bundleDir: props.bundleDir ?? FIXTURE_BUNDLE_DIR });
    this.api = new AuthenticatedRenderApi(this, 'Render', {
      render: { site, compositions: props.compositions ?? ['HelloWorld'] },
    });
  }
}
