import { describeError, levelForStatus, writeLog, type RequestLogRecord } from '../../../src/render-function/runtime/log';

describe('log', () => {
  const record: RequestLogRecord = { level: 'warn', message: 'Request rejected', requestId: 'r1', route: 'POST /renders', status: 400, durationMs: 3 };

  it('derives the level from the status', () => {
    expect([200, 202, 400, 404, 413, 500, 502].map(levelForStatus)).toEqual(['info', 'info', 'warn', 'warn', 'warn', 'error', 'error']);
  });

  it('describes an error by name and message only', () => {
    const error = Object.assign(new TypeError('bad thing'), { $metadata: { requestId: 'x' }, credentials: 'secret' });
    expect(describeError(error)).toEqual({ name: 'TypeError', message: 'bad thing' });
    expect(describeError('a string')).toEqual({ name: 'string', message: 'A non-Error value was thrown' });
    expect(describeError(new Error('x'.repeat(5000))).message).toHaveLength(1000);
  });

  it('writes one JSON line with the console method of its level', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);

    writeLog(record, undefined);

    expect(warn).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(warn.mock.calls[0][0]))).toEqual(record);
    warn.mockRestore();
  });

  it('hands the record itself to Lambda\'s JSON log format, which nests it', () => {
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);

    writeLog({ ...record, level: 'error', status: 502 }, 'JSON');

    expect(error).toHaveBeenCalledWith({ ...record, level: 'error', status: 502 });
    error.mockRestore();
  });
});
