/**
 * Cold start, asset size and synthesis time of this library's handler against a naive bundle of
 * the same Remotion client. Prints numbers; asserts nothing.
 *
 *   npx projen bench    (or: npx ts-node --project tsconfig.dev.json bench/run.ts after `npx projen bundle`)
 *
 * ours  = the asset as `RemotionRenderFunction` assembles it at synth: our prebuilt bundle
 *         (assets/render-handler/) plus the installed @remotion/lambda-client ES module build,
 *         copied unmodified to remotion/lambda-client.mjs, which the handler imports lazily.
 * naive = bench/entries/naive.lambda.ts (the same handler code, `@remotion/lambda/client` imported
/* external.
 *
 * No network except a fake Lambda endpoint on 127.0.0.1. Writes only under bench/out/.
 * BENCH_RUNS (default 10) and BENCH_SYNTH_RUNS (default 3) set the repetitions.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { benchDispatcher } from './dispatcher';
import { buildWithEsbuild, folderSize, NAIVE_ENTRY, NODEJS_FUNCTION_ESM, OUT, ROOT, type FolderSize } from './lib/bundles';
import { coldStartTable, measureColdStarts, type Cell, type CellSummary } from './lib/cold-start';
import { REQUESTS } from './lib/events';
import { ms, table } from './lib/stats';
import { measureSynth } from './lib/synth';
import { benchQueue } from './queue';
import { benchRemotionLambda } from './remotion-lambda';
import { benchStatusRead } from './status-read';
import { findRemotion } from '../src/remotion';
import { PREBUILT_HANDLER_DIR, stageHandlerCode } from '../src/render-function/handler-code';
import { FakeLambda } from '../test/render-function/runtime/fake-lambda';

/** Goals of issue 12, as ratios of ours to naive (medians of process wall time). */
const GOALS = { refused: 0.35, accepted: 1.05 } as const;
const RUNS = boundedInt(process.env.BENCH_RUNS, 10, 3, 50);
const SYNTH_RUNS = boundedInt(process.env.BENCH_SYNTH_RUNS, 3, 1, 10);

