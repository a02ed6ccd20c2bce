import type { RenderProgress } from '@remotion/lambda/client';
import { CALLER_SUB, constructEnvironment, OTHER_SUB, REMOTION_FUNCTION_NAME, SERVE_URL } from './handler-events';
import { RENDER_ENV } from '../../../src/render-function/contract';
import { loadConfig, type RenderHandlerConfig } from '../../../src/render-function/runtime/config';
import {
  apiBaseUrl,
  isRenderOwnedBy,
  isUnknownRenderError,
  outputLocation,
  planOutputLink,
  renderMediaInput,
  renderProgressInput,
  statusUrl,
} from '../../../src/render-function/runtime/remotion-input';

const OUTPUT_ID = '0b9d2c4e-1111-4222-8333-444455556666';
const config = loadConfig(constructEnvironment());
const bucketConfig = loadConfig(constructEnvironment({ [RENDER_ENV.BUCKET_NAME]: 'my-render-bucket' }));

type ProgressForLink = Parameters<typeof planOutputLink>[0];

function finished(overrides: Partial<ProgressForLink> = {}): ProgressForLink {
  return {
    done: true,
    outputFile: 'https://s3.us-east-1.amazonaws.com/remotionlambda-useast1-abc/renders/r1/out.mp4',
    outBucket: 'remotionlambda-useast1-abc',
    outKey: 'renders/r1/out.mp4',
    renderMetadata: null,
    ...overrides,
  };
}

function withPrivacy(privacy: 'public' | 'private' | 'no-acl'): RenderProgress['renderMetadata'] {
  return { privacy, metadata: null } as unknown as RenderProgress['renderMetadata'];
}

describe('outputLocation', () => {
  it('is a name under the caller\'s folder when Remotion picks the bucket', () => {
    expect(outputLocation(config, CALLER_SUB, 'video.mp4', OUTPUT_ID)).toBe(`renders-by-user/${CALLER_SUB}/video.mp4`);
  });

  it('is a full key with a fresh id in the configured bucket', () => {
    expect(outputLocation(bucketConfig, CALLER_SUB, 'video.mp4', OUTPUT_ID)).toEqual({
      bucketName: 'my-render-bucket',
      key: `renders-by-user/${CALLER_SUB}/${OUTPUT_ID}/video.mp4`,
    });
  });

  it('works without a prefix', () => {
    expect(outputLocation({ ...config, outputPrefix: '' }, CALLER_SUB, 'a.gif', OUTPUT_ID)).toBe(`${CALLER_SUB}/a.gif`);
  });
});

describe('renderMediaInput', () => {
  const request = { composition: 'Intro', inputProps: { title: 'Hi' }, codec: 'h264', outName: 'video.mp4' };

  it('passes what the deployment fixes and what the caller chose, and records the owner', () => {
    expect(renderMediaInput({ config, request, sub: CALLER_SUB, uniqueId: OUTPUT_ID })).toEqual({
      region: 'us-east-1',
      functionName: REMOTION_FUNCTION_NAME,
      serveUrl: SERVE_URL,
      composition: 'Intro',
      inputProps: { title: 'Hi' },
      codec: 'h264',
      privacy: 'private',
      outName: `renders-by-user/${CALLER_SUB}/video.mp4`,
      metadata: { ownerSub: CALLER_SUB },
      framesPerLambda: undefined,
      maxRetries: undefined,
      forceBucketName: undefined,
      webhook: undefined,
    });
  });

  it('forces the configured bucket and adds the optional settings', () => {
    const fullConfig: RenderHandlerConfig = { ...bucketConfig, framesPerLambda: 20, maxRetries: 3, webhookUrl: 'https://hooks.example.com/r' };

    expect(renderMediaInput({ config: fullConfig, request, sub: CALLER_SUB, uniqueId: OUTPUT_ID, webhookSecret: 'signing' })).toMatchObject({
      forceBucketName: 'my-render-bucket',
      framesPerLambda: 20,
      maxRetries: 3,
      webhook: { url: 'https://hooks.example.com/r', secret: 'signing' },
    });
    expect(renderMediaInput({ config: fullConfig, request, sub: CALLER_SUB, uniqueId: OUTPUT_ID }).webhook)
      .toEqual({ url: 'https://hooks.example.com/r', secret: null });
  });
});

describe('renderProgressInput', () => {
  it('asks the render function about the render in its bucket', () => {
    expect(renderProgressInput(config, { renderId: 'abc123', bucketName: 'remotionlambda-useast1-abc' })).toEqual({
      region: 'us-east-1',
      functionName: REMOTION_FUNCTION_NAME,
      renderId: 'abc123',
      bucketName: 'remotionlambda-useast1-abc',
    });
  });
});

