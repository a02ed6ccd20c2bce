import { RENDER_ENV } from '../../contract';
import { createResources, type RenderApiDependencies, type RouteResources } from '../resources';

/**
 * The resources of the dispatcher and the sweeper: the API's, except that their limits hold only
 * the owner's running slots. The starts-per-window limit was applied when `POST /renders` accepted
 * the render; a start from the queue must not take a second start slot.
 */
export function queueFunctionResources(dependencies: RenderApiDependencies): RouteResources {
  return createResources({ ...dependencies, env: { ...dependencies.env, [RENDER_ENV.LIMIT_MAX_STARTS]: undefined } });
}
