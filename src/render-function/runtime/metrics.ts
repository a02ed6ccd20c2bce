import { RENDER_ENV, RENDER_METRICS } from '../contract';

/** A metric of the contract (`RENDER_METRICS`), by its key. */
export type RenderMetricKey = Exclude<keyof typeof RENDER_METRICS, 'namespace' | 'serviceDimension'>;

/** Powertools' Metrics module, as far as we use it; loaded on the first flush that has something to write. */
export type MetricsModule = Pick<typeof import('@aws-lambda-powertools/metrics'), 'Metrics'>;

/**
 * Where the functions record `RENDER_METRICS` during an invocation. Recording only keeps the
 * values in memory; `flush` writes them (once per invocation), so an invocation that records
 * nothing (a request refused during validation) never loads Powertools.
 */
export interface RenderMetrics {
  /** Adds one value (1 for a count); `dimensionValue` is one of the metric's `values`, where it has a second dimension. */
  add(key: RenderMetricKey, value?: number, dimensionValue?: string): void;
  /** The budget gauges after a reservation, a refused reservation or a release: units in use and the budget's size. */
  budget(used: number): void;
  /** Writes what was recorded since the last flush as EMF lines on stdout; never throws. */
  flush(): Promise<void>;
}

type PowertoolsMetrics = InstanceType<MetricsModule['Metrics']>;
type MetricUnit = Parameters<PowertoolsMetrics['addMetric']>[1];

interface Recorded {
  readonly key: RenderMetricKey;
  readonly value: number;
  readonly dimensionValue?: string;
}

export interface RenderMetricsOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly load: () => Promise<MetricsModule>;
  /** The budget's size (`BudgetSize`); undefined without the render queue, when no gauge is written. */
  readonly budgetSize: () => number | undefined;
  /** Told when the metrics could not be written: they never fail an invocation. */
  readonly onError?: (error: unknown) => void;
}

export function createRenderMetrics(options: RenderMetricsOptions): RenderMetrics {
  let pending: Recorded[] = [];
  // One Metrics for the function's life, made on the first flush with something to write.
  let made: Promise<PowertoolsMetrics> | undefined;
  const powertools = () => made ??= options.load().then(({ Metrics }) => new Metrics({
    namespace: options.env[RENDER_ENV.METRICS_NAMESPACE] ?? RENDER_METRICS.namespace,
    serviceName: options.env[RENDER_ENV.METRICS_SERVICE],
  })).catch((error: unknown) => {
    made = undefined;
    throw error;
  });
  const spec = (key: RenderMetricKey): { name: string; unit: string; dimension?: string; values?: readonly string[] } => RENDER_METRICS[key];

  return {
    add(key, value = 1, dimensionValue) {
      const { values } = spec(key);
      // Only the contract's values: anything else would be a new, unbounded series.
      const dimension = values !== undefined && dimensionValue !== undefined && values.includes(dimensionValue) ? dimensionValue : undefined;
      if (Number.isFinite(value)) pending.push({ key, value, dimensionValue: dimension });
    },
    budget(used) {
      const size = options.budgetSize();
      if (size === undefined) return;
      pending.push({ key: 'budgetUnitsInUse', value: used }, { key: 'budgetSize', value: size });
    },
    async flush() {
      if (pending.length === 0) return;
      const recorded = pending;
      pending = [];
      try {
        const metrics = await powertools();
        for (const { key, value, dimensionValue } of recorded) {
          const { name, unit, dimension } = spec(key);
          metrics.addMetric(name, unit as MetricUnit, value);
          if (dimension === undefined || dimensionValue === undefined) continue;
          // The same value with the second dimension, in a line of its own: the totals line has `service` alone.
          const single = metrics.singleMetric();
          single.addDimension(dimension, dimensionValue);
          single.addMetric(name, unit as MetricUnit, value);
        }
        metrics.publishStoredMetrics();
      } catch (error) {
        options.onError?.(error);
      }
    },
  };
}
