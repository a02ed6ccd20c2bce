/**
 * Handler bundle size, cold start and synthesis time: this library against the reference app's
 * way (NodejsFunction: CommonJS, unminified, bundled at synth). Prints numbers; asserts nothing.
 *
 *   npx ts-node --project tsconfig.dev.json bench/run.ts
 *
 * Needs the handler asset (`npx projen bundle`). Writes only under bench/out/. No network except
 * a fake Lambda endpoint on 127.0.0.1. BENCH_RUNS (default 10) and BENCH_SYNTH_RUNS (default 3)
 * set the repetitions.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import {
  ASSET,
  ASSET_DIR,
  buildWithEsbuild,
  ENTRY,
  FULL_REMOTION_ALIAS,
  FULL_REMOTION_UNBUNDLABLE,
  IMPORT_META_URL_FIX,
  NODEJS_FUNCTION_DEFAULTS,
  OUT,
  REFERENCE_ENTRY,
  rebuildProjenBundle,
  ROOT,
  snapshotAsset,
  sourcesNewerThanAsset,
  type BuiltBundle,
  type FolderSize,
} from './lib/bundles';
import { measureColdStarts, type Cell, type CellSummary } from './lib/cold-start';
import { REQUESTS } from './lib/events';
import { BenchFakeLambda } from './lib/fake-lambda';
import { bytes, ms, table } from './lib/stats';
import { measureSynth } from './lib/synth';
import { benchRemotionLambda } from './remotion-lambda';

/** The stricter of the two readings of "1.45 MB": 1.45e6 bytes (1.45 MiB would be 1,520,435). */
const SIZE_TARGET_BYTES = 1_450_000;
const COLD_START_TARGET_RATIO = 0.8;
/** "Close to a bare Node.js start": the median of a rejected request is at most this much slower. */
const REJECTED_TOLERANCE_MS = 50;
const RUNS = boundedInt(process.env.BENCH_RUNS, 10, 3, 50);
const REFERENCE_RUNS = 3;
const SYNTH_RUNS = boundedInt(process.env.BENCH_SYNTH_RUNS, 3, 1, 10);

function boundedInt(text: string | undefined, fallback: number, min: number, max: number): number {
  const value = text === undefined ? fallback : Number.parseInt(text, 10);
  return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

function say(text = ''): void {
  process.stdout.write(`${text}\n`);
}

function versionOf(pkg: string): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

function dirBytes(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? dirBytes(full) : entry.isFile() ? fs.statSync(full).size : 0;
  }
  return total;
}

/** Timings on a machine busy with other work (load average above the core count) are noisy. */
function warnIfBusy(cores: number): void {
  const [oneMinute] = os.loadavg();
  if (oneMinute > cores) say(`NOTE: the 1-minute load average (${oneMinute.toFixed(2)}) exceeds the ${cores} cores: other processes compete for the CPU, timings are noisy.`);
}

function rel(file: string): string {
  return path.relative(ROOT, file);
}

function bundleRow(label: string, bundle: BuiltBundle | { bytes: number; gzipBytes: number }, note: string): string[] {
  if ('ok' in bundle && !bundle.ok) return [label, 'BUILD FAILED', '-', `${bundle.errorCount ?? 1} esbuild error(s); ${note}`];
  const built = bundle as { bytes: number; gzipBytes: number };
  return [label, built.bytes.toLocaleString('en-US'), built.gzipBytes.toLocaleString('en-US'), note];
}

function top(inputs: BuiltBundle['topInputs']): string {
  return (inputs ?? []).map((input) => `${input.pkg} ${(input.bytes / 1e6).toFixed(2)}`).join(', ');
}

/** Same file names and contents (chunk names carry a content hash, so names alone nearly tell). */
function sameFiles(a: FolderSize, b: FolderSize): boolean {
  if (a.files.length !== b.files.length) return false;
  return a.files.every((file, index) => file.file === b.files[index].file && file.sha256 === b.files[index].sha256);
}

