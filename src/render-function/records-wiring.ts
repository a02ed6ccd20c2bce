import { Duration } from 'aws-cdk-lib';

/**
 * What `RenderRecords` hands to `RemotionRenderFunction._enableRecords()`: the render function
 * turns it into the handler's environment, so that every variable of the contract is written in
 * one place. Internal: not exported from the package entry point.
 */
export interface RecordsWiring {
  /** Name of the records table. */
  readonly tableName: string;
  /** ARN of the records table (the `resources` of the events the handler puts). */
  readonly tableArn: string;
  /** How long a record is kept. */
  readonly retention: Duration;
  /** Whether `POST /renders` honours the `Idempotency-Key` header. */
  readonly idempotency: boolean;
  /** Renders one user may have in progress (0: no limit). */
  readonly maxRendersInProgress: number;
  /** Renders one user may start per `startWindow` (0: no limit). */
  readonly maxStartsPerWindow: number;
  /** The rolling window of `maxStartsPerWindow`. */
  readonly startWindow: Duration;
  /** ARN of the secret that signs Remotion's completion webhook. */
  readonly completionSecretArn: string;
  /** ARN of the bus that gets one event per finished render. */
  readonly eventBusArn: string;
}
