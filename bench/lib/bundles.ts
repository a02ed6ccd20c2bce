import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as esbuild from 'esbuild';
import { runProcess } from './run-process';

export const ROOT = path.join(__dirname, '..', '..');
export const OUT = path.join(ROOT, 'bench', 'out');
export const ENTRY = 'src/render-function/render.lambda.ts';
export const REFERENCE_ENTRY = 'bench/entries/reference.lambda.ts';
export const ASSET = path.join(ROOT, 'assets/render-function/render.lambda/index.mjs');
const PROJEN_BUNDLE_TASK = 'bundle:render-function/render.lambda';

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

/** Bytes in the output per package (or `src/`), largest first. */
export function topInputs(metafile: esbuild.Metafile, count = 6): Array<{ pkg: string; bytes: number }> {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = match ? match[1] : input.split('/').slice(0, 2).join('/');
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

/**
 * Rebuilds our bundle with exactly the arguments of the projen task, into bench/out, to get
 * esbuild's metafile (what is in it) without touching assets/.
 */
export async function rebuildProjenBundle(outfile: string): Promise<BuiltBundle> {
  const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen/tasks.json'), 'utf8')) as {
    tasks: Record<string, { steps?: Array<{ execArgs?: string[] }> }>;
  };
  const execArgs = tasks.tasks[PROJEN_BUNDLE_TASK]?.steps?.[0]?.execArgs;
  if (!execArgs || execArgs[0] !== 'esbuild') throw new Error(`Cannot read the esbuild arguments of the projen task ${PROJEN_BUNDLE_TASK}`);
  fs.rmSync(path.dirname(outfile), { recursive: true, force: true });
  fs.mkdirSync(path.dirname(outfile), { recursive: true });
  const metafile = path.join(path.dirname(outfile), 'meta.json');
  const args = [...execArgs.slice(1).filter((arg) => !arg.startsWith('--outfile=')), `--outfile=${outfile}`, `--metafile=${metafile}`, '--log-level=error'];
  const started = performance.now();
  const run = await runProcess(path.join(ROOT, 'node_modules/.bin/esbuild'), args, { env: process.env, cwd: ROOT, timeoutMs: 60_000 });
  const buildMs = performance.now() - started;
  if (run.code !== 0) return { name: 'projen task args', file: outfile, ok: false, buildMs, errors: [run.stderr.trim()] };
  return {
    name: 'projen task args',
    file: outfile,
    ok: true,
    buildMs,
    ...sizeOf(outfile),
    topInputs: topInputs(JSON.parse(fs.readFileSync(metafile, 'utf8')) as esbuild.Metafile),
  };
}

/** Source files bundled into the asset that changed after it was built (as test/render-function/bundle.test.ts checks). */
export async function sourcesNewerThanAsset(): Promise<string[]> {
  let metafile: esbuild.Metafile;
  try {
    ({ metafile } = await esbuild.build({
      entryPoints: [path.join(ROOT, ENTRY)],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
      absWorkingDir: ROOT,
    }));
  } catch (error) {
    return [`(the current source does not bundle: ${String(error).split('\n', 1)[0]})`];
  }
  const builtAt = fs.statSync(ASSET).mtimeMs;
  return Object.keys(metafile.inputs).filter((input) => input.startsWith('src/') && fs.statSync(path.join(ROOT, input)).mtimeMs > builtAt);
}

/**
 * An experiment, not what ships: our projen bundle options plus esbuild code splitting, so the
 * lazily imported Remotion client lands in its own chunk that is read and compiled only when a
 * request needs it. Returns the entry chunk; `bytes` is the entry chunk, `totalBytes` all chunks.
 */
export async function buildSplitExperiment(outdir: string): Promise<BuiltBundle & { totalBytes?: number; chunks?: number }> {
  fs.rmSync(outdir, { recursive: true, force: true });
  const started = performance.now();
  const entryFile = path.join(outdir, 'render.lambda.mjs');
  try {
    await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: [ENTRY],
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: 'esm',
      minify: true,
      tsconfig: 'tsconfig.dev.json',
      banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
      splitting: true,
      outdir,
      outExtension: { '.js': '.mjs' },
      logLevel: 'silent',
    });
    const buildMs = performance.now() - started;
    const chunks = fs.readdirSync(outdir).filter((file) => file.endsWith('.mjs'));
    const totalBytes = chunks.reduce((sum, file) => sum + fs.statSync(path.join(outdir, file)).size, 0);
    return { name: 'split', file: entryFile, ok: true, buildMs, ...sizeOf(entryFile), totalBytes, chunks: chunks.length };
  } catch (error) {
    return { name: 'split', file: entryFile, ok: false, buildMs: performance.now() - started, errors: [String(error)], errorCount: 1 };
  }
}
