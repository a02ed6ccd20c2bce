import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { RenderRouteSpec } from '../../src/render-function/contract';

/** The OpenAPI document that ships in the npm package. */
export const RENDER_API_DOCUMENT = path.join(__dirname, '..', '..', 'openapi', 'render-api.openapi.json');

type Json = Record<string, unknown>;

export interface OpenApiDocument {
  readonly paths: Record<string, Record<string, unknown>>;
  readonly components: Json;
}

export function loadRenderApiDocument(): OpenApiDocument {
  return JSON.parse(readFileSync(RENDER_API_DOCUMENT, 'utf8')) as OpenApiDocument;
}

const DOCUMENT_ID = 'render-api.openapi.json';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every `METHOD /path` the document describes, in API Gateway's route key form. */
export function documentedRouteKeys(document: OpenApiDocument): string[] {
  return Object.entries(document.paths).flatMap(([routePath, item]) =>
    Object.keys(item).filter((key) => HTTP_METHODS.includes(key)).map((method) => `${method.toUpperCase()} ${routePath}`));
}

const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Checks handler answers against the document: the route must list the status, every required
 * header must be present and match its schema, and the body must match the response's schema
 * (Ajv, JSON Schema 2020-12: the dialect of OpenAPI 3.1).
 */
export class RenderApiResponseValidator {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument = loadRenderApiDocument()) {
    // Not strict: the document's top level (openapi, info, paths) is no JSON Schema keyword.
    this.ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(this.ajv);
    this.ajv.addSchema(document as unknown as Json, DOCUMENT_ID);
  }

  /** What is wrong with `response` as an answer of `route`; empty when the document allows it. */
  problems(route: Pick<RenderRouteSpec, 'method' | 'path'>, response: APIGatewayProxyStructuredResultV2): string[] {
    const where = `${route.method} ${route.path}`;
    const operationPointer = `/paths/${escapePointer(route.path)}/${route.method.toLowerCase()}`;
    const operation = this.at(operationPointer);
    if (operation === undefined) return [`${where} is not in the OpenAPI document`];
    const status = String(response.statusCode);
    const found = this.resolve(`${operationPointer}/responses/${status}`);
    if (found === undefined) return [`${where} answered ${status}, a status the OpenAPI document does not list for it`];
    const [responsePointer, documented] = found;
    const problems: string[] = [];
    const headers = lowerCaseKeys(response.headers ?? {});
    for (const name of Object.keys((documented.headers ?? {}) as Json)) {
      const header = this.resolve(`${responsePointer}/headers/${escapePointer(name)}`)!;
      const value = headers[name.toLowerCase()];
      if (value === undefined) {
        if (header[1].required === true) problems.push(`${where} ${status} lacks the header ${name}`);
        continue;
      }
      problems.push(...this.check(`${header[0]}/schema`, String(value), `${where} ${status} header ${name}`));
    }
    const content = (documented.content ?? {}) as Json;
    const contentType = String(headers['content-type'] ?? '');
    if (!(contentType in content)) return [...problems, `${where} ${status} has content-type "${contentType}", not one of ${Object.keys(content).join(', ')}`];
    let body: unknown;
    try {
      body = JSON.parse(typeof response.body === 'string' ? response.body : '');
    } catch {
      return [...problems, `${where} ${status} has no JSON body`];
    }
    return [...problems, ...this.check(`${responsePointer}/content/${escapePointer(contentType)}/schema`, body, `${where} ${status} body`)];
  }

  /** Checks a value against the schema at `pointer` in the document. */
  check(pointer: string, value: unknown, what: string): string[] {
    let validate = this.compiled.get(pointer);
    if (validate === undefined) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}#${pointer}` });
      this.compiled.set(pointer, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map((error) => `${what}${error.instancePath} ${error.message ?? 'is invalid'}${error.params ? ` ${JSON.stringify(error.params)}` : ''}`);
  }

  /** The object at `pointer`, following one `$ref` to where it points; with that place's pointer. */
  private resolve(pointer: string): [string, Json] | undefined {
    const value = this.at(pointer);
    if (value === undefined) return undefined;
    if (typeof value.$ref === 'string' && value.$ref.startsWith('#')) {
      const target = value.$ref.slice(1);
      const resolved = this.at(target);
      return resolved === undefined ? undefined : [target, resolved];
    }
    return [pointer, value];
  }

  private at(pointer: string): Json | undefined {
    let value: unknown = this.document;
    for (const segment of pointer.split('/').slice(1)) {
      const key = segment.replace(/~1/g, '/').replace(/~0/g, '~');
      if (typeof value !== 'object' || value === null || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
      value = (value as Json)[key];
    }
    return typeof value === 'object' && value !== null ? (value as Json) : undefined;
  }
}

function lowerCaseKeys(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

let shared: RenderApiResponseValidator | undefined;

/**
 * Fails (throws) unless the document allows `response` as `route`'s answer. Every in-process
 * handler test calls it through `callerOf` (handler-events.ts). Without a route (the handler's
 * own 404 for a path the table lacks), the body must still be the document's error shape.
 */
export function expectDocumentedResponse(route: Pick<RenderRouteSpec, 'method' | 'path'> | undefined, response: APIGatewayProxyStructuredResultV2): void {
  shared ??= new RenderApiResponseValidator();
  const problems = route === undefined
    ? shared.check('/components/schemas/Error', JSON.parse(String(response.body)), `unrouted ${response.statusCode} body`)
    : shared.problems(route, response);
  if (problems.length > 0) {
    throw new Error(`The answer breaks openapi/render-api.openapi.json:\n  ${problems.join('\n  ')}\nbody: ${String(response.body)}`);
  }
}
