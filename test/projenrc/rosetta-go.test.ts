/**
 * projenrc/rosetta-go.ts on small tablets and assemblies made here; the lookups go through
 * jsii-rosetta's own LanguageTablet, the way jsii-pacmak finds a snippet's Go (in a node process of
 * its own: the tablet loader's dynamic import does not run inside jest).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { addInheritedExamples, Assembly, GoOmission, goOmittedComment, omitWrongGo, Tablet, TabletSnippet } from '../../projenrc/rosetta-go';

const README_LOCATION = { api: { api: 'moduleReadme', moduleFqn: '@org/remotion-constructs' }, field: { field: 'markdown', line: 915 } };

function snippet(typescript: string, go: string, location: TabletSnippet['location'] = README_LOCATION as TabletSnippet['location']): TabletSnippet {
  return {
    translations: {
      $: { source: typescript, version: '0' },
      python: { source: `# python of ${typescript}`, version: '2' },
      go: { source: go, version: '1' },
    },
    location,
    didCompile: true,
  };
}

const ROLE_OMISSION: GoOmission = { contains: "new RemotionRenderRole(this, 'Ec2RenderRole'", wrong: '`Role: Role` for `{ role }`' };

function lookUpGo(tablet: Tablet, example: string, location: TabletSnippet['location']): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rosetta-go-'));
  fs.writeFileSync(path.join(dir, 'tablet.json'), JSON.stringify({ toolVersion: '5.9.0', ...tablet }));
  fs.writeFileSync(path.join(dir, 'lookup.json'), JSON.stringify({ example, location }));
  const lookup = `
    const { LanguageTablet, TargetLanguage, typeScriptSnippetFromSource } = require('jsii-rosetta');
    const { example, location } = require(process.argv[1] + '/lookup.json');
    LanguageTablet.fromFile(process.argv[1] + '/tablet.json').then((tablet) => {
      const found = tablet.lookupTranslationBySource(typeScriptSnippetFromSource(example, location, false), TargetLanguage.GO);
      process.stdout.write(found ? found.source : '(not found)');
    });`;
  const result = spawnSync(process.execPath, ['-e', lookup, dir], { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout;
}

describe('omitWrongGo', () => {
  it('replaces the Go of a listed snippet with a comment that says what is wrong, and leaves Python alone', () => {
    const tablet: Tablet = { version: '2', snippets: { a: snippet("const role = new RemotionRenderRole(this, 'Ec2RenderRole', {});", 'Role: Role') } };

    expect(omitWrongGo(tablet, [ROLE_OMISSION])).toEqual(['README:915']);

    expect(tablet.snippets.a.translations.go.source).toBe(goOmittedComment(ROLE_OMISSION));
    expect(tablet.snippets.a.translations.go.source).toMatch(/^\/\/ Not shown in Go: .*`Role: Role` for `\{ role \}`/);
    expect(tablet.snippets.a.translations.python.source).toBe("# python of const role = new RemotionRenderRole(this, 'Ec2RenderRole', {});");
  });

  it('fails when a listed snippet matches none, so that a changed README cannot leave wrong Go in silently', () => {
    const tablet: Tablet = { version: '2', snippets: { a: snippet("new RemotionRenderRole(this, 'Renamed', {});", 'Role: Role') } };

    expect(() => omitWrongGo(tablet, [ROLE_OMISSION])).toThrow(/"new RemotionRenderRole\(this, 'Ec2RenderRole'" matches 0 snippets, not one/);
  });

  it('fails when a snippet left out by an earlier run is no longer listed, since extract keeps its comment', () => {
    const tablet: Tablet = { version: '2', snippets: { a: snippet("new RemotionRenderRole(this, 'Ec2RenderRole', {});", goOmittedComment(ROLE_OMISSION)) } };

    expect(() => omitWrongGo(tablet, [])).toThrow(/README:915 is no longer in GO_OMITTED .* delete \.jsii\.tabl\.json/);
  });
});

describe('addInheritedExamples', () => {
  const example = 'declare const app: App;\niam.Role.customizeRoles(app, {});';
  const cdkGo = 'iam.Role_CustomizeRoles(app, &CustomizeRolesOptions{\n})';
  const cdk: Assembly = {
    name: 'aws-cdk-lib',
    types: {
      'aws-cdk-lib.Resource': { fqn: 'aws-cdk-lib.Resource', kind: 'class', methods: [{ name: 'isResource', static: true }] },
      'aws-cdk-lib.aws_iam.Role': {
        fqn: 'aws-cdk-lib.aws_iam.Role',
        kind: 'class',
        base: 'aws-cdk-lib.Resource',
        methods: [{ name: 'customizeRoles', static: true, docs: { example } }, { name: 'addToPolicy', docs: { example: 'role.addToPolicy(...)' } }],
      },
    },
  };
  const cdkTablet: Tablet = {
    version: '2',
    snippets: {
      x: snippet(example, cdkGo, { api: { api: 'member', fqn: 'aws-cdk-lib.aws_iam.Role', memberName: 'customizeRoles' }, field: { field: 'example' } }),
    },
  };
  const own: Assembly = {
    name: '@org/remotion-constructs',
    types: { '@org/remotion-constructs.RemotionRenderRole': { fqn: '@org/remotion-constructs.RemotionRenderRole', kind: 'class', base: 'aws-cdk-lib.aws_iam.Role' } },
  };
  const ownLocation = { api: { api: 'member', fqn: '@org/remotion-constructs.RemotionRenderRole', memberName: 'customizeRoles' }, field: { field: 'example' } } as const;

  it('gives a class the Go of a static example it inherits, where jsii-rosetta looks it up for that class', () => {
    const tablet: Tablet = { version: '2', snippets: {} };

    expect(addInheritedExamples(tablet, own, [cdk], [cdkTablet])).toEqual([
      '@org/remotion-constructs.RemotionRenderRole#customizeRoles (from aws-cdk-lib.aws_iam.Role)',
    ]);

    expect(lookUpGo(tablet, example, ownLocation)).toBe(cdkGo);
    // Under the base class's location it is not there: the key holds the class.
    expect(lookUpGo(tablet, example, cdkTablet.snippets.x.location)).toBe('(not found)');
  });

  it('fails on an inherited static example that no dependency tablet translates', () => {
    expect(() => addInheritedExamples({ version: '2', snippets: {} }, own, [cdk], [])).toThrow(
      '@org/remotion-constructs.RemotionRenderRole inherits aws-cdk-lib.aws_iam.Role.customizeRoles, whose example no dependency\'s tablet translates',
    );
  });
});
