import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { REMOTION_CLIENT_FILE } from './contract';
import { InstalledRemotion } from '../remotion';

/**
 * Assembles the render handler's code asset at synth, without a bundler or Docker: our prebuilt
 * handler folder (shipped in the package, no Remotion code in it) plus the consumer's own
 * `@remotion/lambda-client` ES module build, copied byte for byte to `REMOTION_CLIENT_FILE`.
 * Internal: not exported from the package entry point.
 */

/** The handler bundle that projenrc/handler-bundle.ts writes; it ships in the package beside `lib/`. */
export const PREBUILT_HANDLER_DIR = path.join(__dirname, '..', '..', 'assets', 'render-handler');

/** Where staged folders go unless told otherwise: one folder per content hash, reused across synths. */
export const DEFAULT_STAGING_ROOT = path.join(os.tmpdir(), 'remotion-constructs-handler');

export interface StageHandlerOptions {
  /** @default PREBUILT_HANDLER_DIR */
  readonly handlerDir?: string;
  /** @default DEFAULT_STAGING_ROOT */
  readonly stagingRoot?: string;
}

const staged = new Map<string, string>();

/** The handler's code: the staged folder of `stageHandlerCode`. */
export function handlerCode(remotion: InstalledRemotion, options: StageHandlerOptions = {}): lambda.Code {
  return lambda.Code.fromAsset(stageHandlerCode(remotion, options));
}

/**
 * Copies the prebuilt handler and the consumer's client file into `<stagingRoot>/<hash>` and
 * returns that folder. The hash covers every file name and byte, so two versions of Remotion (or of
 * this library) never share a folder, and an existing folder is complete: it is written under a
 * temporary name and renamed into place.
 */
export function stageHandlerCode(remotion: InstalledRemotion, options: StageHandlerOptions = {}): string {
  const handlerDir = options.handlerDir ?? PREBUILT_HANDLER_DIR;
  const stagingRoot = options.stagingRoot ?? DEFAULT_STAGING_ROOT;
  const key = JSON.stringify([handlerDir, stagingRoot, remotion.clientFile, fileStamp(remotion.clientFile)]);
  const known = staged.get(key);
  if (known && fs.existsSync(known)) {
    return known;
  }

  const ownFiles = listHandlerFiles(handlerDir);
  const hash = crypto.createHash('sha256');
  for (const file of ownFiles) {
    hash.update(`${file}\0`).update(fs.readFileSync(path.join(handlerDir, file))).update('\0');
  }
  hash.update(`${REMOTION_CLIENT_FILE}\0`).update(fs.readFileSync(remotion.clientFile));
  // No dots in the name: CDK keeps what follows a dot as the staged asset folder's "extension".
  const target = path.join(stagingRoot, `remotion-${remotion.version.replace(/[^0-9A-Za-z]/g, '-')}-${hash.digest('hex').slice(0, 24)}`);

  if (!fs.existsSync(target)) {
    const partial = `${target}.partial-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
    for (const file of ownFiles) {
      copyFile(path.join(handlerDir, file), path.join(partial, file));
    }
    copyFile(remotion.clientFile, path.join(partial, REMOTION_CLIENT_FILE));
    try {
      fs.renameSync(partial, target);
    } catch (error) {
      // Another synth staged the same content first; its folder is identical.
      fs.rmSync(partial, { recursive: true, force: true });
      if (!fs.existsSync(target)) {
        throw error;
      }
    }
  }
  staged.set(key, target);
  return target;
}

function listHandlerFiles(handlerDir: string): string[] {
  if (!fs.existsSync(path.join(handlerDir, 'index.mjs'))) {
    throw new Error(`The prebuilt render handler is missing from ${handlerDir} (expected index.mjs). `
      + 'This is a packaging error of @org/remotion-constructs; in its repository, build it with `npx projen bundle`.');
  }
  const files: string[] = [];
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(handlerDir, relative), { withFileTypes: true })) {
      const name = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        walk(name);
      } else if (entry.isFile() && name !== REMOTION_CLIENT_FILE) {
        files.push(name);
      }
    }
  };
  walk('');
  return files.sort();
}

function copyFile(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

function fileStamp(file: string): string {
  const stat = fs.statSync(file);
  return `${stat.size}:${stat.mtimeMs}`;
}
