import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { RENDER_ENV } from '../../src/render-function/contract';
import { CALLER_SUB, constructEnvironment, startRenderEvent } from '../../test/render-function/runtime/handler-events';

/** What `RemotionRenderFunction` sets, as the handler tests use it, with a roomier call timeout. */
export function handlerEnvironment(): Record<string, string> {
  const environment = constructEnvironment({ [RENDER_ENV.CALL_TIMEOUT_MS]: '10000' });
  return Object.fromEntries(Object.entries(environment).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export interface BenchRequest {
  readonly name: string;
  /** The status a working handler answers. */
  readonly expectedStatus: number;
  readonly event: APIGatewayProxyEventV2WithJWTAuthorizer;
}

export const REQUESTS: readonly BenchRequest[] = [
  { name: '400 bad JSON', expectedStatus: 400, event: startRenderEvent('not json', { sub: CALLER_SUB }) },
  { name: '401 no sub', expectedStatus: 401, event: startRenderEvent({ composition: 'Intro' }, { sub: null }) },
  { name: '403 composition', expectedStatus: 403, event: startRenderEvent({ composition: 'NotAllowed' }, { sub: CALLER_SUB }) },
  { name: '202 POST /renders', expectedStatus: 202, event: startRenderEvent({ composition: 'Intro', inputProps: { title: 'Hi' } }, { sub: CALLER_SUB }) },
];
