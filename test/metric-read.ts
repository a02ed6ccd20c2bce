import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** What a metric reads, as CloudWatch is asked for it (dimensions by name, tokens unresolved). */
export function readOf(metric: cloudwatch.IMetric) {
  const stat = metric.toMetricConfig().metricStat!;
  return {
    namespace: stat.namespace,
    name: stat.metricName,
    statistic: stat.statistic,
    unit: stat.unitFilter,
    period: stat.period.toSeconds(),
    dimensions: Object.fromEntries((stat.dimensions ?? []).map((d) => [d.name, d.value])) as Record<string, unknown>,
  };
}
