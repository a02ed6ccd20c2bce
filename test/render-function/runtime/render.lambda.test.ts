/**
 * The handler entry must not load Remotion's client (the consumer's 2.7 MB file that the construct
 * copies beside the bundle, at `REMOTION_CLIENT_FILE`) or `aws4fetch`,
 * which signs the Secrets Manager calls, for requests it refuses. Both modules are replaced by
 * factories that record when they are evaluated; a static import anywhere in the handler's module
 * graph would run them.
 */
import * as path from 'node:path';
import { constructEnvironment, responseJson, startRenderEvent } from './handler-events';
import { REMOTION_CLIENT_FILE } from '../../../src/render-function/contract';

/** Where the entry's `import()` of the client resolves from its source file (virtual: only the asset has it). */
const CLIENT_MODULE = path.join(__dirname, '../../../src/render-function/runtime', REMOTION_CLIENT_FILE);
const HEAVY_MODULES = [CLIENT_MODULE, 'aws4fetch'];

type HandlerEntry = typeof import('../../../src/render-function/runtime/render.lambda');

/** Loads the entry in a fresh module registry; `alsoLoad` runs in that registry afterwards. */
function loadEntryRecordingHeavyModules(alsoLoad?: () => void): { entry: HandlerEntry; evaluated: string[] } {
  const evaluated: string[] = [];
  let entry: HandlerEntry | undefined;
  jest.isolateModules(() => {
    for (const name of HEAVY_MODULES) {
      jest.doMock(name, () => {
        evaluated.push(name);
        return {};
      }, { virtual: name === CLIENT_MODULE });
    }
    entry = jest.requireActual<HandlerEntry>('../../../src/render-function/runtime/render.lambda');
    alsoLoad?.();
  });
  if (!entry) throw new Error('jest.isolateModules did not run synchronously');
  return { entry, evaluated };
}

const originalEnv = process.env;

beforeEach(() => {
  // The entry reads its configuration from process.env, with a secret configured so that the
  // signer would be needed for an accepted request.
  process.env = {
    ...originalEnv,
    ...constructEnvironment({ REMOTION_CREDENTIALS_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:keys-AbCdEf' }),
  };
  // Refusals are logged as warnings; keep them out of the test output.
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterEach(() => {
  process.env = originalEnv;
  jest.restoreAllMocks();
});

it('loads neither SDK when the entry module is loaded and requests are refused', async () => {
  const { entry, evaluated } = loadEntryRecordingHeavyModules();

  const statuses: Array<number | undefined> = [];
  for (const event of [
    startRenderEvent({ composition: 'Intro' }, { sub: null }),
    startRenderEvent('not json'),
    startRenderEvent({ composition: 'Intro', unknown: true }),
    startRenderEvent({ composition: 'Secret' }),
    startRenderEvent({ composition: 'Intro', codec: 'gif' }),
    startRenderEvent({ composition: 'Intro', inputProps: { text: 'x'.repeat(2000) } }),
  ]) {
    const response = await entry.handler(event, { awsRequestId: 'lambda-request-1' });
    expect(responseJson(response).requestId).toBe('api-request-1');
    statuses.push(response.statusCode);
  }

  expect(statuses).toEqual([401, 400, 400, 403, 403, 413]);
  expect(evaluated).toEqual([]);
});

it.each(HEAVY_MODULES)('would notice a load: requiring %s beside the entry runs its recording factory', (name) => {
  const { evaluated } = loadEntryRecordingHeavyModules(() => jest.requireMock(name));

  expect(evaluated).toEqual([name]);
});
