import { Duration, Lazy, Size, Token } from 'aws-cdk-lib';
import {
  checkDuration, checkEach, checkInteger, checkNotEmpty, checkPositive, checkRegion, checkSize, checkString,
} from '../../src/private/validate';

const token = Lazy.string({ produce: () => 'anything' });

describe('token-skipping validators', () => {
  it('checkString names the prop and the value, and skips tokens and undefined', () => {
    expect(() => checkString('serveUrl', 'x', () => false, 'must be a URL')).toThrow('serveUrl "x" must be a URL.');
    expect(() => checkString('serveUrl', token, () => false, 'must be a URL')).not.toThrow();
    expect(() => checkString('serveUrl', undefined, () => false, 'must be a URL')).not.toThrow();
    expect(() => checkString('serveUrl', 'https://x', () => true, 'must be a URL')).not.toThrow();
  });

  it('checkEach names the first bad item and skips tokens', () => {
    expect(() => checkEach('compositions', ['Ok', 'Bad Id'], (id) => !id.includes(' '), 'is not an id')).toThrow('compositions contains "Bad Id", which is not an id.');
    expect(() => checkEach('compositions', [token], () => false, 'is not an id')).not.toThrow();
  });

  it('checkNotEmpty refuses an empty list only', () => {
    expect(() => checkNotEmpty('compositions', [], 'composition')).toThrow('compositions must name at least one composition.');
    expect(() => checkNotEmpty('compositions', undefined, 'composition')).not.toThrow();
    expect(() => checkNotEmpty('compositions', ['a'], 'composition')).not.toThrow();
  });

  it('checkRegion refuses what is not a region', () => {
    expect(() => checkRegion('region', 'mars-1')).toThrow('region "mars-1" is not an AWS region name such as "us-east-1".');
    expect(() => checkRegion('region', 'eu-west-1')).not.toThrow();
    expect(() => checkRegion('region', token)).not.toThrow();
  });

  it('checkInteger checks integrality and both bounds, and skips number tokens', () => {
    expect(() => checkInteger('memorySize', 64, 128, 10_240, 'MiB')).toThrow('memorySize must be an integer between 128 and 10240 MiB; got 64.');
    expect(() => checkInteger('memorySize', 10_241, 128, 10_240)).toThrow(/between 128 and 10240; got 10241/);
    expect(() => checkInteger('maxRetries', 1.5, 0)).toThrow('maxRetries must be an integer of at least 0; got 1.5.');
    expect(() => checkInteger('maxRetries', -1, 0)).toThrow(/at least 0/);
    expect(() => checkInteger('maxRetries', 0, 0)).not.toThrow();
    expect(() => checkInteger('maxRetries', Token.asNumber(token), 0)).not.toThrow();
  });

  it('checkPositive refuses zero, negatives and NaN', () => {
    for (const value of [0, -1, Number.NaN]) {
      expect(() => checkPositive('throttle.rateLimit', value, 'rate')).toThrow(/throttle.rateLimit must be a positive rate/);
    }
    expect(() => checkPositive('throttle.rateLimit', 0.5, 'rate')).not.toThrow();
  });

  it('checkDuration checks both bounds in human units, and skips tokens', () => {
    expect(() => checkDuration('timeout', Duration.seconds(1), Duration.seconds(5), Duration.minutes(15)))
      .toThrow('timeout must be between 5 seconds and 15 minutes; got 1 seconds.');
    expect(() => checkDuration('timeout', Duration.minutes(16), Duration.seconds(5), Duration.minutes(15), ' (why)'))
      .toThrow('timeout must be between 5 seconds and 15 minutes (why); got 960 seconds.');
    expect(() => checkDuration('timeout', Duration.seconds(5), Duration.seconds(5), Duration.minutes(15))).not.toThrow();
    expect(() => checkDuration('timeout', Duration.seconds(Token.asNumber(token)), Duration.seconds(5), Duration.minutes(15))).not.toThrow();
  });

  it('checkSize checks both bounds in bytes', () => {
    expect(() => checkSize('maxInputPropsSize', Size.kibibytes(200), 2, 190_000)).toThrow('maxInputPropsSize must be between 2 bytes and 190000 bytes; got 204800 bytes.');
    expect(() => checkSize('maxInputPropsSize', Size.bytes(2), 2, 190_000)).not.toThrow();
  });
});
