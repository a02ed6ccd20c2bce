import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describeError, levelForStatus } from './log';
import { callerSubject, type RenderApiEvent } from './request';
import { createResources, type RenderApiDependencies, type RouteResources } from './resources';
import { clientErrors, INTERNAL_ERROR_MESSAGE, jsonResponse } from './responses';
import { cancelRender } from './routes/cancel';
import { getRender } from './routes/get';
import { listRenders } from './routes/list';
import { rejected, startWait, type Outcome, type RenderApiContext, type RequestStart } from './routes/outcome';
import { startRender } from './routes/start';
import { receiveCompletion } from './routes/webhook';
import { matchRoute, type MatchedRoute } from './routing';

export type { RemotionClient, RenderApiDependencies } from './resources';
export { ANSWER_MARGIN_MS, type RenderApiContext } from './routes/outcome';

export type RenderApiHandler = (
  event: RenderApiEvent,
  context?: RenderApiContext,
) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * The render API's one handler: picks the route from the contract's route table, lets the route
 * decide, and answers and logs one line. The routes share the lazily made resources.
 */
export function createRenderApiHandler(dependencies: RenderApiDependencies): RenderApiHandler {
  const resources = createResources(dependencies);
  return async (event, context) => {
    const startedAt = resources.now();
    const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? 'unknown';
    const route = matchRoute(event);
    // The completion webhook carries no JWT; its owner comes from the signed body.
    const caller = route.name === 'completionWebhook' ? undefined : callerSubject(event);
    let outcome: Outcome;
    try {
      outcome = await dispatch(route, event, caller, context, { requestId, awsRequestId: context?.awsRequestId, startedAt }, resources);
    } catch (error) {
      // Only our own code can get here (configuration, a bug): Remotion and AWS failures are 502s in the routes.
      outcome = { status: 500, logMessage: 'Request failed', body: { message: INTERNAL_ERROR_MESSAGE }, error };
    }
    resources.log({
      level: outcome.level ?? levelForStatus(outcome.status),
      message: outcome.logMessage,
      requestId,
      awsRequestId: context?.awsRequestId,
      route: route.key,
      status: outcome.status,
      durationMs: resources.now() - startedAt,
      sub: outcome.sub ?? caller,
      renderId: outcome.renderId,
      reason: outcome.reason,
      error: outcome.error === undefined ? undefined : describeError(outcome.error),
    });
    // A forged or broken webhook is counted here, the one place that sees every refusal of it.
    if (route.name === 'completionWebhook' && outcome.status === 401) resources.metrics?.add('webhookRefusals');
    await resources.metrics?.flush();
    const response = jsonResponse(outcome.status, outcome.body, requestId);
    return outcome.headers === undefined ? response : { ...response, headers: { ...response.headers, ...outcome.headers } };
  };
}

async function dispatch(
  route: MatchedRoute,
  event: RenderApiEvent,
  sub: string | undefined,
  context: RenderApiContext | undefined,
  start: RequestStart,
  resources: RouteResources,
): Promise<Outcome> {
  if (route.name === 'completionWebhook') return receiveCompletion(event, context, start, resources);
  if (sub === undefined) return rejected(clientErrors.unauthenticated());
  if (route.name === 'notFound') return rejected(clientErrors.routeNotFound());
  const request = startWait(start, sub, resources.config().callTimeoutMs, context);
  switch (route.name) {
    case 'startRender':
      return startRender(event, request, resources);
    case 'getRender':
      return getRender(event, route.pathParameters.renderId, request, resources);
    case 'listRenders':
      return listRenders(event, request, resources);
    case 'cancelRender':
      return cancelRender(route.pathParameters.renderId, request, resources);
  }
}
