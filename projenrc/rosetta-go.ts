/**
 * Go docs, after `jsii-rosetta extract` has written .jsii.tabl.json (the `rosetta:extract` task runs
 * this as its second step, `ts-node projenrc/rosetta-go.ts`). Two things rosetta leaves wrong in Go:
 *
 * - Go has no static inheritance, so jsii-pacmak re-declares every static method a class inherits
 *   (`RemotionRenderRole_CustomizeRoles`) with the base class's doc example. No tablet of ours holds
 *   that example under our class, and translated live it comes out wrong
 *   (`iam.role_CustomizeRoles(app, map[string]...)`). This copies the translation that aws-cdk-lib's
 *   own tablet ships for it (compiled, as aws-cdk-go's docs show it), keyed to our class.
 * - Some of our snippets rosetta translates into Go that misleads (GO_OMITTED says which, and how).
 *   Their Go translation becomes a one-line comment that says so: the tablet is what both pacmak
 *   (the Go module's README and doc comments) and Construct Hub's Go view read.
 *
 * Both act on the shipped tablet only: the README, the @example blocks and the Python and Java
 * translations stay as they are.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

/**
 * The key pacmak looks a member's example up by: jsii-rosetta's `snippetKey` (lib/tablets/key.js,
 * not exported): its references version, the rendered API location and the example as written.
 */
export function memberExampleKey(fqn: string, memberName: string, example: string): string {
  return crypto.createHash('sha256').update('2').update(`${fqn}#${memberName}`).update(':').update(example).digest('hex');
}

interface Translation { readonly source: string; readonly version: string }
interface ApiLocation { readonly api: string; readonly fqn?: string; readonly memberName?: string }
export interface TabletSnippet {
  readonly translations: Record<string, Translation>;
  readonly location: { readonly api: ApiLocation; readonly field: { readonly field: string; readonly line?: number } };
  readonly [other: string]: unknown;
}
export interface Tablet { readonly version: string; readonly toolVersion?: string; readonly snippets: Record<string, TabletSnippet> }

interface JsiiMethod { readonly name: string; readonly static?: boolean; readonly docs?: { readonly example?: string } }
interface JsiiType { readonly fqn: string; readonly kind: string; readonly base?: string; readonly methods?: JsiiMethod[] }
export interface Assembly { readonly name: string; readonly types?: Record<string, JsiiType> }

/** A snippet whose Go translation misleads, found by a piece of its TypeScript, and what is wrong. */
export interface GoOmission { readonly contains: string; readonly wrong: string }

export const GO_OMITTED: GoOmission[] = [
  {
    contains: "api.onRenderFinished('RenderFailed'",
    wrong: 'imports `sqs "github.com/aws/aws-cdk-go/awscdk"` (the module root) and no events targets',
  },
  {
    contains: "new RemotionRenderRole(this, 'Ec2RenderRole'",
    wrong: '`Role: Role` for `{ role }`, and `iam.NewServicePrincipal` without its options argument',
  },
  {
    contains: "new RemotionRenderRole(this, 'RenderRole'",
    wrong: '`Role: Role` for `{ role }`, and `iam.NewServicePrincipal` without its options argument',
  },
  {
    contains: "new RemotionRenderFunction(this, 'RenderFunction'",
    wrong: '`Site: Site` for `{ site }`, and fields (`fn.Function.FunctionArn`) where Go has methods',
  },
  {
    contains: 'new AwsSolutionsChecks()',
    wrong: '`Site: *Site`, the cdk-nag import without /v2, `[]NagPackSuppression{&NagPackSuppression{...}}`, and fields where Go has methods',
  },
  {
    contains: "compositions: ['HelloWorld'] },\n});\nnew RemotionRenderMonitoring(this, 'Monitoring', { api });",
    wrong: '`Site: *Site` and `Api: Api` for the shorthands `{ site }` and `{ api }`',
  },
  {
    contains: "compositions: ['MyComp'] },\n});\nnew RemotionRenderMonitoring(this, 'Monitoring', { api });",
    wrong: '`Site: *Site` and `Api: Api` for the shorthands `{ site }` and `{ api }`',
  },
  {
    contains: 'value: fn.remotionVersion',
    wrong: '`fn.RemotionVersion` is a method in Go, not a field',
  },
];

const OMITTED_PREFIX = '// Not shown in Go:';

export function goOmittedComment(omission: GoOmission): string {
  return `${OMITTED_PREFIX} jsii-rosetta's Go for this example is wrong (${omission.wrong}).\n`
    + '// Read the TypeScript; the complete Go app in the README shows how its calls read in Go.';
}

