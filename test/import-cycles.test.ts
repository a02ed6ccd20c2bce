import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const SRC = path.join(__dirname, '..', 'src');

/**
 * Every relative module specifier in a TypeScript file: `import`/`export ... from`, `import type`,
 * side-effect imports, `import()` and `require()`. Type-only imports count: a type-only cycle
 * still ties two modules together (and tempts comparisons with string literals instead of enums).
 */
function relativeSpecifiers(source: string): string[] {
  return [...source.matchAll(/(?:\bfrom|\bimport|\brequire)\s*\(?\s*['"](\.{1,2}\/[^'"]*|\.{1,2})['"]/g)].map((match) => match[1]);
}

/** The `.ts` file a relative specifier names: `<path>.ts` or `<path>/index.ts`. */
function resolveModule(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => fs.existsSync(candidate));
}

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return tsFiles(full);
    }
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The import graph of the `.ts` files under `root`, by path relative to it. */
function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of tsFiles(root)) {
    const targets = relativeSpecifiers(fs.readFileSync(file, 'utf8'))
      .map((specifier) => resolveModule(file, specifier))
      .filter((target): target is string => target !== undefined && target.startsWith(root))
      .map((target) => path.relative(root, target));
    graph.set(path.relative(root, file), [...new Set(targets)].sort());
  }
  return graph;
}

/** Each cycle of the graph once, as the modules along it, starting from its smallest name. */
function cyclesOf(graph: Map<string, string[]>): string[][] {
  const cycles = new Map<string, string[]>();
  const done = new Set<string>();
  const visit = (node: string, trail: string[]): void => {
    const at = trail.indexOf(node);
    if (at >= 0) {
      const cycle = trail.slice(at);
      const start = cycle.indexOf([...cycle].sort()[0]);
      const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
      cycles.set(rotated.join(' -> '), rotated);
      return;
    }
    if (done.has(node)) {
      return;
    }
    for (const next of graph.get(node) ?? []) {
      visit(next, [...trail, node]);
    }
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) {
    visit(node, []);
  }
  return [...cycles.values()];
}

describe('the modules of src/', () => {
  it('import one another without a cycle, type-only imports included', () => {
    const graph = importGraph(SRC);
    expect(graph.size).toBeGreaterThan(20);
    expect(cyclesOf(graph).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });
});

describe('the cycle check', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

  function treeOf(files: Record<string, string>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'import-cycles-'));
    roots.push(root);
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      fs.writeFileSync(path.join(root, name), text);
    }
    return root;
  }

  it('finds a cycle that runs through a type-only import and a folder index', () => {
    const root = treeOf({
      'render-function/index.ts': "import { remotionTarget } from './source';\nexport enum Privacy { PUBLIC = 'public' }\n",
      'render-function/source.ts': "import type {\n  Props,\n} from '.';\nexport const remotionTarget = 1;\n",
    });
    expect(cyclesOf(importGraph(root))).toEqual([['render-function/index.ts', 'render-function/source.ts']]);
  });

  it('finds a longer cycle through export-from, require and import()', () => {
    const root = treeOf({
      'a.ts': "export * from './b';\n",
      'b/index.ts': "const c = require('../c');\n",
      'c.ts': "export const load = () => import('./a');\n",
    });
    expect(cyclesOf(importGraph(root))).toEqual([['a.ts', 'b/index.ts', 'c.ts']]);
  });

  it('finds none in a tree whose arrows point one way, and ignores packages', () => {
    const root = treeOf({
      'api/index.ts': "import { Construct } from 'constructs';\nimport { f } from '../render-function';\n",
      'render-function/index.ts': "import { g } from '../private/patterns';\nexport const f = g;\n",
      'private/patterns.ts': 'export const g = 1;\n',
    });
    expect(importGraph(root).get('api/index.ts')).toEqual(['render-function/index.ts']);
    expect(cyclesOf(importGraph(root))).toEqual([]);
  });
});
