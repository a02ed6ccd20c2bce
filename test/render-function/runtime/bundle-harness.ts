/**
 * Runs the handler asset as the construct assembles it (our prebuilt bundle plus an installed
 * Remotion client, staged by src/render-function/handler-code.ts) as Lambda runs it: an ES module imported by a separate `node`
 * process (jest cannot `import()` an ES module without --experimental-vm-modules), calling the
 * fake Lambda and Secrets Manager endpoints of the test process. Shared by the bundle tests.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HANDLER_ASSET, REPOSITORY_ROOT, sourcesNewerThanAsset } from './asset-freshness';
import { FAKE_ROLE_CREDENTIALS, type FakeLambda } from './fake-lambda';
import { constructEnvironment } from './handler-events';
import { findRemotion } from '../../../src/remotion';
import { stageHandlerCode } from '../../../src/render-function/handler-code';

const BUNDLE_COMMAND = 'npx projen bundle:render-handler';
const RESULT_MARKER = '@@bundle-result@@';

/**
 * Runs in the child. Every supported Remotion client bundles tslib, whose module body defines
 * `globalThis.__awaiter` (our bundle has no tslib), so the global tells whether it was evaluated.
 * With TEST_REMAINING_MS the context reports that much time left for each event; TEST_LINGER_MS
 * keeps the process alive after the last answer, as a warm environment would be.
 */
const CHILD_SCRIPT = `
const remotionEvaluated = () => globalThis.__awaiter !== undefined;
const startedImport = performance.now();
const { handler } = await import(process.env.BUNDLE_URL);
const importMs = performance.now() - startedImport;
const evaluatedAtImport = remotionEvaluated();
const results = [];
const remainingMs = process.env.TEST_REMAINING_MS === undefined ? undefined : Number(process.env.TEST_REMAINING_MS);
const { readFileSync } = await import('node:fs');
for (const event of JSON.parse(readFileSync(process.env.TEST_EVENTS_FILE, 'utf8'))) {
  const startedCall = performance.now();
  const context = { awsRequestId: 'lambda-request-1' };
  if (remainingMs !== undefined) context.getRemainingTimeInMillis = () => remainingMs - (performance.now() - startedCall);
  const response = await handler(event, context);
  results.push({ response, durationMs: performance.now() - startedCall, remotionEvaluated: remotionEvaluated() });
}
await new Promise((resolve) => setTimeout(resolve, Number(process.env.TEST_LINGER_MS ?? 0)));
process.stdout.write('\\n${RESULT_MARKER}' + JSON.stringify({ importMs, evaluatedAtImport, results }));
`;

export interface ChildRun {
  /** The handler's JSON log lines (it logs one per request, errors on stderr). */
  readonly logs: ReadonlyArray<Record<string, unknown>>;
  /** Everything the child printed on stdout and stderr, except the result line. */
  readonly output: string;
  readonly importMs: number;
  readonly evaluatedAtImport: boolean;
  readonly results: ReadonlyArray<{ response: APIGatewayProxyStructuredResultV2; durationMs: number; remotionEvaluated: boolean }>;
}

export interface ChildOptions {
  /** What `context.getRemainingTimeInMillis()` reports at the start of each event. */
  readonly remainingMs?: number;
  /** How long the child stays alive after the last answer. */
  readonly lingerMs?: number;
  /** The entry file to run. @default the asset staged with the newest installed Remotion */
  readonly asset?: string;
}

/** The asset staged with the Remotion installed in the repository (the newest supported). */
export function stagedAsset(): string {
  return path.join(stageHandlerCode(findRemotion({ packageDir: REPOSITORY_ROOT })), 'index.mjs');
}

/**
 * The asset as the construct stages it, staged inside the repository: the DynamoDB clients it
 * leaves external (Lambda's runtime has them) then resolve from the repository's node_modules, as
 * they would from the runtime's.
 */
export function stagedAssetInRepository(): string {
  return path.join(stageHandlerCode(findRemotion({ packageDir: REPOSITORY_ROOT }), {
    stagingRoot: path.join(REPOSITORY_ROOT, 'cdk.out', 'staged-handler'),
  }), 'index.mjs');
}

export async function runBundle(
  fake: FakeLambda,
  events: APIGatewayProxyEventV2WithJWTAuthorizer[],
  envOverrides: Record<string, string> = {},
  options: ChildOptions = {},
): Promise<ChildRun> {
  const eventsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-events-')), 'events.json');
  fs.writeFileSync(eventsFile, JSON.stringify(events));
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: FAKE_ROLE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_ROLE_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: 'fake-role-session-token',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_LAMBDA: fake.url,
    AWS_ENDPOINT_URL_S3: fake.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: fake.url,
    ...constructEnvironment(envOverrides),
    BUNDLE_URL: pathToFileURL(options.asset ?? stagedAsset()).href,
    // A file, not a variable: an environment string is limited to 128 KiB.
    TEST_EVENTS_FILE: eventsFile,
    TEST_REMAINING_MS: options.remainingMs === undefined ? undefined : String(options.remainingMs),
    TEST_LINGER_MS: options.lingerMs === undefined ? undefined : String(options.lingerMs),
  };
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', CHILD_SCRIPT], {
      env, timeout: 20_000, maxBuffer: 64 * 1024 * 1024,
    }));
  } finally {
    fs.rmSync(path.dirname(eventsFile), { recursive: true, force: true });
  }
  const marker = stdout.lastIndexOf(RESULT_MARKER);
  if (marker < 0) throw new Error(`The bundle printed no result:\n${stdout}`);
  const output = `${stdout.slice(0, marker)}\n${stderr}`;
  const logs = output.split('\n').filter((line) => line.startsWith('{"level"')).map((line) => JSON.parse(line) as Record<string, unknown>);
  return { ...JSON.parse(stdout.slice(marker + RESULT_MARKER.length)) as Omit<ChildRun, 'logs' | 'output'>, logs, output };
}

export function bodyOf(response: APIGatewayProxyStructuredResultV2): Record<string, unknown> {
  return JSON.parse(String(response.body)) as Record<string, unknown>;
}

/** Fails, saying how to fix it, when the asset is missing or older than a file bundled into it. */
export async function expectFreshAsset(): Promise<void> {
  if (!fs.existsSync(HANDLER_ASSET)) {
    throw new Error(`The handler bundle ${path.relative(REPOSITORY_ROOT, HANDLER_ASSET)} does not exist. Build it with \`${BUNDLE_COMMAND}\` (or \`npx projen bundle\`).`);
  }
  const newerSources = await sourcesNewerThanAsset();
  if (newerSources.length > 0) {
    throw new Error(`The handler bundle is older than ${newerSources.join(', ')}. Rebuild it with \`${BUNDLE_COMMAND}\`.`);
  }
}
