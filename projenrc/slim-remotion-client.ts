/**
 * Writes a copy of Remotion's Lambda client (`@remotion/lambda-client`, its ES module build) that
 * esbuild can tree-shake, for the handler bundle (`--alias` in the projen bundle task).
 *
 * Why: the client ships as one file that Bun pre-bundled from CommonJS AWS SDK packages. Bun turns
 * each `import { X } from '@aws-sdk/client-y'` into a top-level `var import_y = __toESM(require_y())`
 * that runs the whole SDK client at import time, and esbuild must keep such calls (it cannot know
 * they are pure). So every import of the client compiled and ran the IAM, Service Quotas and
 * CloudWatch Logs clients, which rendering never uses, and the MIME database and credentials file
 * reader that starting a render does not need either: about 300 KB, and 40 to 110 ms of each cold
 * start that starts a render (`npx projen bench` measures it). (The S3 client still runs at
 * import: Remotion's bundled presigner and upload helper require it eagerly, in code not rewritten.)
 *
 * What changes, and nothing else (behaviour of what the handler calls is unchanged):
 * 1. Bun's CommonJS wrappers (`__commonJS(...)`, which only create a lazy thunk) are marked
 *    `@__PURE__`, and its top-level `var x = __toESM(require_y(), 1)` imports become lazy
 *    namespaces, also pure, that run module y when a property of x is first read. So esbuild drops
 *    the imports nothing uses, as it would for the SDK's own ES modules (they declare
 *    `sideEffects: false`), and the rest run when first used. Remotion's code only ever reads
 *    properties of these bindings (`x.InvokeCommand`). Side-effect-only imports (a bare
 *    `require_y();`) are not touched.
 * 2. `getServiceClient` stops naming the three clients the render, progress and presign code never
 *    asks for (only Remotion's deploy helpers do); asking for one now throws, naming it.
 *
 * Every pattern must match as expected, otherwise this fails, so a Remotion upgrade that changes
 * the client's build stops the bundle task instead of shipping an unslimmed or broken client.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** This build step, as the bundle task runs it (relative to the repository root). */
export const SLIM_CLIENT_SCRIPT = 'projenrc/slim-remotion-client.ts';

/** Where the bundle task's `--alias:@remotion/lambda-client=./...` points (relative to the repository root). */
export const SLIM_CLIENT_FILE = 'node_modules/.cache/remotion-constructs/lambda-client.mjs';

/** The clients `getServiceClient` returns that rendering, progress and presigning never request. */
export const UNUSED_SERVICE_CLIENTS: ReadonlyArray<{ readonly service: string; readonly binding: string; readonly client: string }> = [
  { service: 'cloudwatch', binding: 'import_client_cloudwatch_logs', client: 'CloudWatchLogsClient' },
  { service: 'iam', binding: 'import_client_iam', client: 'IAMClient' },
  { service: 'servicequotas', binding: 'import_client_service_quotas', client: 'ServiceQuotasClient' },
];

/**
 * Defines `__lazyESM(load)`: a namespace object that calls `load()` (Bun's `__toESM(require_y())`)
 * on first use and forwards every read to its result. Inserted before Bun's `__commonJS` helper.
 */
export const LAZY_NAMESPACE_HELPER = `var __lazyESM = (load) => {
  let namespace, failure;
  // Bun's require keeps a half-built module after a failed load: keep its first error instead.
  const loaded = () => {
    if (failure) throw failure;
    try {
      return (namespace ??= load());
    } catch (error) {
      failure = error;
      throw error;
    }
  };
  return new Proxy({}, {
    get: (_, key) => loaded()[key],
    has: (_, key) => key in loaded(),
    ownKeys: () => Reflect.ownKeys(loaded()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(loaded(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
  });
};
`;

export interface SlimmedClient {
  readonly source: string;
  /** `__commonJS(...)` wrappers marked pure. */
  readonly pureWrappers: number;
  /** Top-level `var x = __toESM(require_y(), 1)` imports made lazy (and pure). */
  readonly lazyImports: number;
  /** Clients removed from `getServiceClient`. */
  readonly removedClients: readonly string[];
}

const COMMONJS_HELPER = /^var __commonJS = /m;
const COMMONJS_WRAPPER = /^var (require_\w+) = __commonJS\(/gm;
const TOP_LEVEL_IMPORT = /^var (\w+) = __toESM\((require_\w+)\(\), 1\);$/gm;
const PURE = '/* @__PURE__ */ ';

/** Applies the changes described above to the client's source; throws if it does not have the expected shape. */
export function slimRemotionClient(source: string, origin = '@remotion/lambda-client'): SlimmedClient {
  const changed = (what: string) =>
    new Error(`${origin} no longer has the shape projenrc/slim-remotion-client.ts expects (${what}). ` +
      'Update that file for the new Remotion version, or drop the --alias of the handler bundle task in .projenrc.ts to bundle the client unchanged.');

  const pureWrappers = source.match(COMMONJS_WRAPPER)?.length ?? 0;
  const lazyImports = source.match(TOP_LEVEL_IMPORT)?.length ?? 0;
  if (!COMMONJS_HELPER.test(source)) throw changed('no `var __commonJS = ` helper');
  if (pureWrappers === 0) throw changed('no `var require_x = __commonJS(` wrappers');
  if (lazyImports === 0) throw changed('no top-level `var x = __toESM(require_y(), 1);` imports');
  let slim = source
    .replace(COMMONJS_HELPER, (helper) => `${LAZY_NAMESPACE_HELPER}${helper}`)
    .replace(COMMONJS_WRAPPER, `var $1 = ${PURE}__commonJS(`)
    .replace(TOP_LEVEL_IMPORT, `var $1 = ${PURE}__lazyESM(() => __toESM($2(), 1));`);

  for (const { service, binding, client } of UNUSED_SERVICE_CLIENTS) {
    const branch = `if (service === "${service}") {\n      return ${binding}.${client};\n    }`;
    const found = slim.split(branch).length - 1;
    if (found !== 1) throw changed(`getServiceClient's "${service}" branch returning ${binding}.${client} found ${found} times, expected once`);
    slim = slim.replace(branch, `if (service === "${service}") {\n      throw new Error("${client} is not bundled into this handler: see projenrc/slim-remotion-client.ts");\n    }`);
  }
  return { source: slim, pureWrappers, lazyImports, removedClients: UNUSED_SERVICE_CLIENTS.map(({ client }) => client) };
}

/** The ES module entry of the installed `@remotion/lambda-client` (what esbuild would bundle). */
export function installedClientEntry(root: string): { file: string; version: string } {
  const manifestFile = require.resolve('@remotion/lambda-client/package.json', { paths: [root] });
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { version: string; exports: Record<string, { import?: string }> };
  const entry = manifest.exports['.']?.import;
  if (!entry) throw new Error(`${manifestFile} has no exports["."].import`);
  return { file: path.join(path.dirname(manifestFile), entry), version: manifest.version };
}

function main(): void {
  const root = path.join(__dirname, '..');
  const { file, version } = installedClientEntry(root);
  const source = fs.readFileSync(file, 'utf8');
  const slim = slimRemotionClient(source, `@remotion/lambda-client ${version} (${path.relative(root, file)})`);
  const target = path.join(root, SLIM_CLIENT_FILE);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, slim.source);
  process.stdout.write(`${SLIM_CLIENT_FILE}: @remotion/lambda-client ${version} with ${slim.pureWrappers} CommonJS wrappers marked pure, ` +
    `${slim.lazyImports} top-level imports made lazy, without ${slim.removedClients.join(', ')}\n`);
}

if (require.main === module) main();
