import { apiEvent, getRenderEvent, startRenderEvent } from './handler-events';
import { matchRoute, splitRawPath } from '../../../src/render-function/runtime/routing';

describe('matchRoute', () => {
  it('follows API Gateway\'s route key', () => {
    expect(matchRoute(startRenderEvent({}))).toEqual({ name: 'startRender', key: 'POST /renders', pathParameters: {} });
    expect(matchRoute(getRenderEvent('abc123'))).toEqual({ name: 'getRender', key: 'GET /renders/{renderId}', pathParameters: { renderId: 'abc123' } });
    expect(matchRoute(apiEvent({ routeKey: 'GET /renders', method: 'GET', rawPath: '/renders' })))
      .toEqual({ name: 'listRenders', key: 'GET /renders', pathParameters: {} });
    expect(matchRoute({ routeKey: 'POST /webhooks/remotion' })).toEqual({ name: 'completionWebhook', key: 'POST /webhooks/remotion', pathParameters: {} });
  });

  it('falls back to method and path, without the stage, behind a catch-all route', () => {
    expect(matchRoute(apiEvent({ routeKey: '$default', method: 'POST', rawPath: '/prod/renders/', stage: 'prod' })))
      .toEqual({ name: 'startRender', key: 'POST /renders', pathParameters: {} });
    expect(matchRoute(apiEvent({ routeKey: 'ANY /{proxy+}', method: 'GET', rawPath: '/renders/abc%31' })))
      .toEqual({ name: 'getRender', key: 'GET /renders/{renderId}', pathParameters: { renderId: 'abc1' } });
    expect(matchRoute(apiEvent({ routeKey: '$default', method: 'GET', rawPath: '/renders' })))
      .toEqual({ name: 'listRenders', key: 'GET /renders', pathParameters: {} });
    expect(matchRoute({ routeKey: '$default', rawPath: '/prod/webhooks/remotion/', requestContext: { stage: 'prod', http: { method: 'POST' } } }))
      .toEqual({ name: 'completionWebhook', key: 'POST /webhooks/remotion', pathParameters: {} });
  });

  it('takes a route key of the table over the path, so no other route is taken for the webhook', () => {
    expect(matchRoute({ routeKey: 'POST /renders', rawPath: '/webhooks/remotion', requestContext: { http: { method: 'POST' } } }).name).toBe('startRender');
  });

  it('reports anything else as not found, with what was asked for', () => {
    expect(matchRoute(apiEvent({ routeKey: '$default', method: 'GET', rawPath: '/renders/a/b' }))).toEqual({ name: 'notFound', key: 'GET /renders/a/b', pathParameters: {} });
    expect(matchRoute(apiEvent({ routeKey: '$default', method: 'DELETE', rawPath: '/renders' })).name).toBe('notFound');
    expect(matchRoute({ routeKey: '$default', rawPath: '/webhooks/remotion', requestContext: { http: { method: 'GET' } } }).name).toBe('notFound');
  });

  it('takes DELETE of one render to the cancel route, by route key and by path', () => {
    expect(matchRoute(apiEvent({ routeKey: 'DELETE /renders/{renderId}', method: 'DELETE', rawPath: '/renders/abc', pathParameters: { renderId: 'abc' } })))
      .toEqual({ name: 'cancelRender', key: 'DELETE /renders/{renderId}', pathParameters: { renderId: 'abc' } });
    expect(matchRoute(apiEvent({ routeKey: '$default', method: 'DELETE', rawPath: '/renders/abc' })))
      .toEqual({ name: 'cancelRender', key: 'DELETE /renders/{renderId}', pathParameters: { renderId: 'abc' } });
  });

  it('does not fail on a path segment that is not valid percent-encoding', () => {
    expect(matchRoute(apiEvent({ routeKey: '$default', method: 'GET', rawPath: '/renders/%E0%A4%A' })))
      .toEqual({ name: 'getRender', key: 'GET /renders/{renderId}', pathParameters: { renderId: undefined } });
  });
});

describe('splitRawPath', () => {
  it('cuts a named stage off the path, and keeps it as the base', () => {
    expect(splitRawPath('/prod/renders/abc', 'prod')).toEqual({ basePath: '/prod', path: '/renders/abc' });
    expect(splitRawPath('/prod', 'prod')).toEqual({ basePath: '/prod', path: '' });
  });

  it('leaves the path whole on the $default stage, and on a named stage it does not start with', () => {
    expect(splitRawPath('/renders', '$default')).toEqual({ basePath: '', path: '/renders' });
    expect(splitRawPath('/renders', undefined)).toEqual({ basePath: '', path: '/renders' });
    expect(splitRawPath('/production/renders', 'prod')).toEqual({ basePath: '/prod', path: '/production/renders' });
  });

  it('drops one trailing slash from the path, but not the root', () => {
    expect(splitRawPath('/prod/renders/', 'prod')).toEqual({ basePath: '/prod', path: '/renders' });
    expect(splitRawPath('/', '$default')).toEqual({ basePath: '', path: '/' });
  });

  it('takes what comes before a known route path as the base: a custom domain\'s mapping key', () => {
    expect(splitRawPath('/video/renders', '$default', '/renders')).toEqual({ basePath: '/video', path: '/renders' });
    expect(splitRawPath('/video/v1/renders', 'prod', '/renders')).toEqual({ basePath: '/video/v1', path: '/renders' });
    expect(splitRawPath('/prod/renders', 'prod', '/renders')).toEqual({ basePath: '/prod', path: '/renders' });
    expect(splitRawPath('/renders', 'prod', '/renders')).toEqual({ basePath: '', path: '/renders' });
  });

  it('falls back to the stage when the path does not end in the route, or what precedes it could be no mapping key', () => {
    expect(splitRawPath('/elsewhere', 'prod', '/renders')).toEqual({ basePath: '/prod', path: '/elsewhere' });
    expect(splitRawPath('/a b/renders', '$default', '/renders')).toEqual({ basePath: '', path: '/a b/renders' });
  });
});
