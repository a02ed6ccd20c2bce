/**
 * The reference app's import, for the bench only: our handler, but with the full
 * `@remotion/lambda` package loaded when the module loads, as the reference's static import did.
 * bench/lib/bundles.ts also aliases the handler's lazy `@remotion/lambda/client` import to the
 * full package, so the bundle holds one copy of it.
 */
import * as remotion from '@remotion/lambda';

export { handler } from '../../src/render-function/runtime/render.lambda';

/** Uses the namespace, so that the static import (and its evaluation at start-up) stays in the bundle. */
export const remotionExportCount = Object.keys(remotion).length;
