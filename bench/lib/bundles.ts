import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as esbuild from 'esbuild';
import { runProcess } from './run-process';
import { SLIM_CLIENT_FILE, SLIM_CLIENT_SCRIPT } from '../../projenrc/slim-remotion-client';
import { sourcesNewerThanAsset as sourcesNewerThanHandlerAsset } from '../../test/render-function/runtime/asset-freshness';

export const ROOT = path.join(__dirname, '..', '..');
export const OUT = path.join(ROOT, 'bench', 'out');
export const ENTRY = 'src/render-function/runtime/render.lambda.ts';
export const REFERENCE_ENTRY = 'bench/entries/reference.lambda.ts';
/** The handler's code asset: a folder, since the projen task builds it with esbuild code splitting. */
export const ASSET_DIR = path.join(ROOT, 'assets/render-handler');
/** The entry chunk Lambda loads (`handler: index.handler`); it imports `chunks/*.mjs` lazily. */
export const ASSET = path.join(ASSET_DIR, 'index.mjs');
const PROJEN_BUNDLE_TASK = 'bundle:render-handler';

/** What `NodejsFunction` passes to esbuild by default for a Node.js 18+ runtime (here nodejs24.x). */
export const NODEJS_FUNCTION_DEFAULTS: esbuild.BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  minify: false,
  sourcemap: false,
  external: ['@aws-sdk/*'],
  logLevel: 'silent',
};

/**
 * The smallest change that makes a CommonJS bundle of Remotion's ESM client load: esbuild leaves
 * `import.meta` as `{}` in CommonJS output, so `createRequire(import.meta.url)` throws. Both
 * options exist on `NodejsFunction` (`bundling.define`, `bundling.banner`).
 */
export const IMPORT_META_URL_FIX: esbuild.BuildOptions = {
  define: { 'import.meta.url': '__bench_import_meta_url' },
  banner: { js: 'const __bench_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
};

/** For bench/entries/reference.lambda.ts: the handler's lazy client import gets the full package too. */
export const FULL_REMOTION_ALIAS: esbuild.BuildOptions = { alias: { '@remotion/lambda/client': '@remotion/lambda' } };

/** Externals without which esbuild cannot bundle the full `@remotion/lambda` at all. */
export const FULL_REMOTION_UNBUNDLABLE = ['@remotion/compositor-*', '@babel/preset-typescript', '@babel/preset-typescript/*', '@rspack/binding-*'];

export interface BuiltBundle {
  readonly name: string;
  readonly file: string;
  readonly ok: boolean;
  readonly bytes?: number;
  readonly gzipBytes?: number;
  readonly buildMs: number;
  readonly errors?: string[];
  readonly errorCount?: number;
  readonly warningCount?: number;
  /** Largest contributors to the output, by package. */
  readonly topInputs?: Array<{ pkg: string; bytes: number }>;
}

export function sizeOf(file: string): { bytes: number; gzipBytes: number } {
  const content = fs.readFileSync(file);
  return { bytes: content.length, gzipBytes: zlib.gzipSync(content, { level: 9 }).length };
}

export interface FileSize {
  /** Path relative to the folder, `/`-separated. */
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly sha256: string;
}

/** Every file of a folder (the whole Lambda code asset); `gzipBytes` sums per-file gzip -9, as a zip compresses each entry. */
export interface FolderSize {
  readonly files: readonly FileSize[];
  readonly bytes: number;
  readonly gzipBytes: number;
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? listFiles(dir, relative) : entry.isFile() ? [relative] : [];
  });
}

/** Sizes of every file in `dir`: the entry `index.mjs` first, then the rest by name. */
export function folderSize(dir: string): FolderSize {
  const files = listFiles(dir)
    .sort((a, b) => Number(b === 'index.mjs') - Number(a === 'index.mjs') || a.localeCompare(b))
    .map((file) => {
      const content = fs.readFileSync(path.join(dir, file));
      return {
        file,
        bytes: content.length,
        gzipBytes: zlib.gzipSync(content, { level: 9 }).length,
        sha256: crypto.createHash('sha256').update(content).digest('hex'),
      };
    });
  return {
    files,
    bytes: files.reduce((sum, file) => sum + file.bytes, 0),
    gzipBytes: files.reduce((sum, file) => sum + file.gzipBytes, 0),
  };
}

