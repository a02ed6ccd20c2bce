import * as path from 'node:path';
import type { BenchRequest } from './events';
import { handlerEnvironment } from './events';
import { markedJson, runProcess } from './run-process';
import { median, ms, percentile } from './stats';

const CHILD = path.join(__dirname, '..', 'cold-start-child.mjs');
const MARKER = '@@bench-cold-start@@';
const CHILD_TIMEOUT_MS = 30_000;

/** What cold-start-child.mjs prints. */
export interface ChildReport {
  readonly bootMs: number;
  readonly phase: 'import' | 'handle' | 'done';
  readonly importMs?: number;
  readonly handleMs?: number;
  readonly status?: number;
  readonly body?: string;
  readonly remotionLoadedAtImport?: boolean;
  readonly remotionLoaded?: boolean;
  readonly error?: string;
  readonly sinceProcessStartMs: number;
}

export interface Sample {
  readonly wallMs: number;
  readonly report?: ChildReport;
  /** The handler's own error log line (502s), or the end of stderr when the child printed no report. */
  readonly problem?: string;
}

export interface Cell {
  readonly key: string;
  /** Absolute path of the bundle; undefined for a bare `node -e ''`. */
  readonly bundle?: string;
  readonly request?: BenchRequest;
  readonly runs: number;
  /** More environment for the child, over the construct's (e.g. the render queue's settings). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface CellSummary {
  readonly cell: Cell;
  readonly samples: readonly Sample[];
  readonly medianWallMs: number;
  readonly p90WallMs: number;
  readonly medianImportMs: number;
  readonly medianHandleMs: number;
  readonly statuses: string;
  /** Every run answered the expected status (bare runs: exited 0). */
  readonly works: boolean;
  readonly remotionLoaded: string;
  readonly problem?: string;
}

function childEnvironment(fakeUrl: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    // As inside Lambda: Remotion's client changes behaviour when it sees AWS_EXECUTION_ENV.
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAFAKEBENCHKEY0001',
    AWS_SECRET_ACCESS_KEY: 'fake-bench-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_LAMBDA: fakeUrl,
    AWS_ENDPOINT_URL_S3: fakeUrl,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: fakeUrl,
    ...handlerEnvironment(),
  };
}

async function runOnce(cell: Cell, fakeUrl: string): Promise<Sample> {
  const env = { ...childEnvironment(fakeUrl), ...cell.env };
  if (cell.bundle === undefined) {
    const run = await runProcess(process.execPath, ['-e', ''], { env, cwd: path.dirname(CHILD), timeoutMs: CHILD_TIMEOUT_MS });
    return { wallMs: run.wallMs, problem: run.code === 0 ? undefined : `exit ${run.code}` };
  }
  const run = await runProcess(process.execPath, [CHILD], {
    env: { ...env, BENCH_BUNDLE: cell.bundle, BENCH_EVENT: JSON.stringify(cell.request?.event ?? {}) },
    cwd: path.dirname(cell.bundle),
    timeoutMs: CHILD_TIMEOUT_MS,
  });
  const report = markedJson<ChildReport>(run.stdout, MARKER);
  if (!report) {
    const tail = (run.stderr || run.stdout).trim().split('\n').slice(-3).join(' | ');
    return { wallMs: run.wallMs, problem: `no report (exit ${run.code}${run.timedOut ? ', timed out' : ''}): ${tail.slice(0, 300)}` };
  }
  return { wallMs: run.wallMs, report, problem: report.error ?? handlerErrorLog(`${run.stdout}\n${run.stderr}`) };
}

/** The `error` of the handler's error-level log line, e.g. why it answered 502. */
function handlerErrorLog(output: string): string | undefined {
  for (const line of output.split('\n')) {
    if (!line.includes('"level":"error"')) continue;
    try {
      const record = JSON.parse(line) as { error?: { name: string; message: string } };
      if (record.error) return `${record.error.name}: ${record.error.message.split('\n', 1)[0].slice(0, 300)}`;
    } catch {
      // not our JSON line
    }
  }
  return undefined;
}

/**
 * Runs every cell `runs` times in fresh processes, interleaved round by round so that drift in
 * machine load spreads over all cells. One untimed warm-up per cell first (file cache).
 */
export async function measureColdStarts(cells: readonly Cell[], fakeUrl: string, onProgress: (text: string) => void): Promise<CellSummary[]> {
  for (const cell of cells) await runOnce(cell, fakeUrl);
  const samples = new Map<string, Sample[]>(cells.map((cell) => [cell.key, []]));
  const rounds = Math.max(...cells.map((cell) => cell.runs));
  for (let round = 0; round < rounds; round++) {
    for (const cell of cells) {
      if (round < cell.runs) samples.get(cell.key)!.push(await runOnce(cell, fakeUrl));
    }
    onProgress(`  cold starts: round ${round + 1}/${rounds} done`);
  }
  return cells.map((cell) => summarize(cell, samples.get(cell.key)!));
}

function summarize(cell: Cell, samples: readonly Sample[]): CellSummary {
  const reports = samples.map((sample) => sample.report).filter((report): report is ChildReport => report !== undefined);
  const statusCounts = new Map<string, number>();
  for (const sample of samples) {
    const status = cell.bundle === undefined ? 'exit' : sample.report?.status !== undefined ? String(sample.report.status) : `failed in ${sample.report?.phase ?? 'start'}`;
    statusCounts.set(status, (statusCounts.get(status) ?? 0) + 1);
  }
  const works = cell.bundle === undefined
    ? samples.every((sample) => sample.problem === undefined)
    : samples.every((sample) => sample.report?.status === cell.request?.expectedStatus);
  const loaded = reports.flatMap((report) => {
    const value = report.remotionLoaded ?? report.remotionLoadedAtImport;
    return value === undefined ? [] : [value];
  });
  return {
    cell,
    samples,
    medianWallMs: median(samples.map((sample) => sample.wallMs)),
    p90WallMs: percentile(samples.map((sample) => sample.wallMs), 90),
    medianImportMs: median(reports.flatMap((report) => (report.importMs === undefined ? [] : [report.importMs]))),
    medianHandleMs: median(reports.flatMap((report) => (report.handleMs === undefined ? [] : [report.handleMs]))),
    statuses: [...statusCounts.entries()].map(([status, count]) => `${status}x${count}`).join(' '),
    works,
    remotionLoaded: cell.bundle === undefined || loaded.length === 0 ? '-' : loaded.every((value) => value) ? 'yes' : loaded.every((value) => !value) ? 'no' : 'mixed',
    problem: samples.find((sample) => sample.problem !== undefined)?.problem,
  };
}

/** The header and one row per cell of the cold-start table that `run.ts` and `queue.ts` print. */
export function coldStartTable(summaries: readonly CellSummary[], loadedHeader = 'Remotion loaded'): string[][] {
  return [
    ['bundle | request', 'n', 'median', 'p90', 'import', 'handle', 'answers', 'works', loadedHeader],
    ...summaries.map((summary) => [
      summary.cell.key === 'bare' ? "bare `node -e ''`" : summary.cell.key,
      String(summary.samples.length),
      ms(summary.medianWallMs),
      ms(summary.p90WallMs),
      ms(summary.medianImportMs),
      ms(summary.medianHandleMs),
      summary.statuses,
      summary.works ? 'yes' : 'NO',
      summary.remotionLoaded,
    ]),
  ];
}
