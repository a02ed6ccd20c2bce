import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { documentedRouteKeys, loadRenderApiDocument, RENDER_API_DOCUMENT, RenderApiResponseValidator } from './render-api-document';
import { CODEC_EXTENSIONS, RENDER_ROUTES, routeKeyOf } from '../../src/render-function/contract';
import { IDEMPOTENCY_KEY_PATTERN } from '../../src/render-function/runtime/records/idempotency';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from '../../src/render-function/runtime/records/list-request';
import { RENDER_ID_PATTERN } from '../../src/render-function/runtime/request';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');
const document = loadRenderApiDocument();
type Json = Record<string, any>;
const components = document.components as Json;

describe('the OpenAPI document of the render API', () => {
  it('is a valid OpenAPI 3.1 document', () => {
    // The validator's own CLI: it is an ES module, which jest's CommonJS runtime cannot import.
    const output = execFileSync(path.join(BIN, 'validate-api'), [RENDER_API_DOCUMENT], { encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual({ valid: true });
    expect((document as Json).openapi).toMatch(/^3\.1\./);
  });

  it('describes exactly the routes of the contract route table', () => {
    const routeKeys = Object.values(RENDER_ROUTES).map(routeKeyOf);
    expect(documentedRouteKeys(document).sort()).toEqual(routeKeys.sort());
  });

  it('asks for a Cognito JWT on every route but the webhook, which carries Remotion\'s signature', () => {
    expect((document as Json).security).toEqual([{ cognitoJwt: [] }]);
    expect(components.securitySchemes.cognitoJwt).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(components.securitySchemes.remotionSignature).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Remotion-Signature' });
    for (const route of Object.values(RENDER_ROUTES)) {
      const operation = document.paths[route.path][route.method.toLowerCase()] as Json;
      expect([routeKeyOf(route), operation.security]).toEqual([
        routeKeyOf(route),
        route.authorization === 'NONE' ? [{ remotionSignature: [] }] : undefined,
      ]);
    }
  });

  it('uses the handler\'s own patterns and limits for the render id, the Idempotency-Key, the codecs and the page size', () => {
    expect(components.parameters.RenderId.schema.pattern).toBe(RENDER_ID_PATTERN.source);
    expect(components.parameters.IdempotencyKey.schema.pattern).toBe(IDEMPOTENCY_KEY_PATTERN.source);
    expect(components.schemas.StartRenderRequest.properties.codec.enum).toEqual(Object.keys(CODEC_EXTENSIONS));
    const limit = (document.paths['/renders'].get as Json).parameters.find((p: Json) => p.name === 'limit').schema;
    expect(limit).toEqual({ type: 'integer', minimum: 1, maximum: MAX_LIST_LIMIT, default: DEFAULT_LIST_LIMIT });
  });

  it('refuses unknown fields in the POST /renders body, as the handler does', () => {
    const validator = new RenderApiResponseValidator(document);
    const requestSchema = '/components/schemas/StartRenderRequest';
    expect(validator.check(requestSchema, { composition: 'Intro', inputProps: { a: 1 }, codec: 'h264', outName: 'a.mp4' }, 'body')).toEqual([]);
    expect(validator.check(requestSchema, { composition: 'Intro', frames: 3 }, 'body')).toEqual(['body must NOT have additional properties {"additionalProperty":"frames"}']);
  });
});

describe('the document in the npm package', () => {
  it('resolves as @org/remotion-constructs/openapi/render-api.openapi.json from a consumer\'s folder', () => {
    // package.json's `exports`, should one be added, would have to list the document; npmignore must not drop it.
    const consumer = fs.mkdtempSync(path.join(os.tmpdir(), 'render-api-consumer-'));
    try {
      fs.mkdirSync(path.join(consumer, 'node_modules', '@org'), { recursive: true });
      fs.symlinkSync(ROOT, path.join(consumer, 'node_modules', '@org', 'remotion-constructs'));
      const resolved = require.resolve('@org/remotion-constructs/openapi/render-api.openapi.json', { paths: [consumer] });
      expect(fs.realpathSync(resolved)).toBe(fs.realpathSync(RENDER_API_DOCUMENT));
      expect(fs.readFileSync(path.join(ROOT, '.npmignore'), 'utf8').split('\n')).toContain('!/openapi');
    } finally {
      fs.rmSync(consumer, { recursive: true, force: true });
    }
  });
});

describe('the response check every handler test runs', () => {
  const validator = new RenderApiResponseValidator(document);
  const answer = (statusCode: number, body: Json, headers: Json = {}) => ({
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-request-id': 'r-1', ...headers },
    body: JSON.stringify(body),
  });

  it('accepts a documented answer', () => {
    expect(validator.problems(RENDER_ROUTES.cancelRender, answer(200, { renderId: 'abc', status: 'CANCELLED', requestId: 'r-1' }))).toEqual([]);
  });

  it('fails an answer with a field the document does not list', () => {
    expect(validator.problems(RENDER_ROUTES.cancelRender, answer(200, { renderId: 'abc', status: 'CANCELLED', requestId: 'r-1', at: 1 })))
      .toEqual(['DELETE /renders/{renderId} 200 body must NOT have additional properties {"additionalProperty":"at"}']);
  });

  it('fails a status the document does not list for the route', () => {
    expect(validator.problems(RENDER_ROUTES.completionWebhook, answer(400, { message: 'x', requestId: 'r-1' })))
      .toEqual(['POST /webhooks/remotion answered 400, a status the OpenAPI document does not list for it']);
  });

  it('fails a 429 without Retry-After, and an answer without x-request-id', () => {
    expect(validator.problems(RENDER_ROUTES.startRender, answer(429, { message: 'x', requestId: 'r-1' })))
      .toEqual(['POST /renders 429 lacks the header retry-after']);
    expect(validator.problems(RENDER_ROUTES.startRender, { ...answer(401, { message: 'x', requestId: 'r-1' }), headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } }))
      .toEqual(['POST /renders 401 lacks the header x-request-id']);
  });
});

describe('the typed client the README shows', () => {
  it('is generated by openapi-typescript from the document, and compiles with openapi-fetch', () => {
    // GIVEN a consumer's folder with the generated types and a client written against them
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'render-api-client-'));
    try {
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
      execFileSync(path.join(BIN, 'openapi-typescript'), [RENDER_API_DOCUMENT, '-o', path.join(dir, 'render-api.d.ts')], { stdio: 'pipe' });
      fs.writeFileSync(path.join(dir, 'client.ts'), CLIENT_SOURCE);
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'dom'], skipLibCheck: true },
        files: ['client.ts'],
      }));
      // WHEN it is compiled THEN it type-checks, and the @ts-expect-error lines prove the types are not `any`
      const compile = spawnSync(path.join(BIN, 'tsc'), ['-p', dir], { encoding: 'utf8' });
      expect(compile.stdout + compile.stderr).toBe('');
      expect(compile.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // Two CLIs and a type check: seconds alone, longer on a shared machine.
  }, 120_000);
});

