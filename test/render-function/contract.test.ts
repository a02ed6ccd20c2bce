import { Template } from 'aws-cdk-lib/assertions';
import { RemotionSite } from '../../src/remotion-lambda';
import { RemotionCodec, RemotionPrivacy, RemotionRenderFunction } from '../../src/render-function';
import { CODEC_EXTENSIONS, RENDER_ENV } from '../../src/render-function/contract';
import { loadConfig } from '../../src/render-function/runtime/config';
import { newStack } from '../util';

const SERVE_URL = 'https://remotionlambda-useast1-abc.s3.us-east-1.amazonaws.com/sites/demo/index.html';
const FUNCTION_NAME = 'remotion-render-4-0-527-mem2048mb-disk2048mb-120sec';

/** The environment a `RemotionRenderFunction` built with `props` hands its handler. */
function environmentOf(props: Partial<ConstructorParameters<typeof RemotionRenderFunction>[2]> = {}): Record<string, string> {
  const stack = newStack({ env: { account: '111122223333', region: 'us-east-1' } });
  const site = RemotionSite.fromSiteAttributes(stack, 'Site', { serveUrl: SERVE_URL, remotionFunctionName: FUNCTION_NAME });
  new RemotionRenderFunction(stack, 'Fn', { site, compositions: ['HelloWorld'], ...props });
  const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
  return fn.Properties.Environment.Variables;
}

describe('the construct-to-handler contract', () => {
  it('gives every RemotionCodec a file extension in the handler, and the handler no codec the construct lacks', () => {
    expect(Object.keys(CODEC_EXTENSIONS).sort()).toEqual(Object.values(RemotionCodec).sort());
  });

  it.each(Object.values(RemotionCodec))('lets the handler render with %s when the construct allows it', (codec) => {
    const config = loadConfig(environmentOf({ defaultCodec: codec, allowedCodecs: [codec] }));
    expect(config.defaultCodec).toBe(codec);
    expect(config.allowedCodecs).toEqual([codec]);
  });

  it.each(Object.values(RemotionPrivacy))('hands privacy %s to the handler, which understands it', (privacy) => {
    expect(loadConfig(environmentOf({ privacy })).privacy).toBe(privacy);
  });

  it('sets only variables that the contract names (besides the SDK switch)', () => {
    const names = Object.keys(environmentOf({ webhookUrl: undefined }));
    const contract: string[] = Object.values(RENDER_ENV);
    expect(names.filter((name) => !contract.includes(name))).toEqual(['AWS_NODEJS_CONNECTION_REUSE_ENABLED']);
  });
});
