import { RENDER_ENV } from '../../contract';

/** The render queue's settings, as the construct wrote them (see `RemotionRenderQueue`). */
export interface QueueConfig {
  readonly queueUrl: string;
  /** Renders one user may have waiting at once. */
  readonly maxQueuedPerUser: number;
  /** How long a render may wait before it ends FAILED. */
  readonly maxQueueAgeSeconds: number;
  /** Remotion's `concurrency` for every render: its renderer functions. */
  readonly renderConcurrency: number;
  /** The budget of the Remotion function's renders, in concurrent Lambda invocations. */
  readonly budgetMaxLambdas: number;
}

/** A render holds its main function and its renderers. */
export function unitsPerRender(config: Pick<QueueConfig, 'renderConcurrency'>): number {
  return 1 + config.renderConcurrency;
}

/** The queue's settings, or undefined when there is no queue (no URL): renders then start directly. */
export function loadQueueConfig(env: Readonly<Record<string, string | undefined>>): QueueConfig | undefined {
  const queueUrl = env[RENDER_ENV.QUEUE_URL]?.trim();
  if (!queueUrl) return undefined;
  const positive = (name: string): number => {
    const value = Number(env[name]?.trim());
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer with ${RENDER_ENV.QUEUE_URL}`);
    return value;
  };
  const config = {
    queueUrl,
    maxQueuedPerUser: positive(RENDER_ENV.QUEUE_MAX_QUEUED_PER_USER),
    maxQueueAgeSeconds: positive(RENDER_ENV.QUEUE_MAX_AGE_SECONDS),
    renderConcurrency: positive(RENDER_ENV.QUEUE_RENDER_CONCURRENCY),
    budgetMaxLambdas: positive(RENDER_ENV.BUDGET_MAX_LAMBDAS),
  };
  if (unitsPerRender(config) > config.budgetMaxLambdas) {
    throw new Error(`${RENDER_ENV.BUDGET_MAX_LAMBDAS} (${config.budgetMaxLambdas}) must hold one render: 1 + ${RENDER_ENV.QUEUE_RENDER_CONCURRENCY} (${config.renderConcurrency})`);
  }
  return config;
}
