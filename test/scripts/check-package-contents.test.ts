/**
 * scripts/check-package-contents.py against small packages made here: an npm tarball, a wheel,
 * a jar and a Go module laid out as jsii lays them out (the wheel, the jar and the Go module carry
 * the npm tarball; the Go module is a folder, as Go modules are published as source). The
 * archives are made by Python's own tarfile and zipfile command lines, since the script needs
 * Python anyway; the forbidden file is the installed Remotion client itself.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'check-package-contents.py');
const REMOTION_CLIENT = fs.readFileSync(path.join(ROOT, 'node_modules/@remotion/lambda-client/dist/esm/index.mjs'));
/** Where our handler bundle would carry a copied client; the name alone is allowed, the content is not. */
const SMUGGLED = 'package/lib/vendor/client.mjs';
const NPM_TARBALL = 'remotion-constructs@0.0.0.jsii.tgz';
const GO_TARBALL = 'org-remotion-constructs-0.0.0.tgz';

let work: string;

beforeEach(() => {
  // Real path: the script resolves --dist, and names files by the resolved path.
  work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'check-package-contents-')));
});

afterEach(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

/** Writes `files` under a fresh folder and returns it. */
function tree(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(work, 'tree-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

function python(args: string[], cwd: string): void {
  const result = spawnSync('python3', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`python3 ${args.join(' ')} failed: ${result.stderr}`);
}

/** Packs the top-level entries of `files` (their paths kept) into `archive` (.tgz: tar + gzip; else zip). */
function pack(archive: string, files: Record<string, string | Buffer>): string {
  const dir = tree(files);
  const tops = [...new Set(Object.keys(files).map((name) => name.split('/')[0]))];
  fs.mkdirSync(path.dirname(archive), { recursive: true });
  python(['-m', archive.endsWith('.tgz') ? 'tarfile' : 'zipfile', '-c', archive, ...tops], dir);
  return archive;
}

/** The files `npm pack` puts in our tarball that the script requires, plus `extra`. */
function npmFiles(extra: Record<string, string | Buffer> = {}): Record<string, string | Buffer> {
  return {
    'package/THIRD-PARTY-NOTICES': 'valibot (MIT), aws4fetch (MIT)',
    'package/LICENSE': 'Apache License 2.0',
    'package/assets/render-handler/index.mjs': 'export const handler = async () => ({});',
    'package/assets/render-handler/THIRD-PARTY-NOTICES': 'valibot (MIT), aws4fetch (MIT)',
    'package/lib/index.js': 'module.exports = {};',
    'package/openapi/render-api.openapi.json': '{"openapi": "3.1.0"}',
    ...extra,
  };
}

/** A dist/ folder as the build leaves it; `smuggle` puts the client into one package's npm tarball. */
function dist(smuggle?: 'npm tarball' | 'wheel' | 'jar' | 'Go module', goPayload?: Record<string, string | Buffer>): string {
  const out = path.join(work, 'dist');
  const payload = (kind: string) => npmFiles(smuggle === kind ? { [SMUGGLED]: REMOTION_CLIENT } : {});
  pack(path.join(out, 'js', NPM_TARBALL), payload('npm tarball'));
  pack(path.join(out, 'python', 'org_remotion_constructs-0.0.0-py3-none-any.whl'), {
    'org_remotion_constructs/__init__.py': '',
    [`org_remotion_constructs/_jsii/${NPM_TARBALL}`]: fs.readFileSync(pack(path.join(work, 'inner-whl', NPM_TARBALL), payload('wheel'))),
  });
  pack(path.join(out, 'java', 'org/remotion/remotion-constructs/0.0.0/remotion-constructs-0.0.0.jar'), {
    'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n',
    [`org/remotion/constructs/${NPM_TARBALL}`]: fs.readFileSync(pack(path.join(work, 'inner-jar', NPM_TARBALL), payload('jar'))),
  });
  const goModule = path.join(out, 'go', 'remotionconstructs');
  for (const [name, content] of Object.entries({
    'go.mod': 'module github.com/org/remotion-constructs-go/remotionconstructs\n',
    'LICENSE': 'Apache License 2.0',
    'main.go': 'package remotionconstructs\n',
  })) {
    fs.mkdirSync(goModule, { recursive: true });
    fs.writeFileSync(path.join(goModule, name), content);
  }
  pack(path.join(goModule, 'jsii', GO_TARBALL), goPayload ?? payload('Go module'));
  return out;
}

function check(distDir: string) {
  const result = spawnSync('python3', [SCRIPT, '--dist', distDir], { cwd: ROOT, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('scripts/check-package-contents.py', () => {
  it('passes packages that hold only our files, counting the npm tarball\'s files inside the wheel and the jar', () => {
    const out = dist();

    const { status, stdout, stderr } = check(out);

    expect(stderr).toBe('');
    // 5 files in the npm tarball; 2 of the wheel's and the jar's own, then the tarball's 5 again.
    expect(stdout).toContain(`${out}/js/${NPM_TARBALL}: 6 files checked`);
    expect(stdout).toContain(`${out}/python/org_remotion_constructs-0.0.0-py3-none-any.whl: 8 files checked`);
    expect(stdout).toContain(`${out}/java/org/remotion/remotion-constructs/0.0.0/remotion-constructs-0.0.0.jar: 8 files checked`);
    // go.mod, LICENSE, main.go and the embedded tarball, then the tarball's 5.
    expect(stdout).toContain(`${out}/go/remotionconstructs: 10 files checked`);
    expect(stdout).toMatch(/No Remotion client code in any package/);
    expect(status).toBe(0);
  });

  it.each([
    ['npm tarball', `js/${NPM_TARBALL}!${SMUGGLED}`],
    ['wheel', `python/org_remotion_constructs-0.0.0-py3-none-any.whl!org_remotion_constructs/_jsii/${NPM_TARBALL}!${SMUGGLED}`],
    ['jar', `java/org/remotion/remotion-constructs/0.0.0/remotion-constructs-0.0.0.jar!org/remotion/constructs/${NPM_TARBALL}!${SMUGGLED}`],
    ['Go module', `go/remotionconstructs/jsii/${GO_TARBALL}!${SMUGGLED}`],
  ] as const)('fails with exit status 1 when the %s carries Remotion\'s client, naming the file inside every archive', (kind, inner) => {
    const { status, stderr } = check(dist(kind));

    expect(stderr).toContain(`FAIL: ${path.join(work, 'dist', inner)} holds Remotion client code`);
    expect(status).toBe(1);
  });

  it('fails with exit status 1 when a package is missing, naming it', () => {
    const out = dist();
    fs.rmSync(path.join(out, 'python'), { recursive: true });

    const { status, stderr } = check(out);

    expect(stderr).toContain(`FAIL: no wheel under ${out}/`);
    expect(status).toBe(1);
  });

  it('fails with exit status 1 when the npm tarball ships repository scripts, naming the file', () => {
    const out = dist();
    pack(path.join(out, 'js', NPM_TARBALL), npmFiles({ 'package/scripts/test-all.sh': 'echo' }));

    const { status, stderr } = check(out);

    expect(stderr).toContain('FAIL: the npm tarball ships package/scripts/test-all.sh');
    expect(status).toBe(1);
  });

  it('fails with exit status 1 when the npm tarball lacks the OpenAPI document, naming the file', () => {
    const out = dist();
    const withoutDocument = npmFiles();
    delete withoutDocument['package/openapi/render-api.openapi.json'];
    pack(path.join(out, 'js', NPM_TARBALL), withoutDocument);

    const { status, stderr } = check(out);

    expect(stderr).toContain('FAIL: the npm tarball lacks package/openapi/render-api.openapi.json');
    expect(status).toBe(1);
  });

  it('fails with exit status 1 when the Go module\'s embedded npm tarball lacks the notices, naming the file', () => {
    const withoutNotices = npmFiles();
    delete withoutNotices['package/THIRD-PARTY-NOTICES'];

    const { status, stderr } = check(dist(undefined, withoutNotices));

    expect(stderr).toContain(`FAIL: the Go module's ${GO_TARBALL} lacks package/THIRD-PARTY-NOTICES`);
    expect(status).toBe(1);
  });
});
