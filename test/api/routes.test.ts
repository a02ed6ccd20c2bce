import { Template } from 'aws-cdk-lib/assertions';
import { AuthenticatedRenderApi } from '../../src/api';
import { RENDER_ROUTES, routeKeyOf } from '../../src/render-function/contract';
import { newStack, renderSettings, TEST_ENV } from '../util';

/** Each synthesized route as `<route key> <authorization type>`, sorted. */
function synthesizedRoutes(records: boolean): string[] {
  const stack = newStack({ env: TEST_ENV });
  new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack), recordsEnabled: records });
  return Object.values(Template.fromStack(stack).findResources('AWS::ApiGatewayV2::Route'))
    .map((route) => `${route.Properties.RouteKey} ${route.Properties.AuthorizationType}`)
    .sort();
}

/** The table's routes in the same form, with or without those that need render records. */
function tableRoutes(records: boolean): string[] {
  return Object.values(RENDER_ROUTES)
    .filter((route) => records || !route.needsRecords)
    .map((route) => `${routeKeyOf(route)} ${route.authorization}`)
    .sort();
}

describe('the route table of the contract', () => {
  it('is exactly what the API registers, with each route\'s authorization, when records are on', () => {
    expect(synthesizedRoutes(true)).toEqual(tableRoutes(true));
    expect(tableRoutes(true)).toEqual([
      'DELETE /renders/{renderId} JWT',
      'GET /renders JWT',
      'GET /renders/{renderId} JWT',
      'POST /renders JWT',
      'POST /webhooks/remotion NONE',
    ]);
  });

  it('is what the API registers without the routes that need records when records are off', () => {
    expect(synthesizedRoutes(false)).toEqual(tableRoutes(false));
    expect(tableRoutes(false)).toEqual(['GET /renders/{renderId} JWT', 'POST /renders JWT']);
  });
});
