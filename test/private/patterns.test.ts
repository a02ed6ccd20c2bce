import {
  BUCKET_NAME_OR_PATTERN, COMPOSITION_ID_PATTERN, FUNCTION_NAME_OR_PATTERN, FUNCTION_NAME_PATTERN, isBucketName, isOutputPrefix, REGION_PATTERN,
} from '../../src/private/patterns';

describe('name patterns', () => {
  it.each(['us-east-1', 'eu-central-2', 'cn-northwest-1', 'us-gov-west-1', 'ap-southeast-5'])('accepts the region %s', (region) => {
    expect(REGION_PATTERN.test(region)).toBe(true);
  });

  it.each(['useast1', 'us-east', 'US-EAST-1', 'mars-1', 'us-east-1 '])('refuses the region %j', (region) => {
    expect(REGION_PATTERN.test(region)).toBe(false);
  });

  it.each(['my-bucket', 'remotionlambda-useast1-abcdef1234', 'a.b.c'])('accepts the bucket name %s', (name) => {
    expect(isBucketName(name)).toBe(true);
  });

  it.each(['ab', 'My-Bucket', 'a..b', '-bucket', 'bucket-', 'remotionlambda-*'])('refuses the bucket name %j', (name) => {
    expect(isBucketName(name)).toBe(false);
  });

  it('accepts * patterns only where a policy scope takes them', () => {
    expect(BUCKET_NAME_OR_PATTERN.test('remotionlambda-*')).toBe(true);
    expect(FUNCTION_NAME_OR_PATTERN.test('remotion-render-*')).toBe(true);
    expect(FUNCTION_NAME_PATTERN.test('remotion-render-*')).toBe(false);
  });

  it.each(['', 'renders/', 'a/b-c/', "x!_.*'()/"])('accepts the output prefix %j', (prefix) => {
    expect(isOutputPrefix(prefix)).toBe(true);
  });

  it.each(['/abs/', 'no-slash', 'a/../', './', 'a//'])('refuses the output prefix %j', (prefix) => {
    expect(isOutputPrefix(prefix)).toBe(false);
  });

  it('accepts the composition ids Remotion accepts', () => {
    expect(COMPOSITION_ID_PATTERN.test('Hello-World2')).toBe(true);
    expect(COMPOSITION_ID_PATTERN.test('视频')).toBe(true);
    expect(COMPOSITION_ID_PATTERN.test('Hello World')).toBe(false);
    expect(COMPOSITION_ID_PATTERN.test('a_b')).toBe(false);
  });
});
