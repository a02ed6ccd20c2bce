import { lambdaDependencies } from './lambda-dependencies';
import { writeLog } from './log';
import { queueFunctionResources } from './queue/resources';
import { createSweeper } from './queue/sweep';
import type { RemotionClient } from './resources';
import { REMOTION_CLIENT_FILE } from '../contract';

// Relative to this entry, which the asset puts beside the consumer's Remotion client (see render.lambda.ts).
const REMOTION_CLIENT_SPECIFIER = `./${REMOTION_CLIENT_FILE}`;

/** The render queue's sweeper, run by an EventBridge schedule: ends and settles the renders nobody else did. */
export const handler = createSweeper({
  resources: queueFunctionResources(lambdaDependencies(() => import(REMOTION_CLIENT_SPECIFIER) as Promise<RemotionClient>)),
  log: writeLog,
});
