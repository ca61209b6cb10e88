#!/usr/bin/env node
// Entry point of the `tributary` CLI: runs the TypeScript sources through tsx, so the
// local runtime and Lambda bundles share one codebase without a build step.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.LANCEDB_LOG ??= 'error';
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('./cli.ts');
await main(process.argv);
