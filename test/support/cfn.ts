/**
 * Reading synthesized CloudFormation templates the way CloudFormation would resolve them:
 * intrinsic functions to strings, and the IAM statements a function's role carries.
 */
import type { PolicyStatement } from './iam.ts';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly DeletionPolicy?: string;
}
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
}

export interface ResolveContext {
  readonly region: string;
  readonly account: string;
  /** @default 'aws' */
  readonly partition?: string;
  /** Ref / Fn::GetAtt of a logical id; @default `${logicalId}.${attribute}` (`Ref` for a Ref). */
  readonly attribute?: (logicalId: string, attribute: string) => string | undefined;
  /** Other stacks, whose exports Fn::ImportValue reads (resolved in that stack's context). */
  readonly imports?: readonly CfnTemplate[];
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** A list value: a literal array or Fn::Split. */
function resolveList(value: unknown, ctx: ResolveContext): string[] {
  if (Array.isArray(value)) return value.map((x) => resolve(x, ctx));
  const split = (value as Record<string, unknown>)['Fn::Split'] as [string, unknown] | undefined;
  if (Array.isArray(split)) return resolve(split[1], ctx).split(split[0]);
  throw new Error(`cannot resolve a list from ${JSON.stringify(value)}`);
}

/** Resolves Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split and Fn::ImportValue to a string. */
export function resolve(value: unknown, ctx: ResolveContext): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const v = value as Record<string, unknown>;
  const attr = (id: string, name: string): string => ctx.attribute?.(id, name) ?? `${id}.${name}`;
  if (typeof v['Ref'] === 'string') {
    const ref = v['Ref'];
    switch (ref) {
      case 'AWS::Region': return ctx.region;
      case 'AWS::AccountId': return ctx.account;
      case 'AWS::Partition': return ctx.partition ?? 'aws';
      case 'AWS::URLSuffix': return 'amazonaws.com';
      default: return attr(ref, 'Ref');
    }
  }
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return attr(String(getAtt[0]), String(getAtt[1]));
  const join = v['Fn::Join'] as [string, unknown[]] | undefined;
  if (Array.isArray(join)) return join[1].map((part) => resolve(part, ctx)).join(join[0]);
  const select = v['Fn::Select'] as [number, unknown] | undefined;
  if (Array.isArray(select)) return resolveList(select[1], ctx)[Number(select[0])] ?? '';
  const imported = v['Fn::ImportValue'];
  if (imported !== undefined) {
    const name = resolve(imported, ctx);
    for (const other of ctx.imports ?? []) {
      const output = Object.values(other.Outputs ?? {}).find((o) => o.Export?.Name === name);
      if (output) return resolve(output.Value, ctx);
    }
    throw new Error(`no stack exports ${name}`);
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

/** Every statement of the role a function runs with (inline and attached policies), resolved. */
export function roleStatements(template: CfnTemplate, functionId: string, ctx: ResolveContext): PolicyStatement[] {
  const fn = template.Resources[functionId];
  if (!fn) throw new Error(`no resource ${functionId}`);
  const roleId = String((fn.Properties?.['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
  const role = template.Resources[roleId]?.Properties ?? {};
  const documents = [
    ...((role['Policies'] as Array<{ PolicyDocument: unknown }> | undefined) ?? []).map((p) => p.PolicyDocument),
    ...Object.values(template.Resources)
      .filter((r) => (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy')
        && list(r.Properties?.['Roles'] ?? []).some((x) => (x as { Ref?: string }).Ref === roleId))
      .map((r) => r.Properties?.['PolicyDocument']),
  ];
  return documents.flatMap((doc) => (doc as { Statement: Array<Record<string, unknown>> }).Statement.map((s) => ({
    Effect: s['Effect'] as 'Allow' | 'Deny',
    Action: list(s['Action']).map(String),
    Resource: list(s['Resource']).map((r) => resolve(r, ctx)),
    ...(s['Condition'] ? {
      Condition: Object.fromEntries(Object.entries(s['Condition'] as Record<string, Record<string, unknown>>).map(([op, keys]) =>
        [op, Object.fromEntries(Object.entries(keys).map(([k, vals]) => [k, list(vals).map((x) => resolve(x, ctx))]))])),
    } : {}),
  })));
}
