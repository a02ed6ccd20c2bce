import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AuthenticatedRenderApi, AuthenticatedRenderApiProps } from '../../src/api';
import { RENDER_ENV, RENDER_EVENT_DETAIL_TYPES } from '../../src/render-function/contract';
import { RemotionRenderFinishedStatus } from '../../src/render-records';
import { newStack, renderSettings, statementsOfHandler } from '../util';

const ENV = { account: '111122223333', region: 'us-east-1' };
const DEFAULT_BUS_ARN = 'arn:aws:events:us-east-1:111122223333:event-bus/default';

function unsynthesized(props: Partial<AuthenticatedRenderApiProps> = {}) {
  const stack = newStack({ env: ENV });
  const api = new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack), ...props } as AuthenticatedRenderApiProps);
  return { stack, api };
}

function build(props: Partial<AuthenticatedRenderApiProps> = {}) {
  const { stack, api } = unsynthesized(props);
  return { stack, api, template: Template.fromStack(stack) };
}

function handlerEnvironment(template: Template): Record<string, unknown> {
  const [handler] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }));
  return handler.Properties.Environment.Variables;
}

/** The API handler's statements with an action of `prefix` (the render queue's functions have their own roles). */
const statementsWith = (template: Template, prefix: string) =>
  statementsOfHandler(template, 'index.handler').filter((statement) => statement.Action.some((action) => action.startsWith(prefix)));

describe('completion webhook and events with defaults', () => {
  const { stack, api, template } = build();
  const secretId = stack.getLogicalId(api.records!.completionSecret.node.defaultChild as secretsmanager.CfnSecret);
  const tableId = stack.getLogicalId(api.records!.table.node.defaultChild as dynamodb.CfnTable);

  it('routes POST /webhooks/remotion to the render function without any authorizer', () => {
    const [route] = Object.values(template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: 'POST /webhooks/remotion' } }));
    expect(route.Properties.AuthorizationType).toBe('NONE');
    expect(route.Properties).not.toHaveProperty('AuthorizerId');
    const [integrationId] = Object.keys(template.findResources('AWS::ApiGatewayV2::Integration'));
    expect(route.Properties.Target).toEqual({ 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] });
    expect(api.completionWebhookRoute).toBeDefined();
  });

  it('creates one secret with a generated 64-character value and no punctuation', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
  });

  it('tells the handler the secret, the default bus and the records table\'s ARN that its events name', () => {
    expect(handlerEnvironment(template)).toMatchObject({
      [RENDER_ENV.COMPLETION_SECRET_ARN]: { Ref: secretId },
      [RENDER_ENV.EVENT_BUS]: DEFAULT_BUS_ARN,
      [RENDER_ENV.RECORDS_TABLE_ARN]: { 'Fn::GetAtt': [tableId, 'Arn'] },
    });
    expect(api.records!.eventBus.eventBusName).toBe('default');
  });

  it('grants secretsmanager:GetSecretValue on the completion secret only', () => {
    const onSecret = statementsWith(template, 'secretsmanager:');
    expect(onSecret).toEqual([{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [`\${${secretId}}`] }]);
  });

  it('grants events:PutEvents on the default bus only', () => {
    expect(statementsWith(template, 'events:')).toEqual([{ Effect: 'Allow', Action: ['events:PutEvents'], Resource: [DEFAULT_BUS_ARN] }]);
  });

  it('creates no rule until asked, besides the render queue\'s sweep schedule', () => {
    expect(Object.values(template.findResources('AWS::Events::Rule')).map((rule) => rule.Properties.ScheduleExpression)).toEqual(['rate(2 minutes)']);
  });
});

