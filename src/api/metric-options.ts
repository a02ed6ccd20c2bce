import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** The per-user limits whose 429s `metricLimitRefusals` counts (the metric's `limit` dimension). */
export enum RemotionRenderLimit {
  /** `maxQueuedPerUser`: the user's waiting renders. */
  QUEUED = 'queued',
  /** `maxStartsPerWindow`: the user's starts in the rolling window. */
  STARTS = 'starts',
  /** `maxRendersInProgress`: the user's renders in progress (without the render queue). */
  IN_PROGRESS = 'inProgress',
}

/** Why the dispatcher put a start off (the `reason` dimension of `metricStartsDeferred`). */
export enum RemotionStartDeferralReason {
  /** The render's units did not fit in the budget of concurrent Lambdas. */
  BUDGET = 'budget',
  /** The owner already had `maxRendersInProgress` renders running. */
  OWNER = 'owner',
  /** Lambda throttled Remotion's start. */
  THROTTLED = 'throttled',
}

/** Options of `metricLimitRefusals`. */
export interface RemotionLimitRefusalsMetricOptions extends cloudwatch.MetricOptions {
  /**
   * Count only the 429s of this limit.
   *
   * @default - the 429s of every limit
   */
  readonly limit?: RemotionRenderLimit;
}

/** Options of `metricStartsDeferred`. */
export interface RemotionStartsDeferredMetricOptions extends cloudwatch.MetricOptions {
  /**
   * Count only the starts put off for this reason.
   *
   * @default - every deferred start
   */
  readonly reason?: RemotionStartDeferralReason;
}
