import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { RENDER_ENV, RENDER_ROUTES, routeKeyOf } from '../../../src/render-function/contract';
import type { RenderApiHandler } from '../../../src/render-function/runtime/render-api';
import { matchRoute } from '../../../src/render-function/runtime/routing';
import { expectDocumentedResponse } from '../../openapi/render-api-document';

export const CALLER_SUB = '3f1c2a9e-6b7d-4e21-9c3a-0d5e8f7a1b2c';
export const OTHER_SUB = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
export const API_DOMAIN = 'abc123.execute-api.us-east-1.amazonaws.com';
export const REMOTION_FUNCTION_NAME = 'remotion-render-4-0-527-mem2048mb-disk2048mb-120sec';
export const SERVE_URL = 'https://remotionlambda-useast1-abcdef1234.s3.us-east-1.amazonaws.com/sites/demo/index.html';

/** The environment the construct sets, with values the tests refer to. */
export function constructEnvironment(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    [RENDER_ENV.REGION]: 'us-east-1',
    [RENDER_ENV.FUNCTION_NAME]: REMOTION_FUNCTION_NAME,
    [RENDER_ENV.SERVE_URL]: SERVE_URL,
    [RENDER_ENV.COMPOSITIONS]: JSON.stringify(['Intro', 'Outro']),
    [RENDER_ENV.ALLOWED_CODECS]: JSON.stringify(['h264', 'vp9']),
    [RENDER_ENV.DEFAULT_CODEC]: 'h264',
    [RENDER_ENV.PRIVACY]: 'private',
    [RENDER_ENV.OUTPUT_PREFIX]: 'renders-by-user/',
    [RENDER_ENV.MAX_INPUT_PROPS_BYTES]: '1024',
    [RENDER_ENV.PRESIGN_EXPIRES_SECONDS]: '900',
    [RENDER_ENV.CALL_TIMEOUT_MS]: '5000',
    ...overrides,
  };
}

export interface ApiEventOptions {
  readonly routeKey?: string;
  readonly method?: string;
  readonly rawPath?: string;
  /** A JSON-serialisable body, or the raw text when a string. */
  readonly body?: unknown;
  readonly isBase64Encoded?: boolean;
  /** The verified `sub`; `null` for a request without claims. */
  readonly sub?: string | null;
  readonly pathParameters?: Record<string, string>;
  readonly queryStringParameters?: Record<string, string>;
  readonly stage?: string;
  readonly requestId?: string;
}

/** An HTTP API (payload format 2.0) event, as API Gateway sends it after the JWT authorizer. */
export function apiEvent(options: ApiEventOptions = {}): APIGatewayProxyEventV2WithJWTAuthorizer {
  const method = options.method ?? 'POST';
  const rawPath = options.rawPath ?? '/renders';
  const sub = options.sub === undefined ? CALLER_SUB : options.sub;
  const body = options.body === undefined || typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  return {
    version: '2.0',
    routeKey: options.routeKey ?? `${method} ${rawPath}`,
    rawPath,
    rawQueryString: new URLSearchParams(options.queryStringParameters ?? {}).toString(),
    headers: { 'content-type': 'application/json', 'authorization': 'Bearer header.payload.signature' },
    queryStringParameters: options.queryStringParameters,
    pathParameters: options.pathParameters,
    body,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: API_DOMAIN,
      domainPrefix: 'abc123',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'jest' },
      requestId: options.requestId ?? 'api-request-1',
      routeKey: options.routeKey ?? `${method} ${rawPath}`,
      stage: options.stage ?? '$default',
      time: '01/Jan/2025:00:00:00 +0000',
      timeEpoch: 1735689600000,
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: sub === null ? {} : { sub, token_use: 'id' }, scopes: [] },
      },
    },
  };
}

export function startRenderEvent(body: unknown, options: ApiEventOptions = {}): APIGatewayProxyEventV2WithJWTAuthorizer {
  const route = RENDER_ROUTES.startRender;
  return apiEvent({ routeKey: routeKeyOf(route), method: route.method, rawPath: route.path, body, ...options });
}

export function getRenderEvent(renderId: string, options: ApiEventOptions = {}): APIGatewayProxyEventV2WithJWTAuthorizer {
  return apiEvent({
    routeKey: routeKeyOf(RENDER_ROUTES.getRender),
    method: RENDER_ROUTES.getRender.method,
    rawPath: RENDER_ROUTES.getRender.path.replace('{renderId}', renderId),
    pathParameters: { renderId },
    ...options,
  });
}

/** The response body as JSON, failing loudly when it is not. */
export function responseJson(response: APIGatewayProxyStructuredResultV2): Record<string, unknown> {
  if (typeof response.body !== 'string') throw new Error('The response has no body');
  return JSON.parse(response.body) as Record<string, unknown>;
}

/**
 * Calls `handler` as Lambda would, and reads the JSON answer, which must be one the OpenAPI
 * document lists for the route (status, headers, body): so every handler test checks the document.
 */
export function callerOf(handler: RenderApiHandler) {
  return async (event: APIGatewayProxyEventV2WithJWTAuthorizer) => {
    const response = await handler(event, { awsRequestId: 'lambda-request-1' });
    const route = matchRoute(event);
    expectDocumentedResponse(route.name === 'notFound' ? undefined : RENDER_ROUTES[route.name], response);
    return { response, body: responseJson(response) };
  };
}
