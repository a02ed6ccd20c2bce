import { lambdaDependencies } from './lambda-dependencies';
import { writeLog } from './log';
import { createDispatcher } from './queue/dispatch';
import { queueFunctionResources } from './queue/resources';
import type { RemotionClient } from './resources';
import { REMOTION_CLIENT_FILE } from '../contract';

// Relative to this entry, which the asset puts beside the consumer's Remotion client (see render.lambda.ts).
const REMOTION_CLIENT_SPECIFIER = `./${REMOTION_CLIENT_FILE}`;

/** The render queue's dispatcher: an SQS batch handler (`ReportBatchItemFailures`) that starts queued renders. */
export const handler = createDispatcher({
  resources: queueFunctionResources(lambdaDependencies(() => import(REMOTION_CLIENT_SPECIFIER) as Promise<RemotionClient>)),
  log: writeLog,
});
