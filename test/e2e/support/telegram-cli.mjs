#!/usr/bin/env node
// The `tributary` CLI with the GramJS fake installed first (./telegram-fake.ts), for the Telegram
// end-to-end tests: MTProto has no URL a config could point at, so the fake has to be in the
// child process. Otherwise exactly functions/local/bin.mjs.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.LANCEDB_LOG ??= 'error';
const { register } = await import('tsx/esm/api');
register();
await import('./telegram-fake.ts');
const { main } = await import('../../../functions/local/cli.ts');
await main(process.argv);
