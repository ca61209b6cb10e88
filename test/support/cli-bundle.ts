/**
 * The `tributary` CLI compiled once per test run, for the end-to-end tests that start it as a
 * child process.
 *
 * `functions/local/bin.mjs` compiles the TypeScript sources in every process it starts (tsx:
 * esbuild per file, behind Node's module hooks); a CLI start costs about 2.5 s of CPU that way,
 * and the suite starts a few hundred. Here esbuild — the same compiler tsx runs — builds the
 * same sources into one ES module graph before the tests: about 0.9 s of CPU per start.
 * - Packages stay external: Node loads them from node_modules exactly as under tsx (native
 *   LanceDB and better-sqlite3 included).
 * - Code splitting keeps every lazy `import()` lazy (the Pinecone client, legacy-state
 *   migration, each connector's SDK), so a start loads what a tsx start loads.
 * - `import.meta.url` in a project file is replaced by that file's own URL, so paths the code
 *   derives from it (the repository root, LanceDB's compaction child) are the ones tsx sees.
 * `TRIBUTARY_TEST_TSX=1` runs the tests against bin.mjs instead; test/e2e/cli-errors.test.ts
 * always starts bin.mjs once, so the tsx entry point itself stays covered.
 */
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Builds the CLI under `outDir` and returns the path of its entry point. */
export async function buildCliBundle(repoRoot: string, outDir: string): Promise<string> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await build({
    absWorkingDir: repoRoot,
    entryPoints: { cli: 'functions/local/cli.ts' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir: outDir,
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
    plugins: [{
      name: 'own-file-url',
      setup(b) {
        b.onLoad({ filter: /\.ts$/ }, async (args) => {
          const source = await readFile(args.path, 'utf8');
          return { contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
        });
      },
    }],
  });
  // The same start-up as functions/local/bin.mjs, without the run-time compiler.
  const bin = join(outDir, 'bin.mjs');
  await writeFile(bin, [
    "process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';",
    "process.env.LANCEDB_LOG ??= 'error';",
    "const { main } = await import('./cli.mjs');",
    'await main(process.argv);',
    '',
  ].join('\n'));
  return bin;
}
