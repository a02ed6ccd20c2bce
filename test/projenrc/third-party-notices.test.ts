/**
 * THIRD-PARTY-NOTICES must name, with version and licence text, every package the handler bundle
 * holds, and the bundle may hold only permissively licensed packages and no Remotion package.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { HANDLER_ENTRY, HANDLER_ESBUILD_ARGS, NOTICES_FILE } from '../../projenrc/handler-bundle';

const ROOT = path.join(__dirname, '..', '..');
const PERMISSIVE = ['MIT', 'MIT-0', 'Apache-2.0', 'ISC', 'BSD-2-Clause', 'BSD-3-Clause', '0BSD'];
/** What the bundle task leaves to Lambda's runtime (the DynamoDB clients). */
const EXTERNAL = HANDLER_ESBUILD_ARGS.filter((arg) => arg.startsWith('--external:')).map((arg) => arg.slice('--external:'.length));

async function bundledPackages(): Promise<string[]> {
  const { metafile } = await esbuild.build({
    entryPoints: [path.join(ROOT, HANDLER_ENTRY)],
    bundle: true,
    write: false,
    metafile: true,
    splitting: true,
    outdir: 'out',
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
    absWorkingDir: ROOT,
    external: EXTERNAL,
  });
  const names = Object.keys(metafile.inputs)
    .filter((input) => input.includes('node_modules/'))
    .map((input) => {
      const parts = input.split('node_modules/').pop()!.split('/');
      return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
    });
  return [...new Set(names)].sort();
}

it('bundles only valibot, aws4fetch and Powertools\' idempotency and metrics utilities: no Remotion package, no AWS SDK', async () => {
  expect(await bundledPackages()).toEqual([
    '@aws-lambda-powertools/commons', '@aws-lambda-powertools/idempotency', '@aws-lambda-powertools/jmespath', '@aws-lambda-powertools/metrics',
    '@aws/lambda-invoke-store',
    'aws4fetch', 'valibot',
  ]);
});

it('names every bundled package with its installed version, a permissive licence and its licence text', async () => {
  const notices = fs.readFileSync(path.join(ROOT, NOTICES_FILE), 'utf8');
  for (const name of await bundledPackages()) {
    const dir = path.join(ROOT, 'node_modules', name);
    const { version, license } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string; license: string };
    expect(PERMISSIVE).toContain(license);
    expect(notices).toContain(`${name} ${version} (${license})`);
    const licenceFile = fs.readdirSync(dir).find((file) => /^licen[cs]e/i.test(file));
    // Powertools' packages carry no licence file: the notices give the MIT-0 text they name.
    expect(notices).toContain(licenceFile ? fs.readFileSync(path.join(dir, licenceFile), 'utf8').trim() : 'MIT No Attribution');
  }
});
