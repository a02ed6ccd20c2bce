// One cold start, run by bench/run.ts in a fresh `node` process: load the bundle the way the
// Lambda runtime does (require for .js, import for .mjs), handle one event, print timings, exit.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const bootMs = performance.now(); // ms since this process started: Node.js bootstrap
const MARKER = '@@bench-cold-start@@';
const result = { bootMs, phase: 'import' };
try {
  const file = process.env.BENCH_BUNDLE;
  const event = JSON.parse(process.env.BENCH_EVENT);
  const startedImport = performance.now();
  const mod = file.endsWith('.mjs') ? await import(pathToFileURL(file).href) : createRequire(import.meta.url)(file);
  result.importMs = performance.now() - startedImport;
  // Every supported Remotion client bundles tslib, whose module body defines globalThis.__awaiter; our code has no tslib.
  result.remotionLoadedAtImport = globalThis.__awaiter !== undefined;
  result.phase = 'handle';
  const handler = mod.handler ?? mod.default?.handler;
  const startedHandle = performance.now();
  const response = await handler(event, { awsRequestId: 'bench-lambda-request' });
  result.handleMs = performance.now() - startedHandle;
  result.status = response?.statusCode;
  result.body = String(response?.body ?? '').slice(0, 300);
  result.remotionLoaded = globalThis.__awaiter !== undefined;
  result.phase = 'done';
} catch (error) {
  result.error = `${error?.name ?? 'Error'}: ${String(error?.message ?? error).split('\n', 1)[0].slice(0, 300)}`;
}
result.sinceProcessStartMs = performance.now();
process.stdout.write(`\n${MARKER}${JSON.stringify(result)}\n`);
process.exit(0);