/** Replaces the Go translation of every GO_OMITTED snippet; each must match exactly one snippet. */
export function omitWrongGo(tablet: Tablet, omissions: GoOmission[] = GO_OMITTED): string[] {
  const done: string[] = [];
  // `jsii-rosetta extract` keeps unchanged snippets' translations from the previous tablet: one
  // left out before but no longer listed would keep its comment instead of getting rosetta's Go.
  for (const snippet of Object.values(tablet.snippets)) {
    const source = snippet.translations.$?.source ?? '';
    if (snippet.translations.go?.source.startsWith(OMITTED_PREFIX) && !omissions.some((o) => source.includes(o.contains))) {
      throw new Error(`${describe(snippet)} is no longer in GO_OMITTED but its Go is still left out: delete .jsii.tabl.json and run rosetta:extract again`);
    }
  }
  for (const omission of omissions) {
    const matches = Object.values(tablet.snippets).filter((s) => s.translations.$?.source.includes(omission.contains));
    if (matches.length !== 1) {
      throw new Error(`GO_OMITTED: ${JSON.stringify(omission.contains)} matches ${matches.length} snippets, not one: update projenrc/rosetta-go.ts`);
    }
    const go = matches[0].translations.go;
    matches[0].translations.go = { version: go?.version ?? '1', source: goOmittedComment(omission) };
    done.push(describe(matches[0]));
  }
  return done;
}

function describe(snippet: TabletSnippet): string {
  const api = snippet.location.api;
  const where = api.api === 'moduleReadme' ? 'README' : `${api.fqn}${api.memberName ? `#${api.memberName}` : ''}`;
  return `${where}:${snippet.location.field.line ?? snippet.location.field.field}`;
}

/** Static methods with an example that `cls` inherits from another assembly, nearest base first. */
function inheritedStaticExamples(cls: JsiiType, types: Map<string, JsiiType>): Array<{ fqn: string; method: string }> {
  const found: Array<{ fqn: string; method: string }> = [];
  const seen = new Set((cls.methods ?? []).filter((m) => m.static).map((m) => m.name));
  for (let base = cls.base ? types.get(cls.base) : undefined; base; base = base.base ? types.get(base.base) : undefined) {
    for (const method of base.methods ?? []) {
      if (!method.static || seen.has(method.name)) continue;
      seen.add(method.name);
      if (method.docs?.example) found.push({ fqn: base.fqn, method: method.name });
    }
  }
  return found;
}

/**
 * Adds, under each of our classes, the translation its dependencies' tablets have for every static
 * method example it inherits; returns what it added. Fails on one that no tablet has.
 */
export function addInheritedExamples(tablet: Tablet, own: Assembly, dependencies: Assembly[], dependencyTablets: Tablet[]): string[] {
  const types = new Map<string, JsiiType>();
  for (const assembly of [own, ...dependencies]) {
    for (const type of Object.values(assembly.types ?? {})) types.set(type.fqn, type);
  }
  const translated = new Map<string, TabletSnippet>();
  for (const dependencyTablet of dependencyTablets) {
    for (const snippet of Object.values(dependencyTablet.snippets)) {
      const api = snippet.location.api;
      if (api.api === 'member' && snippet.location.field.field === 'example') translated.set(`${api.fqn}#${api.memberName}`, snippet);
    }
  }
  const added: string[] = [];
  for (const cls of Object.values(own.types ?? {}).filter((t) => t.kind === 'class')) {
    for (const { fqn, method } of inheritedStaticExamples(cls, types)) {
      const original = translated.get(`${fqn}#${method}`);
      if (!original) throw new Error(`${cls.fqn} inherits ${fqn}.${method}, whose example no dependency's tablet translates`);
      const location = { api: { api: 'member', fqn: cls.fqn, memberName: method }, field: { field: 'example' } };
      const snippet: TabletSnippet = { ...original, location };
      tablet.snippets[memberExampleKey(cls.fqn, method, original.translations.$.source)] = snippet;
      added.push(`${cls.fqn}#${method} (from ${fqn})`);
    }
  }
  return added;
}

/** A jsii file that may be a redirect to a gzipped one (`.jsii` -> `.jsii.gz`), or gzipped itself. */
function readJsiiFile(file: string): any {
  const raw = fs.readFileSync(file);
  const parsed = JSON.parse((file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8'));
  if (parsed.schema === 'jsii/file-redirect') return readJsiiFile(path.join(path.dirname(file), parsed.filename));
  return parsed;
}

function main(root: string): void {
  const tabletFile = path.join(root, '.jsii.tabl.json');
  const tablet: Tablet = readJsiiFile(tabletFile);
  const own: Assembly = readJsiiFile(path.join(root, '.jsii'));
  const packageDirs = Object.keys((own as unknown as { dependencies?: Record<string, string> }).dependencies ?? {})
    .map((name) => path.dirname(require.resolve(`${name}/package.json`, { paths: [root] })));
  const dependencies = packageDirs.map((dir) => readJsiiFile(path.join(dir, '.jsii')));
  const dependencyTablets = packageDirs
    .map((dir) => ['.jsii.tabl.json', '.jsii.tabl.json.gz'].map((name) => path.join(dir, name)).find((file) => fs.existsSync(file)))
    .filter((file): file is string => file !== undefined)
    .map(readJsiiFile);

  const added = addInheritedExamples(tablet, own, dependencies, dependencyTablets);
  const omitted = omitWrongGo(tablet);
  fs.writeFileSync(tabletFile, JSON.stringify(tablet));
  console.log(`Go: ${added.length} inherited static examples added (${added.join(', ')}); `
    + `${omitted.length} wrong translations left out (${omitted.join(', ')})`);
}

if (require.main === module) {
  main(process.cwd());
}
