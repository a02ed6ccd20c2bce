import * as fs from 'node:fs';
import * as path from 'node:path';
import { markedJson, runProcess } from './run-process';
import { median } from './stats';
import { SYNTH_MARKER, type SynthReport } from '../synth/common';

const ROOT = path.join(__dirname, '..', '..');
const SYNTH_TIMEOUT_MS = 120_000;

export interface SynthSample {
  readonly wallMs: number;
  readonly report?: SynthReport;
  readonly problem?: string;
}

export interface SynthSummary {
  readonly kind: string;
  readonly samples: readonly SynthSample[];
  readonly ok: boolean;
  readonly median: { wallMs: number; loadMs: number; constructMs: number; synthMs: number; constructAndSynthMs: number };
  readonly resources?: number;
  readonly lambdaAssets?: SynthReport['lambdaAssets'];
  readonly problem?: string;
}

/** Each kind `repetitions` times, alternating, every run in a fresh `node` process with ts-node (transpile only). */
export async function measureSynth(
  kinds: readonly string[],
  repetitions: number,
  outRoot: string,
  onProgress: (text: string) => void,
): Promise<SynthSummary[]> {
  const samples = new Map<string, SynthSample[]>(kinds.map((kind) => [kind, []]));
  for (let repetition = 0; repetition < repetitions; repetition++) {
    for (const kind of kinds) {
      const outdir = path.join(outRoot, `${kind}-${repetition + 1}`);
      const run = await runProcess(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'bench/synth', `${kind}.ts`), outdir], {
        env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json') },
        cwd: ROOT,
        timeoutMs: SYNTH_TIMEOUT_MS,
      });
      const report = markedJson<SynthReport>(run.stdout, SYNTH_MARKER);
      const problem = report ? undefined : `exit ${run.code}${run.timedOut ? ' (timed out)' : ''}: ${(run.stderr || run.stdout).trim().split('\n').slice(-3).join(' | ').slice(0, 400)}`;
      samples.get(kind)!.push({ wallMs: run.wallMs, report, problem });
      // The previous repetition's cloud assembly is evidence enough; keep only the last one.
      if (repetition + 1 < repetitions) fs.rmSync(outdir, { recursive: true, force: true });
    }
    onProgress(`  synth: repetition ${repetition + 1}/${repetitions} done`);
  }
  return kinds.map((kind) => {
    const list = samples.get(kind)!;
    const reports = list.flatMap((sample) => (sample.report ? [sample.report] : []));
    const pick = (select: (report: SynthReport) => number) => median(reports.map(select));
    return {
      kind,
      samples: list,
      ok: reports.length === list.length,
      median: {
        wallMs: median(list.map((sample) => sample.wallMs)),
        loadMs: pick((report) => report.loadMs),
        constructMs: pick((report) => report.constructMs),
        synthMs: pick((report) => report.synthMs),
        constructAndSynthMs: pick((report) => report.constructMs + report.synthMs),
      },
      resources: reports[0]?.resources,
      lambdaAssets: reports[0]?.lambdaAssets,
      problem: list.find((sample) => sample.problem !== undefined)?.problem,
    };
  });
}
