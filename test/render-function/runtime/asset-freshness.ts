import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

export const REPOSITORY_ROOT = path.join(__dirname, '..', '..', '..');
export const HANDLER_ENTRY = 'src/render-function/runtime/render.lambda.ts';
/** The entry chunk of the handler asset; its chunks sit in `chunks/` beside it. */
export const HANDLER_ASSET = path.join(REPOSITORY_ROOT, 'assets/render-handler/index.mjs');

/** Source files bundled into the handler asset that changed after it was built. */
export async function sourcesNewerThanAsset(): Promise<string[]> {
  const { metafile } = await esbuild.build({
    entryPoints: [path.join(REPOSITORY_ROOT, HANDLER_ENTRY)],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
    absWorkingDir: REPOSITORY_ROOT,
  });
  const builtAt = fs.statSync(HANDLER_ASSET).mtimeMs;
  return Object.keys(metafile.inputs).filter((input) => input.startsWith('src/'))
    .filter((input) => fs.statSync(path.join(REPOSITORY_ROOT, input)).mtimeMs > builtAt);
}
