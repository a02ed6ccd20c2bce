// One execution environment for bench/metrics.ts, in a fresh `node` process: import the handler
// bundle, handle one cold request, then WARM_RUNS warm ones; print timings after a marker, exit.
// The webhook request (BENCH_OVERSIZED) gets a body over the cap, filled in here (too big for an
// environment variable): a 401 without any AWS call that counts `WebhookRefusals`.
import { pathToFileURL } from 'node:url';

const MARKER = '@@bench-metrics@@';
const bootMs = performance.now();
const event = JSON.parse(process.env.BENCH_EVENT);
if (process.env.BENCH_OVERSIZED) event.body = 'x'.repeat(Number(process.env.BENCH_OVERSIZED));
const startedImport = performance.now();
const { handler } = await import(pathToFileURL(process.env.BENCH_BUNDLE).href);
const importMs = performance.now() - startedImport;
const startedHandle = performance.now();
const first = await handler(event, { awsRequestId: 'bench-cold' });
const handleMs = performance.now() - startedHandle;
const warm = [];
for (let i = 0; i < Number(process.env.WARM_RUNS); i++) {
  const started = performance.now();
  await handler(event, { awsRequestId: `bench-warm-${i}` });
  warm.push(performance.now() - started);
}
process.stdout.write(`\n${MARKER}${JSON.stringify({ bootMs, importMs, handleMs, status: first.statusCode, warm, sinceProcessStartMs: performance.now() })}\n`);
process.exit(0);
