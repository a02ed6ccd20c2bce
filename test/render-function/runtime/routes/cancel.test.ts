import { cancelMessages, FIRST_CANCELLING_REMOTION, isCancellationNotEnabledError, remotionVersionOfFunction } from '../../../../src/render-function/runtime/routes/cancel';
import { FLOOR_REMOTION_VERSION, INSTALLED_REMOTION_VERSION } from '../../../remotion-versions';
import { REMOTION_FUNCTION_NAME } from '../handler-events';

describe('remotionVersionOfFunction', () => {
  it('reads the version from a function name that follows Remotion\'s convention', () => {
    expect(remotionVersionOfFunction(REMOTION_FUNCTION_NAME)).toBe('4.0.527');
    expect(remotionVersionOfFunction('remotion-render-4-0-365-mem2048mb-disk2048mb-120sec')).toBe('4.0.365');
  });

  it('is undefined for any other name', () => {
    expect(remotionVersionOfFunction('my-renderer')).toBeUndefined();
    expect(remotionVersionOfFunction('remotion-render-4-0-mem2048mb')).toBeUndefined();
  });
});

describe('FIRST_CANCELLING_REMOTION', () => {
  it('lies between the installed floor, whose client cannot cancel, and the newest, whose client can', () => {
    const [floor, first, newest] = [FLOOR_REMOTION_VERSION, FIRST_CANCELLING_REMOTION, INSTALLED_REMOTION_VERSION].map((v) => Number(v.split('.')[2]));
    expect(floor).toBeLessThan(first);
    expect(first).toBeLessThanOrEqual(newest);
    expect(typeof (jest.requireActual('@remotion/lambda/client') as Record<string, unknown>).cancelRenderOnLambda).toBe('function');
    expect((jest.requireActual('remotion-lambda-floor/client') as Record<string, unknown>).cancelRenderOnLambda).toBeUndefined();
  });
});

describe('isCancellationNotEnabledError', () => {
  it('knows Remotion\'s refusal of a render started without enableCancellation, and nothing else', () => {
    expect(isCancellationNotEnabledError(new Error('Cannot cancel render abc: The render was not started with enableCancellation: true.'))).toBe(true);
    expect(isCancellationNotEnabledError(new Error('No render with ID "abc" found'))).toBe(false);
    expect(isCancellationNotEnabledError('not started with enableCancellation')).toBe(false);
  });
});

describe('cancelMessages', () => {
  it('names the version needed and the one installed, or says it is unknown', () => {
    expect(cancelMessages.tooOld('4.0.365')).toBe('Cancelling a running render needs Remotion 4.0.515 or newer (cancelRenderOnLambda); this API runs Remotion 4.0.365');
    expect(cancelMessages.tooOld(undefined)).toContain('of an unknown version');
    expect(cancelMessages.finished('SUCCEEDED')).toBe('The render has already ended: it is SUCCEEDED');
  });
});
