import { Annotations, Token } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { IConstruct } from 'constructs';

/** What every browser call of the routes sends: the bearer token and a JSON body. */
export const ROUTE_HEADERS: readonly string[] = ['authorization', 'content-type'];
/** Allowed by default too: the header that makes `POST /renders` safe to retry. */
export const OPTIONAL_ROUTE_HEADERS: readonly string[] = ['idempotency-key'];
/** The methods of the routes (DELETE cancels a render); API Gateway answers the OPTIONS preflight itself. */
export const ROUTE_METHODS: readonly apigwv2.CorsHttpMethod[] = [
  apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.POST, apigwv2.CorsHttpMethod.DELETE,
];

/**
 * CORS settings that let a browser call the routes: when origins are given, the allowed headers
 * and methods default to what the routes need (without `authorization` every preflight fails).
 * Given headers are kept as they are, with a warning when they leave out one the routes need.
 */
export function corsForRoutes(scope: IConstruct, cors: apigwv2.CorsPreflightOptions | undefined): apigwv2.CorsPreflightOptions | undefined {
  if (cors?.allowOrigins === undefined) return cors;
  const given = cors.allowHeaders;
  if (given !== undefined && !given.some((header) => header === '*' || Token.isUnresolved(header))) {
    const missing = ROUTE_HEADERS.filter((header) => !given.some((allowed) => allowed.toLowerCase() === header));
    if (missing.length > 0) {
      Annotations.of(scope).addWarningV2('@org/remotion-constructs:corsHeaders',
        `corsPreflight.allowHeaders leaves out ${missing.join(', ')}: browser calls with a bearer token and a JSON body will fail their preflight.`);
    }
  }
  return {
    ...cors,
    allowHeaders: given ?? [...ROUTE_HEADERS, ...OPTIONAL_ROUTE_HEADERS],
    allowMethods: cors.allowMethods ?? [...ROUTE_METHODS],
  };
}
