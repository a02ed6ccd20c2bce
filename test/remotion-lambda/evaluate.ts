/** What the pseudo parameters resolve to when the tests evaluate a template value. */
export interface Pseudo {
  readonly region: string;
  readonly stackId: string;
  readonly urlSuffix?: string;
}

export const STACK_ID = 'arn:aws:cloudformation:us-east-1:111122223333:stack/MyStack/51af3dc0-da77-11e4-872e-1234567db123';

/**
 * Evaluates the intrinsics the bucket name and serve URL use (Ref of pseudo parameters, Join,
 * Split, Select), as CloudFormation would.
 */
export function evaluate(value: unknown, pseudo: Pseudo): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => evaluate(v, pseudo));
  }
  if (value && typeof value === 'object') {
    const [[fn, arg]] = Object.entries(value as Record<string, unknown>);
    if (fn === 'Ref') {
      const refs: Record<string, string> = { 'AWS::StackId': pseudo.stackId, 'AWS::Region': pseudo.region, 'AWS::URLSuffix': pseudo.urlSuffix ?? 'amazonaws.com' };
      if (!(String(arg) in refs)) {
        throw new Error(`evaluate() does not know Ref ${String(arg)}`);
      }
      return refs[String(arg)];
    }
    const args = evaluate(arg, pseudo) as never;
    switch (fn) {
      case 'Fn::Join': return (args[1] as string[]).join(args[0]);
      case 'Fn::Split': return (args[1] as string).split(args[0]);
      case 'Fn::Select': return (args[1] as string[])[args[0]];
      default: throw new Error(`evaluate() does not know ${fn}`);
    }
  }
  return value;
}

/** A statement as `statementsOf` (test/util.ts) gives it, with every value flattened to text. */
export interface IamStatement {
  readonly Effect: string;
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
}

/** IAM's wildcard match: `*` is any run of characters, `/` included, and `?` any one character. */
function iamMatch(pattern: string, value: string, caseless = false): boolean {
  const source = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, caseless ? 'i' : '').test(value);
}

/**
 * Whether identity statements allow `action` on `resource`, as IAM evaluates them: an explicit
 * Deny wins, then any Allow; without one the request is implicitly denied. Actions compare
 * without case, resources (S3 keys) with it.
 */
export function allows(statements: readonly IamStatement[], action: string, resource: string): boolean {
  const applies = (s: IamStatement) => s.Action.some((a) => iamMatch(a, action, true)) && s.Resource.some((r) => iamMatch(r, resource));
  if (statements.some((s) => s.Effect === 'Deny' && applies(s))) return false;
  return statements.some((s) => s.Effect === 'Allow' && applies(s));
}
