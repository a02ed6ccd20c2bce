import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { RemotionRenderFunction } from '../../src/render-function';
import { RENDER_ENV, RENDER_METRICS } from '../../src/render-function/contract';
import { renderMetric, RenderMetricKey } from '../../src/render-function/metrics';
import { readOf } from '../metric-read';
import { buildQueue } from '../render-queue/build';
import { newStack, renderSettings, TEST_ENV } from '../util';

const KEYS = Object.keys(RENDER_METRICS).filter((key) => key !== 'namespace' && key !== 'serviceDimension') as RenderMetricKey[];

describe('the render metric builder', () => {
  it.each(KEYS)('reads %s in the contract\'s namespace, by its name and unit, for one service', (key) => {
    const read = readOf(renderMetric('svc-1', key));
    expect(read).toMatchObject({ namespace: 'RemotionConstructs', name: RENDER_METRICS[key].name, unit: RENDER_METRICS[key].unit, period: 300 });
    expect(read.dimensions).toEqual({ service: 'svc-1' });
  });

  it('sums counts and cost, averages durations and takes the maximum of the budget gauges', () => {
    const statistics = Object.fromEntries(KEYS.map((key) => [key, readOf(renderMetric('s', key)).statistic]));
    expect(statistics).toEqual({
      rendersAccepted: 'Sum',
      rendersStarted: 'Sum',
      rendersSucceeded: 'Sum',
      rendersFailed: 'Sum',
      rendersTimedOut: 'Sum',
      rendersCancelled: 'Sum',
      queueWait: 'Average',
      renderTime: 'Average',
      renderCost: 'Sum',
      budgetUnitsInUse: 'Maximum',
      budgetSize: 'Maximum',
      startsDeferred: 'Sum',
      limitRefusals: 'Sum',
      webhookRefusals: 'Sum',
      idempotentReplays: 'Sum',
    });
  });

  it('narrows a metric with a second dimension to one value, and ignores a value for a metric without one', () => {
    expect(readOf(renderMetric('s', 'limitRefusals', {}, 'queued')).dimensions).toEqual({ service: 's', limit: 'queued' });
    expect(readOf(renderMetric('s', 'startsDeferred', {}, 'budget')).dimensions).toEqual({ service: 's', reason: 'budget' });
    expect(readOf(renderMetric('s', 'rendersFailed', {}, 'queued')).dimensions).toEqual({ service: 's' });
  });

  it('takes the caller\'s statistic, period and label but never another namespace, name, unit or service', () => {
    const metric = renderMetric('s', 'queueWait', {
      statistic: 'p95', label: 'wait', unit: cloudwatch.Unit.SECONDS, dimensionsMap: { service: 'other' },
    } as cloudwatch.MetricOptions);
    expect(readOf(metric)).toMatchObject({ statistic: 'p95', unit: 'Milliseconds', dimensions: { service: 's' } });
    expect(metric.label).toBe('wait');
  });
});

describe('the metrics service of a render function', () => {
  it('is written into the handler, the dispatcher and the sweeper, with the contract\'s namespace', () => {
    const { renderFunction, template } = buildQueue();
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => fn.Properties.Environment?.Variables ?? {});
    const withService = functions.filter((variables) => RENDER_ENV.METRICS_SERVICE in variables);
    expect(withService).toHaveLength(3);
    for (const variables of withService) {
      expect(variables[RENDER_ENV.METRICS_SERVICE]).toBe(renderFunction.metricsService);
      expect(variables[RENDER_ENV.METRICS_NAMESPACE]).toBe('RemotionConstructs');
    }
  });

  it('is a valid CloudWatch dimension value made of letters, digits and dashes', () => {
    const { renderFunction } = buildQueue();
    expect(renderFunction.metricsService).toMatch(/^[A-Za-z0-9-]{1,128}$/);
  });

  it('stays the same for the same construct path and differs between two render functions of a stack', () => {
    const services = () => {
      const stack = newStack({ env: TEST_ENV });
      const a = new RemotionRenderFunction(stack, 'A', renderSettings(stack));
      const b = new RemotionRenderFunction(stack, 'B', renderSettings(stack));
      Template.fromStack(stack);
      return [a.metricsService, b.metricsService];
    };
    const [first, second] = services();
    expect(services()).toEqual([first, second]);
    expect(first).not.toBe(second);
  });

  it('reads the handler\'s errors and throttles from Lambda\'s own metrics', () => {
    const { stack, renderFunction } = buildQueue();
    const functionName = stack.resolve((renderFunction.function as unknown as { functionName: string }).functionName);
    for (const [metric, name] of [[renderFunction.metricErrors(), 'Errors'], [renderFunction.metricThrottles(), 'Throttles']] as const) {
      const read = readOf(metric);
      expect(read).toMatchObject({ namespace: 'AWS/Lambda', name, statistic: 'Sum', period: 300 });
      expect(stack.resolve(read.dimensions)).toEqual({ FunctionName: functionName });
    }
  });
});