describe('isRenderOwnedBy', () => {
  const progressOwnedBy = (metadata: Record<string, string> | null) =>
    ({ renderMetadata: { metadata } } as unknown as Pick<RenderProgress, 'renderMetadata'>);

  it('is true only for the sub recorded when the render started', () => {
    expect(isRenderOwnedBy(progressOwnedBy({ ownerSub: CALLER_SUB }), CALLER_SUB)).toBe(true);
    expect(isRenderOwnedBy(progressOwnedBy({ ownerSub: OTHER_SUB }), CALLER_SUB)).toBe(false);
  });

  it('is false while Remotion has not written the metadata yet', () => {
    expect(isRenderOwnedBy({ renderMetadata: null }, CALLER_SUB)).toBe(false);
    expect(isRenderOwnedBy(progressOwnedBy(null), CALLER_SUB)).toBe(false);
  });
});

describe('planOutputLink', () => {
  it('has no link before the render is done', () => {
    expect(planOutputLink(finished({ done: false }), config)).toEqual({ kind: 'none' });
  });

  it('presigns the output of a private render', () => {
    expect(planOutputLink(finished(), config)).toEqual({
      kind: 'presigned',
      input: { region: 'us-east-1', bucketName: 'remotionlambda-useast1-abc', objectKey: 'renders/r1/out.mp4', expiresInSeconds: 900 },
    });
    expect(planOutputLink(finished({ renderMetadata: withPrivacy('no-acl') }), { ...config, privacy: 'public' }).kind).toBe('presigned');
  });

  it('links a public render\'s output as it is, following the privacy the render was started with', () => {
    expect(planOutputLink(finished({ renderMetadata: withPrivacy('public') }), config))
      .toEqual({ kind: 'public', url: 'https://s3.us-east-1.amazonaws.com/remotionlambda-useast1-abc/renders/r1/out.mp4' });
  });

  it('has no link when Remotion reports no output location', () => {
    expect(planOutputLink(finished({ outKey: null }), config)).toEqual({ kind: 'none' });
    expect(planOutputLink(finished({ outputFile: null }), { ...config, privacy: 'public' })).toEqual({ kind: 'none' });
  });
});

describe('statusUrl', () => {
  const domainName = 'api.example.com';

  it('points at the render on the default stage, echoing Remotion\'s bucket', () => {
    expect(statusUrl({ domainName, stage: '$default' }, 'abc123', 'remotionlambda-useast1-abc'))
      .toBe('https://api.example.com/renders/abc123?bucketName=remotionlambda-useast1-abc');
  });

  it('includes a named stage in the path and leaves out a configured bucket', () => {
    expect(statusUrl({ domainName, stage: 'prod' }, 'abc123')).toBe('https://api.example.com/prod/renders/abc123');
  });

  it('keeps a custom domain\'s mapping key, which API Gateway leaves in rawPath before the route', () => {
    expect(statusUrl({ domainName: 'api.example.com', stage: '$default' }, 'abc123', undefined, '/video/renders'))
      .toBe('https://api.example.com/video/renders/abc123');
    expect(statusUrl({ domainName: 'api.example.com', stage: '$default' }, 'abc123', undefined, '/renders'))
      .toBe('https://api.example.com/renders/abc123');
    expect(statusUrl({ domainName: 'abc.execute-api.us-east-1.amazonaws.com', stage: 'prod' }, 'abc123', undefined, '/prod/renders'))
      .toBe('https://abc.execute-api.us-east-1.amazonaws.com/prod/renders/abc123');
  });

  it('falls back to the stage when rawPath does not end in the route, or holds what no mapping key can', () => {
    expect(apiBaseUrl({ domainName: 'api.example.com', stage: 'prod' }, '/elsewhere', '/renders')).toBe('https://api.example.com/prod');
    expect(apiBaseUrl({ domainName: 'api.example.com', stage: '$default' }, '/a b/renders', '/renders')).toBe('https://api.example.com');
  });
});

describe('isUnknownRenderError', () => {
  it('recognises Remotion\'s message for a render it cannot find', () => {
    expect(isUnknownRenderError(new Error('No render with ID "abc" found in bucket remotionlambda-x and region us-east-1'))).toBe(true);
    expect(isUnknownRenderError(new Error('Version mismatch'))).toBe(false);
    expect(isUnknownRenderError('No render with ID')).toBe(false);
  });
});
