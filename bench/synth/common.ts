import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';

export const SYNTH_MARKER = '@@bench-synth@@';

/** What a synth child prints. */
export interface SynthReport {
  /** Process start until the stack code runs: Node.js, ts-node and loading aws-cdk-lib and the stack's modules. */
  readonly loadMs: number;
  /** Constructing the stack; asset staging and `NodejsFunction` bundling happen here. */
  readonly constructMs: number;
  /** `app.synth()` alone. */
  readonly synthMs: number;
  readonly resources: number;
  /** Lambda code assets staged (folders with an `index.js`/`index.mjs`), with every file in them. */
  readonly lambdaAssets: Array<{ dir: string; bytes: number; files: Array<{ file: string; bytes: number }> }>;
}

function filesUnder(dir: string, prefix = ''): Array<{ file: string; bytes: number }> {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return filesUnder(dir, relative);
    return entry.isFile() ? [{ file: relative, bytes: fs.statSync(path.join(dir, relative)).size }] : [];
  });
}

/** Builds the stack in a fresh `App`, synthesizes it into `outdir`, and prints the timings. */
export function timeSynth(build: (app: App) => Stack): void {
  const loadMs = performance.now();
  const outdir = process.argv[2];
  if (!outdir) throw new Error('usage: synth-child <outdir>');
  fs.rmSync(outdir, { recursive: true, force: true });

  const startedConstruct = performance.now();
  const app = new App({ outdir });
  const stack = build(app);
  const constructMs = performance.now() - startedConstruct;

  const startedSynth = performance.now();
  const assembly = app.synth();
  const synthMs = performance.now() - startedSynth;

  const template = assembly.getStackByName(stack.stackName).template as { Resources?: Record<string, unknown> };
  const lambdaAssets = fs.readdirSync(assembly.directory)
    .filter((entry) => entry.startsWith('asset.') && fs.statSync(path.join(assembly.directory, entry)).isDirectory())
    .map((entry) => ({ dir: entry, files: filesUnder(path.join(assembly.directory, entry)) }))
    .filter((asset) => asset.files.some((file) => /^index\.(m?js)$/.test(file.file)))
    .map((asset) => ({ ...asset, bytes: asset.files.reduce((sum, file) => sum + file.bytes, 0) }));
  const report: SynthReport = {
    loadMs,
    constructMs,
    synthMs,
    resources: Object.keys(template.Resources ?? {}).length,
    lambdaAssets,
  };
  process.stdout.write(`\n${SYNTH_MARKER}${JSON.stringify(report)}\n`);
}
