import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnParameter, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import { RemotionRenderFunction } from '../../src/render-function';
import { RENDER_ENV } from '../../src/render-function/contract';
import { RemotionRenderRecords } from '../../src/render-records';
import { CLI_SITE, flatten, newStack, renderSettings, statementsOf, TEST_ENV } from '../util';

const RECORDS_DIR = path.join(__dirname, '..', '..', 'src', 'render-records');

/** The environment of the one render handler in the stack, with intrinsic functions folded into text. */
function handlerEnvironment(template: Template): Record<string, unknown> {
  const [handler] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }));
  return flatten(handler.Properties.Environment.Variables) as Record<string, unknown>;
}

function withRecords(remotionFunctionName = CLI_SITE.remotionFunctionName) {
  const stack = newStack({ env: TEST_ENV });
  const renderFunction = new RemotionRenderFunction(stack, 'Fn', renderSettings(stack, { remotionFunctionName }));
  const table = dynamodb.Table.fromTableName(stack, 'Existing', 'my-render-records');
  const eventBus = events.EventBus.fromEventBusName(stack, 'Bus', 'renders');
  const records = new RemotionRenderRecords(stack, 'Records', {
    renderFunction, table, eventBus, retention: Duration.days(7), maxRendersInProgress: 2, maxStartsPerWindow: 9, startWindow: Duration.minutes(5),
  });
  const secretId = stack.getLogicalId(records.completionSecret.node.defaultChild as never);
  return { stack, template: Template.fromStack(stack), secretId };
}

describe('RemotionRenderRecords on a RemotionRenderFunction', () => {
  it('writes exactly the records variables into the handler environment, through the render function', () => {
    const { template, secretId } = withRecords();
    const env = handlerEnvironment(template);
    const recordsNames = Object.keys(env).filter((name) => name.startsWith('RENDER_'));
    expect(Object.fromEntries(recordsNames.map((name) => [name, env[name]]))).toEqual({
      [RENDER_ENV.RECORDS_TABLE_NAME]: 'my-render-records',
      [RENDER_ENV.RECORDS_RETENTION_SECONDS]: String(7 * 24 * 3600),
      [RENDER_ENV.IDEMPOTENCY_ENABLED]: 'true',
      [RENDER_ENV.LIMIT_MAX_IN_PROGRESS]: '2',
      [RENDER_ENV.LIMIT_MAX_STARTS]: '9',
      [RENDER_ENV.LIMIT_WINDOW_SECONDS]: '300',
      [RENDER_ENV.LIMIT_RENDER_DEADLINE_SECONDS]: '180',
      [RENDER_ENV.COMPLETION_SECRET_ARN]: `\${${secretId}}`,
      [RENDER_ENV.EVENT_BUS]: 'arn:aws:events:us-east-1:111122223333:event-bus/renders',
      [RENDER_ENV.RECORDS_TABLE_ARN]: 'arn:aws:dynamodb:us-east-1:111122223333:table/my-render-records',
    });
  });

  it('grants the handler role the completion secret and PutEvents on the bus, beside the table access', () => {
    const { template, secretId } = withRecords();
    const statements = statementsOf(template, 'AWS::IAM::Policy').filter((s) => s.Action.some((a) => /^(secretsmanager|events):/.test(a)));
    expect(statements).toEqual([
      { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [`\${${secretId}}`] },
      { Effect: 'Allow', Action: ['events:PutEvents'], Resource: ['arn:aws:events:us-east-1:111122223333:event-bus/renders'] },
    ]);
  });

  it('takes the render deadline from the timeout in the function name, read by Remotion\'s own parser, plus a minute', () => {
    const remotionFunctionName = CLI_SITE.remotionFunctionName.replace('-120sec', '-300sec');
    expect(handlerEnvironment(withRecords(remotionFunctionName).template)[RENDER_ENV.LIMIT_RENDER_DEADLINE_SECONDS]).toBe('360');
  });

  it('falls back to Remotion\'s longest timeout, 900 s plus a minute, for a custom function name', () => {
    const env = handlerEnvironment(withRecords('my-renderer-300sec').template);
    expect(env[RENDER_ENV.LIMIT_RENDER_DEADLINE_SECONDS]).toBe('960');
  });

  it('falls back to 900 s plus a minute for a function name that is a token', () => {
    const stack = newStack({ env: TEST_ENV });
    const remotionFunctionName = new CfnParameter(stack, 'Name').valueAsString;
    const renderFunction = new RemotionRenderFunction(stack, 'Fn', renderSettings(stack, { remotionFunctionName }));
    new RemotionRenderRecords(stack, 'Records', { renderFunction });
    expect(handlerEnvironment(Template.fromStack(stack))[RENDER_ENV.LIMIT_RENDER_DEADLINE_SECONDS]).toBe('960');
  });
});

describe('the records construct', () => {
  const sources = fs.readdirSync(RECORDS_DIR).filter((file) => file.endsWith('.ts')).map((file) => fs.readFileSync(path.join(RECORDS_DIR, file), 'utf8'));

  it('never imports aws-lambda: the render function writes its own environment', () => {
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.filter((source) => /from\s+['"]aws-cdk-lib\/aws-lambda['"]/.test(source))).toEqual([]);
  });

  it('never downcasts the render function with instanceof lambda.Function', () => {
    expect(sources.filter((source) => /instanceof\s+lambda\.Function/.test(source))).toEqual([]);
  });

  it('never parses Remotion\'s function-name rule itself', () => {
    expect(sources.filter((source) => /sec\$/.test(source))).toEqual([]);
  });
});