/** Relative `.mjs` imports (`./chunks/x-HASH.mjs`) in the folder's files that point at no file: a torn copy. */
export function missingChunks(dir: string): string[] {
  const missing: string[] = [];
  for (const file of listFiles(dir).filter((name) => name.endsWith('.mjs'))) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const match of text.matchAll(/["'](\.\.?\/[^"'\s]+\.mjs)["']/g)) {
      const target = path.join(dir, path.dirname(file), match[1]);
      if (!fs.existsSync(target)) missing.push(`${file} -> ${match[1]}`);
    }
  }
  return missing;
}

/**
 * Copies the whole asset folder to `dest`. Others may rebuild the asset meanwhile (the task
 * deletes the folder, then writes it), so a copy whose chunk imports do not resolve is retried.
 */
export async function snapshotAsset(dest: string): Promise<{ size: FolderSize; missing: string[] }> {
  let missing: string[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 1_000));
    fs.rmSync(dest, { recursive: true, force: true });
    try {
      fs.cpSync(ASSET_DIR, dest, { recursive: true });
    } catch {
      missing = ['(the asset folder changed while it was copied)'];
      continue;
    }
    missing = fs.existsSync(path.join(dest, 'index.mjs')) ? missingChunks(dest) : ['index.mjs'];
    if (missing.length === 0) break;
  }
  return { size: folderSize(dest), missing };
}

/** Bytes in the output per package (or `src/`), largest first. */
export function topInputs(metafile: esbuild.Metafile, count = 6, onlyOutput?: (output: string) => boolean): Array<{ pkg: string; bytes: number }> {
  const byPackage = new Map<string, number>();
  for (const [name, output] of Object.entries(metafile.outputs)) {
    if (onlyOutput && !onlyOutput(name)) continue;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = input.endsWith(SLIM_CLIENT_FILE) ? '@remotion/lambda-client (slimmed)' : match ? match[1] : input.split('/').slice(0, 2).join('/');
      byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage.entries()].map(([pkg, size]) => ({ pkg, bytes: size })).sort((a, b) => b.bytes - a.bytes).slice(0, count);
}

export async function buildWithEsbuild(name: string, entry: string, outfile: string, options: esbuild.BuildOptions): Promise<BuiltBundle> {
  fs.rmSync(path.dirname(outfile), { recursive: true, force: true });
  const started = performance.now();
  try {
    const result = await esbuild.build({ ...options, absWorkingDir: ROOT, entryPoints: [entry], outfile, metafile: true });
    const buildMs = performance.now() - started;
    const size = sizeOf(outfile);
    return { name, file: outfile, ok: true, buildMs, ...size, warningCount: result.warnings.length, topInputs: topInputs(result.metafile) };
  } catch (error) {
    const buildMs = performance.now() - started;
    const failure = error as esbuild.BuildFailure;
    const errors = (failure.errors ?? []).map((e) => `${e.text}${e.location ? ` (${e.location.file})` : ''}`);
    return { name, file: outfile, ok: false, buildMs, errors: errors.length > 0 ? errors : [String(error)], errorCount: errors.length };
  }
}

export interface BuiltFolder extends BuiltBundle {
  readonly outdir: string;
  readonly size?: FolderSize;
  /** Largest contributors to the entry chunk `index.mjs` alone. */
  readonly entryTopInputs?: Array<{ pkg: string; bytes: number }>;
  /** The esbuild arguments used, with the output folder replaced. */
  readonly args: readonly string[];
}

/** The bundle task's `--alias` that swaps in the slimmed Remotion client (projenrc/slim-remotion-client.ts). */
const SLIM_CLIENT_ALIAS = /^--alias:@remotion\/lambda-client=/;

