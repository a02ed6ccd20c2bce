/**
 * Prints what a synthesized stack made: resources by type, each route with its authorizer,
 * each IAM statement, and the outputs.
 */

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Description?: string; Value: unknown }>;
}

/** Folds intrinsic functions into readable text, e.g. `arn:${AWS::Partition}:lambda:...`. */
function show(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map(show).join(', ');
  }
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if ('Ref' in record) {
      return `\${${String(record.Ref)}}`;
    }
    if ('Fn::GetAtt' in record) {
      return `\${${(record['Fn::GetAtt'] as string[]).join('.')}}`;
    }
    if ('Fn::Join' in record) {
      const [separator, parts] = record['Fn::Join'] as [string, unknown];
      return Array.isArray(parts) ? parts.map(show).join(separator) : `join(${JSON.stringify(separator)}, ${show(parts)})`;
    }
    if ('Fn::Split' in record) {
      const [separator, text] = record['Fn::Split'] as [string, unknown];
      return `split(${JSON.stringify(separator)}, ${show(text)})`;
    }
    if ('Fn::Select' in record) {
      const [index, list] = record['Fn::Select'] as [number, unknown];
      return `select(${index}, ${show(list)})`;
    }
    if ('Fn::FindInMap' in record) {
      const [map, first, second] = (record['Fn::FindInMap'] as unknown[]).map(show);
      return `\${${map}[${first}][${second}]}`;
    }
    return JSON.stringify(record);
  }
  return String(value);
}

function lines(title: string, entries: string[]): string[] {
  return [`${title}:`, ...(entries.length ? entries.map((e) => `  - ${e}`) : ['  (none)'])];
}

export function summarize(template: CfnTemplate, directory: string): string {
  const resources = Object.entries(template.Resources);
  const counts = new Map<string, number>();
  resources.forEach(([, r]) => counts.set(r.Type, (counts.get(r.Type) ?? 0) + 1));

  const authorizers = new Map(resources
    .filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Authorizer')
    .map(([id, r]) => [id, r.Properties ?? {}]));
  const routes = resources
    .filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route')
    .map(([, r]) => {
      const props = r.Properties ?? {};
      const authorizerId = (props.AuthorizerId as { Ref?: string } | undefined)?.Ref;
      const authorizer = authorizerId ? authorizers.get(authorizerId) : undefined;
      const jwt = authorizer?.JwtConfiguration as { Issuer?: unknown; Audience?: unknown } | undefined;
      return `${String(props.RouteKey)}  auth=${String(props.AuthorizationType ?? 'NONE')}`
        + (jwt ? ` issuer=${show(jwt.Issuer)} audience=${show(jwt.Audience)}` : '');
    });

  const statements = resources
    .filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::IAM::Policy')
    .flatMap(([id, r]) => {
      const document = (r.Properties?.PolicyDocument ?? {}) as { Statement?: Record<string, unknown>[] };
      return (document.Statement ?? []).map((s) =>
        `${id}${s.Sid ? `/${String(s.Sid)}` : ''}: ${String(s.Effect)} ${show(s.Action)} on ${show(s.Resource)}`);
    });

  const outputs = Object.entries(template.Outputs ?? {}).map(([name, o]) => `${name} = ${show(o.Value)}`);

  // Remotion's own render function (RemotionLambda), when the stack deploys one.
  const remotionFunctions = resources
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && String(r.Properties?.FunctionName ?? '').startsWith('remotion-render-'))
    .map(([, r]) => {
      const p = r.Properties ?? {};
      return `${show(p.FunctionName)}: ${show(p.Runtime)} ${show(p.Architectures)}, ${show(p.MemorySize)} MB, `
        + `disk ${show((p.EphemeralStorage as { Size?: unknown } | undefined)?.Size)} MB, ${show(p.Timeout)} s, layers ${show(p.Layers)}`;
    });

  return [
    `Synthesized to ${directory}`,
    ...lines(`Resources (${resources.length})`, [...counts].sort().map(([type, n]) => `${type} x${n}`)),
    ...lines('Routes', routes),
    ...(remotionFunctions.length ? lines('Remotion render function', remotionFunctions) : []),
    ...lines('IAM statements', statements),
    ...lines('Outputs', outputs),
  ].join('\n');
}
