/**
 * What Powertools' Metrics costs the API handler (issue 21): the same bundle, two requests that
 * are refused with a 401 before any AWS call, one of which records a metric (an oversized
 * completion webhook: `WebhookRefusals`, so Powertools is imported, made and flushed) and one
 * that records none (`POST /renders` without a JWT). Cold: init + first invocation in fresh
 * `node` processes; warm: the same request again in the same process. Also the bundle bytes that
 * only the Metrics utility brings. Prints numbers; asserts nothing, but fails when a cell did not
 * answer 401 or wrote other than one EMF line per request (with) or none (without). The 1 MB body
 * of the webhook cell is only measured (`Buffer.byteLength`), well under a millisecond.
 *
 *   npx projen bundle && npx ts-node --project tsconfig.dev.json bench/metrics.ts
 *
 * BENCH_RUNS (default 10) sets the cold starts per cell, BENCH_WARM_RUNS (default 200) the warm requests of each.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { markedJson, runProcess } from './lib/run-process';
import { median, ms, percentile, table } from './lib/stats';
import { RENDER_ENV, RENDER_METRICS } from '../src/render-function/contract';
import { MAX_WEBHOOK_BODY_BYTES } from '../src/render-function/runtime/records/webhook';
import { apiEvent, constructEnvironment, startRenderEvent } from '../test/render-function/runtime/handler-events';

const ROOT = path.join(__dirname, '..');
const BUNDLE = path.join(ROOT, 'assets', 'render-handler', 'index.mjs');
const CHILD = path.join(__dirname, 'metrics-child.mjs');
const MARKER = '@@bench-metrics@@';
const COLD_RUNS = Math.min(50, Math.max(3, Number.parseInt(process.env.BENCH_RUNS ?? '10', 10) || 10));
const WARM_RUNS = Math.min(2000, Math.max(20, Number.parseInt(process.env.BENCH_WARM_RUNS ?? '200', 10) || 200));

interface ChildResult {
  readonly bootMs: number;
  readonly importMs: number;
  readonly handleMs: number;
  readonly status: number;
  readonly warm: number[];
}

/** Warm requests take well under a millisecond: two decimals. */
const fine = (value: number) => `${value.toFixed(2)} ms`;

function say(text = ''): void {
  process.stdout.write(`${text}\n`);
}

const environment = constructEnvironment({
  [RENDER_ENV.RECORDS_TABLE_NAME]: 'bench-records',
  [RENDER_ENV.RECORDS_RETENTION_SECONDS]: '604800',
  [RENDER_ENV.COMPLETION_SECRET_ARN]: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:completion-AbCdEf',
  [RENDER_ENV.METRICS_SERVICE]: 'bench-render-api',
  [RENDER_ENV.METRICS_NAMESPACE]: RENDER_METRICS.namespace,
});

const CELLS = [
  {
    name: 'with Metrics: oversized webhook, 401, WebhookRefusals flushed',
    event: apiEvent({ routeKey: 'POST /webhooks/remotion', method: 'POST', rawPath: '/webhooks/remotion', body: '', sub: null }),
    oversized: MAX_WEBHOOK_BODY_BYTES + 1,
  },
  {
    name: 'without: POST /renders without a JWT, 401, no metric',
    event: startRenderEvent({ composition: 'Intro' }, { sub: null }),
    oversized: undefined,
  },
] as const;

async function runCell(cell: (typeof CELLS)[number], warmRuns: number): Promise<ChildResult> {
  const result = await runProcess(process.execPath, [CHILD], {
    cwd: ROOT,
    timeoutMs: 60_000,
    env: {
      PATH: process.env.PATH,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_REGION: 'us-east-1',
      ...Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined)),
      BENCH_BUNDLE: BUNDLE,
      BENCH_EVENT: JSON.stringify(cell.event),
      ...(cell.oversized !== undefined && { BENCH_OVERSIZED: String(cell.oversized) }),
      WARM_RUNS: String(warmRuns),
    },
  });
  const parsed = markedJson<ChildResult>(result.stdout, MARKER);
  if (parsed === undefined) throw new Error(`${cell.name}: no result (exit ${result.code}): ${result.stderr.slice(-500)}`);
  const emfLines = result.stdout.split('\n').filter((line) => line.includes('"_aws"')).length;
  const expected = cell.oversized === undefined ? 0 : warmRuns + 1;
  if (parsed.status !== 401 || emfLines !== expected) throw new Error(`${cell.name}: status ${parsed.status}, ${emfLines} EMF lines, expected ${expected}`);
  return parsed;
}

/**
 * The asset's bytes (assets/render-handler/, as `npx projen bundle` wrote it), and those of the
 * chunk that holds Powertools' Metrics (its default namespace is a string only it has).
 */
function metricsBytes(): { total: number; metrics: number } {
  const dir = path.dirname(BUNDLE);
  const files = [...fs.readdirSync(dir), ...fs.readdirSync(path.join(dir, 'chunks')).map((file) => path.join('chunks', file))]
    .filter((file) => file.endsWith('.mjs')).map((file) => fs.readFileSync(path.join(dir, file), 'utf8'));
  const bytesOf = (text: string) => Buffer.byteLength(text);
  return {
    total: files.reduce((sum, text) => sum + bytesOf(text), 0),
    metrics: files.filter((text) => text.includes('"default_namespace"')).reduce((sum, text) => sum + bytesOf(text), 0),
  };
}

async function main(): Promise<void> {
  if (!fs.existsSync(BUNDLE)) throw new Error(`No ${BUNDLE}: run \`npx projen bundle\` first`);
  say('# Metrics utility bench (issue 21)');
  say(`date: ${new Date().toISOString()}, node ${process.version}, ${COLD_RUNS} cold starts per cell, ${WARM_RUNS} warm requests per cell`);
  const cold = new Map<string, ChildResult[]>(CELLS.map((cell) => [cell.name, []]));
  // Interleaved, so that the machine's load falls on both cells alike.
  for (let run = 0; run < COLD_RUNS; run++) {
    for (const cell of CELLS) cold.get(cell.name)!.push(await runCell(cell, run === 0 ? WARM_RUNS : 0));
  }
  const rows = CELLS.map((cell) => {
    const results = cold.get(cell.name)!;
    const coldMs = results.map((r) => r.bootMs + r.importMs + r.handleMs);
    const warm = results[0].warm;
    return [cell.name, ms(median(coldMs)), ms(percentile(coldMs, 90)), ms(median(results.map((r) => r.handleMs))),
      fine(percentile(warm, 50)), fine(percentile(warm, 95))];
  });
  say();
  say(table([['request', 'cold p50 (boot+import+first)', 'cold p90', 'first invocation p50', 'warm p50', 'warm p95'], ...rows]));
  const withFirst = median(cold.get(CELLS[0].name)!.map((r) => r.handleMs));
  const withoutFirst = median(cold.get(CELLS[1].name)!.map((r) => r.handleMs));
  say();
  say(`first invocation, with minus without (Powertools' import, its Metrics made, one flush): ${ms(withFirst - withoutFirst)}`);
  const size = metricsBytes();
  say(`bundle: ${size.total.toLocaleString('en-US')} bytes in the asset's .mjs files, of which ${size.metrics.toLocaleString('en-US')} in the lazily imported chunk of @aws-lambda-powertools/metrics`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