/** What a consumer writes, as in the README; each `@ts-expect-error` fails the compile when the types allow it. */
const CLIENT_SOURCE = `
import createClient from 'openapi-fetch';
import type { paths } from './render-api.js';

export async function main(token: string): Promise<string> {
  const client = createClient<paths>({ baseUrl: 'https://abc123.execute-api.us-east-1.amazonaws.com', headers: { Authorization: \`Bearer \${token}\` } });
  const started = await client.POST('/renders', {
    params: { header: { 'Idempotency-Key': 'order-1234' } },
    body: { composition: 'Intro', inputProps: { title: 'Hello' }, codec: 'h264' },
  });
  if (started.error) return started.error.message + started.error.requestId;
  // @ts-expect-error: composition is required
  await client.POST('/renders', { body: { inputProps: {} } });
  // @ts-expect-error: codec is one of the listed codecs
  await client.POST('/renders', { body: { composition: 'Intro', codec: 'h999' } });
  const status = await client.GET('/renders/{renderId}', { params: { path: { renderId: started.data.renderId } } });
  const progress: number | undefined = status.data?.overallProgress;
  const page = await client.GET('/renders', { params: { query: { limit: 10 } } });
  const statuses: string[] = (page.data?.renders ?? []).map((render) => render.status);
  const cancelled = await client.DELETE('/renders/{renderId}', { params: { path: { renderId: started.data.renderId } } });
  const done: 'CANCELLED' | undefined = cancelled.data?.status;
  return [progress, statuses.join(), done].join();
}
`;
