/**
 * RemotionLambda's cost at synth: synthesis time of the full example (examples/full-stack.ts) and
 * of the same stack without RemotionLambda, and the sizes of the assets the full example stages
 * (Remotion's zip, the site, our handler). Prints numbers; asserts nothing.
 *
 *   npx ts-node --project tsconfig.dev.json bench/remotion-lambda.ts
 *
 * Also run as section 5 of bench/run.ts. BENCH_SYNTH_RUNS (default 3) sets the repetitions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { FIXTURE_BUNDLE_DIR } from '../examples/full-stack';
import { OUT, ROOT } from './lib/bundles';
import { findRemotion } from '../src/remotion';

/** Our handler as the construct stages it: the prebuilt bundle plus the installed Remotion client. */
const assetDir = (): string => stageHandlerCode(findRemotion());
import { ms, table } from './lib/stats';
import { measureSynth } from './lib/synth';
import { readLambdaFacts } from '../src/remotion/lambda-facts';
import { stageHandlerCode } from '../src/render-function/handler-code';

interface Sized {
  readonly files: number;
  readonly bytes: number;
}

function sizeOfPath(target: string): Sized {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) {
    return { files: 1, bytes: stat.size };
  }
  return fs.readdirSync(target).map((entry) => sizeOfPath(path.join(target, entry)))
    .reduce((sum, part) => ({ files: sum.files + part.files, bytes: sum.bytes + part.bytes }), { files: 0, bytes: 0 });
}

/** Sum of the uncompressed sizes in a zip's central directory (what Lambda counts against 250 MB). */
function unzippedBytes(zipFile: string): number {
  const data = fs.readFileSync(zipFile);
  const end = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let offset = data.readUInt32LE(end + 16);
  let total = 0;
  for (let entry = 0; entry < data.readUInt16LE(end + 10); entry++) {
    total += data.readUInt32LE(offset + 24);
    offset += 46 + data.readUInt16LE(offset + 28) + data.readUInt16LE(offset + 30) + data.readUInt16LE(offset + 32);
  }
  return total;
}

export async function benchRemotionLambda(say: (text?: string) => void, runs: number): Promise<void> {
  const facts = readLambdaFacts(ROOT);
  const zip = sizeOfPath(facts.zipPath);
  const site = sizeOfPath(FIXTURE_BUNDLE_DIR);
  const ASSET_DIR = assetDir();
  const handler = sizeOfPath(ASSET_DIR);
  say(`@remotion/lambda ${facts.version} from ${path.relative(ROOT, facts.lambdaDir)}`);
  say(table([
    ['asset of the full example', 'files', 'bytes', 'note'],
    ['Remotion\'s function zip', String(zip.files), zip.bytes.toLocaleString('en-US'),
      `${path.relative(ROOT, facts.zipPath)}, read from the consumer's install (never shipped by us); ${unzippedBytes(facts.zipPath).toLocaleString('en-US')} B unzipped`],
    ['site (fixture bundle)', String(site.files), site.bytes.toLocaleString('en-US'), `${path.relative(ROOT, FIXTURE_BUNDLE_DIR)}; a real \`npx remotion bundle\` output is larger`],
    ['our render handler', String(handler.files), handler.bytes.toLocaleString('en-US'),
      `${path.relative(ROOT, ASSET_DIR)}/, gzip -9 of the entry ${zlib.gzipSync(fs.readFileSync(path.join(ASSET_DIR, 'index.mjs')), { level: 9 }).length.toLocaleString('en-US')} B`],
  ]));

  const kinds = ['full-stack', 'full-stack-without-remotion-lambda'];
  const summaries = await measureSynth(kinds, runs, path.join(OUT, 'synth-remotion-lambda'), say);
  say(table([
    ['stack', 'median wall', 'load', 'construct', 'synth', 'resources', 'ok'],
    ...summaries.map((s) => [s.kind, ms(s.median.wallMs), ms(s.median.loadMs), ms(s.median.constructMs), ms(s.median.synthMs), String(s.resources ?? '-'), s.ok ? 'yes' : `NO: ${s.problem}`]),
  ]));
  const [full, without] = summaries;
  if (full.ok && without.ok) {
    say(`RemotionLambda adds ${ms(full.median.wallMs - without.median.wallMs)} per synthesis (median wall, fresh process; `
      + `construct ${ms(full.median.constructMs - without.median.constructMs)}, synth ${ms(full.median.synthMs - without.median.synthMs)}).`);
  }
  const staged = path.join(OUT, 'synth-remotion-lambda', `full-stack-${runs}`);
  if (fs.existsSync(staged)) {
    const zips = fs.readdirSync(staged).filter((entry) => entry.endsWith('.zip')).map((entry) => sizeOfPath(path.join(staged, entry)).bytes);
    say(`The last full-stack cloud assembly (${path.relative(ROOT, staged)}) staged ${zips.length} zip asset(s): ${zips.map((b) => b.toLocaleString('en-US')).join(', ')} B `
      + '(Remotion\'s zip, and the AWS CLI layer of CDK\'s BucketDeployment, which uploads the site).');
  }
}

if (require.main === module) {
  const runs = Math.max(1, Math.min(10, Number.parseInt(process.env.BENCH_SYNTH_RUNS ?? '3', 10) || 3));
  benchRemotionLambda((text = '') => process.stdout.write(`${text}\n`), runs).catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
}
