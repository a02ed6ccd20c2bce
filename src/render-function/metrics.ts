import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { RENDER_METRICS } from './contract';

/** A metric of the contract (`RENDER_METRICS`), by its key. */
export type RenderMetricKey = Exclude<keyof typeof RENDER_METRICS, 'namespace' | 'serviceDimension'>;

/**
 * How each metric reads best: counts add up, durations average (dashboards ask for percentiles),
 * and the budget gauges take the highest value of the period, since a short peak is what saturates.
 */
const STATISTICS: Record<RenderMetricKey, string> = {
  rendersAccepted: cloudwatch.Stats.SUM,
  rendersStarted: cloudwatch.Stats.SUM,
  rendersSucceeded: cloudwatch.Stats.SUM,
  rendersFailed: cloudwatch.Stats.SUM,
  rendersTimedOut: cloudwatch.Stats.SUM,
  rendersCancelled: cloudwatch.Stats.SUM,
  queueWait: cloudwatch.Stats.AVERAGE,
  renderTime: cloudwatch.Stats.AVERAGE,
  renderCost: cloudwatch.Stats.SUM,
  budgetUnitsInUse: cloudwatch.Stats.MAXIMUM,
  budgetSize: cloudwatch.Stats.MAXIMUM,
  startsDeferred: cloudwatch.Stats.SUM,
  limitRefusals: cloudwatch.Stats.SUM,
  webhookRefusals: cloudwatch.Stats.SUM,
  idempotentReplays: cloudwatch.Stats.SUM,
};

/**
 * The one place a `cloudwatch.Metric` of the contract is made: namespace, name, unit and the
 * `service` dimension come from `RENDER_METRICS`, so the constructs read exactly what the
 * functions emit. `dimensionValue` narrows a metric with a second dimension to one of its values;
 * without it the metric is the total (see `RENDER_METRICS`).
 */
export function renderMetric(
  service: string, key: RenderMetricKey, options: cloudwatch.MetricOptions = {}, dimensionValue?: string,
): cloudwatch.Metric {
  const spec: { name: string; unit: string; dimension?: string; values?: readonly string[] } = RENDER_METRICS[key];
  const second = spec.dimension !== undefined && dimensionValue !== undefined ? { [spec.dimension]: dimensionValue } : {};
  return new cloudwatch.Metric({
    period: Duration.minutes(5),
    statistic: STATISTICS[key],
    ...options,
    namespace: RENDER_METRICS.namespace,
    metricName: spec.name,
    unit: spec.unit as cloudwatch.Unit,
    dimensionsMap: { ...options.dimensionsMap, [RENDER_METRICS.serviceDimension]: service, ...second },
  });
}
