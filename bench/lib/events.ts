import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { RENDER_ENV } from '../../src/render-function/environment';

export const CALLER_SUB = '3f1c2a9e-6b7d-4e21-9c3a-0d5e8f7a1b2c';
export const REMOTION_FUNCTION_NAME = 'remotion-render-4-0-527-mem2048mb-disk2048mb-120sec';
export const SERVE_URL = 'https://remotionlambda-useast1-abcdef1234.s3.us-east-1.amazonaws.com/sites/demo/index.html';

/** What `RemotionRenderFunction` sets, with the compositions the events below refer to. */
export function handlerEnvironment(): Record<string, string> {
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
    [RENDER_ENV.CALL_TIMEOUT_MS]: '10000',
  };
}

/** `POST /renders` as API Gateway (HTTP API, payload 2.0) sends it after the JWT authorizer. */
export function startRenderEvent(body: unknown, sub: string | null): APIGatewayProxyEventV2WithJWTAuthorizer {
  return {
    version: '2.0',
    routeKey: 'POST /renders',
    rawPath: '/renders',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'authorization': 'Bearer header.payload.signature' },
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: 'POST', path: '/renders', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'bench' },
      requestId: 'bench-request-1',
      routeKey: 'POST /renders',
      stage: '$default',
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

export interface BenchRequest {
  readonly name: string;
  /** The status a working handler answers. */
  readonly expectedStatus: number;
  readonly event: APIGatewayProxyEventV2WithJWTAuthorizer;
}

export const REQUESTS: readonly BenchRequest[] = [
  { name: '401 no sub', expectedStatus: 401, event: startRenderEvent({ composition: 'Intro' }, null) },
  { name: '403 composition', expectedStatus: 403, event: startRenderEvent({ composition: 'NotAllowed' }, CALLER_SUB) },
  { name: '202 POST /renders', expectedStatus: 202, event: startRenderEvent({ composition: 'Intro', inputProps: { title: 'Hi' } }, CALLER_SUB) },
];
