import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { RENDER_ROUTES, routeKeyOf, type RenderRouteName } from '../contract';

/** The route the handler answers, from the contract's route table, or `notFound`. */
export interface MatchedRoute {
  readonly name: RenderRouteName | 'notFound';
  /** The table's route key, or for `notFound` the method and path that were asked for (for the log). */
  readonly key: string;
  /** The path's `{name}` parameters; a segment that is not valid percent-encoding is undefined. */
  readonly pathParameters: Readonly<Record<string, string | undefined>>;
}

/** What routing reads of an event. */
interface RoutedEvent {
  readonly routeKey?: string;
  readonly rawPath?: string;
  readonly pathParameters?: APIGatewayProxyEventV2WithJWTAuthorizer['pathParameters'];
  readonly requestContext?: { readonly stage?: string; readonly http?: { readonly method?: string } };
}

const ROUTES = (Object.keys(RENDER_ROUTES) as RenderRouteName[]).map((name) => {
  const route = RENDER_ROUTES[name];
  const parameters: string[] = [];
  const pattern = route.path.replace(/\{([A-Za-z0-9_]+)\}/g, (_, parameter: string) => {
    parameters.push(parameter);
    return '([^/]+)';
  });
  return { name, method: route.method, key: routeKeyOf(route), pattern: new RegExp(`^${pattern}$`), parameters };
});

/**
 * Picks the route from API Gateway's `routeKey`; when the API forwards everything to one route
 * (`$default`, `ANY /{proxy+}`), from the method and the path without the stage.
 */
export function matchRoute(event: RoutedEvent): MatchedRoute {
  const byKey = ROUTES.find((route) => route.key === event.routeKey);
  if (byKey !== undefined) return { name: byKey.name, key: byKey.key, pathParameters: event.pathParameters ?? {} };
  const method = event.requestContext?.http?.method?.toUpperCase() ?? '';
  const { path } = splitRawPath(event.rawPath ?? '', event.requestContext?.stage);
  for (const route of ROUTES) {
    const match = route.method === method ? route.pattern.exec(path) : null;
    if (match !== null) {
      const pathParameters = Object.fromEntries(route.parameters.map((parameter, index) => [parameter, decodePathSegment(match[index + 1])]));
      return { name: route.name, key: route.key, pathParameters };
    }
  }
  return { name: 'notFound', key: `${method} ${path}`, pathParameters: {} };
}

/** Empty, or `/`-led segments of the characters an API mapping key (or a stage name) may hold. */
const BASE_PATH_PATTERN = /^(?:\/[A-Za-z0-9$_.+!*'()-]+)*$/;

/**
 * Splits API Gateway's `rawPath` into the base path the caller reached the API under and the
 * path of the route. On the execute-api endpoint the base is a named stage; on a custom domain
 * it is the API mapping's key, which API Gateway leaves in `rawPath` before the route's path and
 * names nowhere else. So with `routePath` (the route the request is known to have taken) the base
 * is whatever comes before it; without it, or when what comes before could be no mapping key,
 * the stage is the base, and is cut off the path when the path starts with it. The path loses a
 * trailing slash.
 */
export function splitRawPath(rawPath: string, stage: string | undefined, routePath?: string): { basePath: string; path: string } {
  if (routePath !== undefined && rawPath.endsWith(routePath)) {
    const basePath = rawPath.slice(0, rawPath.length - routePath.length);
    if (BASE_PATH_PATTERN.test(basePath)) return { basePath, path: routePath };
  }
  const named = stage !== undefined && stage !== '' && stage !== '$default';
  const stagePrefix = named ? `/${stage}` : '';
  const hasStage = named && (rawPath === stagePrefix || rawPath.startsWith(`${stagePrefix}/`));
  const path = hasStage ? rawPath.slice(stagePrefix.length) : rawPath;
  return {
    basePath: named ? `/${encodeURIComponent(stage)}` : '',
    path: path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path,
  };
}

function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