function chunkNote(file: string): string {
  if (file === 'index.mjs') return 'loaded at every cold start: our validation and response code';
  if (/remotion-client/.test(file)) return 'imported only for accepted requests (Remotion\'s client)';
  if (/aws4fetch/.test(file)) return 'imported only when a secret is read (webhook or credentials secret; not in this bench)';
  return 'imported lazily';
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const cpus = os.cpus();
  say('# Remotion render handler bench');
  say(`date: ${new Date().toISOString()}`);
  say(`machine: ${cpus[0]?.model ?? 'unknown cpu'}, ${cpus.length} logical cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}, load avg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  say(`node ${process.version} (the Lambda runtime is nodejs24.x; bundles target node24), esbuild ${esbuild.version}, aws-cdk-lib ${versionOf('aws-cdk-lib')}, @remotion/lambda ${versionOf('@remotion/lambda')}`);
  say(`repetitions: cold start ${RUNS} per cell (full @remotion/lambda: ${REFERENCE_RUNS}), synth ${SYNTH_RUNS} per stack`);
  warnIfBusy(cpus.length);

  if (!fs.existsSync(ASSET)) {
    say(`\nThe handler asset ${rel(ASSET)} does not exist. Build it first: npx projen bundle`);
    process.exitCode = 1;
    return;
  }
  fs.mkdirSync(OUT, { recursive: true });

  // ---------------------------------------------------------------- 1. bundle size
  say('\n## 1. Handler bundle size');
  // Others may rebuild the asset while this runs: measure one snapshot of the whole folder throughout.
  const snapshotDir = path.join(OUT, 'ours-asset');
  const assetSnapshot = path.join(snapshotDir, 'index.mjs');
  const snapshot = await snapshotAsset(snapshotDir);
  const asset = snapshot.size;
  const stale = await sourcesNewerThanAsset();
  const rebuilt = await rebuildProjenBundle(path.join(OUT, 'ours-rebuild'));
  const unslimmed = await rebuildProjenBundle(path.join(OUT, 'ours-unslimmed-client'), { unslimmedClient: true });
  const naive = await buildWithEsbuild('naive', ENTRY, path.join(OUT, 'naive-cjs', 'index.js'), NODEJS_FUNCTION_DEFAULTS);
  const naiveFixed = await buildWithEsbuild('naive+fix', ENTRY, path.join(OUT, 'naive-cjs-fixed', 'index.js'), { ...NODEJS_FUNCTION_DEFAULTS, ...IMPORT_META_URL_FIX });
  const fullDefault = await buildWithEsbuild('full default', REFERENCE_ENTRY, path.join(OUT, 'full-remotion-default', 'index.js'), { ...NODEJS_FUNCTION_DEFAULTS, ...FULL_REMOTION_ALIAS });
  const fullExternals = [...(NODEJS_FUNCTION_DEFAULTS.external ?? []), ...FULL_REMOTION_UNBUNDLABLE];
  const full = await buildWithEsbuild('full', REFERENCE_ENTRY, path.join(OUT, 'full-remotion', 'index.js'), { ...NODEJS_FUNCTION_DEFAULTS, ...FULL_REMOTION_ALIAS, external: fullExternals });
  const fullFixed = await buildWithEsbuild('full+fix', REFERENCE_ENTRY, path.join(OUT, 'full-remotion-fixed', 'index.js'), {
    ...NODEJS_FUNCTION_DEFAULTS,
    ...FULL_REMOTION_ALIAS,
    ...IMPORT_META_URL_FIX,
    external: fullExternals,
  });
  // Left behind by earlier versions of this bench (the split was an experiment then).
  fs.rmSync(path.join(OUT, 'experiment-split'), { recursive: true, force: true });
  const nativeBytes = dirBytes(path.join(ROOT, 'node_modules/@remotion/compositor-linux-x64-gnu')) + dirBytes(path.join(ROOT, 'node_modules/@rspack/binding-linux-x64-gnu'));

  const identical = rebuilt.ok && sameFiles(asset, rebuilt.size!);
  say(table([
    ['bundle', 'bytes', 'gzip -9', 'how'],
    bundleRow(`ours: ${rel(ASSET_DIR)}/ TOTAL`, asset, `projen task: ESM, minified, all deps bundled, code split; ${asset.files.length} files${stale.length > 0 ? ' [STALE, see below]' : ''}`),
    ...asset.files.map((file, index) => [
      `  ${index === 0 ? 'entry chunk' : 'chunk'} ${file.file}`,
      file.bytes.toLocaleString('en-US'),
      file.gzipBytes.toLocaleString('en-US'),
      chunkNote(file.file),
    ]),
    bundleRow(`ours rebuilt now: ${rel(rebuilt.outdir)}/ TOTAL`, rebuilt, `the projen task's esbuild args (${rebuilt.buildMs.toFixed(0)} ms)${rebuilt.ok ? `; ${rebuilt.size!.files.length} files, ${identical ? 'identical to the asset' : 'DIFFERENT from the asset, see below'}` : ''}`),
    bundleRow(`ours, Remotion's client unslimmed: ${rel(unslimmed.outdir)}/ TOTAL`, unslimmed, 'the projen task\'s esbuild args without --alias (see projenrc/slim-remotion-client.ts)'),
    bundleRow(`naive: ${rel(naive.file)}`, naive, `NodejsFunction defaults: CJS, unminified, external @aws-sdk/* (${naive.buildMs.toFixed(0)} ms)`),
    bundleRow(`naive+fix: ${rel(naiveFixed.file)}`, naiveFixed, 'naive + define import.meta.url (see 2.)'),
    bundleRow('full @remotion/lambda, NodejsFunction defaults', fullDefault, 'the reference\'s import, bundled as NodejsFunction would'),
    bundleRow(`full @remotion/lambda: ${rel(full.file)}`, full, `+ externals ${FULL_REMOTION_UNBUNDLABLE.join(' ')} (${full.buildMs.toFixed(0)} ms)`),
    bundleRow(`full @remotion/lambda+fix: ${rel(fullFixed.file)}`, fullFixed, '+ the import.meta.url fix'),
  ]));
  say('The asset is split (esbuild --splitting): index.mjs holds only validation; Remotion\'s client is a separate chunk that is imported, read and compiled only for accepted requests.');
  say('Size of ours = all files of the asset folder (the code Lambda ships); the others are one file each. gzip -9 = each file compressed alone, summed (a zip compresses each entry), approximating the deployment package.');
  say(`The asset folder was copied to ${rel(snapshotDir)}/ at the start; sections 1, 2 and 4 measure that copy.`);
  if (snapshot.missing.length > 0) say(`WARNING: the copy is torn (an import points at no file: ${snapshot.missing.join(', ')}): the asset was being rebuilt; rerun the bench.`);
  if (stale.length > 0) say(`WARNING: the asset is older than ${stale.join(', ')}: rebuild it with \`npx projen bundle\`; the "rebuilt now" row is the current source.`);
  else say('The asset is fresh: no bundled source file is newer than it.');
  say(`"rebuilt now" ran: esbuild ${rebuilt.args.map((arg) => (/^[\w./=:,@+-]*$/.test(arg) ? arg : JSON.stringify(arg))).join(' ')}`);
  if (rebuilt.ok && !identical) {
    const describe = (size: FolderSize) => size.files.map((file) => `${file.file} ${file.bytes.toLocaleString('en-US')} B`).join(', ');
    say(`Note: the rebuilt folder differs from the asset (total ${(rebuilt.bytes! - asset.bytes).toLocaleString('en-US')} bytes): rebuilt ${describe(rebuilt.size!)}; asset ${describe(asset)}.`);
  }
  if (!rebuilt.ok) say(`The rebuild FAILED: ${(rebuilt.errors ?? []).join(' | ').slice(0, 500)}`);
  say(`Largest parts (MB in output) of ours, current source, all chunks: ${top(rebuilt.topInputs)}`);
  say(`  of its entry chunk index.mjs alone (KB): ${(rebuilt.entryTopInputs ?? []).map((input) => `${input.pkg} ${(input.bytes / 1e3).toFixed(1)}`).join(', ')}`);
  say(`Largest parts (MB in output) of naive: ${top(naive.topInputs)}`);
  if (!fullDefault.ok) {
    say(`Full @remotion/lambda with NodejsFunction defaults: esbuild FAILS (${fullDefault.errorCount} errors), so \`cdk synth\` of the reference would fail. First errors:`);
    for (const error of (fullDefault.errors ?? []).slice(0, 4)) say(`  - ${error}`);
  }
  if (full.ok) {
    say(`Full @remotion/lambda with the externals added: ${(full.bytes! / 1e6).toFixed(1)} MB of JavaScript (${full.warningCount} esbuild warnings), and it would still need the externalized native packages`);
    say(`  (@remotion/compositor-linux-x64-gnu + @rspack/binding-linux-x64-gnu: ${(nativeBytes / 1e6).toFixed(0)} MB on disk) that a NodejsFunction bundle does not ship. Largest parts: ${top(full.topInputs)}`);
  }

  // ---------------------------------------------------------------- 2. cold start
  say('\n## 2. Cold start: a fresh `node` process imports the bundle and handles one request');
  say(`ours = ${rel(assetSnapshot)}: the entry chunk, which imports chunks/ from the same folder as in Lambda.`);
  const noop = path.join(OUT, 'noop', 'index.mjs');
  fs.mkdirSync(path.dirname(noop), { recursive: true });
  fs.writeFileSync(noop, 'export const handler = async () => ({ statusCode: 200, body: "{}" });\n');

  const cells: Cell[] = [
    { key: 'bare', runs: RUNS },
    { key: 'noop', bundle: noop, request: { ...REQUESTS[0], expectedStatus: 200 }, runs: RUNS },
  ];
  const measured: Array<{ label: string; file: string; runs: number; requests: typeof REQUESTS }> = [
    { label: 'ours', file: assetSnapshot, runs: RUNS, requests: REQUESTS },
    // A stale asset measures old code: then the current source, built with the projen task's arguments, too.
    ...(stale.length > 0 && rebuilt.ok && !identical ? [{ label: 'ours rebuilt', file: rebuilt.file, runs: RUNS, requests: REQUESTS }] : []),
    { label: 'naive', file: naive.file, runs: RUNS, requests: REQUESTS },
    // Only accepted requests load Remotion's client, so only they can differ.
    ...(unslimmed.ok ? [{ label: 'ours unslimmed client', file: unslimmed.file, runs: RUNS, requests: REQUESTS.filter((request) => request.expectedStatus === 202) }] : []),
    { label: 'naive+fix', file: naiveFixed.file, runs: RUNS, requests: REQUESTS },
  ];
  // The full package is imported statically, so it fails (or not) before any request: one request kind is enough.
  const fullRequests = REQUESTS.filter((request) => request.expectedStatus === 202);
  if (full.ok) measured.push({ label: 'full', file: full.file, runs: REFERENCE_RUNS, requests: fullRequests });
  if (fullFixed.ok) measured.push({ label: 'full+fix', file: fullFixed.file, runs: REFERENCE_RUNS, requests: fullRequests });
  for (const bundle of measured) {
    if (!fs.existsSync(bundle.file)) continue;
    for (const request of bundle.requests) cells.push({ key: `${bundle.label} | ${request.name}`, bundle: bundle.file, request, runs: bundle.runs });
  }

  const fake = await BenchFakeLambda.start();
  let summaries: CellSummary[];
  try {
    summaries = await measureColdStarts(cells, fake.url, say);
  } finally {
    await fake.close();
  }
  const byKey = new Map(summaries.map((summary) => [summary.cell.key, summary]));
  say(table([
    ['bundle | request', 'n', 'median', 'p90', 'import', 'handle', 'answers', 'works', 'Remotion loaded'],
    ...summaries.map((summary) => [
      summary.cell.key === 'bare' ? "bare `node -e ''`" : summary.cell.key === 'noop' ? 'node + harness, empty handler' : summary.cell.key,
      String(summary.samples.length),
      ms(summary.medianWallMs),
      ms(summary.p90WallMs),
      ms(summary.medianImportMs),
      ms(summary.medianHandleMs),
      summary.statuses,
      summary.works ? 'yes' : 'NO',
      summary.remotionLoaded,
    ]),
  ]));
  say('median/p90: wall time from spawn to exit of the process. import/handle: medians measured inside the child.');
  say(`Lambda fake on 127.0.0.1 answered: ${[...fake.invocations.entries()].map(([routine, count]) => `${routine} x${count}`).join(', ') || 'nothing'} (includes one warm-up run per cell).`);
  for (const summary of summaries) {
    if (!summary.works || summary.problem) say(`  ${summary.cell.key}: ${summary.works ? 'note' : 'FAILS'}: ${summary.problem ?? 'unexpected status'}`);
  }
  say('naive = the CommonJS bundle NodejsFunction makes by default. esbuild rewrites `import.meta` to `{}` in CommonJS output (silently, inside node_modules),');
  say('so Remotion\'s client throws at `createRequire(import.meta.url)` when it is first loaded. naive+fix = the same bundle with');
  say(`\`bundling: { define: { 'import.meta.url': '__bench_import_meta_url' }, banner: '${IMPORT_META_URL_FIX.banner!.js}' }\`, the minimal change that makes it work.`);
  say('The naive bundles load @aws-sdk/* from node_modules (in Lambda: from the runtime); Remotion\'s client carries its own SDK copy, so that matters little here.');

  // ---------------------------------------------------------------- 3. synth
  say(`\n## 3. Synthesis (${SYNTH_RUNS} fresh processes per stack, alternating; ts-node transpile-only)`);
  const synth = await measureSynth(['ours', 'reference'], SYNTH_RUNS, path.join(OUT, 'synth'), say);
  say(table([
    ['stack', 'n', 'construct+synth', 'construct', 'app.synth()', 'process wall', 'load (node+ts-node+imports)', 'resources', 'Lambda code asset'],
    ...synth.map((summary) => [
      summary.kind === 'ours' ? 'ours: AuthenticatedRenderApi' : 'reference: NodejsFunction + Cognito + HttpApi JWT',
      `${summary.samples.filter((sample) => sample.report).length}/${summary.samples.length}`,
      ms(summary.median.constructAndSynthMs),
      ms(summary.median.constructMs),
      ms(summary.median.synthMs),
      ms(summary.median.wallMs),
      ms(summary.median.loadMs),
      String(summary.resources ?? '-'),
      (summary.lambdaAssets ?? []).map((staged) => `${staged.files.length} file${staged.files.length === 1 ? '' : 's'}, ${staged.bytes.toLocaleString('en-US')} B`).join('; ') || '-',
    ]),
  ]));
  say('Medians. construct = building the stack: asset staging happens here, and so does NodejsFunction\'s esbuild run (via npx), not in app.synth().');
  for (const summary of synth) if (summary.problem) say(`  ${summary.kind}: FAILED: ${summary.problem}`);
  const oursAsset = synth.find((summary) => summary.kind === 'ours')?.lambdaAssets?.[0];
  if (oursAsset) say(`Cross-check: the staged asset of ours is ${oursAsset.files.map((file) => `${file.file} ${file.bytes.toLocaleString('en-US')} B`).join(', ')}; the asset of section 1 is ${asset.bytes.toLocaleString('en-US')} B in ${asset.files.length} files (equal unless the asset was rebuilt during the run).`);
  const referenceAsset = synth.find((summary) => summary.kind === 'reference')?.lambdaAssets?.[0];
  if (referenceAsset && naive.ok) say(`Cross-check: NodejsFunction's own bundle is ${referenceAsset.bytes.toLocaleString('en-US')} B; the naive bundle of section 1 is ${naive.bytes!.toLocaleString('en-US')} B (equal unless src/ changed during the run).`);
  say(`Cloud assemblies of the last repetition: ${rel(path.join(OUT, 'synth'))}/`);

  // ---------------------------------------------------------------- 4. targets
  say('\n## 4. Targets');
  const verdict = (met: boolean | undefined) => (met === undefined ? 'CANNOT TELL' : met ? 'MET' : 'NOT MET');
  const subjects = [{ label: 'ours', name: `asset ${rel(ASSET_DIR)}/`, bytes: asset.bytes }];
  if (stale.length > 0 && rebuilt.ok && !identical) subjects.push({ label: 'ours rebuilt', name: 'STALE asset; current source rebuilt with the projen args', bytes: rebuilt.bytes! });
  const happy = REQUESTS.find((request) => request.expectedStatus === 202)!;
  const naive202 = byKey.get(`naive | ${happy.name}`);
  const comparator = byKey.get(`naive+fix | ${happy.name}`);
  const bare = byKey.get('bare')!;

  say(`- Bundle (all files of the asset folder) under 1.45 MB, read as ${SIZE_TARGET_BYTES.toLocaleString('en-US')} bytes (1.45e6; stricter than 1.45 MiB = ${Math.floor(1.45 * 1024 * 1024).toLocaleString('en-US')}):`);
  for (const subject of subjects) {
    const met = subject.bytes < SIZE_TARGET_BYTES;
    say(`    ${subject.name}: ${bytes(subject.bytes)} -> ${verdict(met)} (${met ? 'under' : 'over'} by ${Math.abs(SIZE_TARGET_BYTES - subject.bytes).toLocaleString('en-US')} bytes)`);
  }

  say(`- Happy-path (${happy.name}) cold start under ${COLD_START_TARGET_RATIO}x naive+fix's, medians of process wall time:`);
  if (naive202) {
    say(`    (naive as-is ${naive202.works ? `answers ${naive202.statuses}` : `cannot serve it: it answers ${naive202.statuses} (${naive202.problem ?? 'unexpected status'})`}; naive+fix is naive with the minimal change that makes it work.)`);
  }
  for (const subject of subjects) {
    const ours202 = byKey.get(`${subject.label} | ${happy.name}`);
    if (!ours202 || !comparator) continue;
    const ratio = ours202.medianWallMs / comparator.medianWallMs;
    const both = ours202.works && comparator.works;
    say(`    ${subject.name}: ${ms(ours202.medianWallMs)} vs naive+fix ${ms(comparator.medianWallMs)} = ${ratio.toFixed(2)}x -> ${both ? verdict(ratio < COLD_START_TARGET_RATIO) : `${verdict(undefined)} (a side did not answer 202)`}`);
    const p90Ratio = ours202.p90WallMs / comparator.p90WallMs;
    const inProcessRatio = (ours202.medianImportMs + ours202.medianHandleMs) / (comparator.medianImportMs + comparator.medianHandleMs);
    say(`      (p90 ${ms(ours202.p90WallMs)} vs ${ms(comparator.p90WallMs)} = ${p90Ratio.toFixed(2)}x; in-process import+handle ${ms(ours202.medianImportMs + ours202.medianHandleMs)} vs ${ms(comparator.medianImportMs + comparator.medianHandleMs)} = ${inProcessRatio.toFixed(2)}x)`);
    const unslimmed202 = subject.label === 'ours' ? byKey.get(`ours unslimmed client | ${happy.name}`) : undefined;
    if (unslimmed202) {
      say(`      (with Remotion's client unslimmed: ${ms(unslimmed202.medianWallMs)} = ${(unslimmed202.medianWallMs / comparator.medianWallMs).toFixed(2)}x; the slimming saves ${(unslimmed202.medianWallMs - ours202.medianWallMs).toFixed(0)} ms)`);
    }
    if ([p90Ratio, inProcessRatio].some((other) => (other < COLD_START_TARGET_RATIO) !== (ratio < COLD_START_TARGET_RATIO))) {
      say('      This verdict is not robust: the p90 or in-process ratio falls on the other side of the target. Rerun on an idle machine, or with BENCH_RUNS=20.');
    }
  }

  say(`- Rejected requests close to a bare Node.js start, read as: median at most ${REJECTED_TOLERANCE_MS} ms above bare \`node -e ''\` (${ms(bare.medianWallMs)}), Remotion not loaded:`);
  for (const subject of subjects) {
    for (const request of REQUESTS.filter((candidate) => candidate.expectedStatus !== 202)) {
      const ours = byKey.get(`${subject.label} | ${request.name}`);
      if (!ours) continue;
      const extra = ours.medianWallMs - bare.medianWallMs;
      const met = ours.works && ours.remotionLoaded === 'no' && extra <= REJECTED_TOLERANCE_MS;
      say(`    ${subject.name}, ${request.name}: ${ms(ours.medianWallMs)} = bare +${extra.toFixed(0)} ms (${(ours.medianWallMs / bare.medianWallMs).toFixed(2)}x; import ${ms(ours.medianImportMs)}), Remotion loaded: ${ours.remotionLoaded} -> ${verdict(met)}`);
    }
  }
  say(`\n## 5. RemotionLambda: the full example (examples/full-stack.ts) against the same stack without it (${SYNTH_RUNS} fresh processes each)`);
  await benchRemotionLambda(say, SYNTH_RUNS);
  say(`\nmachine: ${cpus[0]?.model ?? 'unknown cpu'}, ${cpus.length} cores, node ${process.version}; load avg now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  warnIfBusy(cpus.length);
  say(`bench finished in ${((Date.now() - startedAt) / 1000).toFixed(1)} s (plus ts-node start-up)`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
