/**
 * How the dispatcher reads a failed start, from the errors Remotion's real client (the newest and
 * the floor) throws against the fake Remotion: nothing here is a hand-made error object.
 */
import * as path from 'node:path';
import { classifyStartFailure } from '../../../../src/render-function/runtime/queue/start-failure';
import { checkStartAnswer } from '../../../../src/render-function/runtime/remotion-answers';
import { INSTALLED_REMOTION } from '../../../remotion-versions';
import { useFakeLambdaForTestFile, type FakeLambda } from '../fake-lambda';
import { REMOTION_FUNCTION_NAME, SERVE_URL } from '../handler-events';

interface RemotionClient {
  renderMediaOnLambda(options: Record<string, unknown>): Promise<{ renderId: string; bucketName: string }>;
}

let fake: FakeLambda;
useFakeLambdaForTestFile((started) => {
  fake = started;
});

/** Lambda's answer to an Invoke it refuses, as the Lambda service sends it. */
function lambdaRefuses(status: number, errorType: string, message: string): void {
  fake.addRoute((request, _body, response) => {
    if (!/\/invocations$/.test(request.url ?? '')) return false;
    response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': errorType });
    response.end(JSON.stringify({ Type: 'User', message }));
    return true;
  });
}

describe.each(INSTALLED_REMOTION)('with the $name Remotion client ($version)', ({ dir }) => {
  const client = jest.requireActual(path.join(dir, 'dist', 'client.js')) as RemotionClient;
  // As the dispatcher starts: an answer that is not what the client documents fails too.
  const failedStart = async (): Promise<unknown> => {
    try {
      checkStartAnswer(await client.renderMediaOnLambda({
        region: 'us-east-1', functionName: REMOTION_FUNCTION_NAME, serveUrl: SERVE_URL, composition: 'Intro', codec: 'h264', concurrency: 5,
      }));
    } catch (error) {
      return error;
    }
    throw new Error('The start did not fail');
  };

  it.each(['ConcurrentInvocationLimitExceeded', 'ReservedFunctionConcurrentInvocationLimitExceeded'])(
    'reads Lambda\'s 429 with reason %s as throttled',
    async (reason) => {
      fake.throttleStarts(1, reason);
      expect(classifyStartFailure(await failedStart())).toBe('throttled');
    },
  );

  it.each([
    [404, 'ResourceNotFoundException', `Function not found: arn:aws:lambda:us-east-1:123456789012:function:${REMOTION_FUNCTION_NAME}`],
    [403, 'AccessDeniedException', 'User is not authorized to perform: lambda:InvokeFunction'],
    [400, 'InvalidParameterValueException', 'The payload is not valid'],
  ])('reads Lambda\'s %d %s as refused for sure', async (status, errorType, message) => {
    lambdaRefuses(status, errorType, message);
    expect(classifyStartFailure(await failedStart())).toBe('refused');
  });

  it('reads a 500 of the Lambda service as unknown: the invocation may have run', async () => {
    fake.failWith('service-error');
    expect(classifyStartFailure(await failedStart())).toBe('unknown');
  });

  it('reads an error of Remotion\'s function as unknown', async () => {
    fake.failWith('function-error');
    expect(classifyStartFailure(await failedStart())).toBe('unknown');
  });

  it('reads Remotion\'s own error answer as unknown', async () => {
    fake.failWith('remotion-error');
    expect(classifyStartFailure(await failedStart())).toBe('unknown');
  });
});

it('reads anything that is not an error object as unknown', () => {
  expect(classifyStartFailure(undefined)).toBe('unknown');
  expect(classifyStartFailure('Rate Exceeded')).toBe('unknown');
});

it('reads the client\'s own deadline as unknown', () => {
  const deadline = Object.assign(new Error('No answer within 5000 ms'), { name: 'DeadlineExceededError' });
  expect(classifyStartFailure(deadline)).toBe('unknown');
});
