import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InstalledRemotion } from '../../src/remotion';
import { REMOTION_CLIENT_FILE } from '../../src/render-function/contract';
import { stageHandlerCode } from '../../src/render-function/handler-code';

let work: string;
let handlerDir: string;
let stagingRoot: string;

function fakeRemotion(version: string, clientText: string): InstalledRemotion {
  const clientDir = path.join(work, `client-${version}`);
  fs.mkdirSync(path.join(clientDir, 'dist', 'esm'), { recursive: true });
  const clientFile = path.join(clientDir, 'dist', 'esm', 'index.mjs');
  fs.writeFileSync(clientFile, clientText);
  return { version, clientDir, clientFile };
}

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'handler-code-'));
  handlerDir = path.join(work, 'prebuilt');
  stagingRoot = path.join(work, 'staging');
  fs.mkdirSync(path.join(handlerDir, 'chunks'), { recursive: true });
  fs.writeFileSync(path.join(handlerDir, 'index.mjs'), 'export const handler = 1;');
  fs.writeFileSync(path.join(handlerDir, 'chunks', 'signer.mjs'), 'export const signer = 1;');
});

afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

it('stages our files and the client, byte for byte, in a folder named after the version and the content, without dots', () => {
  const remotion = fakeRemotion('4.0.527', 'export const client = "4.0.527";');
  const staged = stageHandlerCode(remotion, { handlerDir, stagingRoot });

  expect(path.basename(staged)).toMatch(/^remotion-4-0-527-[0-9a-f]{24}$/);
  expect(fs.readFileSync(path.join(staged, 'index.mjs'), 'utf8')).toBe('export const handler = 1;');
  expect(fs.readFileSync(path.join(staged, 'chunks', 'signer.mjs'), 'utf8')).toBe('export const signer = 1;');
  expect(fs.readFileSync(path.join(staged, REMOTION_CLIENT_FILE), 'utf8')).toBe('export const client = "4.0.527";');
  expect(fs.readdirSync(stagingRoot)).toEqual([path.basename(staged)]);
});

it('reuses the folder for the same content and makes another for another client', () => {
  const first = stageHandlerCode(fakeRemotion('4.0.527', 'a'), { handlerDir, stagingRoot });
  const again = stageHandlerCode(fakeRemotion('4.0.527', 'a'), { handlerDir, stagingRoot });
  const other = stageHandlerCode(fakeRemotion('4.0.527', 'b'), { handlerDir, stagingRoot });

  expect(again).toBe(first);
  expect(other).not.toBe(first);
  expect(fs.readFileSync(path.join(other, REMOTION_CLIENT_FILE), 'utf8')).toBe('b');
});

it('leaves no partial folder behind', () => {
  stageHandlerCode(fakeRemotion('4.0.365', 'x'), { handlerDir, stagingRoot });
  expect(fs.readdirSync(stagingRoot).filter((name) => name.includes('.partial-'))).toEqual([]);
});

it('fails with a clear message when the prebuilt handler is missing', () => {
  fs.rmSync(path.join(handlerDir, 'index.mjs'));
  expect(() => stageHandlerCode(fakeRemotion('4.0.527', 'a'), { handlerDir, stagingRoot })).toThrow(
    /^The prebuilt render handler is missing from .*prebuilt \(expected index\.mjs\)\./,
  );
});
