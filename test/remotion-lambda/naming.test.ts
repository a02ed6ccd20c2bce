import { Stack } from 'aws-cdk-lib';
import { bucketNameProblem, defaultBucketName, serveUrlOf } from '../../src/remotion-lambda/naming';
import { newStack } from '../util';
import { evaluate as evaluateAs } from './evaluate';

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:111122223333:stack/MyStack/51af3dc0-da77-11e4-872e-1234567db123';

function evaluate(value: unknown, region: string): unknown {
  return evaluateAs(value, { region, stackId: STACK_ID });
}

describe('defaultBucketName', () => {
  it('forms remotionlambda-<region without dashes>-<first and last group of the stack id> in a region-agnostic stack', () => {
    const stack = new Stack();
    expect(evaluate(stack.resolve(defaultBucketName(stack)), 'eu-west-1')).toBe('remotionlambda-euwest1-51af3dc01234567db123');
  });

  it('writes a concrete region into the name', () => {
    const stack = newStack({ env: { region: 'ap-southeast-5', account: '111122223333' } });
    const name = evaluate(stack.resolve(defaultBucketName(stack)), 'ap-southeast-5') as string;
    expect(name).toBe('remotionlambda-apsoutheast5-51af3dc01234567db123');
    expect(JSON.stringify(stack.resolve(defaultBucketName(stack)))).toContain('"remotionlambda-apsoutheast5-"');
  });

  it('is a name Remotion\'s parseBucketName recognises, within S3\'s 63 characters in the longest region', () => {
    const name = 'remotionlambda-apsoutheast5-51af3dc01234567db123';
    expect(bucketNameProblem(name, 'ap-southeast-5')).toBeUndefined();
    expect(name.length).toBeLessThanOrEqual(63);
  });
});

describe('bucketNameProblem', () => {
  it.each([
    ['my-bucket'],
    ['remotionlambda-useast1'],
    ['remotionlambda-useast1-ABC'],
    ['remotionlambda-useast1-a_b'],
  ])('rejects %s, which Remotion would not recognise as its bucket', (name) => {
    expect(bucketNameProblem(name, 'us-east-1')).toMatch(/remotionlambda-<region without dashes>-/);
  });

  it('rejects a name for another region than the stack\'s', () => {
    expect(bucketNameProblem('remotionlambda-euwest1-abc', 'us-east-1')).toBe('must name the stack\'s region as "remotionlambda-useast1-<suffix>"');
  });
});

describe('serveUrlOf', () => {
  it('forms the URL of makeS3ServeUrl()', () => {
    const stack = new Stack();
    expect(evaluate(stack.resolve(serveUrlOf(stack, 'remotionlambda-euwest1-abc', 'demo')), 'eu-west-1'))
      .toBe('https://remotionlambda-euwest1-abc.s3.eu-west-1.amazonaws.com/sites/demo/index.html');
  });
});
