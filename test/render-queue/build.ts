import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RemotionSiteAttributes } from '../../src/remotion-lambda';
import { RemotionRenderFunction, RemotionRenderFunctionProps } from '../../src/render-function';
import { RemotionRenderQueue, RemotionRenderQueueOptions } from '../../src/render-queue';
import { RemotionRenderRecords } from '../../src/render-records';
import { newStack, renderSettings, TEST_ENV } from '../util';

/** A render function (of `render`, on a CLI site with `site` over its attributes) with records and a queue of `options`, alone in a stack. */
export function buildQueue(
  options: RemotionRenderQueueOptions = {}, render: Partial<RemotionRenderFunctionProps> = {}, site: Partial<RemotionSiteAttributes> = {},
) {
  const stack = newStack({ env: TEST_ENV });
  const renderFunction = new RemotionRenderFunction(stack, 'Fn', { ...renderSettings(stack, site), ...render });
  const records = new RemotionRenderRecords(stack, 'Records', { renderFunction });
  const queue = new RemotionRenderQueue(stack, 'Queue', { ...options, renderFunction, records });
  return { stack, renderFunction, records, queue, template: Template.fromStack(stack) };
}

/** The logical id of a construct's default child (or of the construct, for an L1). */
export function idOf(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId((construct.node.defaultChild ?? construct) as never);
}

/** The one Lambda function of the stack with `handler`. */
export function functionWithHandler(template: Template, handler: string): Record<string, any> {
  const found = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: handler } }));
  expect(found).toHaveLength(1);
  return found[0].Properties;
}

