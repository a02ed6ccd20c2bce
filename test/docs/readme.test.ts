import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

// What the README promises its readers, checked where rosetta does not look. Rosetta compiles and
// translates the `ts` blocks (`npx projen rosetta:extract`); the complete app is fenced
// `TypeScript` instead, because rosetta mistranslates a whole program (camelCase StackProps
// keywords in Python, a `Builder` for the consumer's own stack and top-level statements in Java),
// and the README gives the Python and Java programs verbatim from the consumer tests.

const ROOT = path.join(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8'));
const REPOSITORY = 'https://github.com/org/remotion-constructs';

function fencedBlocks(markdown: string, language: string): string[] {
  const blocks: string[] = [];
  const fence = new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'gm');
  for (let m = fence.exec(markdown); m; m = fence.exec(markdown)) {
    blocks.push(m[1]);
  }
  return blocks;
}

/**
 * Type-checks files as a consumer would, with the package name resolved to this repository's
 * source, in one program (one type-check of aws-cdk-lib); returns each file's errors.
 */
function compileErrors(codes: string[]): string[][] {
  const dir = fs.mkdtempSync(path.join(ROOT, 'test', 'docs', '.snippet-'));
  try {
    const files = codes.map((code, i) => {
      const file = path.join(dir, `app${i}.ts`);
      fs.writeFileSync(file, code);
      return file;
    });
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      noUnusedLocals: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: true,
      skipLibCheck: true,
      types: ['node'],
      baseUrl: ROOT,
      paths: { [PACKAGE.name]: ['src/index.ts'] },
    };
    const diagnostics = ts.getPreEmitDiagnostics(ts.createProgram(files, options));
    return files.map((file) => diagnostics
      .filter((d) => d.file !== undefined && path.resolve(d.file.fileName) === file)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('README', () => {
  it('opens with the two set-up commands, the second being what .ci/run runs', () => {
    const [first] = fencedBlocks(README, 'bash');
    const commands = first.trim().split('\n').map((line) => line.replace(/\s+#.*$/, ''));
    expect(commands).toEqual(['bash scripts/example.sh', 'bash scripts/test-all.sh']);
    expect(README.indexOf('```bash')).toBeLessThan(README.indexOf('\n## '));
    expect(fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf-8')).toMatch(/^bash scripts\/test-all\.sh$/m);
  });

  it('opens with one complete TypeScript app with its imports and StackProps', () => {
    const apps = fencedBlocks(README, 'TypeScript');
    expect(apps.length).toBeGreaterThanOrEqual(1);
    expect(apps[0]).toMatch(/^import \{ App, Stack, StackProps \} from 'aws-cdk-lib';$/m);
    expect(apps[0]).toMatch(new RegExp(`^import \\{ [\\w, ]+ \\} from '${PACKAGE.name}';$`, 'm'));
    expect(apps[0]).toMatch(/props\?: StackProps/);
  });

  describe('the complete TypeScript programs (rosetta leaves them alone)', () => {
    const programs = fencedBlocks(README, 'TypeScript');
    let errors: string[][];
    beforeAll(() => {
      // The first app with one prop misspelt shows that the check can fail.
      errors = compileErrors([programs[0].replace('compositions:', 'composition:'), ...programs]);
    }, 120_000);

    it('would be reported if one did not compile', () => {
      expect(errors[0].join('\n')).toMatch(/composition/);
    });

    it.each(programs.map((program, index) => [index, program.split('\n').find((line) => line.startsWith('export ')) ?? '']))(
      'compile as pasted: program %i (%s)', (index) => {
        expect(errors[Number(index) + 1]).toEqual([]);
      });
  });

  it('holds no backslash-u, which javac reads as a unicode escape in the Java package docs made from it', () => {
    expect(README).not.toMatch(/\\u/);
    for (const file of fs.readdirSync(path.join(ROOT, 'src'), { recursive: true }).map(String).filter((f) => f.endsWith('.ts') && !f.includes('runtime'))) {
      const docComments = fs.readFileSync(path.join(ROOT, 'src', file), 'utf-8').match(/\/\*\*[\s\S]*?\*\//g) ?? [];
      expect(docComments.filter((comment) => comment.includes('\\u')).map((comment) => `${file}: ${comment.slice(0, 80)}`)).toEqual([]);
    }
  });

  it('says plainly that a start Remotion accepts too late cannot be recovered with records off, and promises no log line', () => {
    const section = README.slice(README.indexOf('#### A start that Remotion accepts too late'));
    const text = section.slice(0, section.indexOf('\n#', 1)).replace(/\s+/g, ' ');
    expect(text).toContain('With `recordsEnabled: false` renders start directly, and a late start cannot be recovered.');
    // With records on, the queue's dispatcher starts renders: the start is never repeated.
    expect(text).toContain('the start is never repeated');
    expect(text).toContain('a retry starts a second render');
    // The warn line is written after the answer, when Lambda may already have frozen the environment.
    expect(text).toContain('it can be missing');
    expect(README).not.toMatch(/no running render goes unseen/);
    const logged = /message: '(Render started after the caller was answered)'/.exec(
      fs.readFileSync(path.join(ROOT, 'src', 'render-function', 'runtime', 'routes', 'start.ts'), 'utf-8'));
    expect(logged).not.toBeNull();
    expect(text).toContain(`\`${logged![1]}\``);
  });

  it('links only to absolute URLs or to its own headings, since it ships on npm, PyPI and Maven', () => {
    const links = [...README.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) {
      expect(link).toMatch(/^(https:\/\/|#)/);
    }
  });

  it('links into this repository only to files that exist', () => {
    const blobs = [...README.matchAll(new RegExp(`${REPOSITORY}/blob/main/([^)#\\s]+)`, 'g'))].map((m) => m[1]);
    expect(blobs.length).toBeGreaterThan(0);
    expect(blobs.filter((file) => !fs.existsSync(path.join(ROOT, file)))).toEqual([]);
  });

  it('links to its own headings only where the heading exists', () => {
    const slugs = new Set([...README.matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1].toLowerCase()
      .replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));
    for (const [, anchor] of README.matchAll(/\]\(#([^)]+)\)/g)) {
      expect(slugs).toContain(anchor);
    }
  });
});