/**
 * Rebuilds our asset with exactly the esbuild arguments of the projen task, into `outdir` (a
 * folder: the task splits code), to get esbuild's metafile without touching assets/. The task's
 * other steps (it first deletes its output folder, then writes the slimmed Remotion client) are
 * replaced by emptying `outdir`; the slimmed client is the one `npx projen bundle` wrote.
 * `unslimmedClient` drops the alias, to measure what the slimming buys.
 */
export async function rebuildProjenBundle(outdir: string, options: { unslimmedClient?: boolean } = {}): Promise<BuiltFolder> {
  const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen/tasks.json'), 'utf8')) as {
    tasks: Record<string, { steps?: Array<{ exec?: string; execArgs?: string[] }> }>;
  };
  const steps = tasks.tasks[PROJEN_BUNDLE_TASK]?.steps ?? [];
  const esbuildSteps = steps.filter((step) => step.execArgs?.[0] === 'esbuild');
  if (esbuildSteps.length !== 1) throw new Error(`Expected one esbuild step in the projen task ${PROJEN_BUNDLE_TASK}, found ${esbuildSteps.length}`);
  const otherSteps = steps.filter((step) => step.execArgs?.[0] !== 'esbuild');
  const knownStep = (step: { exec?: string; execArgs?: string[] }) =>
    (step.execArgs?.[0] === 'node' && /\brmSync\(/.test(step.execArgs?.[2] ?? '')) || (step.exec ?? '').endsWith(` ${SLIM_CLIENT_SCRIPT}`);
  if (!otherSteps.every(knownStep)) {
    throw new Error(`The projen task ${PROJEN_BUNDLE_TASK} has a step other than esbuild, an rm and the client slimming: ${JSON.stringify(otherSteps)}`);
  }
  const execArgs = esbuildSteps[0].execArgs!.filter((arg) => !(options.unslimmedClient && SLIM_CLIENT_ALIAS.test(arg)));
  const splitting = execArgs.includes('--splitting');
  if (!splitting && !execArgs.some((arg) => arg.startsWith('--outfile='))) throw new Error(`The projen task ${PROJEN_BUNDLE_TASK} has neither --splitting nor --outfile`);
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  const metafile = path.join(path.dirname(outdir), `${path.basename(outdir)}.meta.json`);
  const output = splitting ? `--outdir=${outdir}` : `--outfile=${path.join(outdir, 'index.mjs')}`;
  const args = [...execArgs.slice(1).filter((arg) => !arg.startsWith('--outfile=') && !arg.startsWith('--outdir=')), output, `--metafile=${metafile}`, '--log-level=error'];
  const entry = path.join(outdir, 'index.mjs');
  const started = performance.now();
  const run = await runProcess(path.join(ROOT, 'node_modules/.bin/esbuild'), args, { env: process.env, cwd: ROOT, timeoutMs: 60_000 });
  const buildMs = performance.now() - started;
  if (run.code !== 0 || !fs.existsSync(entry)) {
    return { name: 'projen task args', file: entry, outdir, args, ok: false, buildMs, errors: [run.stderr.trim() || 'no index.mjs written'], errorCount: 1 };
  }
  const meta = JSON.parse(fs.readFileSync(metafile, 'utf8')) as esbuild.Metafile;
  const size = folderSize(outdir);
  return {
    name: 'projen task args',
    file: entry,
    outdir,
    args,
    ok: true,
    buildMs,
    size,
    bytes: size.bytes,
    gzipBytes: size.gzipBytes,
    topInputs: topInputs(meta),
    entryTopInputs: topInputs(meta, 6, (name) => path.resolve(ROOT, name) === entry),
  };
}

/** Source files bundled into the asset that changed after it was built (shared with the bundle test). */
export async function sourcesNewerThanAsset(): Promise<string[]> {
  try {
    return await sourcesNewerThanHandlerAsset();
  } catch (error) {
    return [`(the current source does not bundle: ${String(error).split('\n', 1)[0]})`];
  }
}
