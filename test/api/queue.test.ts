import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AuthenticatedRenderApi, AuthenticatedRenderApiProps } from '../../src/api';
import { RemotionRenderFunction } from '../../src/render-function';
import { RENDER_ENV } from '../../src/render-function/contract';
import { newStack, renderSettings, statementsOfHandler, TEST_ENV } from '../util';

function build(props: Partial<AuthenticatedRenderApiProps> = {}) {
  const stack = newStack({ env: TEST_ENV });
  const api = new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack), ...props } as AuthenticatedRenderApiProps);
  return { stack, api, template: Template.fromStack(stack) };
}

const QUEUE_VARIABLES = [RENDER_ENV.QUEUE_URL, RENDER_ENV.QUEUE_MAX_QUEUED_PER_USER, RENDER_ENV.QUEUE_MAX_AGE_SECONDS,
  RENDER_ENV.QUEUE_RENDER_CONCURRENCY, RENDER_ENV.BUDGET_MAX_LAMBDAS];

describe('the render queue of AuthenticatedRenderApi', () => {
  it('takes its settings from the queue prop', () => {
    const { api, template } = build({ queue: { maxConcurrentLambdas: 60, concurrencyPerRender: 5, dispatcherConcurrency: 3 } });
    expect(api.renderQueue!.unitsPerRender).toBe(6);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 3 } });
    const [handler] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }));
    expect(handler.Properties.Environment.Variables).toMatchObject({ [RENDER_ENV.BUDGET_MAX_LAMBDAS]: '60', [RENDER_ENV.QUEUE_RENDER_CONCURRENCY]: '5' });
  });

  it('lets the API handler send to the queue and nothing else of SQS', () => {
    const { stack, api, template } = build();
    const queueArn = `\${${stack.getLogicalId(api.queue!.node.defaultChild as never)}.Arn}`;
    const sqsStatements = statementsOfHandler(template, 'index.handler').filter((s) => s.Action.some((a) => a.startsWith('sqs:')));
    expect(sqsStatements).toEqual([{ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [queueArn] }]);
  });

  it('lets the API handler make data keys and decrypt with a given queue key, and do nothing else with it', () => {
    const stack = newStack({ env: TEST_ENV });
    const encryptionKey = new kms.Key(stack, 'QueueKey');
    new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack), queue: { encryptionKey } });
    const keyArn = `\${${stack.getLogicalId(encryptionKey.node.defaultChild as never)}.Arn}`;
    const template = Template.fromStack(stack);
    const kmsStatements = statementsOfHandler(template, 'index.handler').filter((s) => s.Action.some((a) => a.startsWith('kms:')));
    expect(kmsStatements).toEqual([{ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: [keyArn] }]);
    const dispatcherKms = statementsOfHandler(template, 'dispatcher.handler').filter((s) => s.Action.some((a) => a.startsWith('kms:')));
    expect(dispatcherKms).toEqual([{ Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [keyArn] }]);
  });

  it('has no queue, dispatcher, sweeper or queue variable without records: renders start directly', () => {
    const { api, template } = build({ recordsEnabled: false });
    expect([api.renderQueue, api.queue, api.deadLetterQueue, api.dispatcher, api.sweeper].filter((made) => made !== undefined)).toEqual([]);
    template.resourceCountIs('AWS::SQS::Queue', 0);
    template.resourceCountIs('AWS::Events::Rule', 0);
    expect(Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => fn.Properties.Handler)).toEqual(['index.handler']);
    const [handler] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(QUEUE_VARIABLES.filter((name) => name in handler.Properties.Environment.Variables)).toEqual([]);
    expect(statementsOfHandler(template, 'index.handler').filter((s) => s.Action.some((a) => /^sqs:|^s3:PutObject$/.test(a)))).toEqual([]);
  });

  it('rejects queue settings with recordsEnabled: false, naming both', () => {
    expect(() => build({ recordsEnabled: false, queue: { maxQueueAge: Duration.minutes(5) } }))
      .toThrow(/^queue was given with recordsEnabled: false/);
  });

  it('rejects render settings with framesPerLambda, naming it and the queue', () => {
    const stack = newStack({ env: TEST_ENV });
    expect(() => new AuthenticatedRenderApi(stack, 'Render', { render: { ...renderSettings(stack), framesPerLambda: 20 } }))
      .toThrow(/framesPerLambda cannot be combined with the render queue \(queue\)/);
  });

  it('rejects an existing render function with framesPerLambda too', () => {
    const stack = newStack({ env: TEST_ENV });
    const renderFunction = new RemotionRenderFunction(stack, 'Fn', { ...renderSettings(stack), framesPerLambda: 20 });
    expect(() => new AuthenticatedRenderApi(stack, 'Render', { renderFunction })).toThrow(/framesPerLambda cannot be combined with the render queue/);
  });

  it('keeps framesPerLambda without records, where renders start directly', () => {
    const stack = newStack({ env: TEST_ENV });
    new AuthenticatedRenderApi(stack, 'Render', { render: { ...renderSettings(stack), framesPerLambda: 20 }, recordsEnabled: false });
    const [handler] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    expect(handler.Properties.Environment.Variables[RENDER_ENV.FRAMES_PER_LAMBDA]).toBe('20');
  });
});
