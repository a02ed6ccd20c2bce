import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as esbuild from 'esbuild';

export const ROOT = path.join(__dirname, '..', '..');
export const OUT = path.join(ROOT, 'bench', 'out');
/** The naive handler: Remotion's client imported at the top (see the file). */
export const NAIVE_ENTRY = 'bench/entries/naive.lambda.ts';

/**
 * What `NodejsFunction` passes to esbuild for a Node.js 18+ runtime with `format: ESM` (the
 * format Remotion's client needs, since it reads `import.meta.url`): unminified, `@aws-sdk/*`
 * external. Remotion's client carries its own copy of the SDK, so the external matters little.
 */
export const NODEJS_FUNCTION_ESM: esbuild.BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: false,
  sourcemap: false,
  external: ['@aws-sdk/*'],
  outExtension: { '.js': '.mjs' },
  // NodejsFunction's ESM bundles need the same banner for bundled CommonJS code that calls require.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'silent',
};

export interface FileSize {
  /** Path relative to the folder, `/`-separated. */
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly sha256: string;
}

/** Every file of a folder (a whole Lambda code asset); `gzipBytes` sums per-file gzip -9, as a zip compresses each entry. */
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

export interface BuiltBundle {
  readonly file: string;
  readonly ok: boolean;
  readonly buildMs: number;
  readonly size?: FolderSize;
  readonly errors?: string[];
}

/** Builds one entry into `outdir/index.mjs` and measures the folder. */
export async function buildWithEsbuild(entry: string, outdir: string, options: esbuild.BuildOptions): Promise<BuiltBundle> {
  fs.rmSync(outdir, { recursive: true, force: true });
  const file = path.join(outdir, 'index.mjs');
  const started = performance.now();
  try {
    await esbuild.build({ ...options, absWorkingDir: ROOT, entryPoints: { index: entry }, outdir });
    return { file, ok: true, buildMs: performance.now() - started, size: folderSize(outdir) };
  } catch (error) {
    const failure = error as esbuild.BuildFailure;
    const errors = (failure.errors ?? []).map((e) => `${e.text}${e.location ? ` (${e.location.file})` : ''}`);
    return { file, ok: false, buildMs: performance.now() - started, errors: errors.length > 0 ? errors : [String(error)] };
  }
}
