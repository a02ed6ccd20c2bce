import { EmfCapture, tally } from './emf';
import { RENDER_ENV, RENDER_METRICS } from '../../../src/render-function/contract';
import { createRenderMetrics, type MetricsModule, type RenderMetricKey } from '../../../src/render-function/runtime/metrics';

const SERVICE = 'render-api';
const env = { [RENDER_ENV.METRICS_SERVICE]: SERVICE, [RENDER_ENV.METRICS_NAMESPACE]: RENDER_METRICS.namespace };
const load = async () => jest.requireActual<MetricsModule>('@aws-lambda-powertools/metrics');
const KEYS = Object.keys(RENDER_METRICS).filter((key) => key !== 'namespace' && key !== 'serviceDimension') as RenderMetricKey[];
type Spec = { name: string; unit: string; dimension?: string; values?: readonly string[] };
const spec = (key: RenderMetricKey): Spec => RENDER_METRICS[key];

const emf = new EmfCapture();
beforeEach(() => {
  emf.clear();
  emf.start();
});
afterEach(() => emf.stop());

it('writes every metric of RENDER_METRICS with the contract\'s name, unit and namespace, and nothing else', async () => {
  const metrics = createRenderMetrics({ env, load, budgetSize: () => 60 });
  for (const key of KEYS) metrics.add(key, 1, spec(key).values?.[0]);
  await metrics.flush();

  const written = emf.metrics();
  expect(new Set(written.map((metric) => metric.name))).toEqual(new Set(KEYS.map((key) => spec(key).name)));
  for (const metric of written) {
    const key = KEYS.find((candidate) => spec(candidate).name === metric.name)!;
    expect(metric).toMatchObject({ namespace: RENDER_METRICS.namespace, unit: spec(key).unit });
  }
});

it('writes a metric with a second dimension twice: the total with service alone, and with each of its values', async () => {
  const metrics = createRenderMetrics({ env, load, budgetSize: () => undefined });
  for (const limit of RENDER_METRICS.limitRefusals.values) metrics.add('limitRefusals', 1, limit);
  await metrics.flush();

  expect(tally(emf.metrics(), RENDER_METRICS.limitRefusals.name, { service: SERVICE }).sum).toBe(3);
  for (const limit of RENDER_METRICS.limitRefusals.values) {
    expect(tally(emf.metrics(), RENDER_METRICS.limitRefusals.name, { service: SERVICE, limit }).sum).toBe(1);
  }
});

it('never makes a dimension of a value outside the contract, such as an id: it counts in the total only', async () => {
  const metrics = createRenderMetrics({ env, load, budgetSize: () => undefined });
  metrics.add('startsDeferred', 1, 'b3c1e7a2-5d4f-4e6a-9b8c-000000000001');
  await metrics.flush();

  expect(emf.metrics().map((metric) => metric.dimensions)).toEqual([{ service: SERVICE }]);
});

it('writes the budget gauges only with the render queue, and nothing at all, nor loads Powertools, when nothing was recorded', async () => {
  const loader = jest.fn(load);
  const metrics = createRenderMetrics({ env, load: loader, budgetSize: () => undefined });
  metrics.budget(6);
  await metrics.flush();

  expect(emf.lines()).toEqual([]);
  expect(loader).not.toHaveBeenCalled();
});

it('writes each value once: a second flush writes only what was recorded after the first', async () => {
  const metrics = createRenderMetrics({ env, load, budgetSize: () => 12 });
  metrics.budget(6);
  await metrics.flush();
  metrics.budget(0);
  await metrics.flush();

  expect(tally(emf.metrics(), RENDER_METRICS.budgetUnitsInUse.name, { service: SERVICE }).values).toEqual([6, 0]);
  expect(tally(emf.metrics(), RENDER_METRICS.budgetSize.name, { service: SERVICE }).values).toEqual([12, 12]);
});

it('reports a module that does not load, without throwing, and loads it again on the next flush', async () => {
  const errors: unknown[] = [];
  const loader = jest.fn<Promise<MetricsModule>, []>().mockRejectedValueOnce(new Error('no module')).mockImplementation(load);
  const metrics = createRenderMetrics({ env, load: loader, budgetSize: () => undefined, onError: (error) => errors.push(error) });
  metrics.add('rendersAccepted');
  await metrics.flush();
  metrics.add('rendersAccepted');
  await metrics.flush();

  expect(errors).toEqual([new Error('no module')]);
  expect(tally(emf.metrics(), RENDER_METRICS.rendersAccepted.name, { service: SERVICE }).sum).toBe(1);
});
