/**
 * Runs once before the test files: builds the CLI the end-to-end tests start
 * (test/support/cli-bundle.ts). Its location reaches the test workers through the environment,
 * which they inherit.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCliBundle } from './cli-bundle.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env['TRIBUTARY_TEST_TSX'] === '1') return undefined;
  // Inside node_modules: Node resolves the bundle's packages from there, and git ignores it.
  const outDir = join(REPO_ROOT, 'node_modules', '.cache', `tributary-test-cli-${process.pid}`);
  process.env['TRIBUTARY_TEST_CLI'] = await buildCliBundle(REPO_ROOT, outDir);
  return () => rm(outDir, { recursive: true, force: true });
}
