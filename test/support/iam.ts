/**
 * The part of IAM's policy evaluation the stacks use, for tests that must know whether a
 * role's policy really lets a request through (not only what the template says): Allow and
 * Deny statements, action and resource wildcards, and the condition operators below. An
 * operator the evaluator does not know fails the test instead of being skipped.
 */

export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

export interface PolicyStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: ConditionBlock;
}

/** Request context keys, e.g. `{"dynamodb:LeadingKeys": ["SRC#docs"]}`; a multivalued key is an array. */
export type RequestContext = Readonly<Record<string, string | readonly string[] | undefined>>;

/** IAM's wildcard match: `*` any run of characters, `?` exactly one. */
export function iamLike(pattern: string, value: string, options: { ignoreCase?: boolean } = {}): boolean {
  const source = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, options.ignoreCase ? 'is' : 's').test(value);
}

const list = <T>(value: T | readonly T[]): readonly T[] => (Array.isArray(value) ? value : [value as T]);

function valuesOf(context: RequestContext, key: string): readonly string[] | undefined {
  const value = context[key];
  return value === undefined ? undefined : list(value);
}

function matchOne(base: string, expected: readonly string[], actual: string): boolean {
  switch (base) {
    case 'StringEquals': case 'ArnEquals': return expected.includes(actual);
    case 'StringLike': case 'ArnLike': return expected.some((p) => iamLike(p, actual));
    default: throw new Error(`IAM condition operator ${base} is not modelled by test/support/iam.ts`);
  }
}

function conditionHolds(operator: string, key: string, expectedRaw: string | readonly string[], context: RequestContext): boolean {
  const expected = list(expectedRaw);
  const actual = valuesOf(context, key);
  if (operator === 'Null') return (actual === undefined || actual.length === 0) === (expected[0] === 'true');
  const [qualifier, base] = operator.includes(':') ? operator.split(':') as [string, string] : [undefined, operator];
  if (qualifier === 'ForAllValues') return (actual ?? []).every((a) => matchOne(base, expected, a));
  if (qualifier === 'ForAnyValue') return (actual ?? []).some((a) => matchOne(base, expected, a));
  if (qualifier !== undefined) throw new Error(`IAM condition qualifier ${qualifier} is not modelled`);
  // A single-valued operator on a missing key is false (no IfExists here).
  return actual !== undefined && actual.length === 1 && matchOne(base, expected, actual[0]!);
}

function applies(statement: PolicyStatement, action: string, resource: string, context: RequestContext): boolean {
  if (!list(statement.Action).some((a) => iamLike(a, action, { ignoreCase: true }))) return false;
  if (!list(statement.Resource).some((r) => iamLike(r, resource))) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => conditionHolds(operator, key, expected, context)));
}

/** Whether the statements allow `action` on `resource` with this request context (an explicit Deny wins). */
export function isAllowed(statements: readonly PolicyStatement[], action: string, resource: string, context: RequestContext = {}): boolean {
  const matching = statements.filter((s) => applies(s, action, resource, context));
  return matching.some((s) => s.Effect === 'Allow') && !matching.some((s) => s.Effect === 'Deny');
}
