import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { AuthenticatedRenderApi, RemotionRenderLimit, RemotionStartDeferralReason } from '../../src/api';
import { RENDER_METRICS } from '../../src/render-function/contract';
import { readOf } from '../metric-read';
import { newStack, renderSettings, TEST_ENV } from '../util';

function build() {
  const stack = newStack({ env: TEST_ENV });
  const api = new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack) });
  return { stack, api };
}

describe('the render metrics of an AuthenticatedRenderApi', () => {
  const { stack, api } = build();
  const service = api.renderFunction.metricsService;
  const methods: Array<[string, (props?: cloudwatch.MetricOptions) => cloudwatch.Metric, string, string, string]> = [
    ['metricRendersAccepted', (p) => api.metricRendersAccepted(p), 'RendersAccepted', 'Sum', 'Count'],
    ['metricRendersStarted', (p) => api.metricRendersStarted(p), 'RendersStarted', 'Sum', 'Count'],
    ['metricRendersSucceeded', (p) => api.metricRendersSucceeded(p), 'RendersSucceeded', 'Sum', 'Count'],
    ['metricRendersFailed', (p) => api.metricRendersFailed(p), 'RendersFailed', 'Sum', 'Count'],
    ['metricRendersTimedOut', (p) => api.metricRendersTimedOut(p), 'RendersTimedOut', 'Sum', 'Count'],
    ['metricRendersCancelled', (p) => api.metricRendersCancelled(p), 'RendersCancelled', 'Sum', 'Count'],
    ['metricQueueWait', (p) => api.metricQueueWait(p), 'QueueWait', 'Average', 'Milliseconds'],
    ['metricRenderTime', (p) => api.metricRenderTime(p), 'RenderTime', 'Average', 'Milliseconds'],
    ['metricRenderCost', (p) => api.metricRenderCost(p), 'RenderCost', 'Sum', 'None'],
    ['metricBudgetUnitsInUse', (p) => api.metricBudgetUnitsInUse(p), 'BudgetUnitsInUse', 'Maximum', 'Count'],
    ['metricBudgetSize', (p) => api.metricBudgetSize(p), 'BudgetSize', 'Maximum', 'Count'],
    ['metricStartsDeferred', (p) => api.metricStartsDeferred(p), 'StartsDeferred', 'Sum', 'Count'],
    ['metricLimitRefusals', (p) => api.metricLimitRefusals(p), 'LimitRefusals', 'Sum', 'Count'],
    ['metricWebhookRefusals', (p) => api.metricWebhookRefusals(p), 'WebhookRefusals', 'Sum', 'Count'],
    ['metricIdempotentReplays', (p) => api.metricIdempotentReplays(p), 'IdempotentReplays', 'Sum', 'Count'],
  ];

  it.each(methods)('%s reads %s of this API\'s render function, over 5 minutes', (_method, metric, name, statistic, unit) => {
    expect(readOf(metric())).toEqual({ namespace: 'RemotionConstructs', name, statistic, unit, period: 300, dimensions: { service } });
  });

  it('covers every metric of the contract', () => {
    const contractNames = Object.values(RENDER_METRICS).flatMap((spec) => (typeof spec === 'object' ? [spec.name] : [])).sort();
    expect(methods.map(([, , name]) => name).sort()).toEqual(contractNames);
  });

  it('counts the 429s of one limit, or of all limits without one', () => {
    expect(readOf(api.metricLimitRefusals({ limit: RemotionRenderLimit.QUEUED })).dimensions).toEqual({ service, limit: 'queued' });
    expect(readOf(api.metricLimitRefusals()).dimensions).toEqual({ service });
  });

  it('counts the starts deferred for one reason, keeping the other options', () => {
    const metric = api.metricStartsDeferred({ reason: RemotionStartDeferralReason.THROTTLED, statistic: 'Maximum', label: 'throttled' });
    expect(readOf(metric)).toMatchObject({ statistic: 'Maximum', dimensions: { service, reason: 'throttled' } });
    expect(metric.label).toBe('throttled');
  });

  it('names only the limits and reasons of the contract', () => {
    expect(Object.values(RemotionRenderLimit)).toEqual(RENDER_METRICS.limitRefusals.values);
    expect(Object.values(RemotionStartDeferralReason)).toEqual(RENDER_METRICS.startsDeferred.values);
  });

  it.each([
    ['metricServerError', () => api.metricServerError(), '5xx', 'Sum'],
    ['metricClientError', () => api.metricClientError(), '4xx', 'Sum'],
    ['metricLatency', () => api.metricLatency(), 'Latency', 'Average'],
    ['metricCount', () => api.metricCount(), 'Count', 'SampleCount'],
  ] as const)('%s reads API Gateway\'s %s of this HTTP API', (_method, metric, name, statistic) => {
    const read = readOf(metric());
    expect(read).toMatchObject({ namespace: 'AWS/ApiGateway', name, statistic, period: 300 });
    expect(stack.resolve(read.dimensions)).toEqual({ ApiId: stack.resolve(api.httpApi.apiId) });
  });
});