describe('a given event bus', () => {
  it('puts events on that bus only', () => {
    const stack = newStack({ env: ENV });
    const eventBus = new events.EventBus(stack, 'Bus');
    new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack), records: { eventBus } });
    const template = Template.fromStack(stack);
    const busArn = { 'Fn::GetAtt': [stack.getLogicalId(eventBus.node.defaultChild as events.CfnEventBus), 'Arn'] };
    const busId = stack.getLogicalId(eventBus.node.defaultChild as events.CfnEventBus);
    expect(statementsWith(template, 'events:')).toEqual([{ Effect: 'Allow', Action: ['events:PutEvents'], Resource: [`\${${busId}.Arn}`] }]);
    expect(handlerEnvironment(template)[RENDER_ENV.EVENT_BUS]).toEqual(busArn);
  });

  it('is refused with records off', () => {
    const stack = newStack({ env: ENV });
    const eventBus = new events.EventBus(stack, 'Bus');
    expect(() => new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack), recordsEnabled: false, records: { eventBus } }))
      .toThrow(/^records was given with recordsEnabled: false/);
  });
});

/** The records table's ARN as the template writes it. */
const tableArnOf = (stack: Stack, api: AuthenticatedRenderApi) =>
  ({ 'Fn::GetAtt': [stack.getLogicalId(api.records!.table.node.defaultChild as dynamodb.CfnTable), 'Arn'] });

