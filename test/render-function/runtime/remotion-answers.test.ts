import { checkProgressAnswer, checkStartAnswer, RemotionAnswerError } from '../../../src/render-function/runtime/remotion-answers';

const PROGRESS = {
  done: false,
  overallProgress: 0.5,
  fatalErrorEncountered: false,
  errors: [],
  outputFile: null,
  outBucket: null,
  outKey: null,
  renderMetadata: { privacy: 'private', metadata: { ownerSub: 'user-1' } },
};

describe('checkStartAnswer', () => {
  it('returns the render id and bucket of a documented answer', () => {
    expect(checkStartAnswer({ renderId: 'abc123', bucketName: 'remotionlambda-useast1-abc', cloudWatchLogs: 'x' }))
      .toEqual({ renderId: 'abc123', bucketName: 'remotionlambda-useast1-abc' });
  });

  it.each([
    [undefined, /answer/],
    [{ bucketName: 'remotionlambda-useast1-abc' }, /renderId: Invalid key/],
    [{ renderId: { id: 'abc' }, bucketName: 'remotionlambda-useast1-abc' }, /renderId: must be a string/],
    [{ renderId: '../etc', bucketName: 'remotionlambda-useast1-abc' }, /renderId: must be 1 to 32 letters or digits/],
    [{ renderId: 'abc', bucketName: 'Not A Bucket' }, /bucketName: must be an S3 bucket name/],
  ])('refuses %j, naming what is wrong', (answer, message) => {
    expect(() => checkStartAnswer(answer)).toThrow(RemotionAnswerError);
    expect(() => checkStartAnswer(answer)).toThrow(message);
  });
});

describe('checkProgressAnswer', () => {
  it('accepts a documented progress answer', () => {
    expect(checkProgressAnswer(PROGRESS)).toMatchObject({ done: false, overallProgress: 0.5 });
  });

  it.each([
    [{ ...PROGRESS, done: 'yes' }, /done: must be a boolean/],
    [{ ...PROGRESS, overallProgress: Number.POSITIVE_INFINITY }, /overallProgress: must be finite/],
    [{ ...PROGRESS, errors: 'none' }, /errors: must be an array/],
    [{ ...PROGRESS, renderMetadata: { privacy: 'everyone' } }, /privacy: must be public, private or no-acl/],
    [{ ...PROGRESS, renderMetadata: { metadata: { ownerSub: 7 } } }, /must be a string/],
  ])('refuses %j as not what the client documents', (answer, message) => {
    expect(() => checkProgressAnswer(answer)).toThrow(/Remotion's progress answer is not what its client documents/);
    expect(() => checkProgressAnswer(answer)).toThrow(message);
  });
});
