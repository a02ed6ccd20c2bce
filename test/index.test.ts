import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/** The mission's names, which keep their own wording (see CONTRIBUTING.md, "Public names"). */
const UNPREFIXED = ['AuthenticatedRenderApi', 'AuthenticatedRenderApiProps'];

/** `Remotion...`, or `IRemotion...` for a behavioural interface (aws-cdk-lib's `I` prefix). */
const PREFIXED = /^I?Remotion[A-Z]/;

/**
 * Every name `src/index.ts` exports, types included (as jsii puts them into the assembly), found
 * by following its `export *` and `export { }` re-exports through the source files, without
 * type-checking aws-cdk-lib.
 */
function exportedNames(file = path.join(__dirname, '..', 'src', 'index.ts')): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const names: string[] = [];
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      if (statement.isTypeOnly || statement.exportClause === undefined) {
        names.push(...(statement.isTypeOnly ? [] : exportedNames(resolveModule(file, statement))));
      } else if (ts.isNamedExports(statement.exportClause)) {
        names.push(...statement.exportClause.elements.map((element) => element.name.text));
      }
      continue;
    }
    const exported = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported) continue;
    if (ts.isVariableStatement(statement)) {
      names.push(...statement.declarationList.declarations.map((d) => d.name.getText(source)));
    } else if ('name' in statement && statement.name !== undefined) {
      names.push((statement.name as ts.Identifier).text);
    }
  }
  return [...new Set(names)].sort();
}

function resolveModule(from: string, statement: ts.ExportDeclaration): string {
  const target = path.resolve(path.dirname(from), (statement.moduleSpecifier as ts.StringLiteral).text);
  return fs.existsSync(`${target}.ts`) ? `${target}.ts` : path.join(target, 'index.ts');
}

describe('the public names', () => {
  const names = exportedNames();

  it('exports the mission\'s constructs under their own names', () => {
    expect(names).toEqual(expect.arrayContaining(['RemotionRenderRole', 'RemotionRenderFunction', 'AuthenticatedRenderApi', 'RemotionRenderPolicy']));
  });

  it('start with Remotion (or IRemotion), except exactly the AuthenticatedRenderApi pair', () => {
    expect(names.filter((name) => !PREFIXED.test(name))).toEqual(UNPREFIXED);
  });
});
