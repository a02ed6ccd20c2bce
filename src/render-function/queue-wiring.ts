/**
 * What `RemotionRenderQueue` hands to `RemotionRenderFunction._enableQueue()`: the render function
 * turns it into the API handler's environment, so that every variable of the contract is written
 * in one place. Internal: not exported from the package entry point.
 */
export interface QueueWiring {
  /** URL of the render queue. */
  readonly queueUrl: string;
  /** Renders one user may have waiting at once. */
  readonly maxQueuedPerUser: number;
  /** How long a render may wait before it ends `FAILED`, in seconds. */
  readonly maxQueueAgeSeconds: number;
  /** Remotion's `concurrency` of every render the dispatcher starts. */
  readonly concurrencyPerRender: number;
  /** The budget of concurrent Lambda invocations of the Remotion function. */
  readonly maxConcurrentLambdas: number;
}