function boundedInt(text: string | undefined, fallback: number, min: number, max: number): number {
  const value = text === undefined ? fallback : Number.parseInt(text, 10);
  return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

function say(text = ''): void {
  process.stdout.write(`${text}\n`);
}

function rel(file: string): string {
  return path.relative(ROOT, file);
}

function sizeRow(label: string, size: FolderSize | undefined, note: string): string[] {
  return size ? [label, size.bytes.toLocaleString('en-US'), size.gzipBytes.toLocaleString('en-US'), note] : [label, 'FAILED', '-', note];
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const cpus = os.cpus();
  const remotion = findRemotion();
  say('# Remotion render handler bench');
  say(`date: ${new Date().toISOString()}`);
  say(`machine: ${cpus[0]?.model ?? 'unknown cpu'}, ${cpus.length} logical cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}, load avg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  say(`node ${process.version}, esbuild ${esbuild.version}, @remotion/lambda-client ${remotion.version} (${rel(remotion.clientFile)})`);
  say(`repetitions: ${RUNS} cold starts per cell, ${SYNTH_RUNS} synths per stack`);
  if (!fs.existsSync(path.join(PREBUILT_HANDLER_DIR, 'index.mjs'))) {
    say(`\nThe prebuilt handler ${rel(PREBUILT_HANDLER_DIR)}/ does not exist. Build it first: npx projen bundle`);
    process.exitCode = 1;
    return;
  }
  fs.mkdirSync(OUT, { recursive: true });

  // ------------------------------------------------------------------ 1. asset size
  say('\n## 1. Lambda code asset');
  const oursDir = stageHandlerCode(remotion, { stagingRoot: path.join(OUT, 'staged') });
  const ours = folderSize(oursDir);
  const naive = await buildWithEsbuild(NAIVE_ENTRY, path.join(OUT, 'naive'), NODEJS_FUNCTION_ESM);
  say(table([
    ['asset', 'bytes', 'gzip -9', 'what'],
    sizeRow(`ours: ${rel(oursDir)}/ TOTAL`, ours, `${ours.files.length} files, assembled at synth by copying (no bundler)`),
    ...ours.files.map((file) => [`  ${file.file}`, file.bytes.toLocaleString('en-US'), file.gzipBytes.toLocaleString('en-US'),
      file.file === 'index.mjs' ? 'read at every cold start: our validation and responses'
        : file.file.startsWith('remotion/') ? 'the consumer\'s client, unmodified; imported only for accepted requests'
          : file.file.startsWith('chunks/') ? 'imported only when a secret is read' : 'licence texts']),
    sizeRow(`naive: ${rel(naive.file)}`, naive.size, `NodejsFunction-style ESM bundle, unminified (${naive.buildMs.toFixed(0)} ms)`),
  ]));
  if (!naive.ok) say(`naive FAILED to build: ${(naive.errors ?? []).slice(0, 3).join(' | ')}`);
  say('gzip -9 = each file compressed alone, summed (a zip compresses each entry).');

  // ------------------------------------------------------------------ 2. cold start
  say('\n## 2. Cold start: a fresh `node` process imports the bundle and handles one request');
  const cells: Cell[] = [{ key: 'bare', runs: RUNS }];
  for (const request of REQUESTS) {
    cells.push({ key: `ours | ${request.name}`, bundle: path.join(oursDir, 'index.mjs'), request, runs: RUNS });
    if (naive.ok) cells.push({ key: `naive | ${request.name}`, bundle: naive.file, request, runs: RUNS });
  }
  const fake = await FakeLambda.start();
  let summaries: CellSummary[];
  try {
    summaries = await measureColdStarts(cells, fake.url, say);
  } finally {
    await fake.close();
  }
  const byKey = new Map(summaries.map((summary) => [summary.cell.key, summary]));
  say(table(coldStartTable(summaries)));
  say('median/p90: wall time from spawn to exit of the process. import/handle: medians measured inside the child.');
  for (const summary of summaries) {
    if (!summary.works || summary.problem) say(`  ${summary.cell.key}: ${summary.works ? 'note' : 'FAILS'}: ${summary.problem ?? 'unexpected status'}`);
  }

  // ------------------------------------------------------------------ 3. synth
  say(`\n## 3. Synthesis of a default AuthenticatedRenderApi against a NodejsFunction that bundles at synth (${SYNTH_RUNS} fresh processes each)`);
  const synth = await measureSynth(['ours', 'reference'], SYNTH_RUNS, path.join(OUT, 'synth'), say);
  say(table([
    ['stack', 'n', 'construct+synth', 'construct', 'app.synth()', 'process wall', 'resources', 'Lambda code asset'],
    ...synth.map((summary) => [
      summary.kind === 'ours' ? 'ours: AuthenticatedRenderApi' : 'reference: NodejsFunction (naive entry) + Cognito + HttpApi',
      `${summary.samples.filter((sample) => sample.report).length}/${summary.samples.length}`,
      ms(summary.median.constructAndSynthMs),
      ms(summary.median.constructMs),
      ms(summary.median.synthMs),
      ms(summary.median.wallMs),
      String(summary.resources ?? '-'),
      (summary.lambdaAssets ?? []).map((staged) => `${staged.files.length} files, ${staged.bytes.toLocaleString('en-US')} B`).join('; ') || '-',
    ]),
  ]));
  say('Medians. construct = building the stack: our asset staging (a copy) and NodejsFunction\'s esbuild run happen here.');
  for (const summary of synth) if (summary.problem) say(`  ${summary.kind}: FAILED: ${summary.problem}`);

  // ------------------------------------------------------------------ 4. goals
  say('\n## 4. Goals (ours / naive, medians of process wall time)');
  const verdict = (ratio: number, goal: number, works: boolean) => (!works ? 'CANNOT TELL (a side did not answer as expected)' : ratio <= goal ? 'MET' : 'NOT MET');
  for (const request of REQUESTS) {
    const o = byKey.get(`ours | ${request.name}`);
    const n = byKey.get(`naive | ${request.name}`);
    if (!o || !n) continue;
    const goal = request.expectedStatus === 202 ? GOALS.accepted : GOALS.refused;
    const ratio = o.medianWallMs / n.medianWallMs;
    say(`- ${request.name}: ${ms(o.medianWallMs)} vs ${ms(n.medianWallMs)} = ${ratio.toFixed(2)}x (goal <= ${goal}x) -> ${verdict(ratio, goal, o.works && n.works)}`
      + `; p90 ${(o.p90WallMs / n.p90WallMs).toFixed(2)}x; Remotion loaded: ours ${o.remotionLoaded}, naive ${n.remotionLoaded}`);
  }
  say('- The opt-in slimmed client (goal <= 0.75x) is not measured: the slimming was removed (see README).');
  const [oursSynth, referenceSynth] = synth;
  if (oursSynth.ok && referenceSynth.ok) {
    say(`- synth (construct+synth): ${ms(oursSynth.median.constructAndSynthMs)} vs ${ms(referenceSynth.median.constructAndSynthMs)} = ${(oursSynth.median.constructAndSynthMs / referenceSynth.median.constructAndSynthMs).toFixed(2)}x`);
  }
  if (naive.size) say(`- asset: ${ours.bytes.toLocaleString('en-US')} B vs ${naive.size.bytes.toLocaleString('en-US')} B = ${(ours.bytes / naive.size.bytes).toFixed(2)}x (gzip ${(ours.gzipBytes / naive.size.gzipBytes).toFixed(2)}x)`);
  say(`\n## 5. RemotionLambda: the full example (examples/full-stack.ts) against the same stack without it (${SYNTH_RUNS} fresh processes each)`);
  await benchRemotionLambda(say, SYNTH_RUNS);
  // The render queue (issue 20): its POST /renders beside the naive bundle, the dispatcher's overhead, status reads.
  say('\n## 6. The render queue (issue 20)');
  await benchQueue();
  say('\n## 7. The dispatcher\'s overhead per start (moto DynamoDB, the fake Remotion)');
  await benchDispatcher(say);
  say('\n## 8. Status read of a running render, with and without the Lambda invocation');
  await benchStatusRead();
  say(`\nmachine: ${cpus[0]?.model ?? 'unknown cpu'}, ${cpus.length} cores, node ${process.version}; load avg now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  say(`bench finished in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
