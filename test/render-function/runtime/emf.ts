/**
 * TEST HELPER: reads CloudWatch embedded metric format lines from a function's stdout and checks
 * each against the EMF specification
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
 * a root `_aws` member with an integer `Timestamp` (ms since the epoch) and `CloudWatchMetrics`,
 * an array of directives `{ Namespace, Dimensions: DimensionSet[], Metrics: MetricDefinition[] }`;
 * every dimension named in a set and every metric named in a definition is a root member (a
 * string for a dimension, a number or an array of at most 100 numbers for a metric).
 */

/** The units the specification allows. */
const EMF_UNITS = new Set([
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes', 'Bits', 'Kilobits',
  'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second',
  'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second',
  'Terabits/Second', 'Count/Second', 'None',
]);

/** One metric as CloudWatch would extract it: one per directive, metric and dimension set. */
export interface ExtractedMetric {
  readonly namespace: string;
  readonly name: string;
  readonly unit?: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly values: readonly number[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isName = (value: unknown): value is string => typeof value === 'string' && value.length >= 1 && value.length <= 1024 && value.trim().length > 0;

/** The violations of the specification in one parsed line; empty when it is valid. */
export function emfViolations(document: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(document)) return ['the root is not an object'];
  const aws = document._aws;
  if (!isObject(aws)) return ['no _aws object'];
  if (typeof aws.Timestamp !== 'number' || !Number.isInteger(aws.Timestamp) || aws.Timestamp < 0) problems.push('_aws.Timestamp is not a non-negative integer');
  if (!Array.isArray(aws.CloudWatchMetrics)) return [...problems, '_aws.CloudWatchMetrics is not an array'];
  for (const [i, directive] of aws.CloudWatchMetrics.entries()) {
    const at = `CloudWatchMetrics[${i}]`;
    if (!isObject(directive)) {
      problems.push(`${at} is not an object`);
      continue;
    }
    if (!isName(directive.Namespace)) problems.push(`${at}.Namespace is not a 1 to 1024 character string`);
    if (!Array.isArray(directive.Dimensions)) {
      problems.push(`${at}.Dimensions is not an array`);
    } else {
      for (const set of directive.Dimensions) {
        if (!Array.isArray(set) || set.length > 30) {
          problems.push(`${at}.Dimensions holds a set that is not an array of at most 30 names`);
          continue;
        }
        for (const name of set) {
          if (!isName(name)) problems.push(`${at}.Dimensions names a dimension that is not a string`);
          else if (typeof document[name] !== 'string') problems.push(`dimension ${name} is not a root string member`);
        }
      }
    }
    if (!Array.isArray(directive.Metrics) || directive.Metrics.length > 100) {
      problems.push(`${at}.Metrics is not an array of at most 100 definitions`);
      continue;
    }
    for (const metric of directive.Metrics) {
      if (!isObject(metric) || !isName(metric.Name)) {
        problems.push(`${at}.Metrics holds a definition without a Name`);
        continue;
      }
      if (metric.Unit !== undefined && !EMF_UNITS.has(metric.Unit as string)) problems.push(`metric ${metric.Name} has unit ${String(metric.Unit)}`);
      if (metric.StorageResolution !== undefined && metric.StorageResolution !== 1 && metric.StorageResolution !== 60) {
        problems.push(`metric ${metric.Name} has storage resolution ${String(metric.StorageResolution)}`);
      }
      const value = document[metric.Name];
      const values = Array.isArray(value) ? value : [value];
      if (values.length > 100 || values.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
        problems.push(`metric ${metric.Name} is not a root number or array of at most 100 numbers`);
      }
    }
  }
  return problems;
}

/** The metrics of one valid line, as CloudWatch extracts them. */
export function extractMetrics(document: Record<string, unknown>): ExtractedMetric[] {
  const aws = document._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit?: string }[] }[] };
  return aws.CloudWatchMetrics.flatMap((directive) => directive.Metrics.flatMap((metric) => {
    const raw = document[metric.Name];
    const values = (Array.isArray(raw) ? raw : [raw]) as number[];
    // A directive without dimension sets is one metric without dimensions.
    const sets = directive.Dimensions.length === 0 ? [[]] : directive.Dimensions;
    return sets.map((set) => ({
      namespace: directive.Namespace,
      name: metric.Name,
      unit: metric.Unit,
      dimensions: Object.fromEntries(set.map((name) => [name, document[name] as string])),
      values,
    }));
  }));
}

/**
 * Collects what is written to stdout while it runs, and hands back the EMF lines in it (lines
 * with an `_aws` member), each checked against the specification: an invalid line fails the test.
 */
export class EmfCapture {
  private readonly chunks: string[] = [];
  private spy: jest.SpyInstance | undefined;

  start(): void {
    const write = process.stdout.write.bind(process.stdout);
    this.spy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      this.chunks.push(text);
      // Only the EMF lines are kept from the terminal: the rest (jest's own output) goes through.
      if (text.includes('"_aws"')) return true;
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write);
  }

  stop(): void {
    this.spy?.mockRestore();
    this.spy = undefined;
  }

  clear(): void {
    this.chunks.length = 0;
  }

  /** Every EMF line written so far; throws on a line that breaks the specification. */
  lines(): Record<string, unknown>[] {
    return parseEmfLines(this.chunks.join(''));
  }

  metrics(): ExtractedMetric[] {
    return this.lines().flatMap(extractMetrics);
  }
}

/** The EMF lines of a function's output; throws on one that breaks the specification. */
export function parseEmfLines(output: string): Record<string, unknown>[] {
  return output.split('\n').filter((line) => line.includes('"_aws"')).map((line) => {
    const document = JSON.parse(line) as Record<string, unknown>;
    const problems = emfViolations(document);
    if (problems.length > 0) throw new Error(`Not EMF: ${problems.join('; ')} in ${line}`);
    return document;
  });
}

/** The sum of the values of `name` with exactly `dimensions`, and how many values there were. */
export function tally(
  metrics: readonly ExtractedMetric[], name: string, dimensions: Record<string, string>,
): { sum: number; count: number; values: number[] } {
  const key = JSON.stringify(Object.entries(dimensions).sort());
  const values = metrics
    .filter((metric) => metric.name === name && JSON.stringify(Object.entries(metric.dimensions).sort()) === key)
    .flatMap((metric) => metric.values);
  return { sum: values.reduce((a, b) => a + b, 0), count: values.length, values };
}
