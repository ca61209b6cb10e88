/**
 * Synthesizes the stacks from a Tributary config (bundling skipped, as in
 * test/infra/stacks.test.ts) and reads them as CloudFormation resolves them.
 */
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type BuiltApp } from '../../infra/build-app.ts';
import type { PipelineFunction } from '../../infra/constructs/pipeline-function.ts';
import { resolve, roleStatements, type CfnTemplate, type ResolveContext } from './cfn.ts';
import type { PolicyStatement } from './iam.ts';

export type FunctionId = 'Fetcher' | 'Embedder' | 'Webhook' | 'Ingest' | 'Watchdog' | 'Admin';
/** Functions deployed only when configured: alerts to Slack (`Notifier`), chat-ops (`Chatops`). */
export type OpsFunctionId = 'Notifier' | 'Chatops';

export interface Synthesized {
  readonly built: BuiltApp;
  readonly pipeline: CfnTemplate;
  readonly state: CfnTemplate;
  readonly ctx: ResolveContext;
  readonly functionId: (id: FunctionId | OpsFunctionId) => string;
  /** The function's role statements, resolved (`LogicalId.Attr` for resources of the stacks). */
  readonly statements: (id: FunctionId | OpsFunctionId) => PolicyStatement[];
  /** The function's environment variables, resolved. */
  readonly env: (id: FunctionId | OpsFunctionId) => Record<string, string>;
}

/** A deep copy of a JSON file (the example configs). */
export const readJson = <T = Record<string, unknown>>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** Logical id of a pipeline function by its construct id (e.g. `Webhook`). */
export function functionLogicalIdIn(built: BuiltApp, id: FunctionId | OpsFunctionId): string {
  const construct = built.pipeline.node.tryFindChild(id) as PipelineFunction | undefined;
  if (!construct) throw new Error(`no function ${id} in the pipeline stack`);
  const element = construct.fn.node.defaultChild as CfnElement;
  return Stack.of(element).resolve(element.logicalId) as string;
}

export function synthesize(config: unknown): Synthesized {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-templates-'));
  try {
    const path = join(dir, 'tributary.config.json');
    writeFileSync(path, JSON.stringify(config));
    const built = buildApp({ configPath: path, app: new App({ context: { 'aws:cdk:bundling-stacks': [] } }) });
    const pipeline = Template.fromStack(built.pipeline).toJSON() as CfnTemplate;
    const state = Template.fromStack(built.stateful).toJSON() as CfnTemplate;
    const ctx: ResolveContext = { region: built.stage.region ?? 'us-east-1', account: built.stage.account ?? '123456789012', imports: [state] };
    const functionId = (id: FunctionId | OpsFunctionId): string => functionLogicalIdIn(built, id);
    return {
      built, pipeline, state, ctx, functionId,
      statements: (id) => roleStatements(pipeline, functionId(id), ctx),
      env: (id) => {
        const variables = (pipeline.Resources[functionId(id)]?.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables;
        return Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, resolve(v, ctx)]));
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
