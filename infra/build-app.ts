import { Annotations, App, Validations, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../shared/config/load.ts';
import { REPO_ROOT } from './constructs/pipeline-function.ts';
import { PipelineStack } from './stacks/pipeline-stack.ts';
import { StatefulStack } from './stacks/stateful-stack.ts';
import { opsStageFrom } from './ops-config.ts';
import { stageConfigFrom, type StageConfig } from './stage-config.ts';

/** The example deployment config: used when no config is given, so `npm run synth` works on a clean clone. */
export const EXAMPLE_CONFIG = join(REPO_ROOT, 'examples', 'aws', 'tributary.config.json');

export interface BuiltApp {
  readonly app: App;
  readonly stage: StageConfig;
  readonly stateful: StatefulStack;
  readonly pipeline: PipelineStack;
}

/** Builds the stacks from a Tributary config file (the one place that reads it). */
export function buildApp(options: { configPath?: string; app?: App } = {}): BuiltApp {
  const app = options.app ?? new App();
  const fromContext = app.node.tryGetContext('config') as string | undefined;
  const path = options.configPath ?? fromContext ?? (existsSync('tributary.config.json') ? 'tributary.config.json' : EXAMPLE_CONFIG);
  const loaded = loadConfig({ path, cwd: process.cwd(), allowDemo: false });
  const stage = stageConfigFrom(loaded.config);
  const ops = opsStageFrom(loaded.config);
  const account = stage.account ?? process.env['CDK_DEFAULT_ACCOUNT'];
  const region = stage.region ?? process.env['CDK_DEFAULT_REGION'];
  const env: Environment = { ...(account !== undefined ? { account } : {}), ...(region !== undefined ? { region } : {}) };
  const prefix = `Tributary-${stage.stage}`;
  const stateful = new StatefulStack(app, `${prefix}-State`, {
    env, fetcherTimeout: stage.fetcherTimeout, embedderTimeout: stage.embedderTimeout, sourceIds: stage.sources.map((s) => s.id), eventRules: stage.eventRules,
    description: `Tributary ${stage.stage}: state table and work queues`,
  });
  const pipeline = new PipelineStack(app, `${prefix}-Pipeline`, {
    env, stage, table: stateful.table, fetchQueue: stateful.fetchQueue, embedQueue: stateful.embedQueue, bus: stateful.bus, ops,
    description: `Tributary ${stage.stage}: functions, schedules, API, alarms and dashboard`,
  });
  for (const warning of stage.warnings) Annotations.of(pipeline).addWarningV2('tributary:config', warning);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stage, stateful, pipeline };
}
