import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RemotionRenderFunction } from '../../src/render-function';
import { RENDER_ENV } from '../../src/render-function/contract';
import { RemotionRenderRecords } from '../../src/render-records';
import { newStack, renderSettings, statementsOf, TEST_ENV } from '../util';

const WIRING = {
  queueUrl: 'https://sqs.us-east-1.amazonaws.com/111122223333/renders',
  maxQueuedPerUser: 4,
  maxQueueAgeSeconds: 600,
  concurrencyPerRender: 9,
  maxConcurrentLambdas: 50,
};

function handlerVariables(template: Template): Record<string, unknown> {
  const [handler] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }));
  return handler.Properties.Environment.Variables;
}

describe('RemotionRenderFunction._enableQueue', () => {
  it('writes exactly the five queue variables of the contract into the handler environment', () => {
    const stack = newStack({ env: TEST_ENV });
    const renderFunction = new RemotionRenderFunction(stack, 'Fn', renderSettings(stack));
    const before = handlerVariables(Template.fromStack(newStackWith()));
    renderFunction._enableQueue(WIRING);
    const after = handlerVariables(Template.fromStack(stack));
    const added = Object.fromEntries(Object.entries(after).filter(([name]) => !(name in before)));
    expect(added).toEqual({
      [RENDER_ENV.QUEUE_URL]: WIRING.queueUrl,
      [RENDER_ENV.QUEUE_MAX_QUEUED_PER_USER]: '4',
      [RENDER_ENV.QUEUE_MAX_AGE_SECONDS]: '600',
      [RENDER_ENV.QUEUE_RENDER_CONCURRENCY]: '9',
      [RENDER_ENV.BUDGET_MAX_LAMBDAS]: '50',
    });
  });

  it('leaves a role of the user\'s own without cancel permissions: its Remotion permissions are the user\'s', () => {
    const stack = newStack({ env: TEST_ENV });
    const role = new iam.Role(stack, 'Mine', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const renderFunction = new RemotionRenderFunction(stack, 'Fn', { ...renderSettings(stack), role });
    renderFunction._enableQueue(WIRING);
    const s3 = statementsOf(Template.fromStack(stack), 'AWS::IAM::Policy').filter((s) => s.Action.some((a) => a.startsWith('s3:')));
    expect(s3).toEqual([]);
  });

  it('refuses a render function with framesPerLambda, which Remotion refuses beside concurrency', () => {
    const stack = newStack({ env: TEST_ENV });
    const renderFunction = new RemotionRenderFunction(stack, 'Fn', { ...renderSettings(stack), framesPerLambda: 8 });
    expect(() => renderFunction._enableQueue(WIRING)).toThrow(/^framesPerLambda cannot be combined with the render queue \(queue\)/);
  });
});

describe('RemotionRenderFunction._runtimeEnvironment', () => {
  it('is every variable of the handler, records\' included, as the template writes them', () => {
    const stack = newStack({ env: TEST_ENV });
    const renderFunction = new RemotionRenderFunction(stack, 'Fn', renderSettings(stack));
    new RemotionRenderRecords(stack, 'Records', { renderFunction });
    const copy = stack.resolve(renderFunction._runtimeEnvironment());
    expect(copy).toEqual(handlerVariables(Template.fromStack(stack)));
    expect(copy).toHaveProperty(RENDER_ENV.RECORDS_TABLE_NAME);
  });
});

/** A render function alone, for the variables it has before the queue. */
function newStackWith() {
  const stack = newStack({ env: TEST_ENV });
  new RemotionRenderFunction(stack, 'Fn', renderSettings(stack));
  return stack;
}
