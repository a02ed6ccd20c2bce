import { App, Stack, StackProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { INSTALLED_REMOTION_VERSION } from './remotion-versions';
import { IRemotionSite, RemotionSite, RemotionSiteAttributes } from '../src/remotion-lambda';
import { RemotionRenderFunctionProps } from '../src/render-function';

/** A CloudFormation value with intrinsic functions folded into `${Ref}` text, for exact ARN assertions. */
export function flatten(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(flatten);
  }
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if ('Ref' in record && Object.keys(record).length === 1) {
      return `\${${record.Ref}}`;
    }
    if ('Fn::GetAtt' in record) {
      return `\${${(record['Fn::GetAtt'] as string[]).join('.')}}`;
    }
    if ('Fn::Join' in record) {
      const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
      return parts.map(flatten).join(separator);
    }
    return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, flatten(inner)]));
  }
  return value;
}

/** A statement as the tests compare it: resources and actions always as lists. */
export interface FlatStatement {
  Sid?: string;
  Effect: string;
  Action: string[];
  Resource: string[];
}

function normalise(statement: Record<string, unknown>): FlatStatement {
  const asList = (value: unknown) => (Array.isArray(value) ? value : [value]) as string[];
  const flat = flatten(statement) as Record<string, unknown>;
  return {
    ...(flat.Sid ? { Sid: flat.Sid as string } : {}),
    Effect: flat.Effect as string,
    Action: asList(flat.Action),
    Resource: asList(flat.Resource),
  };
}

/** Every statement of every resource of `type` (managed or inline policies) in the template. */
export function statementsOf(template: Template, type: 'AWS::IAM::ManagedPolicy' | 'AWS::IAM::Policy'): FlatStatement[] {
  const resources = template.findResources(type);
  return Object.values(resources).flatMap((resource) =>
    (resource.Properties.PolicyDocument.Statement as Record<string, unknown>[]).map(normalise));
}

/** The logical id of the role of the one Lambda function with `handler` (e.g. `index.handler`, the API's). */
export function roleIdOfHandler(template: Template, handler: string): string {
  const functions = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: handler } }));
  if (functions.length !== 1) {
    throw new Error(`expected one function with handler ${handler}, found ${functions.length}`);
  }
  return (functions[0].Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
}

/**
 * Every statement of the policies of `type` attached to the role of the function with `handler`:
 * inline policies name their roles in `Roles`, managed ones are listed in the role's `ManagedPolicyArns`.
 */
export function statementsOfHandler(template: Template, handler: string, type: 'AWS::IAM::ManagedPolicy' | 'AWS::IAM::Policy' = 'AWS::IAM::Policy'): FlatStatement[] {
  const roleId = roleIdOfHandler(template, handler);
  const role = template.toJSON().Resources[roleId];
  const managed: unknown[] = role.Properties.ManagedPolicyArns ?? [];
  const policies = Object.entries(template.findResources(type)).filter(([id, policy]) => (type === 'AWS::IAM::Policy'
    ? (policy.Properties.Roles as unknown[]).some((ref) => JSON.stringify(ref) === JSON.stringify({ Ref: roleId }))
    : managed.some((ref) => JSON.stringify(ref) === JSON.stringify({ Ref: id }))));
  return policies.flatMap(([, policy]) => (policy.Properties.PolicyDocument.Statement as Record<string, unknown>[]).map(normalise));
}

/** A stack in a fresh app, with partition literals on so that a concrete region yields its partition. */
export function newStack(props: StackProps = {}): Stack {
  const app = new App({ context: { '@aws-cdk/core:enablePartitionLiterals': true } });
  return new Stack(app, 'TestStack', props);
}

export { INSTALLED_REMOTION_VERSION };

/** A render function name of Remotion's convention, for the installed version (or another one). */
export function remotionFunctionName(version = INSTALLED_REMOTION_VERSION): string {
  return `remotion-render-${version.replace(/\./g, '-')}-mem2048mb-disk2048mb-120sec`;
}

/** The account and region of the API tests' stacks. */
export const TEST_ENV = { account: '111122223333', region: 'us-east-1' };

/** A site and render function of the installed version, deployed with the Remotion CLI. */
export const CLI_SITE = {
  serveUrl: 'https://remotionlambda-useast1-abc.s3.us-east-1.amazonaws.com/sites/demo/index.html',
  remotionFunctionName: remotionFunctionName(),
};

/** `RemotionSite.fromSiteAttributes()` of `CLI_SITE` (with `attrs` over it), under the first free id `Site`, `Site2`, ... of `scope`. */
export function cliSite(scope: Construct, attrs: Partial<RemotionSiteAttributes> = {}): IRemotionSite {
  let id = 'Site';
  for (let n = 2; scope.node.tryFindChild(id); n++) {
    id = `Site${n}`;
  }
  return RemotionSite.fromSiteAttributes(scope, id, { ...CLI_SITE, ...attrs });
}

/** Render settings naming a CLI-deployed Remotion function and site of the installed version. */
export function renderSettings(scope: Construct, attrs: Partial<RemotionSiteAttributes> = {}): RemotionRenderFunctionProps {
  return { site: cliSite(scope, attrs), compositions: ['HelloWorld'] };
}
