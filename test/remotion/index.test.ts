import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  checkFunctionNameVersion,
  clearRemotionCache,
  findRemotion,
  followsNamingConvention,
  isSupportedVersion,
  SUPPORTED_REMOTION,
  versionInFunctionName,
} from '../../src/remotion';
import { FLOOR_REMOTION_DIR, NEWEST_REMOTION_DIR } from '../remotion-versions';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURES = path.join(__dirname, 'fixtures');
const INSTALL_COMMAND = `npm i @remotion/lambda@${SUPPORTED_REMOTION.suggested}`;
const RANGE = `>=${SUPPORTED_REMOTION.floor} <${SUPPORTED_REMOTION.below}`;

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

afterEach(() => clearRemotionCache());

describe('findRemotion', () => {
  it('finds the app\'s @remotion/lambda and its client from the working directory by default', () => {
    const found = findRemotion();
    expect(found.lambdaDir).toBe(path.join(ROOT, NEWEST_REMOTION_DIR));
    expect(found.version).toBe(SUPPORTED_REMOTION.suggested);
    expect(found.clientFile).toBe(path.join(found.clientDir, 'dist', 'esm', 'index.mjs'));
    expect(fs.existsSync(found.clientFile)).toBe(true);
  });

  it('uses an explicit package folder, and finds the client installed under it', () => {
    const found = findRemotion({ packageDir: path.join(ROOT, FLOOR_REMOTION_DIR) });
    expect(found.version).toBe(SUPPORTED_REMOTION.floor);
    expect(found.lambdaDir).toBe(path.join(ROOT, FLOOR_REMOTION_DIR));
    expect(found.clientDir).toBe(path.join(ROOT, FLOOR_REMOTION_DIR, 'node_modules', '@remotion', 'lambda-client'));
  });

  it('accepts an app folder that holds only @remotion/lambda-client', () => {
    const found = findRemotion({ packageDir: path.join(FIXTURES, 'client-only-app') });
    expect(found).toEqual({
      version: '4.0.400',
      clientDir: path.join(FIXTURES, 'client-only-app', 'node_modules', '@remotion', 'lambda-client'),
      clientFile: path.join(FIXTURES, 'client-only-app', 'node_modules', '@remotion', 'lambda-client', 'dist', 'esm', 'index.mjs'),
      lambdaDir: undefined,
    });
  });

  it('fails, naming the package, the supported range and the install command, when nothing is installed', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-remotion-'));
    try {
      expect(() => findRemotion({ packageDir: empty })).toThrow(new RegExp(
        `^@remotion/lambda was not found from "${escape(empty)}"\\. Install Remotion's Lambda package yourself, under Remotion's licence, `
        + `in your app's folder: "${escape(INSTALL_COMMAND)}" \\(supported: ${escape(RANGE)}\\)`,
      ));
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('fails with the same advice when the explicit folder does not exist', () => {
    const missing = path.join(os.tmpdir(), 'remotion-constructs-no-such-folder');
    expect(() => findRemotion({ packageDir: missing })).toThrow(
      `remotionPackageDir "${missing}" does not exist. Install Remotion's Lambda package yourself`,
    );
  });

  it.each([
    ['older than the floor', 'too-old-app', '4.0.300'],
    ['a major version above the range', 'too-new-app', '5.0.0'],
  ])('fails for a version %s, naming it, the range and the install command', (_label, app, version) => {
    expect(() => findRemotion({ packageDir: path.join(FIXTURES, app) })).toThrow(new RegExp(
      `^@remotion/lambda-client ${escape(version)} \\(in .*${app}.*\\) is outside the Remotion versions this library supports `
      + `\\(${escape(RANGE)}\\)\\. Install a supported one in your app's folder, e\\.g\\. "${escape(INSTALL_COMMAND)}"\\.$`,
    ));
  });

  it('fails when @remotion/lambda and @remotion/lambda-client of different versions are installed together', () => {
    expect(() => findRemotion({ packageDir: path.join(FIXTURES, 'mismatched-app') })).toThrow(
      '@remotion/lambda 4.0.527 and @remotion/lambda-client 4.0.524 are installed side by side; Remotion needs one version of both.',
    );
  });

  it('fails when the client has no ES module build to copy', () => {
    expect(() => findRemotion({ packageDir: path.join(FIXTURES, 'no-esm-build-app') })).toThrow(
      /^@remotion\/lambda-client 4\.0\.400 has no ES module build at .*no-esm-build-app.*dist\/esm\/index\.mjs\./,
    );
  });
});

describe('isSupportedVersion', () => {
  it.each([
    [SUPPORTED_REMOTION.floor, true],
    [SUPPORTED_REMOTION.suggested, true],
    ['4.99.0', true],
    ['4.0.364', false],
    ['3.3.100', false],
    ['5.0.0', false],
    ['not a version', false],
  ])('%s -> %s', (version, supported) => {
    expect(isSupportedVersion(version)).toBe(supported);
  });
});

describe('checkFunctionNameVersion', () => {
  const newest = () => findRemotion({ packageDir: path.join(ROOT, NEWEST_REMOTION_DIR) });
  const floor = () => findRemotion({ packageDir: path.join(ROOT, FLOOR_REMOTION_DIR) });

  it('writes versions into names as Remotion does', () => {
    expect(versionInFunctionName('4.0.527')).toBe('4-0-527');
    expect(versionInFunctionName('4.0.1000+build.5')).toBe('4-0-1000-b');
  });

  it.each([
    ['the newest', newest, 'remotion-render-4-0-527-mem2048mb-disk2048mb-120sec'],
    ['the floor', floor, 'remotion-render-4-0-365-mem3009mb-disk10240mb-900sec'],
  ])('accepts a name of %s installed version, parsed by that client', (_label, installed, name) => {
    expect(() => checkFunctionNameVersion(installed(), 'remotionFunctionName', name)).not.toThrow();
  });

  it('names both versions when the name is of another version', () => {
    expect(() => checkFunctionNameVersion(floor(), 'remotionFunctionName', 'remotion-render-4-0-527-mem2048mb-disk2048mb-120sec')).toThrow(
      /^remotionFunctionName "remotion-render-4-0-527-mem2048mb-disk2048mb-120sec" is a Remotion 4\.0\.527 render function, but the installed @remotion\/lambda-client is 4\.0\.365 .*"npm i @remotion\/lambda@4\.0\.527"/,
    );
  });

  it.each(['my-renderer', 'remotion-render-custom', 'remotion-render-4-0-100'])('skips custom name %s', (name) => {
    expect(() => checkFunctionNameVersion(newest(), 'remotionFunctionName', name)).not.toThrow();
  });
});

describe('followsNamingConvention', () => {
  const newest = () => findRemotion({ packageDir: path.join(ROOT, NEWEST_REMOTION_DIR) });
  const floor = () => findRemotion({ packageDir: path.join(ROOT, FLOOR_REMOTION_DIR) });

  it.each([
    ['the newest', newest, 'remotion-render-4-0-527-mem2048mb-disk2048mb-120sec'],
    ['the floor', floor, 'remotion-render-4-0-365-mem3009mb-disk10240mb-900sec'],
  ])('accepts a name whose memory and timeout %s client reads', (_label, installed, name) => {
    expect(followsNamingConvention(installed(), name)).toBe(true);
  });

  it.each(['my-renderer', 'remotion-render-custom', 'remotion-render-4-0-100', 'remotion-render-4-0-527-mem2048mb-disk2048mb'])(
    'refuses custom name %s', (name) => {
      expect(followsNamingConvention(newest(), name)).toBe(false);
    });
});