describe('onRenderFinished', () => {
  it('makes a rule on the bus that matches our source, all four detail-types and this API\'s table, with the target given', () => {
    const { stack, api } = unsynthesized();
    const queue = new sqs.Queue(stack, 'Queue');
    const rule = api.onRenderFinished('Finished', { target: new targets.SqsQueue(queue) });
    const template = Template.fromStack(stack);
    expect(rule).toBeInstanceOf(events.Rule);
    expect(Object.keys(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: Match.anyValue() } }))).toHaveLength(1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: 'default',
      EventPattern: {
        'source': ['remotion-constructs'],
        'detail-type': ['Remotion Render Succeeded', 'Remotion Render Failed', 'Remotion Render Timed Out', 'Remotion Render Cancelled'],
        'resources': [tableArnOf(stack, api)],
      },
      Targets: [{ Arn: { 'Fn::GetAtt': [stack.getLogicalId(queue.node.defaultChild as sqs.CfnQueue), 'Arn'] } }],
    });
  });

  it('matches only the statuses asked for', () => {
    const { stack, api } = unsynthesized();
    api.onRenderFinished('Failures', { statuses: [RemotionRenderFinishedStatus.FAILED, RemotionRenderFinishedStatus.TIMED_OUT] });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['remotion-constructs'],
        'detail-type': ['Remotion Render Failed', 'Remotion Render Timed Out'],
        'resources': [tableArnOf(stack, api)],
      },
    });
  });

  it('matches cancelled renders by the detail-type the handler puts for them', () => {
    const { stack, api } = unsynthesized();
    api.onRenderFinished('Cancelled', { statuses: [RemotionRenderFinishedStatus.CANCELLED] });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['remotion-constructs'], 'detail-type': [RENDER_EVENT_DETAIL_TYPES.CANCELLED], 'resources': [tableArnOf(stack, api)] },
    });
  });

  it('has a status for every detail-type of the contract, and no other', () => {
    expect(Object.values(RemotionRenderFinishedStatus).sort()).toEqual(Object.keys(RENDER_EVENT_DETAIL_TYPES).sort());
  });

  it('matches the ARN of a table brought with records.table', () => {
    const stack = newStack({ env: ENV });
    const table = dynamodb.Table.fromTableArn(stack, 'Existing', 'arn:aws:dynamodb:us-east-1:111122223333:table/existing-records');
    const api = new AuthenticatedRenderApi(stack, 'Render', { render: renderSettings(stack), records: { table } });
    api.onRenderFinished('Finished');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ resources: ['arn:aws:dynamodb:us-east-1:111122223333:table/existing-records'] }),
    });
    expect(handlerEnvironment(template)[RENDER_ENV.RECORDS_TABLE_ARN]).toBe('arn:aws:dynamodb:us-east-1:111122223333:table/existing-records');
  });

  it('gives each of two APIs on the default bus a rule that names its own table\'s ARN and not the other\'s', () => {
    const stack = newStack({ env: ENV });
    const [first, second] = ['First', 'Second'].map((id) => new AuthenticatedRenderApi(stack, id, { render: renderSettings(stack) }));
    const rules = [first, second].map((api) => api.onRenderFinished('Finished'));
    const template = Template.fromStack(stack);
    const detailTypes = ['Remotion Render Succeeded', 'Remotion Render Failed', 'Remotion Render Timed Out', 'Remotion Render Cancelled'];
    expect(Object.keys(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: Match.anyValue() } }))).toHaveLength(2);
    for (const api of [first, second]) {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: 'default',
        EventPattern: { 'source': ['remotion-constructs'], 'detail-type': detailTypes, 'resources': [tableArnOf(stack, api)] },
      });
    }
    // Each rule by its own logical id: the first API's rule names the first table only, and so on.
    const resources = template.toJSON().Resources;
    const patterns = rules.map((rule) => resources[stack.getLogicalId(rule.node.defaultChild as events.CfnRule)].Properties.EventPattern.resources);
    expect(patterns).toEqual([[tableArnOf(stack, first)], [tableArnOf(stack, second)]]);
    expect(tableArnOf(stack, first)).not.toEqual(tableArnOf(stack, second));
  });

  it('takes the rule name and description of events.OnEventOptions', () => {
    const { stack, api } = unsynthesized();
    api.onRenderFinished('Finished', { ruleName: 'render-finished', description: 'Our renders' });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', { Name: 'render-finished', Description: 'Our renders' });
  });

  it('narrows its own pattern with the other fields of a given eventPattern', () => {
    const { stack, api } = unsynthesized();
    api.onRenderFinished('Mine', { eventPattern: { account: ['111122223333'], detail: { composition: ['MyComp'] } } });
    const resources = Template.fromStack(stack).findResources('AWS::Events::Rule');
    expect(Object.values(resources).map((rule) => rule.Properties.EventPattern)).toEqual([{
      'account': ['111122223333'],
      'detail': { composition: ['MyComp'] },
      'source': ['remotion-constructs'],
      'detail-type': ['Remotion Render Succeeded', 'Remotion Render Failed', 'Remotion Render Timed Out', 'Remotion Render Cancelled'],
      'resources': [tableArnOf(stack, api)],
    }]);
  });

  it.each([
    ['source', { source: ['aws.s3'] }],
    ['detailType', { detailType: ['Remotion Render Failed'] }],
    ['resources', { resources: ['arn:aws:dynamodb:us-east-1:111122223333:table/other'] }],
  ])('refuses an eventPattern that sets %s, which the rule sets itself', (field, eventPattern) => {
    const { api } = unsynthesized();
    expect(() => api.onRenderFinished('Finished', { eventPattern })).toThrow(`eventPattern.${field}: onRenderFinished sets the source, `
      + 'detail-type (from statuses) and resources (this records table) itself; narrow the rule with other fields of eventPattern, such as detail.');
  });

  it('refuses an empty statuses list, naming it', () => {
    const { api } = unsynthesized();
    expect(() => api.onRenderFinished('None', { statuses: [] })).toThrow(/statuses/);
  });

  it('refuses without records, since no events are put then', () => {
    const { api } = unsynthesized({ recordsEnabled: false });
    expect(() => api.onRenderFinished('Finished')).toThrow(/records/);
  });
});

describe('without records', () => {
  it('has no webhook route, no secret and no PutEvents permission', () => {
    const { api, template } = build({ recordsEnabled: false });
    expect(api.completionWebhookRoute).toBeUndefined();
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(statementsWith(template, 'events:')).toEqual([]);
    expect(handlerEnvironment(template)).not.toHaveProperty(RENDER_ENV.COMPLETION_SECRET_ARN);
  });
});

describe('with the user\'s own webhookUrl', () => {
  it('says in an info annotation that completions then come from status reads and timeouts only, with no events', () => {
    const stack = newStack({ env: ENV });
    const webhookSecret = secretsmanager.Secret.fromSecretNameV2(stack, 'UserSecret', 'user-webhook');
    new AuthenticatedRenderApi(stack, 'Render', { render: { ...renderSettings(stack), webhookUrl: 'https://hooks.example.com/remotion', webhookSecret } });
    const infos = Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp('own webhookUrl'));
    expect(infos.map((info) => info.id)).toEqual(['/TestStack/Render/Records']);
  });

  it('adds no such annotation without one', () => {
    const { stack } = build();
    expect(Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp('own webhookUrl'))).toEqual([]);
  });
});
